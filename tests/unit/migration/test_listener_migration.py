"""Migrating an element instance that waits on an execution listener's job (Zeebe 8.8 has no
precondition of its own for it): it migrates like any element instance, its listener job is
migrated with it (JOB MIGRATED, same key, type, kind and event type), it opens no catch event
while its listeners run, and the listeners still to run are the target element's."""

from __future__ import annotations

from typing import Any

from bpmn_builders import boundary, chain, end, ext, listeners, process, start, task, timer
from test_catch_events_migration import Migration, model

from engine_sim.engine import commands
from engine_sim.engine.engine import Outcome


def with_listeners(*specs: tuple[str, str], boundaries: str = "", end_extensions: str = "") -> bytes:
    end_event = (f'<bpmn:endEvent id="end">{ext(end_extensions)}</bpmn:endEvent>'
                 if end_extensions else end())
    return model(start(), task("t", extensions=listeners(*specs)), end_event,
                 chain("start", "t", "end"), boundaries)


def jobs(outcome: Outcome) -> list[dict[str, Any]]:
    return [r for r in outcome.records if r["valueType"] == "JOB"]


def test_a_task_waiting_on_a_start_listener_migrates_with_its_listener_job() -> None:
    late = boundary("late", "t", timer("timeDuration", "PT1H")) + chain("late", "end")
    given = Migration(with_listeners(("start", "s1"), ("start", "s2")),
                      with_listeners(("start", "s1"), ("start", "t2"), boundaries=late))
    job_key = next(iter(given.engine.instance(given.key).jobs))

    outcome = given.migrate({"t": "t"})

    assert outcome.rejection is None, outcome.rejection
    (migrated,) = jobs(outcome)
    assert {k: migrated[k] for k in ("intent", "key", "type", "jobKind", "jobListenerEventType", "version")} == {
        "intent": "MIGRATED", "key": job_key, "type": "s1", "jobKind": "EXECUTION_LISTENER",
        "jobListenerEventType": "START", "version": 2}
    assert given.catch_records(outcome) == []  # still ACTIVATING: it subscribes later

    next_one = commands.complete_job(given.engine, given.key, "t", {})
    assert [(r["intent"], r["type"]) for r in jobs(next_one)] == [("COMPLETED", "s1"), ("CREATED", "t2")]
    activated = commands.complete_job(given.engine, given.key, "t", {})
    assert given.catch_records(activated) == [("TIMER", "CREATED", "late")]


def test_the_target_without_further_listeners_activates_after_the_migrated_job() -> None:
    given = Migration(with_listeners(("start", "s1"), ("start", "s2")), with_listeners(("start", "s1")))
    given.migrate({"t": "t"})

    completed = commands.complete_job(given.engine, given.key, "t", {})

    assert [(r["intent"], r["type"], r.get("jobKind")) for r in jobs(completed)] == [
        ("COMPLETED", "s1", "EXECUTION_LISTENER"), ("CREATED", "t", None)]


def test_a_task_waiting_on_an_end_listener_opens_no_catch_event() -> None:
    late = boundary("late", "t", timer("timeDuration", "PT1H")) + chain("late", "end")
    given = Migration(with_listeners(("end", "e")), with_listeners(("end", "e"), boundaries=late))
    commands.complete_job(given.engine, given.key, "t", {})

    outcome = given.migrate({"t": "t"})

    assert outcome.rejection is None, outcome.rejection
    assert [(r["intent"], r["jobListenerEventType"]) for r in jobs(outcome)] == [("MIGRATED", "END")]
    assert given.catch_records(outcome) == []
    commands.complete_job(given.engine, given.key, "t", {})
    assert given.engine.instance(given.key).lifecycle == "COMPLETED"


def test_an_end_event_waiting_on_its_start_listener_cannot_be_migrated() -> None:
    source = with_listeners(end_extensions=listeners(("start", "bye")))
    given = Migration(source, source)
    commands.complete_job(given.engine, given.key, "t", {})

    outcome = given.migrate({"end": "end"}, auto_map=True)

    assert outcome.rejection is not None
    assert outcome.rejection["rejectionReason"] == "active element 'end' of type END_EVENT cannot be migrated"


def test_a_process_waiting_on_its_start_listener_needs_a_start_event_to_continue_in_the_target() -> None:
    listened = process(ext(listeners(("start", "ps"))), start(), end(), chain("start", "end"))
    two_timer_starts = process(start("s1", timer("timeCycle", "R/PT1H")),
                               start("s2", timer("timeCycle", "R/PT2H")), end(),
                               chain("s1", "end"), chain("s2", "end"))
    given = Migration(listened, two_timer_starts)

    outcome = given.migrate({}, auto_map=True)

    assert outcome.rejection is not None
    assert (outcome.rejection["rejectionType"], outcome.rejection["rejectionReason"]) == (
        "INVALID_STATE", "process 'p' is waiting on its start execution listeners, and target "
        "process 'p' has no none start event to continue with; complete the listener jobs first")
    completed = commands.complete_job(given.engine, given.key, "p", {})  # still version 1
    assert completed.rejection is None
    assert given.engine.instance(given.key).version == 1  # type: ignore[union-attr]

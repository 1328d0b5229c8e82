"""migration-semantics §3 step 6, its two exceptions: an element instance still ACTIVATING
subscribes to nothing at migration (it subscribes when its activation completes), and an
element instance taken over by an interrupting event subprocess opens no new subscription."""

from __future__ import annotations

from bpmn_builders import (
    boundary,
    chain,
    end,
    message_def,
    signal_def,
    start,
    sub_process,
    task,
    timer,
)
from test_catch_events_migration import Migration, model

from engine_sim.engine import commands
from engine_sim.timeutil import parse_duration


def task_with(job_type: str, *boundaries: tuple[str, str]) -> bytes:
    """start -> service task t (job type `job_type`) -> end, with boundary events (id, def)."""
    attached = "".join(boundary(b, "t", definition) + chain(b, "end")
                       for b, definition in boundaries)
    return model(start(), task("t", job_type), end(), chain("start", "t", "end"), attached)


def test_an_activating_instance_is_migrated_without_subscribing() -> None:
    given = Migration(task_with("=jobType"),
                      task_with("=jobType", ("b", timer("timeDuration", "PT5M")),
                                ("m", message_def("other"))))

    outcome = given.migrate({"t": "t"})

    # no rejection although the correlation key `otherKey` cannot be evaluated now
    assert outcome.rejection is None
    assert given.catch_records(outcome) == []
    assert [r["intent"] for r in outcome.records if r["valueType"] == "INCIDENT"] == ["MIGRATED"]


def test_the_repair_pattern_subscribes_when_the_activation_completes() -> None:
    given = Migration(task_with("=jobType"), task_with("work", ("b", timer("timeDuration", "PT5M"))))
    given.migrate({"t": "t"})
    given.engine.advance_clock(parse_duration("PT10M"))

    resolved = commands.resolve_incident(given.engine, given.key, "t")

    assert given.catch_records(resolved) == [("TIMER", "CREATED", "b")]
    created = given.record(resolved, "TIMER", "CREATED")
    assert created["dueDate"] == "2026-01-01T00:45:00Z"  # 30 + 10 minutes, then 5 more
    job = given.record(resolved, "JOB", "CREATED")
    assert (job["type"], job["elementId"]) == ("work", "t")
    fired = given.engine.advance_clock(parse_duration("PT5M"))
    assert given.engine.instance(given.key).lifecycle == "COMPLETED" and fired


def test_an_interrupted_scope_opens_no_new_subscription() -> None:
    def version(*extra: str) -> bytes:
        esp = sub_process("esp", start("s", signal_def()), task("e"), end("x"),
                          chain("s", "e", "x"), triggered=True)
        return model(start(), task("t"), end(), chain("start", "t", "end"), esp, *extra)

    later = sub_process("esp2", start("s2", timer("timeDuration", "PT1H"), ' isInterrupting="false"'),
                        end("x2"), chain("s2", "x2"), triggered=True)
    given = Migration(version(), version(later))
    commands.broadcast_signal(given.engine, "go", {})
    assert given.engine.instance(given.key).active_element_ids() == ["e"]

    outcome = given.migrate({"esp": "esp", "e": "e"})

    assert outcome.rejection is None
    assert given.catch_records(outcome) == []


def test_an_instance_at_rest_still_opens_the_new_subscriptions() -> None:
    given = Migration(task_with("work"), task_with("work", ("b", timer("timeDuration", "PT5M"))))

    outcome = given.migrate({"t": "t"})

    assert given.catch_records(outcome) == [("TIMER", "CREATED", "b")]

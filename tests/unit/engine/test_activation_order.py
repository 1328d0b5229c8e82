"""Zeebe's activation order: input mappings, what can fail (job expressions, the called
process, a multi-instance input collection), boundary-event subscriptions, then the job
(JOB CREATED before ELEMENT_ACTIVATED)."""

from __future__ import annotations

from bpmn_builders import boundary, chain, end, process, start, task, timer
from events_support import Given, trace

from engine_sim.engine import commands

BOUNDED = (boundary("b", "t", timer("timeDuration", "PT5M")), end("late"), chain("b", "late"))


def call(element_id: str, called: str) -> str:
    return (f'<bpmn:callActivity id="{element_id}"><bpmn:extensionElements>'
            f'<zeebe:calledElement processId="{called}"/></bpmn:extensionElements>'
            "</bpmn:callActivity>")


def test_the_job_is_created_after_the_boundary_timer_and_before_activated() -> None:
    given = Given(process(start(), task("t"), end(), chain("start", "t", "end"), *BOUNDED))

    outcome = given.create()

    assert trace(outcome)[-4:] == ["ELEMENT_ACTIVATING t", "TIMER CREATED b", "JOB CREATED t",
                                   "ELEMENT_ACTIVATED t"]


def test_a_job_type_incident_holds_no_boundary_timer() -> None:
    given = Given(process(start(), task("t", "=jobType"), end(), chain("start", "t", "end"),
                          *BOUNDED))
    given.create()
    t = given.state.leaves()[0]

    assert [i.error_type for i in given.state.incidents.values()] == ["EXTRACT_VALUE_ERROR"]
    assert given.state.subscriptions_of(t.key) == []
    assert given.advance("PT10M") == []  # nothing can fire, the task stays in its incident
    assert given.active() == ["t"]


def test_resolving_the_incident_subscribes_with_due_dates_from_then() -> None:
    given = Given(process(start(), task("t", "=jobType"), end(), chain("start", "t", "end"),
                          *BOUNDED))
    given.create()
    given.advance("PT1H")
    commands.set_variables(given.engine, given.key, {"jobType": "work"})

    resolved = commands.resolve_incident(given.engine, given.key, "t")

    assert [line for line in trace(resolved) if not line.startswith("VARIABLE")][-4:] == [
        "INCIDENT RESOLVED t", "TIMER CREATED b", "JOB CREATED t", "ELEMENT_ACTIVATED t"]
    created = next(r for r in resolved.records if r["valueType"] == "TIMER")
    assert created["dueDate"] == "2026-01-01T01:05:00Z"


def test_a_call_activity_with_a_missing_process_holds_no_boundary_timer() -> None:
    model = process(start(), call("t", "missing"), end(), chain("start", "t", "end"), *BOUNDED)
    given = Given(model)
    given.create()
    ca = given.state.leaves()[0]

    assert [i.error_type for i in given.state.incidents.values()] == ["CALLED_ELEMENT_ERROR"]
    assert given.state.subscriptions_of(ca.key) == []
    assert given.advance("PT10M") == []


def test_a_call_activity_subscribes_before_it_is_activated() -> None:
    child = process(start(), task("c"), end(), chain("start", "c", "end"), process_id="child")
    given = Given(child, process(start(), call("t", "child"), end(), chain("start", "t", "end"),
                                 *BOUNDED))

    outcome = given.create()

    lines = [line for line in trace(outcome) if line.endswith(" t") or line == "TIMER CREATED b"]
    assert lines[:3] == ["ELEMENT_ACTIVATING t", "TIMER CREATED b", "ELEMENT_ACTIVATED t"]

"""BPMN errors and escalations: which catch event wins, what is terminated first, what is
written when nothing catches."""

from __future__ import annotations

from bpmn_builders import (
    boundary,
    chain,
    definitions,
    end,
    error,
    error_def,
    escalation,
    escalation_def,
    process,
    start,
    sub_process,
    task,
)
from events_support import Given, lifecycle, passes, trace

from engine_sim.engine import commands


def throw_error(given: Given, element_id: str, code: str, key: int | None = None):  # type: ignore[no-untyped-def]
    return commands.throw_error(given.engine, given.key if key is None else key, element_id, code, None)


def test_a_job_error_is_caught_by_the_error_boundary_event_of_its_task() -> None:
    model = process(start(), task("t"), boundary("b", "t", error_def()), end(), end("e2"),
                    chain("start", "t", "end"), chain("b", "e2"), extra=error("E1"))
    given = Given(model)
    given.create()

    thrown = throw_error(given, "t", "E1")

    # Zeebe drops a job whose error was caught: no JOB CANCELED when the catch terminates it
    assert trace(thrown) == [
        "JOB ERROR_THROWN t", "ELEMENT_TERMINATING t", "ELEMENT_TERMINATED t",
        *passes("b"), "SEQUENCE_FLOW_TAKEN b_e2", *passes("e2"),
        *lifecycle("p", "COMPLETING", "COMPLETED")]
    assert given.engine.instance(given.key).jobs == {}


def test_the_boundary_event_with_the_code_wins_over_the_catch_all() -> None:
    model = process(start(), task("t"), boundary("any", "t", error_def(None)),
                    boundary("exact", "t", error_def()), end(), end("e2"), end("e3"),
                    chain("start", "t", "end"), chain("any", "e2"), chain("exact", "e3"),
                    extra=error("E1"))
    given = Given(model)
    given.create()
    exact = throw_error(given, "t", "E1")
    given.create()
    other = throw_error(given, "t", "E2")

    assert "ELEMENT_ACTIVATING exact" in trace(exact) and "ELEMENT_ACTIVATING any" not in trace(exact)
    assert "ELEMENT_ACTIVATING any" in trace(other)


def test_an_error_end_event_in_a_subprocess_reaches_the_boundary_event_of_the_subprocess() -> None:
    inner = sub_process("sp", start("s"), end("ee", error_def()), chain("s", "ee"))
    model = process(start(), inner, boundary("b", "sp", error_def()), end(), end("e2"),
                    chain("start", "sp", "end"), chain("b", "e2"), extra=error("E1"))
    given = Given(model)

    created = given.create()

    lines = trace(created)
    assert lines[lines.index("ELEMENT_ACTIVATED ee"):][:6] == [
        "ELEMENT_ACTIVATED ee", "ELEMENT_TERMINATING sp", "ELEMENT_TERMINATING ee",
        "ELEMENT_TERMINATED ee", "ELEMENT_TERMINATED sp", "ELEMENT_ACTIVATING b"]
    assert given.state.lifecycle == "COMPLETED"


def test_an_error_event_subprocess_interrupts_its_scope_and_drops_tokens_on_their_way() -> None:
    handler = sub_process("esp", start("es", error_def()), task("h"), end("x"),
                          chain("es", "h", "x"), triggered=True)
    model = process(start(), '<bpmn:parallelGateway id="fork"/>', end("ee", error_def()),
                    task("t"), task("u"), handler, chain("start", "fork"), chain("fork", "ee"),
                    chain("fork", "t"), chain("fork", "u"), extra=error("E1"))
    given = Given(model)

    created = given.create()

    assert given.active() == ["h"]
    lines = trace(created)
    assert "ELEMENT_ACTIVATING u" not in lines  # its token was on its way: dropped
    root = given.state.root
    assert root is not None and root.interrupted and not root.in_flight


def test_an_error_end_event_nothing_catches_is_an_incident_on_the_end_event() -> None:
    model = process(start(), end("ee", error_def()), chain("start", "ee"), extra=error("E1"))
    given = Given(model)

    created = given.create()

    assert trace(created)[-2:] == ["ELEMENT_ACTIVATING ee", "INCIDENT CREATED ee"]
    incident = created.records[-1]
    assert (incident["errorType"], incident["errorMessage"]) == (
        "UNHANDLED_ERROR_EVENT",
        ("Expected to throw an error event with the code 'E1', but it was not caught. "
         "No error events are available in the scope."))


def test_an_error_of_a_called_instance_reaches_the_call_activity_boundary_event() -> None:
    child = ('<bpmn:process id="child" isExecutable="true">' + start("cs") + task("ct")
             + end("ce", error_def()) + chain("cs", "ct", "ce") + "</bpmn:process>")
    parent = ('<bpmn:process id="parent" isExecutable="true">' + start("ps")
              + '<bpmn:callActivity id="call"><bpmn:extensionElements>'
              '<zeebe:calledElement processId="child"/></bpmn:extensionElements></bpmn:callActivity>'
              + boundary("caught", "call", error_def()) + end("pe") + end("pe2")
              + chain("ps", "call", "pe") + chain("caught", "pe2") + "</bpmn:process>")
    given = Given(definitions(error("E1"), child, parent))
    parent_key = given.create("parent").result
    call = next(e for e in given.state.elements.values() if e.element_id == "call")
    child_key = given.engine.event_index.called_child(call.key)

    completed = given.complete_job("ct", key=child_key)

    lines = trace(completed)
    assert lines[lines.index("ELEMENT_ACTIVATED ce"):][:7] == [
        "ELEMENT_ACTIVATED ce", "ELEMENT_TERMINATING call", "ELEMENT_TERMINATING child",
        "ELEMENT_TERMINATING ce", "ELEMENT_TERMINATED ce", "ELEMENT_TERMINATED child",
        "ELEMENT_TERMINATED call"]
    assert given.instance(parent_key).lifecycle == "COMPLETED"
    assert given.instance(child_key).lifecycle == "TERMINATED"


THROW = f'<bpmn:intermediateThrowEvent id="th">{escalation_def()}</bpmn:intermediateThrowEvent>'


def test_an_escalation_nothing_catches_is_not_escalated_and_the_flow_goes_on() -> None:
    model = process(start(), THROW, end(), chain("start", "th", "end"), extra=escalation("X"))
    given = Given(model)

    created = given.create()

    lines = trace(created)
    assert lines[lines.index("ELEMENT_ACTIVATED th"):][:3] == [
        "ELEMENT_ACTIVATED th", "ESCALATION NOT_ESCALATED th", "ELEMENT_COMPLETING th"]
    record = next(r for r in created.records if r["valueType"] == "ESCALATION")
    assert (record["escalationCode"], record["catchElementId"]) == ("X", "")
    assert given.state.lifecycle == "COMPLETED"


def test_a_non_interrupting_escalation_boundary_event_lets_the_thrower_go_on() -> None:
    inner = sub_process("sp", start("s"), THROW, task("t"), end("se"), chain("s", "th", "t", "se"))
    model = process(start(), inner, boundary("b", "sp", escalation_def(None), interrupting=False),
                    end(), end("e2"), chain("start", "sp", "end"), chain("b", "e2"),
                    extra=escalation("X"))
    given = Given(model)

    created = given.create()

    lines = trace(created)
    assert lines[lines.index("ESCALATION ESCALATED th"):][:2] == [
        "ESCALATION ESCALATED th", "ELEMENT_ACTIVATING b"]
    assert given.active() == ["t"]


def test_an_interrupting_escalation_event_subprocess_terminates_the_thrower() -> None:
    handler = sub_process("esp", start("es", escalation_def()), end("x"), chain("es", "x"),
                          triggered=True)
    model = process(start(), THROW, end(), handler, chain("start", "th", "end"),
                    extra=escalation("X"))
    given = Given(model)

    created = given.create()

    lines = trace(created)
    assert lines[lines.index("ESCALATION ESCALATED th"):][:4] == [
        "ESCALATION ESCALATED th", "ELEMENT_TERMINATING th", "ELEMENT_TERMINATED th",
        "ELEMENT_ACTIVATING esp"]
    assert "ELEMENT_ACTIVATING end" not in lines
    assert given.state.lifecycle == "COMPLETED"


def test_an_escalation_of_a_called_instance_reaches_a_non_interrupting_call_activity_boundary() -> None:
    child = ('<bpmn:process id="child" isExecutable="true">' + start("cs") + THROW + task("ct")
             + end("ce") + chain("cs", "th", "ct", "ce") + "</bpmn:process>")
    parent = ('<bpmn:process id="parent" isExecutable="true">' + start("ps")
              + '<bpmn:callActivity id="call"><bpmn:extensionElements>'
              '<zeebe:calledElement processId="child"/></bpmn:extensionElements></bpmn:callActivity>'
              + boundary("heard", "call", escalation_def(), interrupting=False) + task("react")
              + end("pe") + end("pe2") + chain("ps", "call", "pe") + chain("heard", "react", "pe2")
              + "</bpmn:process>")
    given = Given(definitions(escalation("X"), child, parent))

    given.create("parent")

    call = next(e for e in given.state.elements.values() if e.element_id == "call")
    assert given.active() == ["call", "react"]
    child_key = given.engine.event_index.called_child(call.key)
    assert given.active(child_key) == ["ct"]
    assert given.instance(child_key).lifecycle == "ACTIVE"

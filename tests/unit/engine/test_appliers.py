"""Appliers: the stored events alone rebuild exactly the state processing built live.

Each story runs commands on a model and, after every command, compares a dump of the live
`InstanceState` with one rebuilt from the store (`ProcessInstance` from the repository, then
`bind`). A few appliers are also checked on hand-written records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from bpmn_builders import chain, end, flow, process, start, task, user_task
from core_support import Given, assert_rebuilds, dump, rebuilt

from engine_sim.engine import commands
from engine_sim.engine.appliers import UnknownRecordError, apply_record
from engine_sim.engine.engine import Engine
from engine_sim.engine.state import InstanceState

Step = Callable[[Given], Any]

SUBPROCESS_AND_JOIN = process(
    start() + '<bpmn:parallelGateway id="fork"/>'
    + '<bpmn:subProcess id="sub"><bpmn:extensionElements><zeebe:ioMapping>'
    + '<zeebe:input source="=1" target="local"/><zeebe:output source="=local" target="out"/>'
    + "</zeebe:ioMapping></bpmn:extensionElements>"
    + '<bpmn:startEvent id="s2"/>' + task("inner") + '<bpmn:endEvent id="e2"/>'
    + chain("s2", "inner", "e2") + "</bpmn:subProcess>"
    + user_task("u", managed=True) + task("t") + '<bpmn:parallelGateway id="join"/>' + end()
    + chain("start", "fork") + chain("fork", "sub", "join") + chain("fork", "u", "join")
    + chain("fork", "t", "join") + chain("join", "end"))

GATEWAYS = process(
    start() + '<bpmn:exclusiveGateway id="x"/>' + '<bpmn:inclusiveGateway id="fork"/>'
    + task("a", "a") + task("b", "b") + '<bpmn:inclusiveGateway id="join"/>' + end()
    + chain("start", "x") + flow("toFork", "x", "fork", "=go")
    + flow("toA", "fork", "a", "=wantA") + flow("toB", "fork", "b", "=wantB")
    + chain("a", "join") + chain("b", "join") + chain("join", "end"))


def complete(element_id: str, **variables: Any) -> Step:
    return lambda g: g.do(commands.complete_job, element_id, variables)


STORIES: dict[str, tuple[bytes, dict[str, Any], list[Step]]] = {
    "subprocess, user task and parallel join": (SUBPROCESS_AND_JOIN, {"v": 1}, [
        lambda g: g.do(commands.set_variables, {"note": "x"}, "t"),
        complete("t", v=2),
        lambda g: g.do(commands.fail_job, "inner", 0, "boom"),
        lambda g: g.do(commands.resolve_incident, "inner", 2),
        complete("inner", local=5),
        lambda g: g.do(commands.complete_user_task, "u", {"done": True}),
    ]),
    "cancel with an open incident": (SUBPROCESS_AND_JOIN, {}, [
        lambda g: g.do(commands.throw_error, "t", "E", "m"),
        lambda g: g.do(commands.cancel_instance),
    ]),
    "gateway incident, then an inclusive join": (GATEWAYS, {"wantA": True, "wantB": True}, [
        lambda g: g.do(commands.set_variables, {"go": True}),
        lambda g: g.do(commands.resolve_incident, "x", 1),
        complete("b"),
        complete("a"),
    ]),
}


@pytest.mark.parametrize("story", list(STORIES))
def test_the_stored_events_rebuild_the_live_state_after_every_command(story: str) -> None:
    model, variables, steps = STORIES[story]
    given = Given(model)
    given.when_created(**variables)
    assert_rebuilds(given.engine, given.key)

    for step in steps:
        outcome = step(given)
        assert outcome.rejection is None, outcome.rejection
        assert_rebuilds(given.engine, given.key)


def test_a_rejected_command_changes_neither_the_live_nor_the_stored_state() -> None:
    given = Given(SUBPROCESS_AND_JOIN)
    given.when_created()
    before = dump(given.state)

    outcome = given.do(commands.complete_job, "nowhere", {})

    assert outcome.rejection is not None
    assert dump(given.state) == before == dump(rebuilt(given.engine, given.key))


def test_an_engine_reopened_on_the_store_rebuilds_the_same_instance(tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path}/engine.db"
    given = Given(SUBPROCESS_AND_JOIN, Engine(url))
    given.when_created(v=1)
    complete("t", v=2)(given)
    live = dump(given.state)
    given.engine.close()

    reopened = Engine(url)
    try:
        state = reopened.instance(given.key)
        assert state is not None
        assert dump(state) == live
    finally:
        reopened.close()


# -- appliers on hand-written records -------------------------------------------------------
def _state() -> InstanceState:
    def no_model(key: int) -> Any:
        pytest.fail("these appliers need no model")

    return InstanceState(1, no_model)


def _event(value_type: str, intent: str, **fields: Any) -> dict[str, Any]:
    return {"recordType": "EVENT", "valueType": value_type, "intent": intent, **fields}


def test_a_rejection_record_changes_nothing() -> None:
    state = _state()

    apply_record(state, {"recordType": "COMMAND_REJECTION", "valueType": "VARIABLE",
                         "intent": "CREATED", "key": 5, "scopeKey": 1, "name": "x", "value": 1})

    assert state.variables == {}


def test_an_event_no_applier_knows_is_refused_not_ignored() -> None:
    state = _state()

    with pytest.raises(UnknownRecordError, match="no applier for a VARIABLE EXPLODED record"):
        apply_record(state, _event("VARIABLE", "EXPLODED", key=5, scopeKey=1, name="x", value=1))


def test_variable_appliers_create_then_update_in_place() -> None:
    state = _state()

    apply_record(state, _event("VARIABLE", "CREATED", key=7, scopeKey=1, name="x", value=1))
    apply_record(state, _event("VARIABLE", "UPDATED", key=7, scopeKey=1, name="x", value=[2]))

    assert (state.variables[1]["x"].key, state.variables[1]["x"].value) == (7, [2])


def test_job_appliers_follow_the_jobs_life() -> None:
    state = _state()
    job = {"key": 9, "elementInstanceKey": 3, "elementId": "t", "type": "w", "retries": 3}

    apply_record(state, _event("JOB", "CREATED", **job))
    apply_record(state, _event("JOB", "FAILED", **(job | {"retries": 0, "errorMessage": "m"})))
    failed = (state.jobs[9].state, state.jobs[9].retries, state.jobs[9].error_message)
    apply_record(state, _event("INCIDENT", "CREATED", key=11, errorType="JOB_NO_RETRIES",
                               errorMessage="m", elementInstanceKey=3, elementId="t", jobKey=9))
    apply_record(state, _event("JOB", "RETRIES_UPDATED", **(job | {"retries": 2})))
    apply_record(state, _event("INCIDENT", "RESOLVED", key=11, jobKey=9))
    resolved = (state.jobs[9].state, state.jobs[9].retries, state.incidents)
    apply_record(state, _event("JOB", "COMPLETED", **job))

    assert failed == ("FAILED", 0, "m")
    assert resolved == ("ACTIVATABLE", 2, {})
    assert state.jobs == {}

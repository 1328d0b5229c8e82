"""One given / when / then per public command: its records when accepted, its exact rejection
otherwise (and a rejection leaves the instance's stored stream as it was)."""

from __future__ import annotations

from typing import Any

import pytest
from bpmn_builders import chain, end, process, start, task, user_task
from core_support import Given, completed, passes, started, taken, trace

from engine_sim.engine import commands
from engine_sim.engine.aggregates import ProcessInstance, instance_id
from engine_sim.engine.engine import Engine, Outcome

SERVICE = process(start() + task("t", "work") + end() + chain("start", "t", "end"))
TWO_TASKS = process(start() + task("a", "a") + task("b", "b") + end()
                    + chain("start", "a", "b", "end"))


def stored_versions(engine: Engine, key: int) -> int:
    aggregate = engine.app.repository.get(instance_id(key))
    assert isinstance(aggregate, ProcessInstance)
    return aggregate.version


def rejected(outcome: Outcome, rejection_type: str, reason: str) -> dict[str, Any]:
    assert outcome.rejection is not None, trace(outcome)
    assert (outcome.rejection["rejectionType"], outcome.rejection["rejectionReason"]) == (
        rejection_type, reason)
    assert trace(outcome) == [line_of(outcome.rejection)]
    return outcome.rejection


def line_of(record: dict[str, Any]) -> str:
    return f"REJECTED {record['valueType']} {record['intent']} {record['rejectionType']}"


@pytest.fixture
def service() -> Given:
    given = Given(SERVICE)
    given.when_created()
    return given


# -- create -----------------------------------------------------------------------------------
def test_create_writes_the_variables_then_the_creation_then_the_process() -> None:
    given = Given(SERVICE)

    outcome = given.when_created(a=1, b={"c": [1, None]})

    assert trace(outcome) == [*started(variables=["a", "b"]), *passes("start"), taken("start_t"),
                              "ELEMENT_ACTIVATING t", "JOB CREATED t", "ELEMENT_ACTIVATED t"]
    assert outcome.result == given.key
    creation = outcome.records[2]
    assert creation["variables"] == {"a": 1, "b": {"c": [1, None]}}
    assert [r["scopeKey"] for r in outcome.records[:2]] == [given.key, given.key]


def test_create_a_given_version() -> None:
    engine = Engine()
    engine.deploy(SERVICE, "v1.bpmn")
    engine.deploy(TWO_TASKS.replace(b'id="p"', b'id="p" name="two"'), "v2.bpmn")

    outcome = commands.create_instance(engine, "p", 1, {})

    assert outcome.records[1]["version"] == 1
    assert engine.instance(outcome.result).active_element_ids() == ["t"]


@pytest.mark.parametrize(("process_id", "version", "reason"), [
    ("nope", None, "Expected to find process definition with process ID 'nope', but none found"),
    ("p", 2, "Expected to find process definition with process ID 'p' and version '2', "
             "but none found"),
])
def test_create_rejects_an_unknown_process_or_version(process_id: str, version: int | None,
                                                      reason: str) -> None:
    engine = Engine()
    engine.deploy(SERVICE, "model.bpmn")

    outcome = commands.create_instance(engine, process_id, version, {"x": 1})

    record = rejected(outcome, "NOT_FOUND", reason)
    assert (record["valueType"], record["intent"]) == ("PROCESS_INSTANCE_CREATION", "CREATE")
    assert "processInstanceKey" not in record


def test_create_rejects_a_process_without_none_start_event() -> None:
    timer_start = ('<bpmn:startEvent id="start"><bpmn:timerEventDefinition>'
                   '<bpmn:timeCycle>R/PT1H</bpmn:timeCycle></bpmn:timerEventDefinition>'
                   "</bpmn:startEvent>")
    given = Given(process(timer_start + end() + chain("start", "end")))

    outcome = commands.create_instance(given.engine, "p", None, {})

    rejected(outcome, "INVALID_STATE", commands.NO_NONE_START)


# -- complete_job -----------------------------------------------------------------------------
def test_complete_job_completes_the_element_with_its_variables(service: Given) -> None:
    outcome = service.do(commands.complete_job, "t", {"r": 1})

    assert trace(outcome) == ["JOB COMPLETED t", "ELEMENT_COMPLETING t", "VARIABLE CREATED r",
                              "ELEMENT_COMPLETED t", taken("t_end"), *passes("end"), *completed()]
    assert outcome.records[0]["variables"] == {"r": 1}


def test_complete_job_propagates_to_the_nearest_scope_that_has_the_variable() -> None:
    model = process(
        start() + '<bpmn:subProcess id="sub"><bpmn:extensionElements><zeebe:ioMapping>'
        '<zeebe:input source="=0" target="count"/></zeebe:ioMapping></bpmn:extensionElements>'
        '<bpmn:startEvent id="s2"/>' + task("t") + '<bpmn:endEvent id="e2"/>'
        + chain("s2", "t", "e2") + "</bpmn:subProcess>" + task("after")
        + end() + chain("start", "sub", "after", "end"))
    given = Given(model)
    given.when_created(kept=1)
    sub = next(ei for ei in given.state.elements.values() if ei.element_id == "sub")

    outcome = given.do(commands.complete_job, "t", {"count": 5, "kept": 2, "fresh": 3})

    scopes = {r["name"]: (r["intent"], r["scopeKey"]) for r in outcome.records
              if r["valueType"] == "VARIABLE"}
    assert scopes == {"count": ("UPDATED", sub.key), "kept": ("UPDATED", given.key),
                      "fresh": ("CREATED", given.key)}
    assert given.state.process_variables() == {"kept": 2, "fresh": 3}


def test_complete_job_with_output_mappings_keeps_its_variables_local() -> None:
    mapping = ("<zeebe:ioMapping><zeebe:input source=\"=1\" target=\"local\"/>"
               "<zeebe:output source=\"=r + local\" target=\"sum\"/></zeebe:ioMapping>")
    given = Given(process(start() + task("t", extensions=mapping) + task("next")
                          + chain("start", "t", "next")))
    given.when_created(r=0)
    job_task = next(ei for ei in given.state.elements.values() if ei.element_id == "t")

    outcome = given.do(commands.complete_job, "t", {"r": 5, "other": 1})

    variables = [(r["intent"], r["name"], r["scopeKey"]) for r in outcome.records
                 if r["valueType"] == "VARIABLE"]
    assert variables == [("CREATED", "r", job_task.key), ("CREATED", "other", job_task.key),
                         ("CREATED", "sum", given.key)]
    assert given.state.process_variables() == {"r": 0, "sum": 6}


def test_complete_job_on_an_element_without_an_open_job_is_not_found(service: Given) -> None:
    before = stored_versions(service.engine, service.key)

    outcome = service.do(commands.complete_job, "end", {})

    record = rejected(outcome, "NOT_FOUND", commands.NO_OPEN_JOB.format(
        action="complete", element="end", key=service.key))
    assert (record["valueType"], record["intent"], record["processInstanceKey"]) == (
        "JOB", "COMPLETE", service.key)
    assert stored_versions(service.engine, service.key) == before


def test_complete_job_on_a_finished_instance_is_not_found(service: Given) -> None:
    service.do(commands.complete_job, "t")

    outcome = service.do(commands.complete_job, "t")

    rejected(outcome, "NOT_FOUND", f"no running process instance with key {service.key}")


def test_complete_job_of_a_failed_job_is_invalid_state(service: Given) -> None:
    service.do(commands.fail_job, "t", 0, None)
    job_key = next(iter(service.state.jobs))

    outcome = service.do(commands.complete_job, "t")

    rejected(outcome, "INVALID_STATE",
             f"Expected to complete job with key '{job_key}', but it is in state 'FAILED'")


# -- fail_job ---------------------------------------------------------------------------------
def test_fail_job_with_retries_left_keeps_the_job(service: Given) -> None:
    outcome = service.do(commands.fail_job, "t", 2, "busy")

    assert trace(outcome) == ["JOB FAILED t"]
    assert (outcome.records[0]["retries"], outcome.records[0]["errorMessage"]) == (2, "busy")
    job = next(iter(service.state.jobs.values()))
    assert (job.retries, job.state) == (2, "ACTIVATABLE")


@pytest.mark.parametrize(("message", "incident_message"), [
    ("disk full: /var (100%)", "disk full: /var (100%)"),
    (None, "No more retries left."),
])
def test_fail_job_without_retries_raises_job_no_retries(service: Given, message: str | None,
                                                        incident_message: str) -> None:
    outcome = service.do(commands.fail_job, "t", 0, message)

    assert trace(outcome) == ["JOB FAILED t", "INCIDENT CREATED t"]
    incident = outcome.records[1]
    assert (incident["errorType"], incident["errorMessage"]) == ("JOB_NO_RETRIES", incident_message)
    assert incident["jobKey"] == outcome.records[0]["key"]
    assert incident["elementInstanceKey"] == outcome.records[0]["elementInstanceKey"]


def test_fail_job_on_an_element_without_a_job_is_not_found(service: Given) -> None:
    outcome = service.do(commands.fail_job, "start", 1, None)

    rejected(outcome, "NOT_FOUND", commands.NO_OPEN_JOB.format(
        action="fail", element="start", key=service.key))


# -- throw_error ------------------------------------------------------------------------------
def test_throw_error_without_a_catcher_raises_unhandled_error_event(service: Given) -> None:
    outcome = service.do(commands.throw_error, "t", "E1", "bad card")

    assert trace(outcome) == ["JOB ERROR_THROWN t", "INCIDENT CREATED t"]
    assert outcome.records[0]["errorCode"] == "E1"
    assert (outcome.records[1]["errorType"], outcome.records[1]["errorMessage"]) == (
        "UNHANDLED_ERROR_EVENT",
        "Expected to throw an error event with the code 'E1' with message 'bad card', but it was "
        "not caught. No error events are available in the scope.")


def test_throw_error_on_an_element_without_a_job_is_not_found(service: Given) -> None:
    outcome = service.do(commands.throw_error, "nowhere", "E1", None)

    rejected(outcome, "NOT_FOUND", commands.NO_OPEN_JOB.format(
        action="throw an error for", element="nowhere", key=service.key))


# -- resolve_incident -------------------------------------------------------------------------
def test_resolve_a_job_incident_updates_the_retries_first(service: Given) -> None:
    service.do(commands.fail_job, "t", 0, None)

    outcome = service.do(commands.resolve_incident, "t", 4)

    assert trace(outcome) == ["JOB RETRIES_UPDATED t", "INCIDENT RESOLVED t"]
    assert outcome.records[0]["retries"] == 4
    job = next(iter(service.state.jobs.values()))
    assert (job.retries, job.state, service.state.incidents) == (4, "ACTIVATABLE", {})
    assert trace(service.do(commands.complete_job, "t"))[0] == "JOB COMPLETED t"


def test_resolve_an_unhandled_error_incident_makes_the_job_activatable(service: Given) -> None:
    service.do(commands.throw_error, "t", "E", None)

    outcome = service.do(commands.resolve_incident, "t", 1)

    assert trace(outcome) == ["JOB RETRIES_UPDATED t", "INCIDENT RESOLVED t"]
    assert next(iter(service.state.jobs.values())).state == "ACTIVATABLE"


def test_resolve_without_an_incident_is_not_found(service: Given) -> None:
    outcome = service.do(commands.resolve_incident, "t", 1)

    rejected(outcome, "NOT_FOUND", commands.NO_INCIDENT.format(element="t", key=service.key))


# -- complete_user_task ------------------------------------------------------------------------
def test_complete_user_task_completes_an_engine_managed_user_task() -> None:
    given = Given(process(start() + user_task("u", managed=True) + end() + chain("start", "u", "end")))
    given.when_created()

    outcome = given.do(commands.complete_user_task, "u", {"ok": 1})

    assert trace(outcome)[:4] == ["USER_TASK COMPLETED u", "ELEMENT_COMPLETING u",
                                  "VARIABLE CREATED ok", "ELEMENT_COMPLETED u"]
    assert outcome.records[0]["variables"] == {"ok": 1}


def test_complete_user_task_completes_the_job_of_a_job_worker_user_task() -> None:
    given = Given(process(start() + '<bpmn:userTask id="u"/>' + end() + chain("start", "u", "end")))
    given.when_created()

    outcome = given.do(commands.complete_user_task, "u", {})

    assert trace(outcome)[:3] == ["JOB COMPLETED u", "ELEMENT_COMPLETING u", "ELEMENT_COMPLETED u"]


def test_complete_user_task_on_a_service_task_is_not_found(service: Given) -> None:
    outcome = service.do(commands.complete_user_task, "t", {})

    reason = commands.NO_USER_TASK.format(element="t", key=service.key)
    record = rejected(outcome, "NOT_FOUND", reason)
    assert (record["valueType"], record["intent"]) == ("USER_TASK", "COMPLETE")
    assert service.state.active_element_ids() == ["t"]


# -- set_variables ----------------------------------------------------------------------------
def test_set_variables_creates_updates_and_skips_unchanged_values(service: Given) -> None:
    service.do(commands.set_variables, {"a": 1, "b": 2})

    outcome = service.do(commands.set_variables, {"a": 1, "b": 3, "c": None})

    assert trace(outcome) == ["VARIABLE UPDATED b", "VARIABLE CREATED c"]
    assert service.state.process_variables() == {"a": 1, "b": 3, "c": None}


def test_set_variables_distinguishes_types_of_equal_values(service: Given) -> None:
    service.do(commands.set_variables, {"a": 1, "b": {"x": [1, 0]}, "c": [1], "same": {"x": [1]}})

    outcome = service.do(commands.set_variables,
                         {"a": True, "b": {"x": [True, 0]}, "c": [1.0], "same": {"x": [1]}})

    assert trace(outcome) == ["VARIABLE UPDATED a", "VARIABLE UPDATED b", "VARIABLE UPDATED c"]
    assert service.state.process_variables() == {"a": True, "b": {"x": [True, 0]}, "c": [1.0],
                                                 "same": {"x": [1]}}
    assert type(service.state.process_variables()["b"]["x"][0]) is bool


def test_set_variables_on_an_element_is_local(service: Given) -> None:
    task = next(ei for ei in service.state.elements.values() if ei.element_id == "t")

    outcome = service.do(commands.set_variables, {"x": 1}, "t")

    assert outcome.records[0]["scopeKey"] == task.key
    assert service.state.process_variables() == {}


def test_set_variables_on_an_element_without_instance_is_not_found(service: Given) -> None:
    outcome = service.do(commands.set_variables, {"x": 1}, "end")

    reason = commands.NO_ELEMENT_INSTANCE.format(element="end", key=service.key)
    rejected(outcome, "NOT_FOUND", reason)


# -- cancel -----------------------------------------------------------------------------------
def test_cancel_terminates_children_first_and_closes_jobs_user_tasks_and_incidents() -> None:
    model = process(
        start() + '<bpmn:parallelGateway id="fork"/>'
        + '<bpmn:subProcess id="sub"><bpmn:startEvent id="s2"/>' + task("inner")
        + chain("s2", "inner") + "</bpmn:subProcess>" + user_task("u", managed=True) + task("t")
        + chain("start", "fork") + chain("fork", "sub") + chain("fork", "u") + chain("fork", "t"))
    given = Given(model)
    given.when_created()
    given.do(commands.fail_job, "t", 0, None)

    outcome = given.do(commands.cancel_instance)

    assert trace(outcome) == [
        "ELEMENT_TERMINATING p",
        "ELEMENT_TERMINATING sub", "ELEMENT_TERMINATING inner", "JOB CANCELED inner",
        "ELEMENT_TERMINATED inner", "ELEMENT_TERMINATED sub",
        "ELEMENT_TERMINATING u", "USER_TASK CANCELED u", "ELEMENT_TERMINATED u",
        "ELEMENT_TERMINATING t", "JOB CANCELED t", "INCIDENT RESOLVED t", "ELEMENT_TERMINATED t",
        "ELEMENT_TERMINATED p"]
    state = given.state
    assert (state.lifecycle, state.elements, state.jobs, state.user_tasks, state.incidents) == (
        "TERMINATED", {}, {}, {}, {})


def test_cancel_resolves_the_incident_of_a_gateway_that_holds_its_token() -> None:
    given = Given(process(start() + '<bpmn:exclusiveGateway id="x"/>' + end() + chain("start", "x")
                          + '<bpmn:sequenceFlow id="x_end" sourceRef="x" targetRef="end">'
                          '<bpmn:conditionExpression>=false</bpmn:conditionExpression>'
                          "</bpmn:sequenceFlow>"))
    given.when_created()

    outcome = given.do(commands.cancel_instance)

    assert trace(outcome) == ["ELEMENT_TERMINATING p", "ELEMENT_TERMINATING x",
                              "INCIDENT RESOLVED x", "ELEMENT_TERMINATED x", "ELEMENT_TERMINATED p"]
    assert outcome.records[2]["errorType"] == "CONDITION_ERROR"


def test_cancel_a_finished_instance_is_not_found(service: Given) -> None:
    service.do(commands.cancel_instance)

    outcome = service.do(commands.cancel_instance)

    record = rejected(outcome, "NOT_FOUND", f"no running process instance with key {service.key}")
    assert (record["valueType"], record["intent"]) == ("PROCESS_INSTANCE", "CANCEL")


# -- deploy -----------------------------------------------------------------------------------
def test_deploy_creates_a_version_per_process_and_none_for_an_identical_file() -> None:
    engine = Engine()

    first = engine.deploy(SERVICE, "a.bpmn")
    again = engine.deploy(SERVICE, "a.bpmn")
    changed = engine.deploy(TWO_TASKS, "a.bpmn")

    assert trace(first) == ["PROCESS CREATED", "DEPLOYMENT CREATED"]
    assert trace(again) == ["DEPLOYMENT CREATED"]
    assert trace(changed) == ["PROCESS CREATED", "DEPLOYMENT CREATED"]
    assert [d.version for d in first.result + again.result + changed.result] == [1, 1, 2]
    assert again.result[0].key == first.result[0].key
    assert again.records[0]["processesMetadata"][0]["isDuplicate"] is True
    assert changed.records[0]["version"] == 2


def test_deploy_of_an_invalid_file_is_rejected_with_the_model_error() -> None:
    engine = Engine()

    outcome = engine.deploy(process(start() + chain("start", "ghost")), "bad.bpmn")

    assert outcome.rejection is not None
    assert outcome.rejection["rejectionType"] == "INVALID_ARGUMENT"
    assert outcome.rejection["rejectionReason"].startswith("bad.bpmn, line ")
    assert "ghost" in outcome.rejection["rejectionReason"]
    assert engine.catalog.latest("p") is None

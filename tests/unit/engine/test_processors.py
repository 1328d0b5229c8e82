"""One given / when / then per element processor: a model, a command, the exact records.

Traces are read with `core_support.trace` (PROCESS_INSTANCE records as "INTENT elementId").
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from bpmn_builders import chain, end, flow, process, start, task, user_task
from core_support import Given, completed, find, passes, started, taken, trace

from engine_sim.engine import commands
from engine_sim.engine.bpmn.gateways import NO_FLOW_CHOSEN


def activates_job(element_id: str) -> list[str]:
    return [f"ELEMENT_ACTIVATING {element_id}", f"JOB CREATED {element_id}",
            f"ELEMENT_ACTIVATED {element_id}"]


def job_completes(element_id: str, variables: Iterable[str] = ()) -> list[str]:
    return [f"JOB COMPLETED {element_id}", f"ELEMENT_COMPLETING {element_id}",
            *(f"VARIABLE CREATED {v}" for v in variables), f"ELEMENT_COMPLETED {element_id}"]


def ends(last: str) -> list[str]:
    """From `last` to the end event `end` and the completion of process `p`."""
    return [taken(f"{last}_end"), *passes("end"), *completed()]


# -- process, none start event, none end event ------------------------------------------
def test_none_start_to_none_end_completes_the_process() -> None:
    given = Given(process(start() + end() + chain("start", "end")))

    outcome = given.when_created(x=1)

    assert trace(outcome) == [*started(variables=["x"]), *passes("start"), *ends("start")]
    process_record = outcome.records[2]
    assert process_record["bpmnElementType"] == "PROCESS"
    assert process_record["flowScopeKey"] == -1
    assert process_record["key"] == given.key == outcome.records[0]["processInstanceKey"]
    assert given.state.lifecycle == "COMPLETED"
    assert given.state.elements == {}
    assert given.state.process_variables() == {"x": 1}


def test_records_carry_the_instance_fields_and_the_element_types() -> None:
    given = Given(process(start() + end() + chain("start", "end")))

    outcome = given.when_created()

    for record in outcome.records:
        assert record["processInstanceKey"] == given.key
        assert record["bpmnProcessId"] == "p"
        assert record["version"] == 1
    types = {r["elementId"]: (r["bpmnElementType"], r["bpmnEventType"])
             for r in outcome.records if r["valueType"] == "PROCESS_INSTANCE"}
    assert types == {"p": ("PROCESS", "UNSPECIFIED"), "start": ("START_EVENT", "NONE"),
                     "end": ("END_EVENT", "NONE"), "start_end": ("SEQUENCE_FLOW", "UNSPECIFIED")}
    positions = [r["position"] for r in outcome.records]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)


# -- pass-through elements -----------------------------------------------------------------
@pytest.mark.parametrize("tag", ["manualTask", "task", "intermediateThrowEvent"])
def test_manual_and_undefined_tasks_and_none_throw_events_pass_through(tag: str) -> None:
    given = Given(process(start() + f'<bpmn:{tag} id="x"/>' + end() + chain("start", "x", "end")))

    outcome = given.when_created()

    assert trace(outcome) == [*started(), *passes("start"), taken("start_x"), *passes("x"),
                              *ends("x")]


# -- job worker tasks ------------------------------------------------------------------------
@pytest.mark.parametrize(("tag", "element_type"), [
    ("serviceTask", "SERVICE_TASK"),
    ("sendTask", "SEND_TASK"),
    ("scriptTask", "SCRIPT_TASK"),
    ("businessRuleTask", "BUSINESS_RULE_TASK"),
])
def test_a_job_worker_task_waits_for_its_job(tag: str, element_type: str) -> None:
    given = Given(process(start() + task("t", "do-it", tag=tag) + end() + chain("start", "t", "end")))

    created = given.when_created()

    assert trace(created) == [*started(), *passes("start"), taken("start_t"), *activates_job("t")]
    job = created.records[-2]
    assert (job["type"], job["retries"], job["elementInstanceKey"]) == ("do-it", 3,
                                                                        created.records[-1]["key"])
    assert created.records[-1]["bpmnElementType"] == element_type
    assert given.state.active_element_ids() == ["t"]

    done = given.do(commands.complete_job, "t", {"out": True})

    assert trace(done) == [*job_completes("t", ["out"]), *ends("t")]
    assert given.state.lifecycle == "COMPLETED"
    assert given.state.jobs == {}


def test_job_type_retries_and_headers_come_from_the_task_definition() -> None:
    headers = '<zeebe:taskHeaders><zeebe:header key="k" value="v"/></zeebe:taskHeaders>'
    given = Given(process(start() + task("t", "=kind", extensions=headers, retries="=tries") + end()
                          + chain("start", "t", "end")))

    outcome = given.when_created(kind="ship", tries=7)

    job = next(r for r in outcome.records if r["valueType"] == "JOB")
    assert (job["type"], job["retries"], job["customHeaders"]) == ("ship", 7, {"k": "v"})


def test_a_job_type_that_is_not_a_string_raises_extract_value_error() -> None:
    given = Given(process(start() + task("t", "=kind") + end() + chain("start", "t", "end")))

    outcome = given.when_created()

    assert trace(outcome)[-2:] == ["ELEMENT_ACTIVATING t", "INCIDENT CREATED t"]
    assert outcome.records[-1]["errorType"] == "EXTRACT_VALUE_ERROR"
    assert given.state.active_element_ids() == ["t"]


def test_a_job_worker_user_task_has_a_job_of_the_user_task_type() -> None:
    given = Given(process(start() + '<bpmn:userTask id="u"/>' + end() + chain("start", "u", "end")))

    outcome = given.when_created()

    assert trace(outcome)[-3:] == activates_job("u")
    assert outcome.records[-2]["type"] == "io.camunda.zeebe:userTask"
    assert outcome.records[-1]["bpmnElementType"] == "USER_TASK"


def test_an_engine_managed_user_task_writes_user_task_records_and_no_job() -> None:
    given = Given(process(start() + user_task("u", managed=True) + end() + chain("start", "u", "end")))

    created = given.when_created()
    done = given.do(commands.complete_user_task, "u", {"ok": True})

    assert trace(created)[-3:] == ["ELEMENT_ACTIVATING u", "USER_TASK CREATED u",
                                   "ELEMENT_ACTIVATED u"]
    assert trace(done) == ["USER_TASK COMPLETED u", "ELEMENT_COMPLETING u", "VARIABLE CREATED ok",
                           "ELEMENT_COMPLETED u", *ends("u")]
    assert given.state.jobs == {} and given.state.user_tasks == {}


def test_a_script_task_with_zeebe_script_evaluates_into_its_result_variable() -> None:
    script = ('<bpmn:scriptTask id="s"><bpmn:extensionElements>'
              '<zeebe:script expression="=a * 2" resultVariable="r"/>'
              "</bpmn:extensionElements></bpmn:scriptTask>")
    given = Given(process(start() + script + end() + chain("start", "s", "end")))

    outcome = given.when_created(a=21)

    assert trace(outcome) == [*started(variables=["a"]), *passes("start"), taken("start_s"),
                              "ELEMENT_ACTIVATING s", "ELEMENT_ACTIVATED s", "ELEMENT_COMPLETING s",
                              "VARIABLE CREATED r", "ELEMENT_COMPLETED s", *ends("s")]
    assert given.state.process_variables() == {"a": 21, "r": 42}


# -- gateways ---------------------------------------------------------------------------------
EXCLUSIVE = (
    start() + '<bpmn:exclusiveGateway id="x" default="toC"/>'
    + task("a", "a") + task("b", "b") + task("c", "c")
    + flow("start_x", "start", "x")
    + flow("toA", "x", "a", "=n > 10") + flow("toB", "x", "b", "=n > 5") + flow("toC", "x", "c")
)


@pytest.mark.parametrize(("n", "chosen"), [(20, "a"), (7, "b"), (1, "c")])
def test_an_exclusive_gateway_takes_the_first_true_condition_else_the_default(
        n: int, chosen: str) -> None:
    given = Given(process(EXCLUSIVE))

    outcome = given.when_created(n=n)

    assert trace(outcome) == [*started(variables=["n"]), *passes("start"), taken("start_x"),
                              *passes("x"), taken(f"to{chosen.upper()}"), *activates_job(chosen)]


def test_an_exclusive_gateway_without_a_true_condition_or_default_raises_condition_error() -> None:
    model = (start() + '<bpmn:exclusiveGateway id="x"/>' + task("a") + end()
             + flow("start_x", "start", "x") + flow("toA", "x", "a", "=n > 10") + chain("a", "end"))
    given = Given(process(model))

    created = given.when_created(n=1)

    assert trace(created)[-3:] == [taken("start_x"), "ELEMENT_ACTIVATING x", "INCIDENT CREATED x"]
    incident = created.records[-1]
    assert (incident["errorType"], incident["errorMessage"]) == (
        "CONDITION_ERROR", NO_FLOW_CHOSEN)
    assert incident["elementInstanceKey"] == created.records[-2]["key"]

    # resolving re-runs the decision with the variables as they are now
    given.do(commands.set_variables, {"n": 11})
    resolved = given.do(commands.resolve_incident, "x")

    assert trace(resolved) == ["INCIDENT RESOLVED x", "ELEMENT_ACTIVATED x", "ELEMENT_COMPLETING x",
                               "ELEMENT_COMPLETED x", taken("toA"), *activates_job("a")]


def test_a_condition_that_is_not_boolean_raises_condition_error_with_zeebes_message() -> None:
    model = (start() + '<bpmn:exclusiveGateway id="x" default="other"/>' + end()
             + '<bpmn:endEvent id="e2"/>'
             + flow("start_x", "start", "x") + flow("toEnd", "x", "end", "=flag")
             + flow("other", "x", "e2"))
    given = Given(process(model))

    outcome = given.when_created(flag="yes")

    assert outcome.records[-1]["errorType"] == "CONDITION_ERROR"
    assert outcome.records[-1]["errorMessage"] == (
        "Expected result of the expression 'flag' to be 'BOOLEAN', but was 'STRING'.")


PARALLEL = (
    start() + '<bpmn:parallelGateway id="fork"/>' + task("a", "a") + task("b", "b")
    + '<bpmn:parallelGateway id="join"/>' + end()
    + chain("start", "fork") + chain("fork", "a", "join") + chain("fork", "b", "join")
    + chain("join", "end")
)


def test_a_parallel_gateway_forks_every_flow_and_joins_when_all_arrived() -> None:
    given = Given(process(PARALLEL))

    created = given.when_created()
    first = given.do(commands.complete_job, "b")
    second = given.do(commands.complete_job, "a")

    assert trace(created) == [*started(), *passes("start"), taken("start_fork"), *passes("fork"),
                              taken("fork_a"), taken("fork_b"), *activates_job("a"),
                              *activates_job("b")]
    assert trace(first) == [*job_completes("b"), taken("b_join")]
    assert trace(second) == [*job_completes("a"), taken("a_join"), *passes("join"), *ends("join")]
    assert given.state.lifecycle == "COMPLETED"


def test_a_waiting_parallel_join_holds_no_token() -> None:
    given = Given(process(PARALLEL))
    given.when_created()

    given.do(commands.complete_job, "a")

    assert given.state.active_element_ids() == ["b"]


INCLUSIVE = (
    start() + '<bpmn:inclusiveGateway id="fork" default="toC"/>'
    + task("a", "a") + task("b", "b") + task("c", "c")
    + '<bpmn:inclusiveGateway id="join"/>' + end()
    + chain("start", "fork")
    + flow("toA", "fork", "a", "=wantA") + flow("toB", "fork", "b", "=wantB")
    + flow("toC", "fork", "c")
    + chain("a", "join") + chain("b", "join") + chain("c", "join") + chain("join", "end")
)


def test_an_inclusive_gateway_forks_every_true_condition_and_joins_the_taken_ones() -> None:
    given = Given(process(INCLUSIVE))

    created = given.when_created(wantA=True, wantB=True)
    first = given.do(commands.complete_job, "a")
    second = given.do(commands.complete_job, "b")

    assert trace(created) == [*started(variables=["wantA", "wantB"]), *passes("start"),
                              taken("start_fork"), *passes("fork"), taken("toA"), taken("toB"),
                              *activates_job("a"), *activates_job("b")]
    assert trace(first) == [*job_completes("a"), taken("a_join")]
    assert trace(second) == [*job_completes("b"), taken("b_join"), *passes("join"), *ends("join")]


def test_an_inclusive_join_does_not_wait_for_flows_that_were_not_taken() -> None:
    given = Given(process(INCLUSIVE))
    given.when_created(wantA=False, wantB=True)

    outcome = given.do(commands.complete_job, "b")

    assert trace(outcome) == [*job_completes("b"), taken("b_join"), *passes("join"), *ends("join")]


def test_an_inclusive_gateway_takes_the_default_when_no_condition_is_true() -> None:
    given = Given(process(INCLUSIVE))

    outcome = given.when_created(wantA=False, wantB=False)

    assert trace(outcome) == [*started(variables=["wantA", "wantB"]), *passes("start"),
                              taken("start_fork"), *passes("fork"), taken("toC"),
                              *activates_job("c")]


LATE = (
    start() + '<bpmn:parallelGateway id="fork"/>' + task("fast", "fast")
    + task("slow", "slow")
    + '<bpmn:exclusiveGateway id="gate" default="skip"/>' + '<bpmn:endEvent id="skipEnd"/>'
    + '<bpmn:inclusiveGateway id="join"/>' + end()
    + chain("start", "fork") + chain("fork", "fast", "join") + chain("fork", "slow", "gate")
    + flow("late", "gate", "join", "=late") + flow("skip", "gate", "skipEnd") + chain("join", "end")
)


def test_an_inclusive_join_waits_while_a_token_can_still_reach_an_untaken_flow() -> None:
    given = Given(process(LATE))
    given.when_created()

    waiting = given.do(commands.complete_job, "fast")
    released = given.do(commands.complete_job, "slow", {"late": False})

    assert trace(waiting) == [*job_completes("fast"), taken("fast_join")]
    # the join activates as soon as the token that could reach it is on `skip`
    assert trace(released) == [
        *job_completes("slow", ["late"]), taken("slow_gate"), *passes("gate"), taken("skip"),
        *passes("join"), taken("join_end"),
        "ELEMENT_ACTIVATING skipEnd", "ELEMENT_ACTIVATED skipEnd",
        "ELEMENT_ACTIVATING end", "ELEMENT_ACTIVATED end",
        "ELEMENT_COMPLETING skipEnd", "ELEMENT_COMPLETED skipEnd",
        "ELEMENT_COMPLETING end", "ELEMENT_COMPLETED end", *completed()]


def test_an_inclusive_join_activates_once_when_the_late_token_arrives() -> None:
    given = Given(process(LATE))
    given.when_created()
    given.do(commands.complete_job, "fast")

    outcome = given.do(commands.complete_job, "slow", {"late": True})

    assert trace(outcome) == [*job_completes("slow", ["late"]), taken("slow_gate"), *passes("gate"),
                              taken("late"), *passes("join"), *ends("join")]


# -- embedded subprocess ----------------------------------------------------------------------
SUBPROCESS = (
    start()
    + '<bpmn:subProcess id="sub"><bpmn:extensionElements><zeebe:ioMapping>'
    + '<zeebe:input source="=order" target="local"/>'
    + '<zeebe:output source="=local + 1" target="result"/>'
    + "</zeebe:ioMapping></bpmn:extensionElements>"
    + '<bpmn:startEvent id="s2"/>' + task("inner") + '<bpmn:endEvent id="e2"/>'
    + chain("s2", "inner", "e2") + "</bpmn:subProcess>"
    + end() + chain("start", "sub", "end")
)


def test_an_embedded_subprocess_runs_its_start_event_and_maps_variables_in_and_out() -> None:
    given = Given(process(SUBPROCESS))

    created = given.when_created(order=41)
    done = given.do(commands.complete_job, "inner", {"local": 50})

    assert trace(created) == [
        *started(variables=["order"]), *passes("start"), taken("start_sub"),
        "ELEMENT_ACTIVATING sub", "VARIABLE CREATED local", "ELEMENT_ACTIVATED sub",
        *passes("s2"), taken("s2_inner"), *activates_job("inner")]
    sub_key = find(created, "ELEMENT_ACTIVATING sub")["key"]
    assert find(created, "VARIABLE CREATED local")["scopeKey"] == sub_key
    assert find(created, "ELEMENT_ACTIVATING s2")["flowScopeKey"] == sub_key
    assert trace(done) == [
        "JOB COMPLETED inner", "ELEMENT_COMPLETING inner", "VARIABLE UPDATED local",
        "ELEMENT_COMPLETED inner", taken("inner_e2"), *passes("e2"),
        "ELEMENT_COMPLETING sub", "VARIABLE CREATED result", "ELEMENT_COMPLETED sub", *ends("sub")]
    assert given.state.process_variables() == {"order": 41, "result": 51}


# -- terminate end event ---------------------------------------------------------------------
def test_a_terminate_end_event_terminates_its_siblings_then_completes_the_scope() -> None:
    model = (start() + '<bpmn:parallelGateway id="fork"/>' + task("a")
             + '<bpmn:endEvent id="kill"><bpmn:terminateEventDefinition/></bpmn:endEvent>'
             + end() + chain("start", "fork") + chain("fork", "a", "end") + chain("fork", "kill"))
    given = Given(process(model))

    outcome = given.when_created()

    assert trace(outcome) == [
        *started(), *passes("start"), taken("start_fork"), *passes("fork"), taken("fork_a"),
        taken("fork_kill"), *activates_job("a"), *passes("kill"),
        "ELEMENT_TERMINATING a", "JOB CANCELED a", "ELEMENT_TERMINATED a", *completed()]
    assert given.state.lifecycle == "COMPLETED"
    assert given.state.jobs == {}

"""Call activities: the child instance, variables both ways, incidents, termination."""

from __future__ import annotations

import pytest
from bpmn_builders import call, chained_process, flow, io, task
from mi_calls_support import accepted, child_of, deploy, shape, start_instance

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine

CHILD = chained_process("child", task("work"))
NOT_DEPLOYED = "Expected process with BPMN process id '{}' to be deployed, but not found."


@pytest.fixture
def engine() -> Engine:
    return Engine()


def test_activation_starts_the_child_in_its_own_stream(engine: Engine) -> None:
    deploy(engine, CHILD, chained_process("parent", call("ca", "child")))
    outcome = commands.create_instance(engine, "parent", None, {"x": 1})
    parent = outcome.result
    ca_key = engine.instance(parent).leaves()[0].key
    child = child_of(engine, parent, "ca")
    assert shape(outcome.records, child) == [
        ("VARIABLE", "CREATED", "x"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING", "child"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED", "child"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING", "child_start"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED", "child_start"),
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETING", "child_start"),
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETED", "child_start"),
        ("PROCESS_INSTANCE", "SEQUENCE_FLOW_TAKEN", "child_f0"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING", "work"),
        ("JOB", "CREATED", "work"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED", "work"),
    ]
    # Zeebe's order: the call activity is ACTIVATED, then the child is created
    ca_records = [r for r in outcome.records if r.get("elementId") == "ca"]
    assert [r["intent"] for r in ca_records] == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    # Zeebe's records: no extra field on the call activity; the child's process names its parent
    assert "calledChildInstanceKey" not in ca_records[1]
    child_activating = next(r for r in outcome.records if r["key"] == child)
    assert (child_activating["intent"], child_activating["parentElementInstanceKey"]) == (
        "ELEMENT_ACTIVATING", ca_key)
    assert ca_records[1]["position"] < min(r["position"] for r in outcome.records
                                           if r.get("processInstanceKey") == child)
    # every element record of the child carries the parent's keys; the parent's carry none
    for record in outcome.records:
        if record["valueType"] != "PROCESS_INSTANCE":
            continue
        expected = (parent, ca_key) if record["processInstanceKey"] == child else (-1, -1)
        assert (record["parentProcessInstanceKey"], record["parentElementInstanceKey"]) == expected
    state = engine.instance(child)
    assert (state.parent_instance_key, state.parent_element_instance_key) == (parent, ca_key)
    assert engine.instance(parent).active_element_ids() == ["ca"]


def test_child_variables_go_to_the_nearest_scope_then_the_call_activity_completes(engine: Engine) -> None:
    sub = ('<bpmn:subProcess id="sub"><bpmn:extensionElements>' + io({"local": "=0"})
           + '</bpmn:extensionElements><bpmn:startEvent id="s0"/>' + call("ca", "child")
           + '<bpmn:endEvent id="s1"/>' + flow("i0", "s0", "ca") + flow("i1", "ca", "s1")
           + "</bpmn:subProcess>")
    deploy(engine, CHILD, chained_process("parent", sub, task("after")))
    parent = start_instance(engine, "parent", total=1)
    child = child_of(engine, parent, "ca")
    assert engine.instance(child).process_variables() == {"total": 1, "local": 0}
    state = engine.instance(parent)
    sub_key = next(ei.key for ei in state.elements.values() if ei.element_id == "sub")
    outcome = accepted(commands.complete_job(engine, child, "work", {"local": 5, "fresh": True}))
    assert state.active_element_ids() == ["after"]
    assert state.process_variables() == {"total": 1, "fresh": True}
    parent_vars = [(r["name"], r["value"], r["scopeKey"]) for r in outcome.records
                   if r["valueType"] == "VARIABLE" and r["processInstanceKey"] == parent]
    assert parent_vars == [("local", 5, sub_key), ("fresh", True, parent)]
    assert engine.instance(child).lifecycle == "COMPLETED"


def test_without_propagation_only_mappings_cross(engine: Engine) -> None:
    mapping = io({"doubled": "=amount * 2"}, {"price": "=childPrice"})
    deploy(engine, CHILD, chained_process("parent", call("ca", "child", mapping,
                                                  propagateAllParentVariables="false",
                                                  propagateAllChildVariables="false")))
    parent = start_instance(engine, "parent", amount=4, secret="s")
    child = child_of(engine, parent, "ca")
    assert engine.instance(child).process_variables() == {"doubled": 8}
    accepted(commands.complete_job(engine, child, "work", {"childPrice": 10, "noise": 1}))
    assert engine.instance(parent).process_variables() == {"amount": 4, "secret": "s", "price": 10}


def test_no_child_variables_without_propagation_or_output_mappings(engine: Engine) -> None:
    deploy(engine, CHILD, chained_process("parent", call("ca", "child", propagateAllChildVariables="false"),
                                  task("after")))
    parent = start_instance(engine, "parent", a=1)
    accepted(commands.complete_job(engine, child_of(engine, parent, "ca"), "work", {"b": 2, "a": 9}))
    state = engine.instance(parent)
    assert state.active_element_ids() == ["after"] and state.process_variables() == {"a": 1}


def test_the_process_id_may_be_an_expression(engine: Engine) -> None:
    deploy(engine, CHILD, chained_process("parent", call("ca", "=target")))
    parent = start_instance(engine, "parent", target="child")
    assert engine.instance(child_of(engine, parent, "ca")).process_id == "child"
    other = start_instance(engine, "parent", target=7)
    incident = next(iter(engine.instance(other).incidents.values()))
    assert incident.error_type == "CALLED_ELEMENT_ERROR"
    assert incident.error_message == NOT_DEPLOYED.format("7")
    failing = start_instance(engine, "parent", target=[1])
    incident = next(iter(engine.instance(failing).incidents.values()))
    assert incident.error_type == "EXTRACT_VALUE_ERROR"


def test_a_missing_process_is_an_incident_and_resolving_retries(engine: Engine) -> None:
    deploy(engine, chained_process("parent", call("ca", "child"), task("after")))
    parent = start_instance(engine, "parent", v=1)
    state = engine.instance(parent)
    (incident,) = state.incidents.values()
    assert (incident.error_type, incident.error_message, incident.element_id) == (
        "CALLED_ELEMENT_ERROR", NOT_DEPLOYED.format("child"), "ca")
    assert state.leaves()[0].lifecycle == "ELEMENT_ACTIVATING"
    deploy(engine, CHILD, name="child.bpmn")
    outcome = accepted(commands.resolve_incident(engine, parent, "ca"))
    assert shape(outcome.records, parent)[:2] == [
        ("INCIDENT", "RESOLVED", "ca"), ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED", "ca")]
    child = child_of(engine, parent, "ca")
    assert engine.instance(child).process_variables() == {"v": 1}
    assert not engine.instance(parent).incidents


def test_a_called_process_without_none_start_event_is_an_incident(engine: Engine) -> None:
    timer_start = ('<bpmn:process id="child" isExecutable="true"><bpmn:startEvent id="start">'
                   "<bpmn:timerEventDefinition><bpmn:timeCycle>R/PT1H</bpmn:timeCycle>"
                   '</bpmn:timerEventDefinition></bpmn:startEvent><bpmn:endEvent id="end"/>'
                   + flow("f", "start", "end") + "</bpmn:process>")
    deploy(engine, timer_start, chained_process("parent", call("ca", "child")))
    parent = start_instance(engine, "parent")
    (incident,) = engine.instance(parent).incidents.values()
    assert incident.error_message == (
        "Expected process with BPMN process id 'child' to have a none start event, but not found.")


def test_binding_type_deployment_calls_the_version_deployed_together(engine: Engine) -> None:
    caller = chained_process("parent", call("ca", "child", bindingType="deployment"))
    first = deploy(engine, CHILD, caller, name="both.bpmn")
    deploy(engine, chained_process("child", task("work"), task("more")), name="child.bpmn")
    parent = start_instance(engine, "parent")
    assert engine.instance(child_of(engine, parent, "ca")).definition_key == first[0]
    changed = chained_process("parent", call("ca", "child", bindingType="deployment"), task("after"))
    second = deploy(engine, CHILD, changed, name="both.bpmn")  # CHILD differs from latest v2
    again = start_instance(engine, "parent")
    assert engine.instance(child_of(engine, again, "ca")).definition_key == second[0] != first[0]


def test_binding_type_deployment_with_an_unchanged_called_process(engine: Engine) -> None:
    """Our deployments keep an unchanged process's earlier definition: that one is called."""
    first = deploy(engine, CHILD, chained_process("parent", call("ca", "child", bindingType="deployment")),
                   name="both.bpmn")
    changed = chained_process("parent", call("ca", "child", bindingType="deployment"), task("after"))
    second = deploy(engine, CHILD, changed, name="both.bpmn")
    assert second[0] == first[0]  # the child is a duplicate
    again = start_instance(engine, "parent")
    assert engine.instance(again).definition_key == second[1] != first[1]
    assert engine.instance(child_of(engine, again, "ca")).definition_key == first[0]


def test_binding_type_deployment_without_the_process_is_an_incident(engine: Engine) -> None:
    deploy(engine, chained_process("parent", call("ca", "child", bindingType="deployment")), name="p.bpmn")
    deploy(engine, CHILD, name="child.bpmn")
    (incident,) = engine.instance(start_instance(engine, "parent")).incidents.values()
    assert incident.error_type == "CALLED_ELEMENT_ERROR"
    assert "with binding type 'deployment'" in incident.error_message
    assert "resource 'p.bpmn'" in incident.error_message


def tagged(pid: str, tag: str, job_type: str) -> str:
    """A process `pid` with zeebe:versionTag `tag` whose one task has job type `job_type`."""
    return chained_process(pid, task(job_type)).replace(
        'isExecutable="true">',
        f'isExecutable="true"><bpmn:extensionElements><zeebe:versionTag value="{tag}"/>'
        "</bpmn:extensionElements>", 1)


def test_binding_type_version_tag_calls_the_latest_version_with_that_tag(engine: Engine) -> None:
    deploy(engine, tagged("child", "v1", "first"), name="child.bpmn")
    deploy(engine, tagged("child", "v1", "second"), name="child.bpmn")
    deploy(engine, tagged("child", "v2", "third"), name="child.bpmn")
    deploy(engine, chained_process("parent", call("ca", "child", bindingType="versionTag",
                                          versionTag="v1")))

    child = engine.instance(child_of(engine, start_instance(engine, "parent"), "ca"))

    assert (child.version, [j.type for j in child.jobs.values()]) == (2, ["second"])
    assert engine.catalog.get("child", 3).model.version_tag == "v2"


def test_binding_type_version_tag_without_such_a_version_is_an_incident(engine: Engine) -> None:
    deploy(engine, tagged("child", "v2", "work"), chained_process(
        "parent", call("ca", "child", bindingType="versionTag", versionTag="v1")))
    parent = start_instance(engine, "parent")
    (incident,) = engine.instance(parent).incidents.values()
    assert incident.error_message.startswith(
        "Expected to call process with BPMN process id 'child' and version tag 'v1', but no such "
        "process found.")
    # the fix: deploy the tagged version, then resolve
    deploy(engine, tagged("child", "v1", "work"), name="child.bpmn")
    accepted(commands.resolve_incident(engine, parent, "ca"))
    assert engine.instance(parent).leaves()[0].lifecycle == "ELEMENT_ACTIVATED"


def test_a_child_that_completes_at_once_completes_the_call_activity_in_the_same_command(engine: Engine) -> None:
    empty = chained_process("child")
    deploy(engine, empty, chained_process("parent", call("ca", "child"), task("after")))
    outcome = commands.create_instance(engine, "parent", None, {"n": 1})
    parent = outcome.result
    state = engine.instance(parent)
    assert state.active_element_ids() == ["after"]
    keys = {r["processInstanceKey"] for r in outcome.records}
    assert len(keys) == 2  # parent and child, saved in one command
    child = next(k for k in keys if k != parent)
    assert engine.instance(child).lifecycle == "COMPLETED"


def test_cancel_terminates_the_child_between_the_call_activity_records(engine: Engine) -> None:
    deploy(engine, CHILD, chained_process("parent", call("ca", "child")))
    parent = start_instance(engine, "parent")
    child = child_of(engine, parent, "ca")
    rejected = commands.cancel_instance(engine, child)
    assert rejected.rejection["rejectionType"] == "INVALID_STATE"
    assert f"Cancel the root process instance '{parent}' instead." in rejected.rejection["rejectionReason"]
    outcome = accepted(commands.cancel_instance(engine, parent))
    assert shape(outcome.records) == [
        ("PROCESS_INSTANCE", "ELEMENT_TERMINATING", "parent"),
        ("PROCESS_INSTANCE", "ELEMENT_TERMINATING", "ca"),
        ("PROCESS_INSTANCE", "ELEMENT_TERMINATING", "child"),
        ("PROCESS_INSTANCE", "ELEMENT_TERMINATING", "work"),
        ("JOB", "CANCELED", "work"),
        ("PROCESS_INSTANCE", "ELEMENT_TERMINATED", "work"),
        ("PROCESS_INSTANCE", "ELEMENT_TERMINATED", "child"),
        ("PROCESS_INSTANCE", "ELEMENT_TERMINATED", "ca"),
        ("PROCESS_INSTANCE", "ELEMENT_TERMINATED", "parent"),
    ]
    assert engine.instance(child).lifecycle == "TERMINATED"


def test_a_terminate_end_event_terminates_the_called_child(engine: Engine) -> None:
    nodes = ('<bpmn:parallelGateway id="fork"/>' + call("ca", "child")
             + '<bpmn:endEvent id="kill"><bpmn:terminateEventDefinition/></bpmn:endEvent>')
    flows = (flow("f0", "parent_start", "fork") + flow("f1", "fork", "ca")
             + flow("f2", "fork", "gate") + flow("f3", "gate", "kill") + flow("f4", "ca", "parent_end"))
    body = nodes + task("gate")
    deploy(engine, CHILD, chained_process("parent", body, flows=flows))
    parent = start_instance(engine, "parent")
    child = child_of(engine, parent, "ca")
    accepted(commands.complete_job(engine, parent, "gate"))
    assert engine.instance(parent).lifecycle == "COMPLETED"
    assert engine.instance(child).lifecycle == "TERMINATED"


def test_a_child_incident_is_the_childs_own(engine: Engine) -> None:
    deploy(engine, CHILD, chained_process("parent", call("ca", "child")))
    parent = start_instance(engine, "parent")
    child = child_of(engine, parent, "ca")
    accepted(commands.fail_job(engine, child, "work", 0, "boom"))
    assert len(engine.instance(child).incidents) == 1
    assert not engine.instance(parent).incidents


def test_a_rebuilt_parent_still_knows_its_child(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/calls.db"
    engine = Engine(url)
    deploy(engine, CHILD, chained_process("parent", call("ca", "child"), task("after")))
    parent, other = start_instance(engine, "parent", n=1), start_instance(engine, "parent", n=2)
    child, other_child = child_of(engine, parent, "ca"), child_of(engine, other, "ca")
    live = engine.instance(parent).leaves()[0]
    engine.close()
    reopened = Engine(url)
    rebuilt = reopened.instance(parent).leaves()[0]
    assert (rebuilt.key, rebuilt.lifecycle) == (live.key, live.lifecycle)
    assert reopened.event_index.called_child(rebuilt.key) == child
    accepted(commands.complete_job(reopened, child, "work", {"r": 1}))
    assert reopened.instance(parent).active_element_ids() == ["after"]
    accepted(commands.cancel_instance(reopened, other))
    assert reopened.instance(other_child).lifecycle == "TERMINATED"
    reopened.close()

"""Migrating multi-instance activities (body and inner instances, rules 8, 10 and 13) and call
activities (the child is never migrated with its parent)."""

from __future__ import annotations

from bpmn_builders import (
    BY_SOURCE,
    boundary,
    call,
    chain,
    flow,
    loop,
    message,
    node,
    process,
    task,
    timer,
)

from engine_sim.engine import commands
from engine_sim.engine.aggregates import instance_id
from engine_sim.engine.engine import Engine
from migration import MigrationPlan, migrate_instance


def mi(element_id: str, sequential: bool = False, kind: str = "serviceTask",
       output: bool = True) -> str:
    """`element_id` as a multi-instance activity over `=items` (results in `results`)."""
    characteristics = loop("=items", sequential, element="item",
                           output=("results", "=result") if output else None)
    if kind == "serviceTask":
        return task(element_id, loop=characteristics)
    return node(kind, element_id, characteristics)


def linear_with(pid: str, *nodes: tuple[str, str]) -> bytes:
    """start -> nodes (id, xml) -> end."""
    body = '<bpmn:startEvent id="start"/>' + "".join(x for _, x in nodes) + '<bpmn:endEvent id="end"/>'
    return process(body, chain("start", *(i for i, _ in nodes), "end", flow_ids=BY_SOURCE),
                   process_id=pid)


def stored(engine: Engine, key: int) -> list[bytes]:
    return [e.state for e in engine.app.recorder.select_events(instance_id(key))]


def reason(outcome) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    assert outcome.rejection is not None, "expected a rejection"
    return outcome.rejection["rejectionType"], outcome.rejection["rejectionReason"]


def shape(records):  # type: ignore[no-untyped-def]
    return [(r["valueType"], r["intent"], r.get("bpmnElementType") or r.get("name")) for r in records]


# -- multi-instance ----------------------------------------------------------------------------
def test_one_instruction_moves_body_and_inner_instances_with_their_variables(engine, deploy, start):
    deploy(linear_with("p", ("t", mi("t"))))
    target = deploy(linear_with("p", ("t", mi("t")), ("after", task("after"))))
    key = start("p", 1, items=["a", "b"])
    commands.complete_job(engine, key, "t", {"result": "A"})
    outcome = migrate_instance(engine, key, MigrationPlan.of(target, [("t", "t")]))
    assert outcome.rejection is None, outcome.rejection
    assert shape(outcome.records) == [
        ("PROCESS_INSTANCE", "ELEMENT_MIGRATED", "PROCESS"),
        ("VARIABLE", "MIGRATED", "items"),
        ("PROCESS_INSTANCE", "ELEMENT_MIGRATED", "MULTI_INSTANCE_BODY"),
        ("VARIABLE", "MIGRATED", "results"),
        ("PROCESS_INSTANCE", "ELEMENT_MIGRATED", "SERVICE_TASK"),
        ("JOB", "MIGRATED", None),
        ("VARIABLE", "MIGRATED", "item"),
        ("VARIABLE", "MIGRATED", "result"),
        ("VARIABLE", "MIGRATED", "loopCounter"),
        ("PROCESS_INSTANCE_MIGRATION", "MIGRATED", None),
    ]
    inner_vars = {r["name"]: r["value"] for r in outcome.records[6:9]}
    assert inner_vars == {"item": "b", "result": None, "loopCounter": 2}
    assert outcome.records[3]["value"] == ["A", None]
    commands.complete_job(engine, key, "t", {"result": "B"})
    state = engine.instance(key)
    assert state.active_element_ids() == ["after"]
    assert state.process_variables()["results"] == ["A", "B"]


def test_rule13_sequential_and_parallel_do_not_mix(engine, deploy, start):
    deploy(linear_with("p", ("t", mi("t"))))
    sequential = deploy(linear_with("p", ("t", mi("t", sequential=True))))
    parallel_key = start("p", 1, items=[1, 2])
    assert reason(migrate_instance(engine, parallel_key, MigrationPlan.of(sequential, [("t", "t")]))) == (
        "INVALID_STATE", "multi-instance body 't' changes loop characteristics from parallel to sequential")
    sequential_key = start("p", 2, items=[1, 2])
    parallel = engine.catalog.get("p", 1).key
    assert reason(migrate_instance(engine, sequential_key, MigrationPlan.of(parallel, [("t", "t")]))) == (
        "INVALID_STATE", "multi-instance body 't' changes loop characteristics from sequential to parallel")
    assert engine.instance(parallel_key).version == 1


def test_rule8_a_body_stays_a_body_and_the_inner_type_is_kept(engine, deploy, start):
    deploy(linear_with("p", ("t", mi("t"))))
    plain = deploy(linear_with("p", ("t", task("t"))))
    user = deploy(linear_with("p", ("u", mi("u", kind="userTask"))))
    key = start("p", 1, items=[1])
    assert reason(migrate_instance(engine, key, MigrationPlan.of(plain, [("t", "t")]))) == (
        "INVALID_STATE", "'t' of type MULTI_INSTANCE_BODY is mapped to 't' of type SERVICE_TASK")
    assert reason(migrate_instance(engine, key, MigrationPlan.of(user, [("t", "u")]))) == (
        "INVALID_STATE", "'t' of type SERVICE_TASK is mapped to 'u' of type USER_TASK")
    plain_key = start("p", 2)
    multi = engine.catalog.get("p", 1).key
    assert reason(migrate_instance(engine, plain_key, MigrationPlan.of(multi, [("t", "t")]))) == (
        "INVALID_STATE", "'t' of type SERVICE_TASK is mapped to 't' of type MULTI_INSTANCE_BODY")


def test_rule10_a_body_cannot_move_into_a_subprocess(engine, deploy, start):
    deploy(linear_with("p", ("t", mi("t"))))
    sub = ('<bpmn:subProcess id="sub"><bpmn:startEvent id="s0"/>' + mi("t") + '<bpmn:endEvent id="s1"/>'
           + flow("i0", "s0", "t") + flow("i1", "t", "s1") + "</bpmn:subProcess>")
    target = deploy(linear_with("p", ("sub", sub)))
    key = start("p", 1, items=[1])
    assert reason(migrate_instance(engine, key, MigrationPlan.of(target, [("t", "t")]))) == (
        "INVALID_STATE", "flow scope of active element 't' changes from 'p' to 'sub'")


def test_elements_inside_a_multi_instance_subprocess_migrate(engine, deploy, start):
    def source(inner_id: str) -> bytes:
        sub = ('<bpmn:subProcess id="sub"><bpmn:multiInstanceLoopCharacteristics isSequential="true">'
               '<bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="=items"/>'
               "</bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>"
               '<bpmn:startEvent id="s0"/>' + task(inner_id) + '<bpmn:endEvent id="s1"/>'
               + flow("i0", "s0", inner_id) + flow("i1", inner_id, "s1") + "</bpmn:subProcess>")
        return linear_with("p", ("sub", sub))

    deploy(source("a"))
    target = deploy(source("b"))
    key = start("p", 1, items=[1, 2])
    outcome = migrate_instance(engine, key, MigrationPlan.of(target, [("sub", "sub"), ("a", "b")]))
    assert outcome.rejection is None, outcome.rejection
    assert [r["elementId"] for r in outcome.records if r["intent"] == "ELEMENT_MIGRATED"] == [
        "p", "sub", "sub", "b"]
    commands.complete_job(engine, key, "a")
    assert engine.instance(key).active_element_ids() == ["b"]
    assert engine.instance(key).open_jobs_of("b")[0].type == "a"  # the job keeps its type


def test_a_body_holding_an_incident_migrates_and_resolves_on_the_target(engine, deploy, start):
    deploy(linear_with("p", ("t", mi("t"))))
    target = deploy(linear_with("p", ("t", mi("t", output=False)), ("after", task("after"))))
    key = start("p", 1)  # no items: an incident on the body
    outcome = migrate_instance(engine, key, MigrationPlan.of(target, [("t", "t")]))
    assert outcome.rejection is None, outcome.rejection
    assert ("INCIDENT", "MIGRATED", None) in shape(outcome.records)
    commands.set_variables(engine, key, {"items": [1]})
    commands.resolve_incident(engine, key, "t")
    commands.complete_job(engine, key, "t")
    assert engine.instance(key).active_element_ids() == ["after"]


# -- call activities ---------------------------------------------------------------------------
def test_the_parent_migrates_without_its_child(engine, deploy, start):
    deploy(linear_with("child", ("work", task("work"))))
    deploy(linear_with("p", ("ca", call("ca", "child"))))
    other_child = deploy(linear_with("other", ("job", task("job"))))
    target = deploy(linear_with("p", ("ca2", call("ca2", "other")), ("after", task("after"))))
    key = start("p", 1, n=1)
    state = engine.instance(key)
    child = engine.event_index.called_child(state.leaves()[0].key)
    child_events = len(stored(engine, child))
    outcome = migrate_instance(engine, key, MigrationPlan.of(target, [("ca", "ca2")]))
    assert outcome.rejection is None, outcome.rejection
    assert {r["processInstanceKey"] for r in outcome.records} == {key}
    assert [(r["elementId"], r["bpmnElementType"]) for r in outcome.records
            if r["intent"] == "ELEMENT_MIGRATED"] == [("p", "PROCESS"), ("ca2", "CALL_ACTIVITY")]
    child_state = engine.instance(child)
    assert (child_state.process_id, child_state.version) == ("child", 1) and other_child
    assert len(stored(engine, child)) == child_events
    # no re-evaluation: the child goes on, and its completion reaches the migrated call activity
    commands.complete_job(engine, child, "work", {"done": True})
    assert state.active_element_ids() == ["after"] and state.process_variables()["done"] is True


def test_a_call_activity_is_mapped_to_a_call_activity_only(engine, deploy, start):
    deploy(linear_with("child", ("work", task("work"))))
    deploy(linear_with("p", ("ca", call("ca", "child"))))
    target = deploy(linear_with("p", ("ca", task("ca"))))
    key = start("p", 1)
    assert reason(migrate_instance(engine, key, MigrationPlan.of(target, [("ca", "ca")]))) == (
        "INVALID_STATE", "'ca' of type CALL_ACTIVITY is mapped to 'ca' of type SERVICE_TASK")


def test_the_child_migrates_on_its_own_and_keeps_its_parent(engine, deploy, start):
    deploy(linear_with("child", ("work", task("work"))))
    target = deploy(linear_with("child", ("work", task("work")), ("more", task("more"))))
    deploy(linear_with("p", ("ca", call("ca", "child")), ("after", task("after"))))
    key = start("p", 1)
    ca = engine.instance(key).leaves()[0]
    child = engine.event_index.called_child(ca.key)
    outcome = migrate_instance(engine, child, MigrationPlan.of(target, [("work", "work")]))
    assert outcome.rejection is None, outcome.rejection
    migrated = [r for r in outcome.records if r["intent"] == "ELEMENT_MIGRATED"]
    assert {(r["parentProcessInstanceKey"], r["parentElementInstanceKey"]) for r in migrated} == {(key, ca.key)}
    assert engine.instance(key).version == 1
    commands.complete_job(engine, child, "work")
    commands.complete_job(engine, child, "more")
    assert engine.instance(key).active_element_ids() == ["after"]



def test_boundary_events_belong_to_the_body_only(engine, deploy, start):
    from engine_sim.model import ElementType
    from migration.catch_events import catch_events_of

    late = boundary("late", "t", timer("timeDuration", "PT1H"))
    receive = message("go", key="=1", ref="m")
    xml = linear_with("p", ("t", mi("t")), ("r", mi("r", kind="receiveTask", output=False)
                                             .replace('<bpmn:receiveTask id="r">',
                                                      '<bpmn:receiveTask id="r" messageRef="m">')))
    xml = xml.replace(b"</bpmn:process>", late.encode() + b'<bpmn:endEvent id="e2"/>'
                      + flow("lf", "late", "e2").encode() + b"</bpmn:process>" + receive.encode())
    deploy(xml)
    model = engine.catalog.get("p").model
    t, r = model.elements["t"], model.elements["r"]
    body, inner = ElementType.MULTI_INSTANCE_BODY, ElementType.SERVICE_TASK
    assert [e.id for e in catch_events_of(model, t, instance_type=body)] == ["late"]
    assert catch_events_of(model, t, instance_type=inner) == ()
    assert [e.id for e in catch_events_of(model, t)] == ["late"]  # callers that do not say
    assert catch_events_of(model, r, instance_type=body) == ()
    assert [e.id for e in catch_events_of(model, r, instance_type=ElementType.RECEIVE_TASK)] == ["r"]

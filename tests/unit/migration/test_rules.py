"""One test per rejection rule of docs/migration.md (messages word for word), the order
in which rules are checked, and that a rejection leaves the stored stream unchanged."""

from __future__ import annotations

from dataclasses import replace

import pytest
from bpmn_builders import BY_SOURCE, chain, flow, linear, process, task, user_task

from engine_sim.engine import commands
from engine_sim.engine.aggregates import instance_id
from engine_sim.engine.engine import Engine
from engine_sim.engine.state import ElementInstance
from engine_sim.model import ElementType, EventType
from migration import MigrationPlan, checks, migrate_instance
from migration.walk import CompiledPlan, Walk


def stored(engine: Engine, key: int) -> list[bytes]:
    return [e.state for e in engine.app.recorder.select_events(instance_id(key))]


def rejection_of(engine: Engine, key: int, target: int, pairs=(), auto_map=False) -> tuple[str, str]:
    before = stored(engine, key)
    outcome = migrate_instance(engine, key, MigrationPlan.of(target, pairs, auto_map))
    assert outcome.rejection is not None, "expected a rejection"
    assert stored(engine, key) == before, "a rejected migration changed the stored stream"
    record = outcome.rejection
    assert (record["valueType"], record["intent"], record["processInstanceKey"]) == (
        "PROCESS_INSTANCE_MIGRATION", "MIGRATE", key)
    return record["rejectionType"], record["rejectionReason"]


# -- rules 1-5 ---------------------------------------------------------------------------------
def test_rule1_unknown_and_finished_instances(engine, deploy, start):
    target = deploy(linear("p", "a"))
    assert rejection_of(engine, 123, target) == (
        "NOT_FOUND", "no running process instance with key 123")
    key = start("p")
    commands.complete_job(engine, key, "a")
    assert rejection_of(engine, key, target) == (
        "NOT_FOUND", f"no running process instance with key {key}")


def test_rule2_duplicate_source(engine, deploy, start):
    target = deploy(linear("p", "a"))
    key = start("p")
    assert rejection_of(engine, key, target, [("a", "a"), ("a", "a")]) == (
        "INVALID_ARGUMENT", "duplicate source element id 'a'")


def test_rule3_missing_target_definition(engine, deploy, start):
    deploy(linear("p", "a"))
    key = start("p")
    assert rejection_of(engine, key, 42) == ("NOT_FOUND", "no process definition with key 42")


def test_rule4_unknown_source_element(engine, deploy, start):
    deploy(linear("p", "a"))
    target = deploy(linear("p", "a", "b"))
    key = start("p", 1)
    assert rejection_of(engine, key, target, [("b", "b")]) == (
        "INVALID_ARGUMENT", "source element 'b' does not exist in p version 1")


def test_rule5_unknown_target_element(engine, deploy, start):
    target = deploy(linear("p", "a"))
    key = start("p")
    assert rejection_of(engine, key, target, [("a", "zz")]) == (
        "INVALID_ARGUMENT", "target element 'zz' does not exist in p version 1")


# -- rules 6-14 --------------------------------------------------------------------------------
def _walk(engine, deploy, start) -> tuple[Walk, ElementInstance]:
    deploy(linear("p", "a"))
    key = start("p")
    state = engine.instance(key)
    catalog = engine.catalog
    plan = CompiledPlan(catalog.by_key[state.definition_key].model, catalog.latest("p"), {"a": "a"},
                        frozenset({"a"}))
    walk = Walk(state, plan)
    walk.targets[state.key] = "p"
    (leaf,) = state.leaves()
    return walk, leaf


@pytest.mark.parametrize("element_type", [
    ElementType.START_EVENT, ElementType.END_EVENT, ElementType.INTERMEDIATE_THROW_EVENT,
    ElementType.BOUNDARY_EVENT, ElementType.MANUAL_TASK, ElementType.TASK,
])
def test_rule6_unsupported_element_types(engine, deploy, start, element_type):
    walk, leaf = _walk(engine, deploy, start)
    element = walk.source.elements["a"]
    stub = replace(leaf, type=element_type)
    assert checks.rule6_migratable_type(walk, stub, element) == checks.Rejection(
        "INVALID_STATE", f"active element 'a' of type {element_type.value} cannot be migrated")


def test_rule6_catch_events_of_unsupported_kinds(engine, deploy, start):
    walk, leaf = _walk(engine, deploy, start)
    element = replace(walk.source.elements["a"], type=ElementType.INTERMEDIATE_CATCH_EVENT,
                      event_type=EventType.ERROR)
    stub = replace(leaf, type=ElementType.INTERMEDIATE_CATCH_EVENT)
    assert checks.rule6_migratable_type(walk, stub, element).reason == (
        "active element 'a' of type INTERMEDIATE_CATCH_EVENT cannot be migrated")
    timer = replace(element, event_type=EventType.TIMER)
    assert checks.rule6_migratable_type(walk, stub, timer) is None


def test_rule7_no_mapping(engine, deploy, start):
    target = deploy(linear("q", "a"))
    deploy(linear("p", "a"))
    key = start("p")
    assert rejection_of(engine, key, target) == (
        "INVALID_STATE", "active element 'a' has no mapping instruction")


def test_rule8_type_change(engine, deploy, start):
    deploy(linear("p", "a"))
    body = '<bpmn:startEvent id="start"/>' + user_task("a") + '<bpmn:endEvent id="end"/>'
    target = deploy(process(body, chain("start", "a", "end", flow_ids=BY_SOURCE)))
    key = start("p", 1)
    assert rejection_of(engine, key, target, [("a", "a")]) == (
        "INVALID_STATE", "'a' of type SERVICE_TASK is mapped to 'a' of type USER_TASK")


def test_rule9_user_task_implementation(engine, deploy, start):
    def with_user_task(managed: bool) -> bytes:
        return process('<bpmn:startEvent id="start"/>', user_task("u", managed),
                       '<bpmn:endEvent id="end"/>', chain("start", "u", "end", flow_ids=BY_SOURCE))

    deploy(with_user_task(False))
    target = deploy(with_user_task(True))
    key = start("p", 1)
    assert rejection_of(engine, key, target, [("u", "u")]) == (
        "INVALID_STATE",
        "user task 'u' changes implementation (job worker <-> engine-managed); migrate it to a "
        "user task of the same implementation",
    )


def test_rule10_flow_scope_change(engine, deploy, start):
    sub = ('<bpmn:subProcess id="sub"><bpmn:startEvent id="s0"/>' + task("a")
           + '<bpmn:endEvent id="s1"/>' + flow("i1", "s0", "a") + flow("i2", "a", "s1")
           + "</bpmn:subProcess>")
    deploy(process('<bpmn:startEvent id="start"/>', sub, '<bpmn:endEvent id="end"/>',
                   chain("start", "sub", "end", flow_ids=BY_SOURCE)))
    target = deploy(linear("p", "a"))
    key = start("p", 1)
    assert rejection_of(engine, key, target, [("sub", "a"), ("a", "a")]) == (
        "INVALID_STATE", "'sub' of type SUB_PROCESS is mapped to 'a' of type SERVICE_TASK")
    target3 = deploy(process('<bpmn:startEvent id="start"/>', sub, task("b"), '<bpmn:endEvent id="end"/>',
                             chain("start", "sub", "b", "end", flow_ids=BY_SOURCE)))
    assert rejection_of(engine, key, target3, [("sub", "sub"), ("a", "b")]) == (
        "INVALID_STATE", "flow scope of active element 'a' changes from 'sub' to 'p'")


def test_rule11_unsupported_attached_kinds(engine, deploy, start):
    walk, leaf = _walk(engine, deploy, start)
    element = walk.source.elements["a"]
    none_boundary = replace(element, id="b", type=ElementType.BOUNDARY_EVENT, event_type=EventType.NONE)
    source = walk.source
    elements = dict(source.elements) | {"b": none_boundary, "a": replace(element, boundary_events=("b",))}
    walk.plan = replace(walk.plan, source=replace(source, elements=elements))
    assert checks.rule11_attached_kinds(walk, leaf, elements["a"]) == checks.Rejection(
        "INVALID_STATE", "'a' has none events that cannot be migrated")


def test_rule14_not_at_rest(engine, deploy, start):
    walk, leaf = _walk(engine, deploy, start)
    element = walk.source.elements["a"]
    assert checks.rule14_at_rest(walk, leaf, element) is None
    leaf.in_flight["x"] = 1  # a token on its way (only after a crash mid-command)
    rejection = checks.rule14_at_rest(walk, leaf, element)
    leaf.in_flight.clear()
    assert rejection is not None and rejection.type == "INVALID_STATE"
    assert "concurrent command" in rejection.reason and "retry the migration" in rejection.reason


# -- order ---------------------------------------------------------------------------------------
def test_command_rules_come_before_element_rules(engine, deploy, start):
    deploy(linear("p", "a"))
    target = deploy(linear("p", "b"))
    key = start("p", 1)
    # duplicate source (rule 2) and a missing target element (rule 5) and no mapping (rule 7)
    assert rejection_of(engine, key, target, [("a", "zz"), ("a", "b")])[1] == (
        "duplicate source element id 'a'")
    # rule 4 before rule 5
    assert rejection_of(engine, key, target, [("zz", "yy")])[1] == (
        "source element 'zz' does not exist in p version 1")
    # rule 7 (the first element in walk order) before rule 8 of a later element
    assert rejection_of(engine, key, target, [])[1] == "active element 'a' has no mapping instruction"


def test_walk_is_breadth_first_in_key_order(engine, deploy, start):
    par = ('<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/>' + task("a") + task("b")
           + '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>' + flow("f0", "start", "fork")
           + flow("fa", "fork", "a") + flow("fb", "fork", "b") + flow("a1", "a", "e1") + flow("b1", "b", "e2"))
    deploy(process(par))
    target = deploy(linear("p", "z"))
    key = start("p", 1)
    # both a and b lack a mapping: a was activated first, so it is reported
    assert rejection_of(engine, key, target)[1] == "active element 'a' has no mapping instruction"
    assert rejection_of(engine, key, target, [("a", "z")])[1] == (
        "active element 'b' has no mapping instruction")


def test_auto_map_pairs_same_id_and_type_only(engine, deploy, start):
    deploy(linear("p", "a", "b"))
    body = ('<bpmn:startEvent id="start"/>' + user_task("a") + task("b") + '<bpmn:endEvent id="end"/>'
            + chain("start", "a", "b", "end", flow_ids=BY_SOURCE))
    target = deploy(process(body))
    key = start("p", 1)
    assert rejection_of(engine, key, target, auto_map=True)[1] == (
        "active element 'a' has no mapping instruction")
    commands.complete_job(engine, key, "a")
    outcome = migrate_instance(engine, key, MigrationPlan.of(target, [], auto_map=True))
    assert outcome.rejection is None
    assert engine.instance(key).active_element_ids() == ["b"]

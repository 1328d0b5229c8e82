"""The preconditions of `MigrateProcessInstance` (docs/migration.md, the rule table), one function per
rule, run in the documented order; each returns a `Rejection` or None. The first failure wins.

Command-level rules 1-5 run first; then the element-instance tree is walked breadth-first
(children in ascending key) and every instance is checked against its parent's *target*.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from engine_sim.engine import DeployedProcess, ElementInstance, InstanceState
from engine_sim.model import Element, ElementType, EventType
from engine_sim.records import ValueType
from migration import messages as msg
from migration.catch_events import catch_events_of, message_name_of
from migration.catch_migration import (
    check_new_subscriptions,
    opens_subscriptions,
    waits_on_listener,
)
from migration.walk import INVALID_ARGUMENT, INVALID_STATE, NOT_FOUND, CompiledPlan, Rejection, Walk

UNMIGRATABLE_TYPES = frozenset({
    ElementType.START_EVENT, ElementType.END_EVENT, ElementType.INTERMEDIATE_THROW_EVENT,
    ElementType.BOUNDARY_EVENT, ElementType.MANUAL_TASK, ElementType.TASK,
})
MIGRATABLE_CATCH_KINDS = frozenset({EventType.MESSAGE, EventType.TIMER, EventType.SIGNAL})
MIGRATABLE_ATTACHED_KINDS = MIGRATABLE_CATCH_KINDS | {EventType.ERROR, EventType.ESCALATION}


# -- rules 1-5: the command ------------------------------------------------------------------
def check_running(state: InstanceState | None, key: int) -> Rejection | None:
    if state is None or not state.is_running:
        return Rejection(NOT_FOUND, msg.NO_RUNNING_INSTANCE.format(key=key))
    return None


def check_duplicate_sources(pairs: list[tuple[str, str]]) -> Rejection | None:
    seen: set[str] = set()
    for source, _ in pairs:
        if source in seen:
            return Rejection(INVALID_ARGUMENT, msg.DUPLICATE_SOURCE.format(id=source))
        seen.add(source)
    return None


def check_target_exists(target: DeployedProcess | None, key: int) -> Rejection | None:
    if target is None:
        return Rejection(NOT_FOUND, msg.NO_TARGET_DEFINITION.format(key=key))
    return None


def check_sources_exist(pairs: list[tuple[str, str]], source: DeployedProcess) -> Rejection | None:
    for source_id, _ in pairs:
        if not source.model.has_element(source_id):
            return Rejection(INVALID_ARGUMENT, msg.NO_SOURCE_ELEMENT.format(
                id=source_id, process=source.process_id, version=source.version))
    return None


def check_targets_exist(pairs: list[tuple[str, str]], target: DeployedProcess) -> Rejection | None:
    for _, target_id in pairs:
        if not target.model.has_element(target_id):
            return Rejection(INVALID_ARGUMENT, msg.NO_TARGET_ELEMENT.format(
                id=target_id, process=target.process_id, version=target.version))
    return None


# -- rules 6-14: one element instance ---------------------------------------------------------
ElementCheck = Callable[[Walk, ElementInstance, Element], "Rejection | None"]


def rule6_migratable_type(walk: Walk, ei: ElementInstance, element: Element) -> Rejection | None:
    unsupported = ei.type in UNMIGRATABLE_TYPES or (
        ei.type is ElementType.INTERMEDIATE_CATCH_EVENT and element.event_type not in MIGRATABLE_CATCH_KINDS
    )
    if unsupported:
        return Rejection(INVALID_STATE, msg.UNSUPPORTED_TYPE.format(id=ei.element_id, type=ei.type.value))
    return None


def rule7_mapped(walk: Walk, ei: ElementInstance, element: Element) -> Rejection | None:
    if walk.target_id(ei) is None:
        return Rejection(INVALID_STATE, msg.NO_MAPPING.format(id=ei.element_id))
    return None


def _target_type(walk: Walk, ei: ElementInstance, target: Element) -> ElementType:
    if target.loop is not None and not walk.is_inner_instance(ei):
        return ElementType.MULTI_INSTANCE_BODY
    return target.type


def rule8_same_type(walk: Walk, ei: ElementInstance, element: Element) -> Rejection | None:
    target = walk.target_model.elements.get(walk.target_id(ei) or "")
    target_type = _target_type(walk, ei, target) if target is not None else ElementType.SEQUENCE_FLOW
    if target_type is not ei.type:
        return Rejection(INVALID_STATE, msg.TYPE_CHANGES.format(
            id=ei.element_id, type=ei.type.value, tid=walk.target_id(ei), ttype=target_type.value))
    return None


def rule9_user_task_implementation(walk: Walk, ei: ElementInstance, element: Element) -> Rejection | None:
    target = walk.target_model.elements[walk.target_id(ei) or ""]
    if ei.type is ElementType.USER_TASK and element.engine_user_task != target.engine_user_task:
        return Rejection(INVALID_STATE, msg.USER_TASK_IMPLEMENTATION.format(id=ei.element_id))
    return None


def rule10_flow_scope(walk: Walk, ei: ElementInstance, element: Element) -> Rejection | None:
    if ei.key == walk.state.key:
        return None
    target = walk.target_model.elements[walk.target_id(ei) or ""]
    target_scope = target.id if walk.is_inner_instance(ei) else target.flow_scope
    expected = walk.parent_target_id(ei)
    if target_scope != expected:
        return Rejection(INVALID_STATE, msg.FLOW_SCOPE_CHANGES.format(
            id=ei.element_id, expected=expected, actual=target_scope))
    return None


def rule11_attached_kinds(walk: Walk, ei: ElementInstance, element: Element) -> Rejection | None:
    target = walk.target_model.elements[walk.target_id(ei) or ""]
    for model, owner in ((walk.source, element), (walk.target_model, target)):
        for event in catch_events_of(model, owner, attached_only=True, instance_type=ei.type):
            if event.event_type not in MIGRATABLE_ATTACHED_KINDS:
                return Rejection(INVALID_STATE, msg.UNSUPPORTED_ATTACHED.format(
                    id=owner.id, kind=event.event_type.value.lower()))
    return None


def rule12_catch_events(walk: Walk, ei: ElementInstance, element: Element) -> Rejection | None:
    target = walk.target_model.elements[walk.target_id(ei) or ""]
    target_events = {e.id: e for e in catch_events_of(walk.target_model, target, instance_type=ei.type)}
    merged_into: dict[str, str] = {}
    for event in catch_events_of(walk.source, element, instance_type=ei.type):
        mapped = walk.mapping.get(event.id) if event.id != element.id else target.id
        if mapped is None:
            continue
        if mapped not in target_events:
            return Rejection(INVALID_STATE, msg.CATCH_DETACHED.format(id=event.id, tid=mapped, owner=target.id))
        if mapped in merged_into:
            return Rejection(INVALID_STATE, msg.CATCH_MERGED.format(
                id=event.id, other=merged_into[mapped], tid=mapped))
        merged_into[mapped] = event.id
        new_type = target_events[mapped].event_type
        if new_type is not event.event_type:
            return Rejection(INVALID_STATE, msg.CATCH_TYPE_CHANGES.format(
                id=event.id, type=event.event_type.value, ttype=new_type.value))
    return None


def rule13_loop_characteristics(walk: Walk, ei: ElementInstance, element: Element) -> Rejection | None:
    if ei.type is not ElementType.MULTI_INSTANCE_BODY:
        return None
    target = walk.target_model.elements[walk.target_id(ei) or ""]
    if element.loop and target.loop and element.loop.sequential != target.loop.sequential:
        kinds = ("sequential", "parallel")
        return Rejection(INVALID_STATE, msg.LOOP_CHANGES.format(
            id=ei.element_id, was=kinds[not element.loop.sequential], now=kinds[not target.loop.sequential]))
    return None


def rule14_at_rest(walk: Walk, ei: ElementInstance, element: Element) -> Rejection | None:
    """Saves are atomic, so a stored instance is always at rest; this guards an instance
    that a failed command left half-processed in memory (a token on a flow, an element
    between ACTIVATING and ACTIVATED without an incident or an execution listener's job
    holding it there)."""
    settling = (ei.lifecycle in ("ELEMENT_ACTIVATING", "ELEMENT_COMPLETING")
                and not walk.state.incidents_of(ei.key) and not waits_on_listener(walk.state, ei))
    if ei.in_flight or settling or ei.lifecycle == "ELEMENT_TERMINATING":
        return Rejection(INVALID_STATE, msg.NOT_AT_REST.format(id=ei.element_id))
    return None


def process_start_reachable(walk: Walk, ei: ElementInstance) -> Rejection | None:
    """A process still ACTIVATING (waiting on its start listeners' jobs) enters the target
    process at its only start event or its none start event once they complete: the target
    must have one (our addition; the engine could not continue otherwise)."""
    if ei.key != walk.state.key or ei.lifecycle != "ELEMENT_ACTIVATING":
        return None
    target_id = walk.targets[ei.key]
    if walk.target_model.listened_start_event(target_id) is not None:
        return None
    return Rejection(INVALID_STATE, msg.PROCESS_NOT_STARTABLE.format(id=ei.element_id, tid=target_id))


MODEL_CHECKS: tuple[ElementCheck, ...] = (
    rule6_migratable_type, rule7_mapped, rule8_same_type, rule9_user_task_implementation,
    rule10_flow_scope, rule11_attached_kinds, rule12_catch_events, rule13_loop_characteristics,
)


# -- rule 15: joining gateways with taken flows -----------------------------------------------
def rule15_joining_gateways(walk: Walk, ei: ElementInstance) -> Rejection | None:
    for gateway_id, taken in ei.joins.items():
        problem = _joining_gateway_problem(walk, gateway_id, taken)
        if problem is not None:
            return Rejection(INVALID_ARGUMENT, msg.JOINING_GATEWAY.format(id=gateway_id, problem=problem))
    return None


def _joining_gateway_problem(walk: Walk, gateway_id: str, taken: list[tuple[str, int]]) -> str | None:
    source_gateway = walk.source.elements[gateway_id]
    target_id = walk.mapping.get(gateway_id)
    if target_id is None:
        return "has taken sequence flows but no mapping instruction"
    target_gateway = walk.target_model.elements.get(target_id)
    if target_gateway is None or target_gateway.type is not source_gateway.type:
        found = target_gateway.type.value if target_gateway else "SEQUENCE_FLOW"
        return f"of type {source_gateway.type.value} is mapped to '{target_id}' of type {found}"
    if len(target_gateway.incoming) < len(source_gateway.incoming):
        return (f"has {len(source_gateway.incoming)} incoming sequence flows but '{target_id}' "
                f"has only {len(target_gateway.incoming)}")
    mapped_from: dict[str, str] = {}
    for flow_id, _ in sorted(taken, key=lambda t: t[1]):
        mapped = walk.mapping.get(flow_id)
        if mapped is None:
            return f"has taken sequence flow '{flow_id}' without a mapping instruction"
        if mapped in mapped_from and mapped_from[mapped] != flow_id:
            return f"has taken sequence flows '{mapped_from[mapped]}' and '{flow_id}' mapped to one flow '{mapped}'"
        if mapped not in target_gateway.incoming:
            return f"has taken sequence flow '{flow_id}' mapped to '{mapped}', which is not an incoming flow of '{target_id}'"
        mapped_from[mapped] = flow_id
    return None


# -- rule 16: message subscriptions -----------------------------------------------------------
def rule16_duplicate_message(walk: Walk, ei: ElementInstance, element: Element) -> Rejection | None:
    subscribed = {
        s.fields.get("messageName") for s in walk.state.subscriptions_of(ei.key)
        if s.value_type == ValueType.PROCESS_MESSAGE_SUBSCRIPTION
    }
    if not subscribed or not opens_subscriptions(walk.state, ei):
        return None
    target = walk.target_model.elements[walk.target_id(ei) or ""]
    instructed_targets = walk.plan.instructed_targets
    for event in catch_events_of(walk.target_model, target, instance_type=ei.type):
        if event.event_type is not EventType.MESSAGE or event.id in instructed_targets or event.id == target.id:
            continue
        name = message_name_of(walk.state, ei, event)
        if name in subscribed:
            return Rejection(INVALID_STATE, msg.ALREADY_SUBSCRIBED.format(id=ei.element_id, name=name))
    return None


# -- the walk ---------------------------------------------------------------------------------
def breadth_first(state: InstanceState) -> list[ElementInstance]:
    root = state.root
    if root is None:
        return []
    order, queue = [], deque([root])
    while queue:
        ei = queue.popleft()
        order.append(ei)
        queue.extend(state.elements[k] for k in sorted(ei.children))
    return order


def model_rules(walk: Walk, ei: ElementInstance, element: Element) -> Rejection | None:
    """Rules 6-13: they read only the models, the mapping and the element instance's
    shape, so a compiled plan keeps their answer per shape (`shape`)."""
    for check in MODEL_CHECKS:
        rejection = check(walk, ei, element)
        if rejection is not None:
            return rejection
    return None


def shape(state: InstanceState, ei: ElementInstance) -> tuple[object, ...]:
    """All that rules 6-13 read of an element instance: its element and type, and its flow
    scope's (rule 10 compares flow scopes; an inner instance's scope is its body)."""
    parent = state.elements.get(ei.flow_scope_key)
    if parent is None:
        return (ei.element_id, ei.type, ei.key == state.key, None, None, False)
    return (ei.element_id, ei.type, ei.key == state.key, parent.element_id, parent.type,
            parent.key == state.key)


def check_elements(state: InstanceState, plan: CompiledPlan) -> Rejection | Walk:
    """Rules 6-16 over the tree: the first rejection, or the walk with every element
    instance's target, in walk order (the order the migration writes its records)."""
    walk = Walk(state, plan)
    known = plan.element_rules
    source = plan.source
    for ei in breadth_first(state):
        element = source.elements[ei.element_id]
        key = shape(state, ei)
        if key in known:
            rejection = known[key]
        else:
            rejection = known[key] = model_rules(walk, ei, element)
        rejection = rejection or rule14_at_rest(walk, ei, element)
        if rejection is not None:
            return rejection
        walk.targets[ei.key] = walk.target_id(ei) or ""
        rejection = (rule15_joining_gateways(walk, ei) or rule16_duplicate_message(walk, ei, element)
                     or check_new_subscriptions(walk, ei) or process_start_reachable(walk, ei))
        if rejection is not None:
            return rejection
    return walk

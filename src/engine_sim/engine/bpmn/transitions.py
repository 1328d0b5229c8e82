"""The state-transition behaviour (Zeebe's `BpmnStateTransitionBehavior`): the only code that
writes ELEMENT_* and SEQUENCE_FLOW_* records of the PROCESS_INSTANCE value type."""

from __future__ import annotations

from typing import Any

from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element, ElementType, SequenceFlow
from engine_sim.records import Intent, Record, ValueType

PI = ValueType.PROCESS_INSTANCE
SEQUENCE_FLOW = ElementType.SEQUENCE_FLOW.value


def element_record(ctx: CommandContext, state: InstanceState, ei: ElementInstance, intent: str,
                   **extra: Any) -> Record:
    """A lifecycle record of `ei`; `extra` fields are added (a call activity's child key)."""
    element = state.model.elements.get(ei.element_id)
    return ctx.write(
        state, PI, intent, ei.key,
        elementId=ei.element_id,
        bpmnElementType=ei.type.value,
        bpmnEventType=element.event_type.value if element is not None else "UNSPECIFIED",
        flowScopeKey=ei.flow_scope_key,
        parentProcessInstanceKey=state.parent_instance_key,
        parentElementInstanceKey=state.parent_element_instance_key,
        **extra,
    )


def transition(ctx: CommandContext, state: InstanceState, ei: ElementInstance, intent: str) -> None:
    element_record(ctx, state, ei, intent)


def activating(ctx: CommandContext, state: InstanceState, element: Element, flow_scope_key: int,
               key: int | None = None, element_type: ElementType | None = None,
               parent: tuple[int, int] | None = None) -> ElementInstance:
    """Write ELEMENT_ACTIVATING for a new element instance and return it. Every record of
    a called child carries its parent's keys (Zeebe copies them from the flow scope)."""
    key = ctx.new_key() if key is None else key
    if parent is None:
        parent = (state.parent_instance_key, state.parent_element_instance_key)
    ctx.write(
        state, PI, Intent.ELEMENT_ACTIVATING, key,
        elementId=element.id,
        bpmnElementType=(element_type or element.type).value,
        bpmnEventType=element.event_type.value,
        flowScopeKey=flow_scope_key,
        parentProcessInstanceKey=parent[0],
        parentElementInstanceKey=parent[1],
    )
    return state.elements[key]


def migrated(ctx: CommandContext, state: InstanceState, ei: ElementInstance, target: Element,
             **definition: Any) -> None:
    """ELEMENT_MIGRATED: same key and type, the target's id (and, for the process, the new
    definition)."""
    ctx.write(
        state, PI, Intent.ELEMENT_MIGRATED, ei.key,
        elementId=target.id,
        bpmnElementType=ei.type.value,
        bpmnEventType=target.event_type.value,
        flowScopeKey=ei.flow_scope_key,
        parentProcessInstanceKey=state.parent_instance_key,
        parentElementInstanceKey=state.parent_element_instance_key,
        **definition,
    )


def sequence_flow(ctx: CommandContext, state: InstanceState, intent: str, key: int, flow_id: str,
                  scope_key: int) -> None:
    """SEQUENCE_FLOW_TAKEN (a new key) or SEQUENCE_FLOW_DELETED (the taken flow's key)."""
    ctx.write(
        state, PI, intent, key,
        elementId=flow_id,
        bpmnElementType=SEQUENCE_FLOW,
        bpmnEventType="UNSPECIFIED",
        flowScopeKey=scope_key,
        parentProcessInstanceKey=state.parent_instance_key,
        parentElementInstanceKey=state.parent_element_instance_key,
    )


def flow_taken(ctx: CommandContext, state: InstanceState, flow: SequenceFlow, scope_key: int) -> None:
    sequence_flow(ctx, state, Intent.SEQUENCE_FLOW_TAKEN, ctx.new_key(), flow.id, scope_key)

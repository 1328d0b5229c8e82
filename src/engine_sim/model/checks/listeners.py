"""Rules on `zeebe:executionListeners`, after Zeebe's validators (ExecutionListenersValidator,
and the start-event, boundary-event, gateway and end-event validators): where a listener of
each event type may stand, and that it names a job type."""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from engine_sim.model.checks.base import Ctx, Rule, attr, bx
from engine_sim.model.checks.support import event_name
from engine_sim.model.collect import NodeDraft
from engine_sim.model.elements import ElementType
from engine_sim.model.errors import BpmnModelError

EVENT_TYPES = ("start", "end")
_GATEWAYS = (
    ElementType.EXCLUSIVE_GATEWAY, ElementType.PARALLEL_GATEWAY,
    ElementType.INCLUSIVE_GATEWAY, ElementType.EVENT_BASED_GATEWAY,
)  # fmt: skip


_Test = Callable[[Ctx, NodeDraft, list[etree._Element]], "str | None"]


def listeners_of(node: NodeDraft) -> list[etree._Element]:
    return [
        listener
        for holder in bx.extensions(node.xml, "executionListeners")
        for listener in holder.findall(bx.zeebe("executionListener"))
    ]


def event_type_of(listener: etree._Element) -> str:
    return listener.get("eventType") or "start"  # Zeebe's default


def has_start_listeners(listeners: list[etree._Element]) -> bool:
    return any(event_type_of(listener) == "start" for listener in listeners)


def _each_listening_node(test: _Test) -> Rule:
    """Apply `test` to the process element and every flow node that declares listeners."""

    def rule(ctx: Ctx) -> BpmnModelError | None:
        for node in ctx.process.nodes.values():
            listeners = listeners_of(node)
            reason = test(ctx, node, listeners) if listeners else None
            if reason:
                return ctx.error(reason, node.line, node.id)
        return None

    rule.__name__ = test.__name__
    return rule


def listener_fields(ctx: Ctx, node: NodeDraft, listeners: list[etree._Element]) -> str | None:
    """Zeebe's model: `eventType` is start (the default) or end; `type` is required."""
    for listener in listeners:
        event_type = event_type_of(listener)
        if event_type not in EVENT_TYPES:
            return f"zeebe:executionListener eventType '{event_type}' is not start or end"
        if attr(listener, "type") is None:
            return "zeebe:executionListener has an empty type"
    return None


def listener_placement(ctx: Ctx, node: NodeDraft, listeners: list[etree._Element]) -> str | None:
    """The element validators of Zeebe 8.6+ refuse start listeners on start and boundary
    events, end listeners on gateways and on error end events."""
    kinds = {event_type_of(listener) for listener in listeners}
    if "start" in kinds and node.type is ElementType.START_EVENT:
        return "Execution listeners of type 'start' are not supported by start events"
    if "start" in kinds and node.type is ElementType.BOUNDARY_EVENT:
        return "Execution listeners of type 'start' are not supported by boundary events"
    if "end" in kinds and node.type in _GATEWAYS:
        return "Execution listeners of type 'end' are not supported by gateways"
    if "end" in kinds and node.type is ElementType.END_EVENT and event_name(node) == "error":
        return "Execution listeners of type 'end' are not supported by error end events"
    return None


def listener_duplicates(ctx: Ctx, node: NodeDraft, listeners: list[etree._Element]) -> str | None:
    """Zeebe's ExecutionListenersValidator: each (eventType, type) pair appears once."""
    seen: set[tuple[str, str]] = set()
    for listener in listeners:
        pair = (event_type_of(listener), listener.get("type", "").strip())
        if pair in seen:
            return (
                f"two '{pair[0]}' execution listeners have type '{pair[1]}': "
                "each pair of eventType and type must be unique"
            )
        seen.add(pair)
    return None


def triggered_start_listeners(ctx: Ctx, node: NodeDraft, listeners: list[etree._Element]) -> str | None:
    """Below Zeebe: an element that an event activates with that event's variables (an
    event subprocess, a catch event or receive task after an event-based gateway) takes them
    in the trigger's command, which a start listener's job would end; refused until an issue
    asks for them."""
    if not has_start_listeners(listeners):
        return None
    if node.type is ElementType.EVENT_SUB_PROCESS:
        return "start execution listeners on an event subprocess are not supported yet"
    sources = (ctx.node(ctx.process.flows[flow_id].source) for flow_id in node.incoming)
    if any(source is not None and source.type is ElementType.EVENT_BASED_GATEWAY
           for source in sources):
        return ("start execution listeners on an event after an event-based gateway are not "
                "supported yet")
    return None


def process_start_listeners(ctx: Ctx, node: NodeDraft, listeners: list[etree._Element]) -> str | None:
    """Below Zeebe: after a process's start listeners, the instance goes on at its start
    event, which must be known from the model alone: its only start event, or its none start
    event. A process with several start events, one of them a message, timer or signal start
    event, is not supported with start listeners yet."""
    if node.type is not ElementType.PROCESS or not has_start_listeners(listeners):
        return None
    starts = [ctx.process.nodes[child_id] for child_id in node.children
              if ctx.process.nodes[child_id].type is ElementType.START_EVENT]
    triggered = [start for start in starts if event_name(start) != "none"]
    if len(starts) > 1 and triggered:
        return (
            "start execution listeners on a process with several start events are not "
            f"supported yet (start event '{triggered[0].id}' is a {event_name(triggered[0])} "
            "start event)"
        )
    return None


RULES: list[Rule] = [
    _each_listening_node(listener_fields), _each_listening_node(listener_placement),
    _each_listening_node(listener_duplicates), _each_listening_node(triggered_start_listeners),
    _each_listening_node(process_start_listeners),
]  # fmt: skip

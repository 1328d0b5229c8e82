"""Rules on the shape of the flow: start and end events, subprocesses, gateways, conditions.

Run after the reference rules, so every flow's source and target exist here.
"""

from __future__ import annotations

from engine_sim.model.checks.base import (
    Ctx,
    Rule,
    bx,
    each_container,
    each_flow,
    each_node,
    start_events_of,
)
from engine_sim.model.checks.support import event_name
from engine_sim.model.collect import FlowDraft, NodeDraft
from engine_sim.model.elements import ElementType

_EVENT_GATEWAY_TARGETS = ("message", "timer", "signal")


@each_container
def process_start_events(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's ProcessValidator: at least one start event, at most one none start event."""
    if node.type is not ElementType.PROCESS:
        return None
    starts = start_events_of(ctx, node)
    if not starts:
        return "the process has no start event"
    nones = [start.id for start in starts if start.event_tag == "none"]
    if len(nones) > 1:
        return f"the process has more than one none start event ({', '.join(nones)})"
    return None


@each_container
def subprocess_start_event(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's SubProcessValidator: exactly one start event, of type none."""
    if node.type is not ElementType.SUB_PROCESS:
        return None
    starts = start_events_of(ctx, node)
    if len(starts) != 1:
        return (
            f"an embedded subprocess must have exactly one none start event (it has {len(starts)})"
        )
    return None


@each_container
def event_subprocess_start_event(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's SubProcessValidator: exactly one start event, with an event definition."""
    if node.type is not ElementType.EVENT_SUB_PROCESS:
        return None
    starts = start_events_of(ctx, node)
    if len(starts) != 1:
        return f"an event subprocess must have exactly one start event (it has {len(starts)})"
    return None


@each_node
def event_subprocess_unconnected(ctx: Ctx, node: NodeDraft) -> str | None:
    """An event subprocess is started by its event, never by a sequence flow."""
    if node.type is ElementType.EVENT_SUB_PROCESS and (node.incoming or node.outgoing):
        return "an event subprocess cannot have incoming or outgoing sequence flows"
    return None


@each_node
def start_without_incoming(ctx: Ctx, node: NodeDraft) -> str | None:
    if node.type is ElementType.START_EVENT and node.incoming:
        return f"a start event cannot have incoming sequence flows ({', '.join(node.incoming)})"
    return None


@each_node
def end_without_outgoing(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's EndEventValidator: no outgoing sequence flows."""
    if node.type is ElementType.END_EVENT and node.outgoing:
        return f"an end event cannot have outgoing sequence flows ({', '.join(node.outgoing)})"
    return None


@each_node
def boundary_flows(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's BoundaryEventValidator: no incoming flows (without outgoing flows the token
    simply ends there, as in Zeebe)."""
    if node.type is not ElementType.BOUNDARY_EVENT:
        return None
    if node.incoming:
        return f"a boundary event cannot have incoming sequence flows ({', '.join(node.incoming)})"
    return None


@each_node
def gateway_has_outgoing(ctx: Ctx, node: NodeDraft) -> str | None:
    if node.type in bx.GATEWAY_TYPES and not node.outgoing:
        return "a gateway must have at least one outgoing sequence flow"
    return None


@each_node
def event_gateway_targets(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's EventBasedGatewayValidator (we also accept receive tasks, as BPMN does)."""
    if node.type is not ElementType.EVENT_BASED_GATEWAY:
        return None
    if len(node.outgoing) < 2:
        return "an event-based gateway must have at least 2 outgoing sequence flows"
    for flow_id in node.outgoing:
        target = ctx.process.nodes[ctx.process.flows[flow_id].target or ""]
        if not _catches_event(target):
            return (
                f"sequence flow '{flow_id}' leads to '{target.id}': an event-based gateway may "
                "only lead to message, timer or signal intermediate catch events or receive tasks"
            )
        if len(target.incoming) > 1:
            return (
                f"'{target.id}' after the event-based gateway cannot have other incoming "
                "sequence flows"
            )
    return None


def _catches_event(node: NodeDraft) -> bool:
    if node.type is ElementType.RECEIVE_TASK:
        return True
    return (
        node.type is ElementType.INTERMEDIATE_CATCH_EVENT
        and event_name(node) in _EVENT_GATEWAY_TARGETS
    )


@each_node
def link_pairs(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's link event validation: a link has a name; within one scope a catch link's name
    is unique and every throw link has the catch link of its name (links never cross scopes)."""
    name = node.link_name
    if name is None:
        return None
    if not name:
        return "a link event needs a name (linkEventDefinition name)"
    catches = [n.id for n in ctx.process.nodes.values()
               if n.type is ElementType.INTERMEDIATE_CATCH_EVENT and n.scope == node.scope
               and n.link_name == name]
    if node.type is ElementType.INTERMEDIATE_CATCH_EVENT and len(catches) > 1:
        return f"more than one link catch event is named '{name}' in one scope ({', '.join(catches)})"
    if node.type is ElementType.INTERMEDIATE_THROW_EVENT and not catches:
        return f"no link catch event named '{name}' in the scope of this link throw event"
    return None


@each_flow
def condition_only_after_branching_gateway(ctx: Ctx, flow: FlowDraft) -> str | None:
    """Zeebe's FlowNodeValidator: "Conditional sequence flows are only supported at exclusive
    or inclusive gateway" (a parallel gateway, or an activity, takes every flow)."""
    if not bx.bpmn_children(flow.xml, "conditionExpression"):
        return None
    source = ctx.process.nodes[flow.source or ""]
    if source.type in (ElementType.EXCLUSIVE_GATEWAY, ElementType.INCLUSIVE_GATEWAY):
        return None
    kind = source.type.value if source.type else source.tag
    return (
        f"a condition on a sequence flow leaving '{source.id}' ({kind}): conditions are only "
        "allowed on flows leaving an exclusive or inclusive gateway"
    )


@each_flow
def branch_has_condition(ctx: Ctx, flow: FlowDraft) -> str | None:
    """Zeebe's SequenceFlowValidator: when an exclusive or inclusive gateway forks, every flow
    but the default one needs a condition."""
    source = ctx.process.nodes[flow.source or ""]
    if source.type not in (ElementType.EXCLUSIVE_GATEWAY, ElementType.INCLUSIVE_GATEWAY):
        return None
    if len(source.outgoing) < 2 or source.xml.get("default") == flow.id:
        return None
    if bx.text_of(next(iter(bx.bpmn_children(flow.xml, "conditionExpression")), None)):
        return None
    return f"a sequence flow leaving gateway '{source.id}' needs a condition or must be its default"


RULES: list[Rule] = [
    process_start_events, subprocess_start_event, event_subprocess_start_event,
    event_subprocess_unconnected, start_without_incoming, end_without_outgoing, boundary_flows,
    gateway_has_outgoing, event_gateway_targets, link_pairs, condition_only_after_branching_gateway,
    branch_has_condition,
]  # fmt: skip

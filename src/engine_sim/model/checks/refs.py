"""Rules on references between elements: every id a model names must exist, in the right place.

Messages quote the dangling id, as the scenario contract asks (`targetRef 'x' does not exist`).
"""

from __future__ import annotations

from engine_sim.model.checks.base import Ctx, Rule, attr, bx, each_flow, each_node
from engine_sim.model.collect import FlowDraft, NodeDraft
from engine_sim.model.elements import ElementType


def _endpoint(ctx: Ctx, flow: FlowDraft, name: str, value: str | None) -> str | None:
    if value is None or not value.strip():
        return f"the sequence flow has no {name}"
    if ctx.node(value) is None:
        return f"{name} '{value}' does not exist"
    return None


@each_flow
def flow_source_exists(ctx: Ctx, flow: FlowDraft) -> str | None:
    """Zeebe's SequenceFlowValidator: sourceRef must be present and resolve."""
    return _endpoint(ctx, flow, "sourceRef", flow.source)


@each_flow
def flow_target_exists(ctx: Ctx, flow: FlowDraft) -> str | None:
    """Zeebe's SequenceFlowValidator: targetRef must be present and resolve."""
    return _endpoint(ctx, flow, "targetRef", flow.target)


@each_flow
def flow_within_scope(ctx: Ctx, flow: FlowDraft) -> str | None:
    """A sequence flow connects two elements of the (sub)process that contains the flow."""
    for name, node_id in (("sourceRef", flow.source), ("targetRef", flow.target)):
        node = ctx.node(node_id)
        if node is not None and node.scope != flow.scope:
            return (
                f"{name} '{node_id}' is inside '{node.scope}' but the sequence flow is in "
                f"'{flow.scope}': sequence flows cannot cross a subprocess boundary"
            )
    return None


@each_node
def attached_to_exists(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe: a boundary event "Must be attached to an activity"."""
    if node.type is not ElementType.BOUNDARY_EVENT:
        return None
    ref = attr(node.xml, "attachedToRef")
    if ref is None:
        return "the boundary event has no attachedToRef"
    host = ctx.node(ref)
    if host is None:
        return f"attachedToRef '{ref}' does not exist"
    if host.type not in bx.ACTIVITY_TYPES:
        kind = host.type.value if host.type else host.tag
        return f"attachedToRef '{ref}' is a {kind}, not an activity"
    if host.scope != node.scope:
        return f"attachedToRef '{ref}' is in another scope than the boundary event"
    return None


@each_node
def default_flow_exists(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe: "Default flow must start at gateway" (any element with `default`)."""
    ref = attr(node.xml, "default")
    if ref is None:
        return None
    if ref not in ctx.process.flows:
        return f"default '{ref}' does not exist"
    if ref not in node.outgoing:
        return f"default '{ref}' is not an outgoing sequence flow of this element"
    return None


def _reference(ctx: Ctx, node: NodeDraft, kind: str, ref_attr: str) -> str | None:
    holder = node.xml if kind == "message" and node.event_def is None else node.event_def
    ref = attr(holder, ref_attr)
    if ref is not None and ctx.referenced(node, kind) is None:
        return f"{ref_attr} '{ref}' does not exist"
    return None


@each_node
def message_ref_exists(ctx: Ctx, node: NodeDraft) -> str | None:
    return _reference(ctx, node, "message", "messageRef")


@each_node
def error_ref_exists(ctx: Ctx, node: NodeDraft) -> str | None:
    return _reference(ctx, node, "error", "errorRef")


@each_node
def signal_ref_exists(ctx: Ctx, node: NodeDraft) -> str | None:
    return _reference(ctx, node, "signal", "signalRef")


@each_node
def escalation_ref_exists(ctx: Ctx, node: NodeDraft) -> str | None:
    return _reference(ctx, node, "escalation", "escalationRef")


RULES: list[Rule] = [
    flow_source_exists, flow_target_exists, flow_within_scope, attached_to_exists,
    default_flow_exists, message_ref_exists, error_ref_exists, signal_ref_exists,
    escalation_ref_exists,
]  # fmt: skip

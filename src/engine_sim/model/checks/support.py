"""Rules that refuse what the engine cannot run: unknown or unsupported elements and events.

These run first within a process, so that a model using, say, a complex gateway is reported
as such rather than through a follow-on problem.
"""

from __future__ import annotations

from engine_sim.model.checks.base import Ctx, Rule, attr, bx, each_node
from engine_sim.model.collect import NodeDraft
from engine_sim.model.elements import ElementType, EventType

_UNSUPPORTED_DETAIL = {
    "adHocSubProcess": "ad-hoc subprocesses",
    "transaction": "transaction subprocesses",
    "complexGateway": "complex gateways",
}

# Which event definitions each kind of event may carry ("none" = no definition). These follow
# Zeebe's validators (StartEventValidator, SubProcessValidator, IntermediateCatchEventValidator,
# EndEventValidator, BoundaryEventValidator) minus the kinds we do not run.
_ALLOWED_EVENTS = {
    "process start": ("none", "message", "timer", "signal"),
    "subprocess start": ("none",),
    "event subprocess start": ("message", "timer", "signal", "error", "escalation"),
    "intermediate catch": ("message", "timer", "signal", "link"),
    "intermediate throw": ("none", "message", "signal", "escalation", "link"),
    "end": ("none", "message", "signal", "error", "escalation", "terminate"),
    "boundary": ("message", "timer", "signal", "error", "escalation"),
}
# Zeebe's ModelUtil: only these may be non-interrupting.
_NON_INTERRUPTING = ("message", "timer", "signal", "escalation")
# Which timer definitions each timer event may use (Camunda docs, "Timer events").
_TIMER_KINDS = {
    "process start": ("timeDate", "timeCycle"),
    "intermediate catch": ("timeDuration", "timeDate"),
    "interrupting": ("timeDuration", "timeDate"),
    "non-interrupting": ("timeDuration", "timeDate", "timeCycle"),
}


def article(word: str) -> str:
    """The word with its indefinite article ("an error", "a timer")."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


@each_node
def known_element(ctx: Ctx, node: NodeDraft) -> str | None:
    """Every BPMN child of a process must be a flow node we run or a known artifact."""
    if node.type is not None:
        return None
    detail = _UNSUPPORTED_DETAIL.get(node.tag)
    suffix = f" ({detail} cannot be run)" if detail else ""
    return f"element type '{node.tag}' is not supported{suffix}"


@each_node
def known_event_definitions(ctx: Ctx, node: NodeDraft) -> str | None:
    """Compensation, conditional and cancel events are not run (Zeebe runs some)."""
    for definition in node.event_defs:
        local = bx.local_name(definition)
        if local in bx.UNSUPPORTED_EVENT_REASONS:
            return bx.UNSUPPORTED_EVENT_REASONS[local]
        if local not in bx.EVENT_DEFINITIONS:
            return f"event definition '{local}' is not supported"
    return None


@each_node
def single_event_definition(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe: "Must have exactly one event definition" (multiple/parallel events)."""
    if len(node.event_defs) > 1:
        return "an event with more than one event definition is not supported"
    return None


@each_node
def no_standard_loop(ctx: Ctx, node: NodeDraft) -> str | None:
    if bx.bpmn_children(node.xml, "standardLoopCharacteristics"):
        return "standard loops (standardLoopCharacteristics) are not supported"
    return None


@each_node
def no_compensation_handler(ctx: Ctx, node: NodeDraft) -> str | None:
    if bx.parse_bool(node.xml.get("isForCompensation"), False):
        return "compensation handlers (isForCompensation) are not supported"
    return None


@each_node
def no_decision(ctx: Ctx, node: NodeDraft) -> str | None:
    """We do not run DMN, so a business rule task must be a job worker."""
    if node.type is ElementType.BUSINESS_RULE_TASK and (
        bx.extension(node.xml, "calledDecision") is not None
    ):
        return "business rule tasks calling a decision (zeebe:calledDecision) are not supported"
    return None


@each_node
def no_publish_message(ctx: Ctx, node: NodeDraft) -> str | None:
    definition = node.event_def
    if definition is not None and bx.extension(definition, "publishMessage") is not None:
        return "zeebe:publishMessage is not supported; use a zeebe:taskDefinition"
    return None


def event_kind(ctx: Ctx, node: NodeDraft) -> str | None:
    """Which row of the event tables applies to an event node (None for non-events)."""
    if node.type is ElementType.START_EVENT:
        scope_type = ctx.scope_of(node).type
        if scope_type is ElementType.EVENT_SUB_PROCESS:
            return "event subprocess start"
        return "process start" if scope_type is ElementType.PROCESS else "subprocess start"
    return {
        ElementType.INTERMEDIATE_CATCH_EVENT: "intermediate catch",
        ElementType.INTERMEDIATE_THROW_EVENT: "intermediate throw",
        ElementType.END_EVENT: "end",
        ElementType.BOUNDARY_EVENT: "boundary",
    }.get(node.type)  # type: ignore[arg-type]


def event_name(node: NodeDraft) -> str:
    """ "message", "timer", ..., "none" for the node's single event definition."""
    tag = node.event_tag or "none"
    if tag == "none":
        return "none"
    event_type = bx.EVENT_DEFINITIONS.get(tag)
    return event_type.value.lower() if isinstance(event_type, EventType) else tag


@each_node
def allowed_event_definition(ctx: Ctx, node: NodeDraft) -> str | None:
    kind = event_kind(ctx, node)
    if kind is None:
        return None
    name = event_name(node)
    allowed = _ALLOWED_EVENTS[kind]
    if name in allowed:
        return None
    if name == "none":
        return f"{article(kind)} event needs an event definition (one of: {', '.join(allowed)})"
    return f"{article(kind)} event cannot be {article(name)} event (allowed: {', '.join(allowed)})"


def is_interrupting(ctx: Ctx, node: NodeDraft) -> bool:
    """cancelActivity of boundary events, isInterrupting of event-subprocess start events."""
    if node.type is ElementType.BOUNDARY_EVENT:
        return bx.parse_bool(node.xml.get("cancelActivity"), True)
    if event_kind(ctx, node) == "event subprocess start":
        return bx.parse_bool(node.xml.get("isInterrupting"), True)
    return True


@each_node
def non_interrupting_kind(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe: "Non-Interrupting event of this type is not allowed"."""
    name = event_name(node)
    if not is_interrupting(ctx, node) and name not in _NON_INTERRUPTING:
        return f"{article(name)} event cannot be non-interrupting"
    return None


@each_node
def one_timer_value(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe: "Must be exactly one type of timer: timeDuration, timeDate or timeCycle"."""
    if event_name(node) != "timer":
        return None
    present = [k for k in ("timeDuration", "timeDate", "timeCycle") if timer_child(node, k)]
    if len(present) != 1:
        return "a timer must have exactly one of timeDuration, timeDate or timeCycle"
    return None


@each_node
def timer_kind_allowed(ctx: Ctx, node: NodeDraft) -> str | None:
    """Process starts need a date or cycle; catches and interrupting events no cycle."""
    if event_name(node) != "timer":
        return None
    kind = event_kind(ctx, node)
    if kind not in ("process start", "intermediate catch"):
        kind = "interrupting" if is_interrupting(ctx, node) else "non-interrupting"
    allowed = _TIMER_KINDS[kind]
    for local in ("timeDuration", "timeDate", "timeCycle"):
        if timer_child(node, local) and local not in allowed:
            return f"{article(kind)} timer event cannot use {local} (allowed: {', '.join(allowed)})"
    return None


@each_node
def escalation_boundary_host(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe: escalation boundary events only on a subprocess or a call activity."""
    if node.type is not ElementType.BOUNDARY_EVENT or event_name(node) != "escalation":
        return None
    host = ctx.node(attr(node.xml, "attachedToRef"))
    if host is not None and host.type not in (ElementType.SUB_PROCESS, ElementType.CALL_ACTIVITY):
        return "an escalation boundary event can only be attached to a subprocess or call activity"
    return None


def timer_child(node: NodeDraft, local: str) -> bool:
    definition = node.event_def
    return definition is not None and bool(bx.bpmn_children(definition, local))


RULES: list[Rule] = [
    known_element, known_event_definitions, single_event_definition, no_standard_loop,
    no_compensation_handler, no_decision, no_publish_message, allowed_event_definition,
    non_interrupting_kind, one_timer_value, timer_kind_allowed, escalation_boundary_host,
]  # fmt: skip

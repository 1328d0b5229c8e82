"""Rules against ambiguous catches: two events of one scope waiting for the same trigger.

Zeebe's ModelUtil refuses them (verifyNoDuplicatedBoundaryEvents,
verifyNoDuplicatedEventSubprocesses, verifyNoDuplicateMessageStartEvents and
verifyNoDuplicateSignalStartEvents): otherwise which one fires would be arbitrary.
Only constant names and codes can be compared; expressions are left to run time.
"""

from __future__ import annotations

from engine_sim.model.checks.base import Ctx, Rule, attr, start_events_of, static
from engine_sim.model.checks.support import event_name
from engine_sim.model.collect import NodeDraft
from engine_sim.model.elements import CONTAINER_TYPES as CONTAINERS
from engine_sim.model.elements import ElementType
from engine_sim.model.errors import BpmnModelError

_REFERENCE = {
    "message": ("message", "name"),
    "signal": ("signal", "name"),
    "error": ("error", "errorCode"),
    "escalation": ("escalation", "escalationCode"),
}
_CATCH_ALL = ("error", "escalation")  # no code: catches every error / escalation


def _trigger(ctx: Ctx, node: NodeDraft) -> tuple[str, str | None] | None:
    """(event kind, constant name or code; None = catch-all), or None when not comparable."""
    kind = event_name(node)
    if kind not in _REFERENCE:
        return None
    table, attribute = _REFERENCE[kind]
    value = attr(ctx.referenced(node, table), attribute)
    if value is None:
        return (kind, None) if kind in _CATCH_ALL else None
    return (kind, value) if static(value) else None


def _first_duplicate(ctx: Ctx, nodes: list[NodeDraft], where: str) -> BpmnModelError | None:
    """The error for the first node whose trigger an earlier node already catches."""
    seen: set[tuple[str, str | None]] = set()
    for node in nodes:
        trigger = _trigger(ctx, node)
        if trigger is None:
            continue
        if trigger in seen:
            kind, value = trigger
            what = f"{kind} '{value}'" if value is not None else f"every {kind} (no code)"
            reason = f"another event {where} already catches {what}"
            return ctx.error(reason, node.line, node.id)
        seen.add(trigger)
    return None


def unique_boundary_triggers(ctx: Ctx) -> BpmnModelError | None:
    """Zeebe's verifyNoDuplicatedBoundaryEvents."""
    for node in ctx.process.nodes.values():
        boundaries = [ctx.process.nodes[event_id] for event_id in node.boundary_events]
        error = _first_duplicate(ctx, boundaries, f"attached to '{node.id}'")
        if error is not None:
            return error
    return None


def unique_start_triggers(ctx: Ctx) -> BpmnModelError | None:
    """Zeebe's verifyNoDuplicatedEventSubprocesses and verifyNoDuplicate*StartEvents."""
    for node in ctx.process.nodes.values():
        if node.type not in CONTAINERS:
            continue
        children = [ctx.process.nodes[child_id] for child_id in node.children]
        starts = [
            start
            for sub in children
            if sub.type is ElementType.EVENT_SUB_PROCESS
            for start in start_events_of(ctx, sub)
        ]
        error = _first_duplicate(ctx, starts, f"starting an event subprocess of '{node.id}'")
        if error is None and node.type is ElementType.PROCESS:
            process_starts = [c for c in children if c.type is ElementType.START_EVENT]
            error = _first_duplicate(ctx, process_starts, "starting the process")
        if error is not None:
            return error
    return None


RULES: list[Rule] = [unique_boundary_triggers, unique_start_triggers]

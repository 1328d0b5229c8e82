"""BPMN errors and escalations: finding the catching boundary event or event subprocess
(Zeebe's `CatchEventAnalyzer`, `BpmnEventPublicationBehavior`).

The search starts at the thrower and goes up its element-instance tree: at each element
instance, first the event subprocesses of a scope (the process, a subprocess, an event
subprocess; not those of the scope the thrower's own event subprocess belongs to), then the
boundary events of the element (those of a multi-instance activity belong to its body, not
to the inner instances). At the process it continues in the parent instance at the call
activity that started it. At each place a catch event with the thrown code wins over one
without a code (which catches every code).

- An error is always interrupting: the catching activity (or the scope's children) is
  terminated, then the boundary event or event subprocess runs. Nothing catches it: the
  caller raises UNHANDLED_ERROR_EVENT.
- An escalation writes ESCALATION ESCALATED and interrupts or not; nothing catches it:
  ESCALATION NOT_ESCALATED, and the thrower goes on (as in Zeebe).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import CONTAINER_TYPES, Element, ElementType, EventType
from engine_sim.records import Intent, ValueType

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.behaviors import Behaviors


@dataclass(frozen=True)
class Catch:
    """Where a thrown error or escalation is caught: `owner` subscribed to `event` (an
    activity for a boundary event, a scope for an event subprocess's start event)."""

    state: InstanceState
    owner: ElementInstance
    event: Element


class ErrorEvents:
    def __init__(self, behaviors: Behaviors) -> None:
        self.b = behaviors

    # -- errors ----------------------------------------------------------------------------
    def throw(self, ctx: CommandContext, state: InstanceState, source: ElementInstance, code: str, message: str,
              variables: dict[str, Any]) -> bool:
        """Throw error `code` from `source`; False when nothing catches it (nothing written)."""
        catch = self.find_error_catch(ctx, state, source, code)
        if catch is None:
            return False
        self.catch(ctx, catch, variables)
        return True

    def find_error_catch(self, ctx: CommandContext, state: InstanceState, source: ElementInstance, code: str) -> Catch | None:
        return self._find(ctx, state, source, EventType.ERROR, code)

    def catch(self, ctx: CommandContext, catch: Catch, variables: dict[str, Any]) -> None:
        self.b.triggers.trigger(ctx, catch.state, catch.owner, catch.event, variables)

    # -- escalations -----------------------------------------------------------------------
    def escalate(self, ctx: CommandContext, state: InstanceState, source: ElementInstance, code: str) -> bool:
        """Throw escalation `code` from `source`; True when the thrower may go on."""
        catch = self._find(ctx, state, source, EventType.ESCALATION, code)
        element_id = source.element_id
        if catch is None:
            ctx.write(state, ValueType.ESCALATION, Intent.NOT_ESCALATED, ctx.new_key(),
                    escalationCode=code, throwElementId=element_id, catchElementId="")
            return True
        ctx.write(state, ValueType.ESCALATION, Intent.ESCALATED, ctx.new_key(),
                escalationCode=code, throwElementId=element_id, catchElementId=catch.event.id)
        self.catch(ctx, catch, {})
        return state.elements.get(source.key) is source  # not terminated by an interrupting catch

    # -- the search ------------------------------------------------------------------------
    def _find(self, ctx: CommandContext, state: InstanceState, source: ElementInstance, kind: EventType,
              code: str) -> Catch | None:
        current: ElementInstance | None = source
        skip_event_subprocesses = False
        while True:
            assert current is not None
            found = self._catch_at(ctx, state, current, kind, code, skip_event_subprocesses)
            if found is not None:
                return found
            skip_event_subprocesses = current.type is ElementType.EVENT_SUB_PROCESS
            parent = state.elements.get(current.flow_scope_key)
            if parent is None:  # the process: continue at the call activity in the parent
                state, current = self._caller(ctx, state)
                if current is None:
                    return None
                skip_event_subprocesses = False
            else:
                current = parent

    def _catch_at(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance, kind: EventType, code: str,
                  skip_event_subprocesses: bool) -> Catch | None:
        model = state.model
        element = model.elements[ei.element_id]
        if ei.type in CONTAINER_TYPES and not skip_event_subprocesses:
            starts = [model.elements[s] for sub in element.event_subprocesses
                      for s in model.elements[sub].start_events]
            event = _matching(starts, kind, code)
            if event is not None:
                return Catch(state, ei, event)
        if self.b.lifecycle.mi_body_of(state, ei) is None:
            event = _matching([model.elements[b] for b in element.boundary_events], kind, code)
            if event is not None:
                return Catch(state, ei, event)
        return None

    def _caller(self, ctx: CommandContext, state: InstanceState) -> tuple[InstanceState, ElementInstance | None]:
        if state.parent_instance_key == -1:
            return state, None
        parent = ctx.instance(state.parent_instance_key)
        if parent is None:
            return state, None
        return parent, parent.elements.get(state.parent_element_instance_key)


def _matching(events: list[Element], kind: EventType, code: str) -> Element | None:
    """The event catching `code`: one with that code, else one without a code."""
    candidates = [e for e in events if e.event_type is kind]
    for event in candidates:
        if _code_of(event) == code:
            return event
    for event in candidates:
        if _code_of(event) is None:
            return event
    return None


def _code_of(event: Element) -> str | None:
    return event.error_code if event.event_type is EventType.ERROR else event.escalation_code

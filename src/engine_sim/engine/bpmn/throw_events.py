"""Intermediate throw and end events by event definition (Zeebe's
`IntermediateThrowEventProcessor` and `EndEventProcessor` with their behaviours):

- none: passes through (a terminate end event terminates its scope: `EndEventProcessor`);
- link (intermediate throw only): passes through, then its link catch event activates;
- message with `zeebe:taskDefinition`: a job worker, like a send task;
- signal: the signal is broadcast (its variables are the event's local variables, i.e. its
  input mappings' results), then the event completes;
- escalation: thrown to the nearest catching boundary event or event subprocess
  (`ErrorEvents.escalate`); the thrower completes unless an interrupting catch terminated it;
- error (end events only): the nearest catch is looked up first; nothing catches it → an
  UNHANDLED_ERROR_EVENT incident on the end event, which stays ACTIVATING (resolving the
  incident throws again); caught → ELEMENT_ACTIVATED, then the catch interrupts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.bpmn.catch_definitions import Scope, signal_name
from engine_sim.engine.bpmn.expressions import EvaluationFailed
from engine_sim.engine.bpmn.incidents import EXTRACT_VALUE_ERROR, raise_incident
from engine_sim.engine.bpmn.tasks import JobWorkerTaskProcessor
from engine_sim.engine.bpmn.transitions import transition
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element, EventType
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.behaviors import Behaviors

UNHANDLED_ERROR = (
    "Expected to throw an error event with the code '{code}', but it was not caught. "
    "No error events are available in the scope."
)


class EndEventProcessor(ElementProcessor):
    def after_completed(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                        element: Element) -> None:
        if element.event_type is EventType.TERMINATE:
            return self._terminate_scope(ctx, state, ei)
        self.b.lifecycle.continue_after(ctx, state, ei, element)

    def _terminate_scope(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance) -> None:
        """Zeebe: a terminate end event terminates every other element instance of its flow
        scope, which then completes (tokens still on their way are dropped)."""
        scope = state.elements.get(ei.flow_scope_key)
        if scope is None:
            return
        self.b.lifecycle.terminate_children(ctx, state, scope)
        ctx.later(self.b.lifecycle.complete, ctx, state, scope)


class _Throwing(ElementProcessor):
    """The activation shared by throw and end events; `after_completed` differs."""

    def __init__(self, behaviors: Behaviors) -> None:
        super().__init__(behaviors)
        self._job_worker = JobWorkerTaskProcessor(behaviors)  # message throw events with a job

    def prepare(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                element: Element) -> Any:
        if element.event_type is EventType.MESSAGE and element.task_definition is not None:
            return self._job_worker.prepare(ctx, state, ei, element)
        return None

    def on_activate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, prepared: Any = None) -> None:
        kind = element.event_type
        if kind is EventType.MESSAGE and element.task_definition is not None:
            self._job_worker.on_activate(ctx, state, ei, element, prepared)
        elif kind is EventType.SIGNAL:
            self._signal(ctx, state, ei, element)
        elif kind is EventType.ESCALATION:
            self._escalation(ctx, state, ei, element)
        elif kind is EventType.ERROR:
            self._error(ctx, state, ei, element)
        else:
            super().on_activate(ctx, state, ei, element)

    def on_terminate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                     element: Element) -> None:
        self._job_worker.on_terminate(ctx, state, ei, element)  # cancels a job, closes the rest

    def _signal(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance, element: Element) -> None:
        try:
            name = signal_name(element, Scope(state, ei.key))
        except EvaluationFailed as failure:
            raise_incident(ctx, state, ei, EXTRACT_VALUE_ERROR, failure.message)
            return
        variables = {n: v.value for n, v in state.variables.get(ei.key, {}).items()}
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
        ctx.later(self.b.events.broadcast, ctx, name, variables)
        ctx.later(self.b.lifecycle.complete, ctx, state, ei)

    def _escalation(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance, element: Element) -> None:
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
        if self.b.errors.escalate(ctx, state, ei, element.escalation_code or ""):
            ctx.later(self.b.lifecycle.complete, ctx, state, ei)

    def _error(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance, element: Element) -> None:
        code = element.error_code or ""
        catch = self.b.errors.find_error_catch(ctx, state, ei, code)
        if catch is None:
            raise_incident(ctx, state, ei, "UNHANDLED_ERROR_EVENT", UNHANDLED_ERROR.format(code=code))
            return
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
        self.b.errors.catch(ctx, catch, {})


class ThrowEventProcessor(_Throwing):
    """Intermediate throw events: on to the next element once thrown. A link throw event
    takes no sequence flow: its scope's link catch event of the same name activates at once
    (Zeebe activates it in the flow scope), so the scope never looks empty in between."""

    def after_completed(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                        element: Element) -> None:
        if element.link_target is None:
            return super().after_completed(ctx, state, ei, element)
        catch = state.model.elements[element.link_target]
        self.b.lifecycle.activate(ctx, state, catch, ei.flow_scope_key)


class ThrowingEndEventProcessor(_Throwing, EndEventProcessor):
    """End events: after completion, the scope may finish (or is terminated)."""

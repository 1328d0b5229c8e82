"""Intermediate throw and end events by event definition (Zeebe's
`IntermediateThrowEventProcessor` and `EndEventProcessor` with their behaviours):

- none: passes through (a terminate end event terminates its scope: `EndEventProcessor`);
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

from typing import TYPE_CHECKING

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.bpmn.catch_definitions import Scope, signal_name
from engine_sim.engine.bpmn.expressions import EvaluationFailed
from engine_sim.engine.bpmn.tasks import JobWorkerTaskProcessor
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element, EventType
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.dispatch import Bpmn

UNHANDLED_ERROR = (
    "Expected to throw an error event with the code '{code}', but it was not caught. "
    "No error events are available in the scope."
)

_job_worker = JobWorkerTaskProcessor()


class EndEventProcessor(ElementProcessor):
    def after_completed(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                        element: Element) -> None:
        if element.event_type is EventType.TERMINATE:
            return self._terminate_scope(bpmn, state, ei)
        bpmn.continue_after(state, ei, element)

    @staticmethod
    def _terminate_scope(bpmn: Bpmn, state: InstanceState, ei: ElementInstance) -> None:
        """Zeebe: a terminate end event terminates every other element instance of its flow
        scope, which then completes (tokens still on their way are dropped)."""
        scope = state.elements.get(ei.flow_scope_key)
        if scope is None:
            return
        bpmn.terminate_children(state, scope)
        bpmn.p.later(bpmn.complete, state, scope)


class _Throwing(ElementProcessor):
    """The activation shared by throw and end events; `after_completed` differs."""

    def on_activate(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                    element: Element) -> None:
        kind = element.event_type
        if kind is EventType.MESSAGE and element.task_definition is not None:
            _job_worker.on_activate(bpmn, state, ei, element)
        elif kind is EventType.SIGNAL:
            self._signal(bpmn, state, ei, element)
        elif kind is EventType.ESCALATION:
            self._escalation(bpmn, state, ei, element)
        elif kind is EventType.ERROR:
            self._error(bpmn, state, ei, element)
        else:
            super().on_activate(bpmn, state, ei, element)

    def on_terminate(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                     element: Element) -> None:
        _job_worker.on_terminate(bpmn, state, ei, element)  # cancels a job, closes the rest

    @staticmethod
    def _signal(bpmn: Bpmn, state: InstanceState, ei: ElementInstance, element: Element) -> None:
        try:
            name = signal_name(element, Scope(state, ei.key))
        except EvaluationFailed as failure:
            bpmn.p.raise_incident(state, ei, "EXTRACT_VALUE_ERROR", failure.message)
            return
        variables = {n: v.value for n, v in state.variables.get(ei.key, {}).items()}
        bpmn.p.transition(state, ei, Intent.ELEMENT_ACTIVATED)
        bpmn.p.later(bpmn.engine.events.broadcast, name, variables)
        bpmn.p.later(bpmn.complete, state, ei)

    @staticmethod
    def _escalation(bpmn: Bpmn, state: InstanceState, ei: ElementInstance, element: Element) -> None:
        bpmn.p.transition(state, ei, Intent.ELEMENT_ACTIVATED)
        if bpmn.engine.errors.escalate(state, ei, element.escalation_code or ""):
            bpmn.p.later(bpmn.complete, state, ei)

    @staticmethod
    def _error(bpmn: Bpmn, state: InstanceState, ei: ElementInstance, element: Element) -> None:
        code = element.error_code or ""
        catch = bpmn.engine.errors.find_error_catch(state, ei, code)
        if catch is None:
            bpmn.p.raise_incident(state, ei, "UNHANDLED_ERROR_EVENT", UNHANDLED_ERROR.format(code=code))
            return
        bpmn.p.transition(state, ei, Intent.ELEMENT_ACTIVATED)
        bpmn.engine.errors.catch(catch, {})


class ThrowEventProcessor(_Throwing):
    """Intermediate throw events: on to the next element once thrown."""


class ThrowingEndEventProcessor(_Throwing, EndEventProcessor):
    """End events: after completion, the scope may finish (or is terminated)."""

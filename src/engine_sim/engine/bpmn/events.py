"""Start, end and throw events (catch events, boundary events and event subprocesses join
them with the events issue)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element, EventType

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.dispatch import Bpmn


class StartEventProcessor(ElementProcessor):
    """A none start event passes through (triggered starts carry their variables in)."""


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


class IntermediateThrowEventProcessor(ElementProcessor):
    """A none throw event passes through."""

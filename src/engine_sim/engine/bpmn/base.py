"""The element processor protocol and the pass-through default (Zeebe's `BpmnElementProcessor`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.dispatch import Bpmn


class ElementProcessor:
    """Hooks of one element type. The default passes the token straight through."""

    def on_activate(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                    element: Element) -> None:
        bpmn.p.transition(state, ei, Intent.ELEMENT_ACTIVATED)
        bpmn.p.later(bpmn.complete, state, ei)

    def on_complete(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                    element: Element) -> bool:
        """Work between COMPLETING and COMPLETED; False when it raised an incident."""
        return True

    def after_completed(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                        element: Element) -> None:
        bpmn.continue_after(state, ei, element)

    def on_terminate(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                     element: Element) -> None:
        """Close what the element owns (jobs, user tasks, subscriptions)."""
        bpmn.engine.subscriptions.close_all(state, ei)

    def on_children_done(self, bpmn: Bpmn, state: InstanceState, scope: ElementInstance) -> None:
        """Only containers have children; they complete when the last one is done."""
        bpmn.complete(state, scope)

"""Elements that wait for an event: intermediate catch events (message, timer, signal),
receive tasks and event-based gateways (Zeebe's `IntermediateCatchEventProcessor`,
`ReceiveTaskProcessor`, `EventBasedGatewayProcessor`).

Each opens its subscription(s) while it activates, before ELEMENT_ACTIVATED, and waits; the
trigger (`Triggers`) completes it. A catch event or receive task reached from an event-based
gateway that already won does not subscribe: it activates and completes with the winning
trigger's variables.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.dispatch import Bpmn


class CatchEventProcessor(ElementProcessor):
    """Intermediate catch events and receive tasks (their own subscription; a receive
    task's boundary events were opened by `Bpmn.run_activation`)."""

    def on_activate(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                    element: Element) -> None:
        variables = bpmn.engine.triggers.take(state, ei)
        if variables is not None:  # the winner behind an event-based gateway
            bpmn.p.transition(state, ei, Intent.ELEMENT_ACTIVATED)
            bpmn.p.later(bpmn.complete, state, ei, variables)
            return
        if bpmn.engine.subscriptions.open(state, ei, [element]):
            bpmn.p.transition(state, ei, Intent.ELEMENT_ACTIVATED)


class EventBasedGatewayProcessor(ElementProcessor):
    """Subscribes to every event after it; the first that occurs wins (`Triggers.event_gateway`)."""

    def on_activate(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                    element: Element) -> None:
        model = state.model
        events = [model.elements[model.flows[f].target] for f in element.outgoing]
        if bpmn.engine.subscriptions.open(state, ei, events):
            bpmn.p.transition(state, ei, Intent.ELEMENT_ACTIVATED)

    def after_completed(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                        element: Element) -> None:
        """Take only the flow to the event that won."""
        winner = bpmn.engine.triggers.chosen(state, ei)
        model = state.model
        for flow_id in element.outgoing:
            if model.flows[flow_id].target == winner:
                bpmn.p.take_flow(state, model.flows[flow_id], ei.flow_scope_key)
        bpmn.child_finished(state, ei.flow_scope_key)

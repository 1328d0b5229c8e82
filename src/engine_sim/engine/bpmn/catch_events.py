"""Elements that wait for an event: intermediate catch events (message, timer, signal),
receive tasks and event-based gateways (Zeebe's `IntermediateCatchEventProcessor`,
`ReceiveTaskProcessor`, `EventBasedGatewayProcessor`).

Each opens its subscription(s) while it activates, before ELEMENT_ACTIVATED, and waits; the
trigger (`Triggers`) completes it. A catch event or receive task reached from an event-based
gateway that already won does not subscribe: it activates and completes with the winning
trigger's variables. A link catch event waits for nothing: its link throw event activates
it, and it passes straight on.
"""

from __future__ import annotations

from typing import Any

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.bpmn.transitions import transition
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element, EventType
from engine_sim.records import Intent


class CatchEventProcessor(ElementProcessor):
    """Intermediate catch events and receive tasks (their own subscription; a receive
    task's boundary events were opened by `Bpmn.run_activation`)."""

    def on_activate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, prepared: Any = None) -> None:
        if element.event_type is EventType.LINK:  # reached from its link throw event
            return super().on_activate(ctx, state, ei, element, prepared)
        variables = self.b.triggers.take(ctx, state, ei)
        if variables is not None:  # the winner behind an event-based gateway
            transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
            ctx.later(self.b.lifecycle.complete, ctx, state, ei, variables)
            return
        if self.b.subscriptions.open(ctx, state, ei, [element]):
            transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)


class EventBasedGatewayProcessor(ElementProcessor):
    """Subscribes to every event after it; the first that occurs wins (`Triggers.event_gateway`)."""

    def on_activate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, prepared: Any = None) -> None:
        model = state.model
        events = [model.elements[model.flows[f].target] for f in element.outgoing]
        if self.b.subscriptions.open(ctx, state, ei, events):
            transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)

    def after_completed(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                        element: Element) -> None:
        """Take only the flow to the event that won."""
        winner = self.b.triggers.chosen(ctx, state, ei)
        model = state.model
        for flow_id in element.outgoing:
            if model.flows[flow_id].target == winner:
                self.b.lifecycle.take_flow(ctx, state, model.flows[flow_id], ei.flow_scope_key)
        self.b.lifecycle.child_finished(ctx, state, ei.flow_scope_key)

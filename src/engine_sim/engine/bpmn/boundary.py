"""Boundary events (Zeebe's `BoundaryEventProcessor`): message, timer, signal, error and
escalation events attached to an activity.

The activity subscribes to them while it activates (`Subscriptions.open_boundary_events`);
errors and escalations are found when thrown (`ErrorEvents`). A boundary event instance
exists only once triggered (`Triggers.boundary_event`): it activates in the activity's flow
scope and completes with the trigger's variables, then takes its outgoing flows.
"""

from __future__ import annotations

from typing import Any

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.bpmn.transitions import transition
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element
from engine_sim.records import Intent


class BoundaryEventProcessor(ElementProcessor):
    def on_activate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, prepared: Any = None) -> None:
        variables = self.b.triggers.take(ctx, state, ei) or {}
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
        ctx.later(self.b.lifecycle.complete, ctx, state, ei, variables)

"""Boundary events (Zeebe's `BoundaryEventProcessor`): message, timer, signal, error and
escalation events attached to an activity.

The activity subscribes to them while it activates (`Subscriptions.open_boundary_events`);
errors and escalations are found when thrown (`ErrorEvents`). A boundary event instance
exists only once triggered (`Triggers.boundary_event`): it activates in the activity's flow
scope and completes with the trigger's variables, then takes its outgoing flows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.dispatch import Bpmn


class BoundaryEventProcessor(ElementProcessor):
    def on_activate(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                    element: Element) -> None:
        variables = bpmn.engine.triggers.take(state, ei) or {}
        bpmn.p.transition(state, ei, Intent.ELEMENT_ACTIVATED)
        bpmn.p.later(bpmn.complete, state, ei, variables)

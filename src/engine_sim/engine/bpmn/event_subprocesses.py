"""Event subprocesses and the start events a trigger activates (Zeebe's
`EventSubProcessProcessor` and `StartEventProcessor`).

The scope of an event subprocess (the process or a subprocess) subscribes to its start
event when the scope activates (`Subscriptions.open_event_subprocess_starts`). When the
event occurs (`Triggers.event_subprocess`), the event subprocess activates in that scope and
starts its one start event, which completes with the trigger's variables. An event
subprocess completes like any subprocess, when its last child is done; its scope then
completes if nothing else runs in it (always so after an interrupting one).
"""

from __future__ import annotations

from typing import Any

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.bpmn.containers import ContainerProcessor
from engine_sim.engine.bpmn.transitions import transition
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element
from engine_sim.records import Intent


class EventSubProcessProcessor(ContainerProcessor):
    def on_activate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, prepared: Any = None) -> None:
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
        self.b.subscriptions.open_event_subprocess_starts(ctx, state, ei, element)
        start = state.model.elements[element.start_events[0]]
        ctx.later(self.b.lifecycle.activate, ctx, state, start, ei.key)


class StartEventProcessor(ElementProcessor):
    """A start event passes its token on; one started by an event (an event subprocess's,
    after its trigger) first receives the event's variables (Zeebe: merged, or the output
    mappings' input)."""

    def on_activate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, prepared: Any = None) -> None:
        variables = self.b.triggers.take(ctx, state, ei)
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
        ctx.later(self.b.lifecycle.complete, ctx, state, ei, variables)

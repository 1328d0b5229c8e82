"""The process and embedded subprocesses: they start their none start event and complete
when their last child is done."""

from __future__ import annotations

from typing import Any

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.bpmn.transitions import transition
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element
from engine_sim.records import Intent


class ContainerProcessor(ElementProcessor):
    def on_activate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, prepared: Any = None) -> None:
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
        self.b.subscriptions.open_event_subprocess_starts(ctx, state, ei, element)
        start = state.model.none_start_event(element.id)
        if start is not None:
            ctx.later(self.b.lifecycle.activate, ctx, state, start, ei.key)


class ProcessProcessor(ContainerProcessor):
    def after_completed(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                        element: Element) -> None:
        self.b.calls.child_completed(ctx, state)
        ctx.later(self.b.starts.instance_finished, ctx, state)

    def on_terminate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                     element: Element) -> None:
        super().on_terminate(ctx, state, ei, element)
        # after ELEMENT_TERMINATED: a buffered message may start the next instance
        ctx.later(self.b.starts.instance_finished, ctx, state)

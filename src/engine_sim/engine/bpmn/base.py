"""The element processor protocol and the pass-through default (Zeebe's `BpmnElementProcessor`).

Processors are built once with the behaviours they use (`Behaviors`, Zeebe's `BpmnBehaviors`)
and get the running command's context with every call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_sim.engine.bpmn.transitions import transition
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.behaviors import Behaviors


PREPARE_FAILED = object()
"""What `prepare` returns after it raised an incident: the activation stops there."""


class ElementProcessor:
    """Hooks of one element type. The default passes the token straight through."""

    def __init__(self, behaviors: Behaviors) -> None:
        self.b = behaviors

    def prepare(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                element: Element) -> Any:
        """Evaluate what can fail before the element subscribes to its boundary events (a
        job's type and retries, the called process): Zeebe subscribes only once these
        succeeded, so an element held by such an incident has no live boundary event. The
        result reaches `on_activate`; PREPARE_FAILED after an incident."""
        return None

    def on_activate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, prepared: Any = None) -> None:
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
        ctx.later(self.b.lifecycle.complete, ctx, state, ei)

    def on_complete(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element) -> bool:
        """Work between COMPLETING and COMPLETED; False when it raised an incident."""
        return True

    def after_completed(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                        element: Element) -> None:
        self.b.lifecycle.continue_after(ctx, state, ei, element)

    def on_terminate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                     element: Element) -> None:
        """Close what the element owns (jobs, user tasks, subscriptions)."""
        self.b.subscriptions.close_all(ctx, state, ei)

    def on_children_done(self, ctx: CommandContext, state: InstanceState,
                         scope: ElementInstance) -> None:
        """Only containers have children; they complete when the last one is done."""
        self.b.lifecycle.complete(ctx, state, scope)

"""What happens when a catch event is triggered (Zeebe's `EventTriggerBehavior` and
`BpmnEventSubscriptionBehavior`), whatever triggered it: a timer, a message, a signal, a
BPMN error or an escalation.

- an intermediate catch event or receive task completes with the trigger's variables;
- an event-based gateway completes (closing its other subscriptions) and takes the flow to
  the winning event, which activates and completes with the variables;
- a boundary event: an interrupting one terminates its activity first; then the boundary
  event activates in the activity's flow scope and completes with the variables;
- an event subprocess start event: an interrupting one closes the scope's other event
  subprocess subscriptions and terminates the scope's children first; then the event
  subprocess activates in the scope, and its start event completes with the variables.

The trigger's variables ride along to the element they belong to in the command context
(`ctx.trigger_variables`, keyed by instance, flow scope and element id): the element takes
them when it activates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element, ElementType
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.behaviors import Behaviors

ACTIVATING = Intent.ELEMENT_ACTIVATING
ACTIVATED = Intent.ELEMENT_ACTIVATED


class Triggers:
    def __init__(self, behaviors: Behaviors) -> None:
        self.b = behaviors

    # -- the trigger's variables (kept by the command context) ---------------------------
    @staticmethod
    def put(ctx: CommandContext, state: InstanceState, scope_key: int, element_id: str,
            variables: dict[str, Any]) -> None:
        ctx.trigger_variables[(state.key, scope_key, element_id)] = variables

    @staticmethod
    def take(ctx: CommandContext, state: InstanceState, ei: ElementInstance) -> dict[str, Any] | None:
        """The variables of the trigger that activates `ei`, or None when `ei` was reached
        by a plain sequence flow (it then waits for its event)."""
        return ctx.trigger_variables.pop((state.key, ei.flow_scope_key, ei.element_id), None)

    @staticmethod
    def chosen(ctx: CommandContext, state: InstanceState, gateway: ElementInstance) -> str | None:
        return ctx.gateway_choices.pop((state.key, gateway.key), None)

    # -- can it be triggered? ------------------------------------------------------------
    @staticmethod
    def can_trigger(state: InstanceState, owner: ElementInstance | None, event: Element) -> bool:
        """Zeebe accepts an event only while its owner is active: a scope that an
        interrupting event subprocess took over accepts no further start events."""
        if owner is None or state.elements.get(owner.key) is not owner:
            return False
        if event.type is ElementType.START_EVENT:
            return owner.lifecycle == ACTIVATED and not owner.interrupted
        if event.type is ElementType.BOUNDARY_EVENT:  # also an activity held by an incident
            return owner.lifecycle in (ACTIVATING, ACTIVATED)
        return owner.lifecycle == ACTIVATED

    # -- triggering ----------------------------------------------------------------------
    def trigger(self, ctx: CommandContext, state: InstanceState, owner: ElementInstance, event: Element,
                variables: dict[str, Any]) -> None:
        """Run the catch event `event` that `owner` subscribed to."""
        if event.type is ElementType.BOUNDARY_EVENT:
            self.boundary_event(ctx, state, owner, event, variables)
        elif event.type is ElementType.START_EVENT:
            self.event_subprocess(ctx, state, owner, event, variables)
        elif owner.type is ElementType.EVENT_BASED_GATEWAY:
            self.event_gateway(ctx, state, owner, event, variables)
        else:
            self.b.lifecycle.complete(ctx, state, owner, variables)

    def boundary_event(self, ctx: CommandContext, state: InstanceState, activity: ElementInstance, event: Element,
                       variables: dict[str, Any]) -> None:
        """Zeebe: an interrupting boundary event's ELEMENT_ACTIVATING follows its activity's
        ELEMENT_TERMINATED."""
        scope_key = activity.flow_scope_key
        if event.interrupting:
            self.b.lifecycle.terminate(ctx, state, activity)
        self.put(ctx, state, scope_key, event.id, variables)
        self.b.lifecycle.activate(ctx, state, event, scope_key)

    def event_subprocess(self, ctx: CommandContext, state: InstanceState, scope: ElementInstance, start: Element,
                         variables: dict[str, Any]) -> None:
        """An interrupting start closes the scope's event-subprocess subscriptions and
        terminates the scope's children (leaves first) before the event subprocess
        activates; the scope then completes when the event subprocess does."""
        sub_process = state.model.elements[start.flow_scope or ""]
        if start.interrupting:
            self.b.subscriptions.close_event_subprocess_starts(ctx, state, scope)
            self.b.lifecycle.terminate_children(ctx, state, scope)
        key = ctx.new_key()
        self.put(ctx, state, key, start.id, variables)
        self.b.lifecycle.activate(ctx, state, sub_process, scope.key, key)

    def event_gateway(self, ctx: CommandContext, state: InstanceState, gateway: ElementInstance, event: Element,
                      variables: dict[str, Any]) -> None:
        """The first event wins: the gateway completes (its other subscriptions close) and
        takes the flow to the winner, which activates and completes at once."""
        ctx.gateway_choices[(state.key, gateway.key)] = event.id
        self.put(ctx, state, gateway.flow_scope_key, event.id, variables)
        self.b.lifecycle.complete(ctx, state, gateway)

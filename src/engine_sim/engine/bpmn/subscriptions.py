"""Catch-event subscriptions: timers, message and signal subscriptions of element instances
(Zeebe's `BpmnEventSubscriptionBehavior` and `CatchEventBehavior`).

A subscription is owned by one element instance: an intermediate catch event or receive task
owns its own, an activity owns those of its boundary events, a scope (the process or a
subprocess) those of its event subprocesses' start events, and an event-based gateway those
of the events after it. The owner's subscriptions close when it completes or terminates.

Every catch event of one opening is evaluated before any record is written, so an
evaluation failure (an EXTRACT_VALUE_ERROR incident on the owner) opens nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_sim.engine.bpmn.catch_definitions import PMS, Opening, Scope, opening_for
from engine_sim.engine.bpmn.expressions import EvaluationFailed
from engine_sim.engine.bpmn.incidents import EXTRACT_VALUE_ERROR, raise_incident
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState, Subscription
from engine_sim.model import Element, ElementType, EventType
from engine_sim.records import Intent, ValueType

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.behaviors import Behaviors

CLOSE_INTENT = {
    ValueType.TIMER: Intent.CANCELED,
    ValueType.PROCESS_MESSAGE_SUBSCRIPTION: Intent.DELETED,
    ValueType.SIGNAL_SUBSCRIPTION: Intent.DELETED,
}
SUBSCRIBING_KINDS = frozenset({EventType.MESSAGE, EventType.TIMER, EventType.SIGNAL})


def subscribes(event: Element) -> bool:
    """Message, timer and signal catch events and receive tasks open a subscription;
    error and escalation catch events have none (they are found when thrown)."""
    return event.event_type in SUBSCRIBING_KINDS or event.type is ElementType.RECEIVE_TASK


class Subscriptions:
    def __init__(self, behaviors: Behaviors) -> None:
        self.b = behaviors

    # -- opening ---------------------------------------------------------------------------
    def open(self, ctx: CommandContext, state: InstanceState, owner: ElementInstance, events: list[Element],
             scope_key: int | None = None) -> bool:
        """Open the subscriptions of `events` for `owner` (expressions evaluated in
        `scope_key`, default the owner); False when an evaluation failed (an incident)."""
        scope = Scope(state, owner.key if scope_key is None else scope_key)
        try:
            openings = [opening_for(e, scope, ctx.now) for e in events
                        if subscribes(e)]
        except EvaluationFailed as failure:
            raise_incident(ctx, state, owner, EXTRACT_VALUE_ERROR, failure.message)
            return False
        for opening in openings:
            self.write_opening(ctx, state, owner, opening)
        return True

    def write_opening(self, ctx: CommandContext, state: InstanceState, owner: ElementInstance, opening: Opening) -> int:
        """The CREATED record of one subscription; a message subscription then looks for a
        buffered message (Zeebe: the message partition answers the new subscription)."""
        key = ctx.new_key()
        fields: dict[str, Any] = dict(opening.fields)
        if opening.value_type == PMS:
            fields |= {"messageKey": -1, "variables": {}}
        ctx.write(state, opening.value_type, Intent.CREATED, key,
                     elementId=opening.element_id, elementInstanceKey=owner.key, **fields)
        if opening.value_type == PMS:
            ctx.later(self.b.events.correlate_buffered, ctx, state, key)
        return key

    def open_boundary_events(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance, element: Element) -> bool:
        """An activity subscribes to its boundary events while it activates (before its job
        or ELEMENT_ACTIVATED, as in Zeebe). A multi-instance activity's boundary events
        belong to its body, not to the inner instances. Re-running an activation after an
        incident does not open them twice."""
        if not element.boundary_events or self.b.lifecycle.mi_body_of(state, ei) is not None:
            return True
        if state.subscriptions_of(ei.key):
            return True
        events = [state.model.elements[b] for b in element.boundary_events]
        return self.open(ctx, state, ei, events)

    def open_event_subprocess_starts(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                                     element: Element) -> None:
        """Event subprocess start events of a scope subscribe when the scope activates (the
        scope owns them). The scope is already ACTIVATED here, so a failed evaluation leaves
        an incident on the scope and opens none of them."""
        events = [state.model.elements[s] for sub in element.event_subprocesses
                  for s in state.model.elements[sub].start_events]
        if events:
            self.open(ctx, state, ei, events)

    # -- closing ---------------------------------------------------------------------------
    def close_all(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance) -> None:
        """Close every subscription an element instance owns (it is leaving)."""
        for subscription in state.subscriptions_of(ei.key):
            self.close(ctx, state, subscription)

    def close(self, ctx: CommandContext, state: InstanceState, subscription: Subscription) -> None:
        ctx.write(
            state, subscription.value_type, CLOSE_INTENT[subscription.value_type],
            subscription.key,
            elementId=subscription.element_id,
            elementInstanceKey=subscription.element_instance_key,
            **subscription.fields,
        )

    def close_event_subprocess_starts(self, ctx: CommandContext, state: InstanceState, scope: ElementInstance) -> None:
        """An interrupting event subprocess was triggered: the scope accepts no other event
        subprocess (Zeebe unsubscribes the scope's start events)."""
        for subscription in state.subscriptions_of(scope.key):
            event = state.model.elements.get(subscription.element_id)
            if event is not None and event.type is ElementType.START_EVENT:
                self.close(ctx, state, subscription)

    # -- migration -------------------------------------------------------------------------
    def migrate(self, ctx: CommandContext, state: InstanceState, owner: ElementInstance,
                subscription: Subscription, target: Element) -> None:
        """A subscription follows its catch event to the target: same key (a timer keeps its
        due date, a message subscription its name and correlation key), the target's id."""
        fields = dict(subscription.fields)
        if "targetElementId" in fields:
            fields["targetElementId"] = target.id
        if "interrupting" in fields:
            fields["interrupting"] = target.interrupting
        ctx.write(state, subscription.value_type, Intent.MIGRATED, subscription.key,
                  elementId=target.id, elementInstanceKey=owner.key, **fields)

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
from engine_sim.engine.state import ElementInstance, InstanceState, Subscription
from engine_sim.model import Element, ElementType, EventType
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.engine import Engine
    from engine_sim.engine.processing import Processing

EXTRACT_VALUE_ERROR = "EXTRACT_VALUE_ERROR"
CLOSE_INTENT = {
    "TIMER": Intent.CANCELED,
    "PROCESS_MESSAGE_SUBSCRIPTION": Intent.DELETED,
    "SIGNAL_SUBSCRIPTION": Intent.DELETED,
}
SUBSCRIBING_KINDS = frozenset({EventType.MESSAGE, EventType.TIMER, EventType.SIGNAL})


def subscribes(event: Element) -> bool:
    """Message, timer and signal catch events and receive tasks open a subscription;
    error and escalation catch events have none (they are found when thrown)."""
    return event.event_type in SUBSCRIBING_KINDS or event.type is ElementType.RECEIVE_TASK


class Subscriptions:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def p(self) -> Processing:
        return self.engine.processing

    # -- opening ---------------------------------------------------------------------------
    def open(self, state: InstanceState, owner: ElementInstance, events: list[Element],
             scope_key: int | None = None) -> bool:
        """Open the subscriptions of `events` for `owner` (expressions evaluated in
        `scope_key`, default the owner); False when an evaluation failed (an incident)."""
        scope = Scope(state, owner.key if scope_key is None else scope_key)
        try:
            openings = [opening_for(e, scope, self.engine.clock.now) for e in events
                        if subscribes(e)]
        except EvaluationFailed as failure:
            self.p.raise_incident(state, owner, EXTRACT_VALUE_ERROR, failure.message)
            return False
        for opening in openings:
            self.write_opening(state, owner, opening)
        return True

    def write_opening(self, state: InstanceState, owner: ElementInstance, opening: Opening) -> int:
        """The CREATED record of one subscription; a message subscription then looks for a
        buffered message (Zeebe: the message partition answers the new subscription)."""
        key = self.p.new_key()
        fields: dict[str, Any] = dict(opening.fields)
        if opening.value_type == PMS:
            fields |= {"messageKey": -1, "variables": {}}
        self.p.write(state, opening.value_type, Intent.CREATED, key,
                     elementId=opening.element_id, elementInstanceKey=owner.key, **fields)
        if opening.value_type == PMS:
            self.p.later(self.engine.events.correlate_buffered, state, key)
        return key

    def open_boundary_events(self, state: InstanceState, ei: ElementInstance, element: Element) -> bool:
        """An activity subscribes to its boundary events while it activates (before its job
        or ELEMENT_ACTIVATED, as in Zeebe). A multi-instance activity's boundary events
        belong to its body, not to the inner instances. Re-running an activation after an
        incident does not open them twice."""
        if not element.boundary_events or self.engine.bpmn.mi_body_of(state, ei) is not None:
            return True
        if state.subscriptions_of(ei.key):
            return True
        events = [state.model.elements[b] for b in element.boundary_events]
        return self.open(state, ei, events)

    def open_event_subprocess_starts(self, state: InstanceState, ei: ElementInstance,
                                     element: Element) -> None:
        """Event subprocess start events of a scope subscribe when the scope activates (the
        scope owns them). The scope is already ACTIVATED here, so a failed evaluation leaves
        an incident on the scope and opens none of them."""
        events = [state.model.elements[s] for sub in element.event_subprocesses
                  for s in state.model.elements[sub].start_events]
        if events:
            self.open(state, ei, events)

    # -- closing ---------------------------------------------------------------------------
    def close_all(self, state: InstanceState, ei: ElementInstance) -> None:
        """Close every subscription an element instance owns (it is leaving)."""
        for subscription in state.subscriptions_of(ei.key):
            self.close(state, subscription)

    def close(self, state: InstanceState, subscription: Subscription) -> None:
        self.p.write(
            state, subscription.value_type, CLOSE_INTENT[subscription.value_type],
            subscription.key,
            elementId=subscription.element_id,
            elementInstanceKey=subscription.element_instance_key,
            **subscription.fields,
        )

    def close_event_subprocess_starts(self, state: InstanceState, scope: ElementInstance) -> None:
        """An interrupting event subprocess was triggered: the scope accepts no other event
        subprocess (Zeebe unsubscribes the scope's start events)."""
        for subscription in state.subscriptions_of(scope.key):
            event = state.model.elements.get(subscription.element_id)
            if event is not None and event.type is ElementType.START_EVENT:
                self.close(state, subscription)

    # -- migration -------------------------------------------------------------------------
    def migrate_catch_events(self, walk: Any, ei: ElementInstance) -> None:
        """docs/migration.md, step 6 of what a migration writes (see `migration.catch_migration`)."""
        from migration.catch_migration import migrate_catch_events

        migrate_catch_events(self.engine, walk, ei)

"""docs/migration.md, "What an accepted migration writes", step 6: the catch events of one migrated element instance.

The catch events of an element instance (`catch_events_of`): the element itself when it is
an intermediate catch event or a receive task (its own mapping instruction is then its
catch-event mapping), its boundary events, the event-subprocess start events of a scope, the
events behind an event-based gateway. Zeebe's `ProcessInstanceMigrationCatchEventBehaviour`
handles them in three passes, and so do we:

1. every open subscription of the source whose catch event has no mapping is closed
   (TIMER CANCELED, PROCESS_MESSAGE_SUBSCRIPTION DELETED, SIGNAL_SUBSCRIPTION DELETED);
2. every target catch event that no instruction targets is opened, its expressions
   evaluated now (a timer is due its duration after the moment of migration);
3. every mapped subscription is migrated, same key (TIMER MIGRATED keeps its due date,
   PROCESS_MESSAGE_SUBSCRIPTION MIGRATED its name and correlation key), `elementId` the
   target catch event.

Error and escalation catch events have no subscription: the target's definitions apply.
A target catch event that cannot be subscribed (its expression fails) rejects the migration
before anything is written (`check_new_subscriptions`, run with rule 16).

Pass 2 opens nothing for an element instance still ACTIVATING (it subscribes when its
activation completes, after its incident is resolved or its start listeners ran), one
COMPLETING while an end listener's job runs (it closed its catch events already), or one whose
flow scope an interrupting event subprocess took over (`opens_subscriptions`); their
expressions are not evaluated.
"""

from __future__ import annotations

from datetime import UTC, datetime

from engine_sim.engine import (
    Behaviors,
    CommandContext,
    ElementInstance,
    EvaluationFailed,
    InstanceState,
    Scope,
    Subscription,
    opening_for,
    subscribes,
)
from engine_sim.model import Element, ElementType
from engine_sim.records import Intent
from migration import messages as msg
from migration.catch_events import SELF_CATCHING, catch_events_of
from migration.walk import INVALID_STATE, Rejection, Walk

# Validation only needs to know whether an expression evaluates; due dates are computed
# again, from the engine's clock, when the migration is applied.
_ANY_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)


def target_catch_events(walk: Walk, ei: ElementInstance) -> tuple[Element, ...]:
    """The subscribing catch events the instance owns in the target."""
    key = (walk.targets[ei.key], ei.type)
    known = walk.plan.catch_events.get(key)
    if known is None:
        target = walk.target_model.elements[key[0]]
        known = walk.plan.catch_events[key] = tuple(
            e for e in catch_events_of(walk.target_model, target, instance_type=ei.type)
            if subscribes(e))
    return known


def waits_on_listener(state: InstanceState, ei: ElementInstance) -> bool:
    """Whether `ei` waits on an execution listener's job (ACTIVATING: a start listener;
    COMPLETING: an end listener)."""
    job = state.jobs.get(ei.job_key) if ei.job_key is not None else None
    return job is not None and job.listener is not None


def opens_subscriptions(state: InstanceState, ei: ElementInstance) -> bool:
    """Whether migration may open new subscriptions for `ei`. Not while it is ACTIVATING (its
    activation stopped at an incident before it subscribed: it subscribes to the target's
    catch events when the activation completes), nor once an interrupting event subprocess
    took over it or its flow scope (Zeebe closed what it had and opens nothing there)."""
    if ei.lifecycle == Intent.ELEMENT_ACTIVATING or ei.interrupted:
        return False
    if ei.lifecycle == Intent.ELEMENT_COMPLETING and waits_on_listener(state, ei):
        return False  # it closed its catch events before its end listeners ran
    scope = state.elements.get(ei.flow_scope_key)
    return scope is None or not scope.interrupted


def events_to_open(walk: Walk, ei: ElementInstance) -> list[Element]:
    """Target catch events that no mapping instruction targets (step 6, second pass)."""
    if not opens_subscriptions(walk.state, ei):
        return []
    instructed = walk.plan.instructed_targets
    return [e for e in target_catch_events(walk, ei) if e.id not in instructed]


def check_new_subscriptions(walk: Walk, ei: ElementInstance) -> Rejection | None:
    """Every catch event the target opens must evaluate now (Zeebe rejects the migration
    when a new subscription's correlation key or timer cannot be evaluated)."""
    scope = Scope(walk.state, ei.key)
    for event in events_to_open(walk, ei):
        try:
            opening_for(event, scope, _ANY_MOMENT)
        except EvaluationFailed as failure:
            return Rejection(INVALID_STATE, msg.CATCH_NOT_SUBSCRIBED.format(
                id=event.id, element=ei.element_id, reason=failure.message))
    return None


def migrate_catch_events(b: Behaviors, ctx: CommandContext, walk: Walk,
                         ei: ElementInstance) -> None:
    """Called after the element instance's other records (ELEMENT_MIGRATED is applied:
    `ei.element_id` is the target id here)."""
    state = walk.state
    subscriptions = b.subscriptions
    target_ids = {e.id for e in target_catch_events(walk, ei)}
    mapped: list[tuple[Subscription, str]] = []
    unmapped: list[Subscription] = []
    for subscription in state.subscriptions_of(ei.key):
        target_id = _mapped_target(walk, ei, subscription)
        if target_id in target_ids:
            mapped.append((subscription, target_id or ""))
        else:
            unmapped.append(subscription)
    scope = Scope(state, ei.key)
    openings = [opening_for(e, scope, ctx.now) for e in events_to_open(walk, ei)]
    for subscription in unmapped:
        subscriptions.close(ctx, state, subscription)
    for opening in openings:
        subscriptions.write_opening(ctx, state, ei, opening)
    for subscription, target_id in mapped:
        subscriptions.migrate(ctx, state, ei, subscription, walk.target_model.elements[target_id])


def _mapped_target(walk: Walk, ei: ElementInstance, subscription: Subscription) -> str | None:
    """The target catch event of a source subscription: the element's own target for its
    own catch event, else the mapping instruction of the catch event."""
    event = walk.source.elements.get(subscription.element_id)
    own = (ei.type in SELF_CATCHING and event is not None
           and event.type not in (ElementType.BOUNDARY_EVENT, ElementType.START_EVENT))
    return walk.targets[ei.key] if own else walk.mapping.get(subscription.element_id)

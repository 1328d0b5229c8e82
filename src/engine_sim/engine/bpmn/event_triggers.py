"""Messages, signals and timers reaching catch events (Zeebe's `MessagePublishProcessor`,
`MessageCorrelateBehavior`, `SignalBroadcastProcessor` and `TimerTriggerProcessor`): what
the `publish_message`, `broadcast_signal` and timer commands do once accepted.

- a published message: MESSAGE PUBLISHED; then the open subscriptions with that name and
  correlation key, oldest element instance first, at most one instance per bpmnProcessId;
  then the message start events of processes it did not correlate to. A message with a time
  to live stays buffered for subscriptions opened later (each process at most once) until
  the clock passes its deadline (MESSAGE EXPIRED); one without expires at once, as in Zeebe.
  On a partitioned store the subscriptions of other partitions' instances are registered on
  the message's partition too (`message_subscriptions`): for one of them the message writes
  MESSAGE_SUBSCRIPTION CORRELATING, and the instance's partition correlates it.
- a broadcast signal: SIGNAL BROADCASTED; every subscription waiting for the signal then
  (signal start events create instances). Signal throw and end events broadcast the same way
  inside the command that reaches them.
- a due timer: TIMER TRIGGERED and its catch event's trigger; a cycle's timer is created
  again while it has repetitions left.

The triggers find their subscriptions in the command's event index (`ctx.index`), never by
scanning instances, and check each against its instance's state before triggering it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine_sim.engine.bpmn.catch_definitions import INFINITE, PMS, Opening, Scope, cycle_interval
from engine_sim.engine.bpmn.expressions import EvaluationFailed
from engine_sim.engine.context import CommandContext, Rejected
from engine_sim.engine.event_entries import BufferedMessage, MessageSubscriptionEntry
from engine_sim.engine.state import ElementInstance, InstanceState, Subscription
from engine_sim.model import ElementType
from engine_sim.records import Intent, RejectionType, ValueType
from engine_sim.timeutil import format_timestamp

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.behaviors import Behaviors
    from engine_sim.timeutil import Duration

NO_TIMER = "Expected to trigger timer with key '{key}', but no such timer was found"
NON_INTERRUPTING = (ElementType.BOUNDARY_EVENT, ElementType.START_EVENT)
MESSAGE = ValueType.MESSAGE
MS = ValueType.MESSAGE_SUBSCRIPTION


def remote_fields(entry: MessageSubscriptionEntry) -> dict[str, Any]:
    """A MESSAGE_SUBSCRIPTION record's value (Zeebe's `MessageSubscriptionRecord`)."""
    return {"processInstanceKey": entry.instance_key, "elementInstanceKey": entry.element_instance_key,
            "bpmnProcessId": entry.process_id, "messageName": entry.name,
            "correlationKey": entry.correlation_key, "interrupting": entry.interrupting}


class EventTriggers:
    def __init__(self, behaviors: Behaviors) -> None:
        self.b = behaviors

    # -- messages --------------------------------------------------------------------------
    def publish(self, ctx: CommandContext, name: str, correlation_key: str,
                variables: dict[str, Any], ttl: Duration) -> int:
        now = ctx.now
        message = BufferedMessage(ctx.new_key(), name, correlation_key, dict(variables), ttl.add_to(now))
        fields: dict[str, Any] = {"name": name, "correlationKey": correlation_key, "timeToLive": ttl.isoformat(),
                  "deadline": format_timestamp(message.deadline), "variables": message.variables,
                  "messageId": ""}
        ctx.write(None, MESSAGE, Intent.PUBLISHED, message.key, **fields)
        if message.deadline <= now:  # Zeebe expires it at once, before it correlates
            ctx.write(None, MESSAGE, Intent.EXPIRED, message.key, **fields)
        done: set[str] = set()
        for entry in ctx.index.subscriptions_for_message(name, correlation_key):
            if entry.remote:  # another partition's instance (a partitioned store)
                if entry.process_id not in done:
                    self.correlating(ctx, entry, message)
                    done.add(entry.process_id)
                continue
            state = ctx.instance(entry.instance_key)
            subscription = state.subscriptions.get(entry.key) if state is not None else None
            if state is None or subscription is None or state.process_id in done:
                continue
            if self.correlate(ctx, state, subscription, message):
                done.add(state.process_id)
        self.b.starts.correlate_message(ctx, message, done)
        return message.key

    def correlate(self, ctx: CommandContext, state: InstanceState, subscription: Subscription,
                  message: BufferedMessage) -> bool:
        """PROCESS_MESSAGE_SUBSCRIPTION CORRELATED, then the catch event's trigger; False
        when its element instance cannot take the event now."""
        owner = state.elements.get(subscription.element_instance_key)
        event = state.model.elements[subscription.element_id]
        triggers = self.b.triggers
        if not triggers.can_trigger(state, owner, event):
            return False
        assert owner is not None
        interrupting = event.interrupting if event.type in NON_INTERRUPTING else True
        ctx.write(state, PMS, Intent.CORRELATED, subscription.key,
                     elementId=subscription.element_id, elementInstanceKey=owner.key,
                     messageName=subscription.fields["messageName"],
                     correlationKey=subscription.fields["correlationKey"],
                     interrupting=interrupting, messageKey=message.key,
                     variables=message.variables)
        triggers.trigger(ctx, state, owner, event, message.variables)
        return True

    def correlating(self, ctx: CommandContext, entry: MessageSubscriptionEntry,
                    message: BufferedMessage) -> None:
        """MESSAGE_SUBSCRIPTION CORRELATING on the message's partition: the message goes to
        the subscription's partition, which correlates it (`CorrelateMessageSubscription`);
        from now on it counts as correlated to the subscription's process."""
        ctx.write(None, MS, Intent.CORRELATING, entry.key, **remote_fields(entry),
                  messageKey=message.key, variables=message.variables)

    def correlate_buffered(self, ctx: CommandContext, state: InstanceState, subscription_key: int) -> None:
        """A message subscription just opened: the oldest buffered message for it that has
        not been correlated to this process yet correlates now."""
        subscription = state.subscriptions.get(subscription_key)
        if subscription is None:
            return
        fields = subscription.fields
        for message in ctx.index.buffered(fields["messageName"], fields["correlationKey"]):
            if state.process_id not in message.correlated:
                self.correlate(ctx, state, subscription, message)
                return

    def expire(self, ctx: CommandContext, key: int) -> None:
        message = ctx.index.messages[key]
        ctx.write(None, MESSAGE, Intent.EXPIRED, key, name=message.name,
                     correlationKey=message.correlation_key,
                     deadline=format_timestamp(message.deadline), variables=message.variables,
                     messageId="")

    # -- signals ---------------------------------------------------------------------------
    def broadcast(self, ctx: CommandContext, name: str, variables: dict[str, Any]) -> None:
        """SIGNAL BROADCASTED, then every subscription to it open at this moment."""
        ctx.write(None, ValueType.SIGNAL, Intent.BROADCASTED, ctx.new_key(), signalName=name,
                variables=variables)
        for entry in ctx.index.signal_subscribers(name):
            if entry.instance_key == -1:
                self.b.starts.signal_start(ctx, entry, variables)
                continue
            state = ctx.instance(entry.instance_key)
            subscription = state.subscriptions.get(entry.key) if state is not None else None
            if state is None or subscription is None:
                continue
            owner = state.elements.get(subscription.element_instance_key)
            event = state.model.elements[subscription.element_id]
            if self.b.triggers.can_trigger(state, owner, event):
                assert owner is not None
                self.b.triggers.trigger(ctx, state, owner, event, variables)

    # -- timers ----------------------------------------------------------------------------
    def fire_timer(self, ctx: CommandContext, key: int) -> bool:
        """False, writing nothing, while the timer's element instance cannot take the event
        (e.g. an activity held by an incident while it completes): it stays due."""
        timer = ctx.index.timers.get(key)
        if timer is None:
            raise Rejected(RejectionType.NOT_FOUND, NO_TIMER.format(key=key))
        if timer.instance_key == -1:
            self.b.starts.fire_timer(ctx, timer)
            return True
        state = ctx.instance(timer.instance_key)
        subscription = state.subscriptions.get(key) if state is not None else None
        if state is None or subscription is None:
            raise Rejected(RejectionType.NOT_FOUND, NO_TIMER.format(key=key))
        owner = state.elements.get(subscription.element_instance_key)
        event = state.model.elements[subscription.element_id]
        if not self.b.triggers.can_trigger(state, owner, event):
            return False
        assert owner is not None
        ctx.write(state, ValueType.TIMER, Intent.TRIGGERED, key, elementId=subscription.element_id,
                     elementInstanceKey=owner.key, **subscription.fields)
        self._repeat(ctx, state, owner, subscription, timer.due)
        self.b.triggers.trigger(ctx, state, owner, event, {})
        return True

    def _repeat(self, ctx: CommandContext, state: InstanceState, owner: ElementInstance, fired: Subscription,
                due: datetime) -> None:
        """Zeebe re-creates a cycle timer that has repetitions left (non-interrupting
        boundary events and event subprocess starts: their owner stays), due one interval
        after the one that fired, before the event's element runs."""
        repetitions = fired.fields.get("repetitions", 1)
        event = state.model.elements[fired.element_id]
        if repetitions in (0, 1) or event.interrupting:
            return
        try:
            interval = cycle_interval(event, Scope(state, owner.key))
        except EvaluationFailed:
            return  # the cycle no longer evaluates: it ends here
        left = repetitions if repetitions == INFINITE else repetitions - 1
        fields = {"dueDate": format_timestamp(interval.add_to(due)), "repetitions": left,
                  "targetElementId": event.id}
        self.b.subscriptions.write_opening(ctx, state, owner, Opening(ValueType.TIMER, event.id, fields))

"""Messages, signals and the simulated clock's timers: the commands that trigger catch
events from outside an instance (Zeebe's `MessagePublishProcessor`,
`SignalBroadcastProcessor`, `TimerTriggerProcessor` and the due-date checkers).

- `publish_message`: MESSAGE PUBLISHED; then the open subscriptions with that name and
  correlation key, oldest element instance first, at most one instance per bpmnProcessId;
  then the message start events of processes it did not correlate to. A message with a time
  to live stays buffered for subscriptions opened later (each process at most once) until
  the clock passes its deadline (MESSAGE EXPIRED); one without expires at once, as in Zeebe.
- `broadcast_signal`: SIGNAL BROADCASTED; every subscription waiting for the signal then
  (signal start events create instances). Signal throw and end events broadcast the same way
  inside the command that reaches them.
- `advance_clock`: every timer due (and every buffered message expiring) at or before the
  new time, in due order then key order, each in its own command with the clock set to its
  due date; then the clock shows the new time.

The triggers find their subscriptions in the engine's `EventIndex`, never by scanning
instances, and check each against its instance's state before triggering it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine_sim.engine.bpmn.catch_definitions import INFINITE, PMS, Opening, Scope, cycle_interval
from engine_sim.engine.bpmn.expressions import EvaluationFailed
from engine_sim.engine.event_entries import BufferedMessage
from engine_sim.engine.event_index import EventIndex
from engine_sim.engine.processing import Processing, Rejected
from engine_sim.engine.start_events import StartEvents
from engine_sim.engine.state import ElementInstance, InstanceState, Subscription
from engine_sim.model import ElementType
from engine_sim.records import Intent
from engine_sim.timeutil import format_timestamp

if TYPE_CHECKING:
    from engine_sim.engine.engine import Engine, Outcome
    from engine_sim.timeutil import Duration

NO_TIMER = "Expected to trigger timer with key '{key}', but no such timer was found"
NON_INTERRUPTING = (ElementType.BOUNDARY_EVENT, ElementType.START_EVENT)


class EventTriggers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.starts = StartEvents(engine)

    @property
    def p(self) -> Processing:
        return self.engine.processing

    def index(self) -> EventIndex:
        return self.engine.event_index.view(self.p)

    def instance(self, key: int) -> InstanceState | None:
        """An instance as the running command sees it (one it created is not saved yet)."""
        touched = self.p.touched.get(key)
        return touched if touched is not None else self.engine.instance(key)

    def _execute(self, value_type: str, intent: str, command: Callable[[Processing], Any],
                 key: int = -1, instance_key: int | None = None) -> Outcome:
        from engine_sim.engine.engine import CommandMeta

        return self.engine.execute(CommandMeta(value_type, intent, key, instance_key), command)

    # -- commands --------------------------------------------------------------------------
    def publish_message(self, name: str, correlation_key: str, variables: dict[str, Any],
                        ttl: Duration) -> Outcome:
        return self._execute("MESSAGE", Intent.PUBLISH,
                             lambda p: self.publish(name, correlation_key, variables, ttl))

    def broadcast_signal(self, name: str, variables: dict[str, Any]) -> Outcome:
        return self._execute("SIGNAL", Intent.BROADCAST, lambda p: self.broadcast(name, variables))

    def advance_clock(self, duration: Duration) -> list[Outcome]:
        clock = self.engine.clock
        until = duration.add_to(clock.now)
        outcomes: list[Outcome] = []
        refused: set[int] = set()
        while (due := self.engine.event_index.next_due(until, frozenset(refused))) is not None:
            moment, kind, key = due
            clock.advance_to(moment)
            if kind == 0:
                outcome = self._execute("TIMER", "TRIGGER", lambda p, k=key: self.fire_timer(k), key)
            else:
                outcome = self._execute("MESSAGE", "EXPIRE", lambda p, k=key: self.expire(k), key)
            if outcome.rejected or outcome.result is False:
                refused.add(key)  # tried again by the next advance, as Zeebe's checker does
            if outcome.records:
                outcomes.append(outcome)
        clock.advance_to(until)
        return outcomes

    # -- messages --------------------------------------------------------------------------
    def publish(self, name: str, correlation_key: str, variables: dict[str, Any],
                ttl: Duration) -> int:
        p = self.p
        now = self.engine.clock.now
        message = BufferedMessage(p.new_key(), name, correlation_key, dict(variables), ttl.add_to(now))
        fields = {"name": name, "correlationKey": correlation_key, "timeToLive": ttl.isoformat(),
                  "deadline": format_timestamp(message.deadline), "variables": message.variables,
                  "messageId": ""}
        p.write(None, "MESSAGE", Intent.PUBLISHED, message.key, **fields)
        if message.deadline <= now:  # Zeebe expires it at once, before it correlates
            p.write(None, "MESSAGE", Intent.EXPIRED, message.key, **fields)
        done: set[str] = set()
        for entry in self.index().subscriptions_for_message(name, correlation_key):
            state = self.instance(entry.instance_key)
            subscription = state.subscriptions.get(entry.key) if state is not None else None
            if state is None or subscription is None or state.process_id in done:
                continue
            if self.correlate(state, subscription, message):
                done.add(state.process_id)
        self.starts.correlate_message(message, done)
        return message.key

    def correlate(self, state: InstanceState, subscription: Subscription,
                  message: BufferedMessage) -> bool:
        """PROCESS_MESSAGE_SUBSCRIPTION CORRELATED, then the catch event's trigger; False
        when its element instance cannot take the event now."""
        owner = state.elements.get(subscription.element_instance_key)
        event = state.model.elements[subscription.element_id]
        triggers = self.engine.triggers
        if not triggers.can_trigger(state, owner, event):
            return False
        assert owner is not None
        interrupting = event.interrupting if event.type in NON_INTERRUPTING else True
        self.p.write(state, PMS, Intent.CORRELATED, subscription.key,
                     elementId=subscription.element_id, elementInstanceKey=owner.key,
                     messageName=subscription.fields["messageName"],
                     correlationKey=subscription.fields["correlationKey"],
                     interrupting=interrupting, messageKey=message.key,
                     variables=message.variables)
        triggers.trigger(state, owner, event, message.variables)
        return True

    def correlate_buffered(self, state: InstanceState, subscription_key: int) -> None:
        """A message subscription just opened: the oldest buffered message for it that has
        not been correlated to this process yet correlates now."""
        subscription = state.subscriptions.get(subscription_key)
        if subscription is None:
            return
        fields = subscription.fields
        for message in self.index().buffered(fields["messageName"], fields["correlationKey"]):
            if state.process_id not in message.correlated:
                self.correlate(state, subscription, message)
                return

    def expire(self, key: int) -> None:
        message = self.engine.event_index.messages[key]
        self.p.write(None, "MESSAGE", Intent.EXPIRED, key, name=message.name,
                     correlationKey=message.correlation_key,
                     deadline=format_timestamp(message.deadline), variables=message.variables,
                     messageId="")

    # -- signals ---------------------------------------------------------------------------
    def broadcast(self, name: str, variables: dict[str, Any]) -> None:
        """SIGNAL BROADCASTED, then every subscription to it open at this moment."""
        p = self.p
        p.write(None, "SIGNAL", Intent.BROADCASTED, p.new_key(), signalName=name,
                variables=variables)
        for entry in self.index().signal_subscribers(name):
            if entry.instance_key == -1:
                self.starts.signal_start(entry, variables)
                continue
            state = self.instance(entry.instance_key)
            subscription = state.subscriptions.get(entry.key) if state is not None else None
            if state is None or subscription is None:
                continue
            owner = state.elements.get(subscription.element_instance_key)
            event = state.model.elements[subscription.element_id]
            if self.engine.triggers.can_trigger(state, owner, event):
                assert owner is not None
                self.engine.triggers.trigger(state, owner, event, variables)

    # -- timers ----------------------------------------------------------------------------
    def fire_timer(self, key: int) -> bool:
        """False, writing nothing, while the timer's element instance cannot take the event
        (e.g. an activity held by an incident while it completes): it stays due."""
        timer = self.engine.event_index.timers.get(key)
        if timer is None:
            raise Rejected("NOT_FOUND", NO_TIMER.format(key=key))
        if timer.instance_key == -1:
            self.starts.fire_timer(timer)
            return True
        state = self.instance(timer.instance_key)
        subscription = state.subscriptions.get(key) if state is not None else None
        if state is None or subscription is None:
            raise Rejected("NOT_FOUND", NO_TIMER.format(key=key))
        owner = state.elements.get(subscription.element_instance_key)
        event = state.model.elements[subscription.element_id]
        if not self.engine.triggers.can_trigger(state, owner, event):
            return False
        assert owner is not None
        self.p.write(state, "TIMER", Intent.TRIGGERED, key, elementId=subscription.element_id,
                     elementInstanceKey=owner.key, **subscription.fields)
        self._repeat(state, owner, subscription, timer.due)
        self.engine.triggers.trigger(state, owner, event, {})
        return True

    def _repeat(self, state: InstanceState, owner: ElementInstance, fired: Subscription,
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
        self.engine.subscriptions.write_opening(state, owner, Opening("TIMER", event.id, fields))

    # -- follow-ups of the process element -------------------------------------------------
    def instance_finished(self, state: InstanceState) -> None:
        self.starts.instance_finished(state)

"""Start events that create instances: timer, message and signal start events of a process.

Zeebe subscribes to them when a version is deployed and drops the previous version's
subscriptions at the same time (`DeploymentCreateProcessor` with the timer and message
start-event subscription managers): TIMER CREATED (no instance: processInstanceKey -1),
MESSAGE_START_EVENT_SUBSCRIPTION CREATED, SIGNAL_SUBSCRIPTION CREATED; TIMER CANCELED and
... DELETED for the version they replace. They live in the deployment's records.

- A timer start event creates an instance when it fires; a cycle's timer is created again
  (due one interval after the one that fired) until its repetitions are used up.
- A message start event creates an instance for a published message, except where an
  instance of that process, started by a message with the same correlation key, is still
  running; when that instance finishes, the oldest buffered message for it starts the next
  (Zeebe's `BufferedMessageToStartEventCorrelator`).
- A signal start event creates an instance for every broadcast signal of its name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine_sim.engine.bpmn.catch_definitions import (
    INFINITE,
    Scope,
    cycle_interval,
    message_name,
    signal_name,
    timer_fields,
)
from engine_sim.engine.bpmn.expressions import EvaluationFailed
from engine_sim.engine.catalog import DeployedProcess
from engine_sim.engine.context import CommandContext, Rejected
from engine_sim.engine.event_entries import BufferedMessage, SignalSubscriptionEntry, TimerEntry
from engine_sim.engine.state import InstanceState
from engine_sim.model import Element, EventType
from engine_sim.records import Intent, RejectionType, ValueType
from engine_sim.timeutil import format_timestamp

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.behaviors import Behaviors

MSES = ValueType.MESSAGE_START_EVENT_SUBSCRIPTION
TIMER = ValueType.TIMER
SIGNAL_SUBSCRIPTION = ValueType.SIGNAL_SUBSCRIPTION
ALL_STARTS = frozenset({EventType.TIMER, EventType.MESSAGE, EventType.SIGNAL})
BAD_START_EVENT = "Expected to subscribe to start event '{id}' of process '{process}': {reason}"


def definition_fields(deployed: DeployedProcess) -> dict[str, Any]:
    return {"processInstanceKey": -1, "bpmnProcessId": deployed.process_id,
            "version": deployed.version, "processDefinitionKey": deployed.key,
            "elementInstanceKey": -1}


class StartEvents:
    def __init__(self, behaviors: Behaviors) -> None:
        self.b = behaviors

    # -- deployment ------------------------------------------------------------------------
    def deployed(self, ctx: CommandContext, new: list[DeployedProcess],
                 kinds: frozenset[EventType] = ALL_STARTS) -> None:
        """Subscribe the new versions' start events of `kinds`; drop those of the versions
        they replace. (A partition a deployment is distributed to subscribes only message
        start events, as in Zeebe: a timer fires, and a signal starts an instance, once.)"""
        for deployed in new:
            previous = self.b.catalog.latest(deployed.process_id)
            if previous is not None:
                self._close_starts(ctx, previous)
            for start_id in deployed.model.root.start_events:
                start = deployed.model.elements[start_id]
                if start.event_type in kinds:
                    self._open_start(ctx, deployed, start)

    def _open_start(self, ctx: CommandContext, deployed: DeployedProcess, start: Element) -> None:
        scope = Scope(None, -1)
        common = definition_fields(deployed) | {"elementId": start.id}
        try:
            if start.event_type is EventType.TIMER:
                fields = timer_fields(start, scope, ctx.now)
                ctx.write(None, TIMER, Intent.CREATED, ctx.new_key(), **common, **fields)
            elif start.event_type is EventType.MESSAGE:
                ctx.write(None, MSES, Intent.CREATED, ctx.new_key(), **common,
                        messageName=message_name(start, scope), startEventId=start.id)
            elif start.event_type is EventType.SIGNAL:
                ctx.write(None, SIGNAL_SUBSCRIPTION, Intent.CREATED, ctx.new_key(), **common,
                        signalName=signal_name(start, scope))
        except EvaluationFailed as failure:
            raise Rejected(RejectionType.INVALID_ARGUMENT, BAD_START_EVENT.format(
                id=start.id, process=deployed.process_id, reason=failure.message)) from None

    def _close_starts(self, ctx: CommandContext, previous: DeployedProcess) -> None:
        index = ctx.index
        common = definition_fields(previous)
        for value_type, key in index.start_subscriptions_of(previous.key):
            if value_type == TIMER:
                timer = index.timers[key]
                ctx.write(None, TIMER, Intent.CANCELED, key, **common, elementId=timer.element_id,
                        targetElementId=timer.element_id, dueDate=format_timestamp(timer.due),
                        repetitions=timer.repetitions)
            elif value_type == MSES:
                entry = index.message_start_entry(key)
                assert entry is not None
                ctx.write(None, MSES, Intent.DELETED, key, **common, elementId=entry.element_id,
                        messageName=entry.name, startEventId=entry.element_id)
            else:
                signal = index.signal_entry(key)
                assert signal is not None
                ctx.write(None, SIGNAL_SUBSCRIPTION, Intent.DELETED, key, **common,
                        elementId=signal.element_id, signalName=signal.name)

    # -- creating instances ----------------------------------------------------------------
    def _start(self, ctx: CommandContext, deployed: DeployedProcess, start: Element, start_variables: dict[str, Any],
               value_type: str, intent: str, key: int, before: Callable[[], None] | None = None,
               **fields: Any) -> InstanceState:
        """The trigger's record (it names the new instance), what must come `before` the
        instance, then the new instance."""
        instance_key = ctx.new_key()
        ctx.write(None, value_type, intent, key,
                     **(definition_fields(deployed) | {"processInstanceKey": instance_key}),
                     elementId=start.id, **fields)
        if before is not None:
            before()
        return self.b.lifecycle.start_instance(ctx, deployed, start_variables, start,
                                               key=instance_key)

    def fire_timer(self, ctx: CommandContext, timer: TimerEntry) -> None:
        """TIMER TRIGGERED, the next timer of a cycle (Zeebe reschedules it at once), then
        the new instance."""
        deployed = self.b.catalog.by_key[timer.definition_key]
        start = deployed.model.elements[timer.element_id]
        fields = {"targetElementId": start.id, "dueDate": format_timestamp(timer.due),
                  "repetitions": timer.repetitions}
        self._start(ctx, deployed, start, {}, TIMER, Intent.TRIGGERED, timer.key,
                    before=lambda: self._repeat(ctx, deployed, start, timer), **fields)

    def _repeat(self, ctx: CommandContext, deployed: DeployedProcess, start: Element, timer: TimerEntry) -> None:
        if timer.repetitions in (0, 1):
            return
        due = cycle_interval(start, Scope(None, -1)).add_to(timer.due)
        repetitions = timer.repetitions if timer.repetitions == INFINITE else timer.repetitions - 1
        ctx.write(None, TIMER, Intent.CREATED, ctx.new_key(),
                     **definition_fields(deployed), elementId=start.id,
                     targetElementId=start.id, dueDate=format_timestamp(due),
                     repetitions=repetitions)

    def correlate_message(self, ctx: CommandContext, message: BufferedMessage, done: set[str],
                          only: str | None = None) -> set[str]:
        """Start an instance of every process (or of `only`) with a message start event for
        `message`, except those it already correlated to and those busy with its correlation
        key."""
        started: set[str] = set()
        for entry in ctx.index.starts_for_message(message.name):
            skipped = done | started | message.correlated
            if entry.process_id in skipped or only not in (None, entry.process_id):
                continue
            if message.correlation_key and ctx.index.active_start(
                    entry.process_id, message.correlation_key) is not None:
                continue
            deployed = self.b.catalog.by_key[entry.definition_key]
            self._start(ctx, deployed, deployed.model.elements[entry.element_id], message.variables,
                        MSES, Intent.CORRELATED, entry.key, messageName=message.name,
                        correlationKey=message.correlation_key, messageKey=message.key,
                        startEventId=entry.element_id, variables=message.variables)
            started.add(entry.process_id)
        return started

    def signal_start(self, ctx: CommandContext, entry: SignalSubscriptionEntry,
                     variables: dict[str, Any]) -> None:
        deployed = self.b.catalog.by_key[entry.definition_key]
        self.b.lifecycle.start_instance(ctx, deployed, variables,
                                        deployed.model.elements[entry.element_id])

    def instance_finished(self, ctx: CommandContext, state: InstanceState) -> None:
        """An instance a message started (with a correlation key) finished: the oldest
        buffered message for that process and key starts the next one."""
        started = ctx.index.finished_starts.get(state.key)
        deployed = self.b.catalog.latest(started[0]) if started else None
        if started is None or deployed is None:
            return
        process_id, correlation_key = started
        index = ctx.index
        for value_type, key in index.start_subscriptions_of(deployed.key):
            entry = index.message_start_entry(key) if value_type == MSES else None
            if entry is None:
                continue
            for message in index.buffered(entry.name, correlation_key):
                if process_id not in message.correlated:
                    self.correlate_message(ctx, message, set(), only=process_id)
                    return

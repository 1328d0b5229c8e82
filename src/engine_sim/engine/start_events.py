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
from engine_sim.engine.event_entries import BufferedMessage, SignalSubscriptionEntry, TimerEntry
from engine_sim.engine.event_index import EventIndex
from engine_sim.engine.processing import Processing, Rejected
from engine_sim.engine.state import InstanceState
from engine_sim.model import Element, EventType
from engine_sim.records import Intent
from engine_sim.timeutil import format_timestamp

if TYPE_CHECKING:
    from engine_sim.engine.engine import Engine

MSES = "MESSAGE_START_EVENT_SUBSCRIPTION"
BAD_START_EVENT = "Expected to subscribe to start event '{id}' of process '{process}': {reason}"


def definition_fields(deployed: DeployedProcess) -> dict[str, Any]:
    return {"processInstanceKey": -1, "bpmnProcessId": deployed.process_id,
            "version": deployed.version, "processDefinitionKey": deployed.key,
            "elementInstanceKey": -1}


class StartEvents:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def p(self) -> Processing:
        return self.engine.processing

    def index(self) -> EventIndex:
        return self.engine.event_index.view(self.p)

    # -- deployment ------------------------------------------------------------------------
    def deployed(self, p: Processing, new: list[DeployedProcess]) -> None:
        """Subscribe the new versions' start events; drop those of the versions they replace."""
        for deployed in new:
            previous = self.engine.catalog.latest(deployed.process_id)
            if previous is not None:
                self._close_starts(p, previous)
            for start_id in deployed.model.root.start_events:
                self._open_start(p, deployed, deployed.model.elements[start_id])

    def _open_start(self, p: Processing, deployed: DeployedProcess, start: Element) -> None:
        scope = Scope(None, -1)
        common = definition_fields(deployed) | {"elementId": start.id}
        try:
            if start.event_type is EventType.TIMER:
                fields = timer_fields(start, scope, self.engine.clock.now)
                p.write(None, "TIMER", Intent.CREATED, p.new_key(), **common, **fields)
            elif start.event_type is EventType.MESSAGE:
                p.write(None, MSES, Intent.CREATED, p.new_key(), **common,
                        messageName=message_name(start, scope), startEventId=start.id)
            elif start.event_type is EventType.SIGNAL:
                p.write(None, "SIGNAL_SUBSCRIPTION", Intent.CREATED, p.new_key(), **common,
                        signalName=signal_name(start, scope))
        except EvaluationFailed as failure:
            raise Rejected("INVALID_ARGUMENT", BAD_START_EVENT.format(
                id=start.id, process=deployed.process_id, reason=failure.message)) from None

    def _close_starts(self, p: Processing, previous: DeployedProcess) -> None:
        index = self.index()
        common = definition_fields(previous)
        for value_type, key in index.start_subscriptions_of(previous.key):
            if value_type == "TIMER":
                timer = index.timers[key]
                p.write(None, "TIMER", Intent.CANCELED, key, **common, elementId=timer.element_id,
                        targetElementId=timer.element_id, dueDate=format_timestamp(timer.due),
                        repetitions=timer.repetitions)
            elif value_type == MSES:
                entry = index.message_start_entry(key)
                assert entry is not None
                p.write(None, MSES, Intent.DELETED, key, **common, elementId=entry.element_id,
                        messageName=entry.name, startEventId=entry.element_id)
            else:
                signal = index.signal_entry(key)
                assert signal is not None
                p.write(None, "SIGNAL_SUBSCRIPTION", Intent.DELETED, key, **common,
                        elementId=signal.element_id, signalName=signal.name)

    # -- creating instances ----------------------------------------------------------------
    def _start(self, deployed: DeployedProcess, start: Element, start_variables: dict[str, Any],
               value_type: str, intent: str, key: int, before: Callable[[], None] | None = None,
               **fields: Any) -> InstanceState:
        """The trigger's record (it names the new instance), what must come `before` the
        instance, then the new instance."""
        from engine_sim.engine.commands import start_instance

        instance_key = self.p.new_key()
        self.p.write(None, value_type, intent, key,
                     **(definition_fields(deployed) | {"processInstanceKey": instance_key}),
                     elementId=start.id, **fields)
        if before is not None:
            before()
        return start_instance(self.engine, self.p, deployed, start_variables, start,
                              key=instance_key)

    def fire_timer(self, timer: TimerEntry) -> None:
        """TIMER TRIGGERED, the next timer of a cycle (Zeebe reschedules it at once), then
        the new instance."""
        deployed = self.engine.catalog.by_key[timer.definition_key]
        start = deployed.model.elements[timer.element_id]
        fields = {"targetElementId": start.id, "dueDate": format_timestamp(timer.due),
                  "repetitions": timer.repetitions}
        self._start(deployed, start, {}, "TIMER", Intent.TRIGGERED, timer.key,
                    before=lambda: self._repeat(deployed, start, timer), **fields)

    def _repeat(self, deployed: DeployedProcess, start: Element, timer: TimerEntry) -> None:
        if timer.repetitions in (0, 1):
            return
        due = cycle_interval(start, Scope(None, -1)).add_to(timer.due)
        repetitions = timer.repetitions if timer.repetitions == INFINITE else timer.repetitions - 1
        self.p.write(None, "TIMER", Intent.CREATED, self.p.new_key(),
                     **definition_fields(deployed), elementId=start.id,
                     targetElementId=start.id, dueDate=format_timestamp(due),
                     repetitions=repetitions)

    def correlate_message(self, message: BufferedMessage, done: set[str],
                          only: str | None = None) -> set[str]:
        """Start an instance of every process (or of `only`) with a message start event for
        `message`, except those it already correlated to and those busy with its correlation
        key."""
        started: set[str] = set()
        for entry in self.index().starts_for_message(message.name):
            skipped = done | started | message.correlated
            if entry.process_id in skipped or only not in (None, entry.process_id):
                continue
            if message.correlation_key and self.index().active_start(
                    entry.process_id, message.correlation_key) is not None:
                continue
            deployed = self.engine.catalog.by_key[entry.definition_key]
            self._start(deployed, deployed.model.elements[entry.element_id], message.variables,
                        MSES, Intent.CORRELATED, entry.key, messageName=message.name,
                        correlationKey=message.correlation_key, messageKey=message.key,
                        startEventId=entry.element_id, variables=message.variables)
            started.add(entry.process_id)
        return started

    def signal_start(self, entry: SignalSubscriptionEntry, variables: dict[str, Any]) -> None:
        from engine_sim.engine.commands import start_instance

        deployed = self.engine.catalog.by_key[entry.definition_key]
        start_instance(self.engine, self.p, deployed, variables, deployed.model.elements[entry.element_id])

    def instance_finished(self, state: InstanceState) -> None:
        """An instance a message started (with a correlation key) finished: the oldest
        buffered message for that process and key starts the next one."""
        started = self.index().finished_starts.get(state.key)
        deployed = self.engine.catalog.latest(started[0]) if started else None
        if started is None or deployed is None:
            return
        process_id, correlation_key = started
        index = self.index()
        for value_type, key in index.start_subscriptions_of(deployed.key):
            entry = index.message_start_entry(key) if value_type == MSES else None
            if entry is None:
                continue
            for message in index.buffered(entry.name, correlation_key):
                if process_id not in message.correlated:
                    self.correlate_message(message, set(), only=process_id)
                    return

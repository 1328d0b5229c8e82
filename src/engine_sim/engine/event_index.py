"""Engine-wide look-ups for the event triggers: timers by due date, open message and signal
subscriptions, buffered messages and the start-event subscriptions of the latest versions.

Zeebe keeps these in its partition's column families (`TimerInstanceState`,
`MessageSubscriptionState`, `MessageState`, `SignalSubscriptionState`, ...), written by the
same appliers as the rest of its state. We derive them from records instead, so that a
trigger never scans instances:

- `EventIndex.fold(record)` is the only code that changes the index, one record at a time,
  exactly like an applier. It reads only the record.
- After a command is saved, `commit(p)` folds the command's records. While a command runs,
  `view(p)` first folds the records the command has written so far (so a subscription opened
  earlier in the same command is seen), logging how to undo each change; `roll_back()` undoes
  them when the command is rejected or fails. So a command that is not saved never leaves the
  index changed, and a saved one changes it exactly by its records.
- On a partitioned store the message's partition also folds the subscriptions other
  partitions registered there (MESSAGE_SUBSCRIPTION, `engine.message_subscriptions`): they
  sit next to its own, marked `remote`.
- On a partitioned store each partition also keeps what it sent another partition and has
  not heard back about yet (`unacknowledged`, Zeebe's pending subscriptions): an instance's
  partition its PROCESS_MESSAGE_SUBSCRIPTION records of subscriptions registered elsewhere
  until ACKNOWLEDGED, a message partition its MESSAGE_SUBSCRIPTION CORRELATING records until
  CORRELATED or REJECTED. Whoever writes the partition sends them again until then
  (`partitions.messages`).
- `rebuild(app)`: an engine opened on a non-empty store folds the whole notification log once
  (every stored event's records, in position order) before it runs any command; a reader
  catching up with a writer (`Engine.refresh`) folds only what was written since
  (`fold_notifications`).

The heaps (timers by due date, messages by deadline) are never undone: an entry whose key is
gone, or whose date differs from the table's, is stale and skipped when it reaches the top.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine_sim.engine.event_entries import (
    BufferedMessage,
    MessageStartEntry,
    MessageSubscriptionEntry,
    SignalSubscriptionEntry,
    TimerEntry,
)
from engine_sim.records import Intent, RecordType, ValueType
from engine_sim.timeutil import parse_datetime

if TYPE_CHECKING:
    from eventsourcing.application import Application

    from engine_sim.engine.context import CommandContext

Record = dict[str, Any]
NO_INSTANCE = -1
_MISSING = object()
_PAGE = 500


class EventIndex:
    def __init__(self, crossing: Callable[[str], bool] | None = None) -> None:
        # whether a subscription with that correlation key is registered on another
        # partition (a partitioned store's; None: never)
        self._crossing = crossing
        self.timers: dict[int, TimerEntry] = {}
        self._timer_heap: list[tuple[datetime, int]] = []
        self.message_subscriptions: dict[tuple[str, str], dict[int, MessageSubscriptionEntry]] = {}
        self._message_subscription_names: dict[int, tuple[str, str]] = {}
        # subscriptions of other partitions registered here, by (element instance, message
        # name): how their partition names them when it closes or migrates them
        self._remote_subscriptions: dict[tuple[int, str], int] = {}
        # on an instance's partition: per (element instance, message name) of a subscription
        # registered on another partition, its records that partition has not acknowledged,
        # oldest first
        self._unacknowledged: dict[tuple[int, str], tuple[Record, ...]] = {}
        # on a message partition: CORRELATING records by (subscription, message) until the
        # instance's partition answers
        self._correlating: dict[tuple[int, int], Record] = {}
        self.signal_subscriptions: dict[str, dict[int, SignalSubscriptionEntry]] = {}
        self._signal_names: dict[int, str] = {}
        self.messages: dict[int, BufferedMessage] = {}
        self._messages_by_name: dict[tuple[str, str], dict[int, None]] = {}
        self._expiry_heap: list[tuple[datetime, int]] = []
        self.message_starts: dict[str, dict[int, MessageStartEntry]] = {}
        self._message_start_names: dict[int, str] = {}
        # start-event subscriptions per definition: (valueType, key)
        self._starts_of: dict[int, dict[tuple[str, int], None]] = {}
        # instances started by a message start event with a correlation key (Zeebe: one
        # active instance per bpmnProcessId and correlation key)
        self._active_starts: dict[tuple[str, str], int] = {}
        self._started_by: dict[int, tuple[str, str]] = {}
        # such instances that finished in the running command (read by its follow-ups, which
        # may start the next instance for a buffered message); cleared after each command
        self.finished_starts: dict[int, tuple[str, str]] = {}
        # running called instances by the call activity's element instance key (Zeebe keeps
        # it on the call activity's element instance; the link is in the child's stream: the
        # process's ELEMENT_ACTIVATING carries parentElementInstanceKey)
        self._called_children: dict[int, int] = {}
        self._undo: list[tuple[dict[Any, Any], Any, Any]] | None = None
        self._p: CommandContext | None = None
        self._seen = 0

    # -- transactions ----------------------------------------------------------------------
    def view(self, p: CommandContext) -> EventIndex:
        """The index as command `p` sees it: saved state plus what `p` wrote so far."""
        if self._p is not p:
            self.roll_back()
            self._p, self._seen, self._undo = p, 0, []
        records = p.records
        while self._seen < len(records):
            self.fold(records[self._seen])
            self._seen += 1
        return self

    def commit(self, p: CommandContext) -> None:
        """`p` was saved: fold the rest of its records and keep every change."""
        start = self._seen if self._p is p else 0
        self._undo = None
        for record in p.records[start:]:
            self.fold(record)
        self._p, self._seen = None, 0
        self.finished_starts.clear()

    def roll_back(self) -> None:
        """The running command was not saved: undo what `view` folded of it."""
        for table, key, old in reversed(self._undo or ()):
            if old is _MISSING:
                table.pop(key, None)
            else:
                table[key] = old
        self._undo, self._p, self._seen = None, None, 0
        self.finished_starts.clear()

    def rebuild(self, app: Application[Any]) -> None:
        """Fold every record of the notification log once (an engine reopened on a store)."""
        position = 0
        while notifications := app.recorder.select_notifications(
                start=position, limit=_PAGE, inclusive_of_start=False):
            self.fold_notifications(app, notifications)
            position = notifications[-1].id

    def fold_notifications(self, app: Application[Any], notifications: Sequence[Any]) -> None:
        """Fold the records of stored events (a page of the log), in position order."""
        records: list[Record] = []
        for notification in notifications:
            event = app.mapper.to_domain_event(notification)
            records.extend(getattr(event, "records", ()))
        for record in sorted(records, key=lambda r: r["position"]):
            self.fold(record)
        self.finished_starts.clear()

    # -- queries ---------------------------------------------------------------------------
    def next_due(self, until: datetime, skip: frozenset[int] = frozenset()
                 ) -> tuple[datetime, int, int] | None:
        """The earliest timer due or message expiring at or before `until`, other than the
        keys in `skip` (triggers that were refused): (moment, 0 for a timer / 1 for a
        message, key); timers first at one moment."""
        timer = self._peek(self._timer_heap, skip,
                           lambda k: self.timers[k].due if k in self.timers else None)
        message = self._peek(self._expiry_heap, skip,
                             lambda k: self.messages[k].deadline if k in self.messages else None)
        candidates = [(t[0], 0, t[1]) for t in (timer,) if t is not None]
        candidates += [(m[0], 1, m[1]) for m in (message,) if m is not None]
        best = min(candidates, default=None)
        return best if best is not None and best[0] <= until else None

    @staticmethod
    def _peek(heap: list[tuple[datetime, int]], skip: frozenset[int],
              current: Callable[[int], datetime | None]) -> tuple[datetime, int] | None:
        held: list[tuple[datetime, int]] = []
        try:
            while heap:
                moment, key = heap[0]
                if current(key) != moment:
                    heapq.heappop(heap)  # stale: gone, or re-dated
                elif key in skip:
                    held.append(heapq.heappop(heap))
                else:
                    return moment, key
            return None
        finally:
            for item in held:
                heapq.heappush(heap, item)

    def subscriptions_for_message(self, name: str, correlation_key: str) -> list[MessageSubscriptionEntry]:
        """Zeebe's order: by element instance key (then subscription key)."""
        found = self.message_subscriptions.get((name, correlation_key), {})
        return sorted(found.values(), key=lambda s: (s.element_instance_key, s.key))

    def remote_subscription(self, element_instance_key: int, name: str
                            ) -> MessageSubscriptionEntry | None:
        """The subscription another partition's element instance registered here."""
        key = self._remote_subscriptions.get((element_instance_key, name))
        if key is None:
            return None
        return self.message_subscriptions[self._message_subscription_names[key]].get(key)

    def unacknowledged(self) -> list[Record]:
        """What this partition sent to others and has not heard back about, in log order."""
        sent = [r for records in self._unacknowledged.values() for r in records]
        sent.extend(self._correlating.values())
        return sorted(sent, key=lambda r: r["position"])

    def awaiting(self, element_instance_key: int, name: str) -> Record | None:
        """The oldest record of that subscription its message partition has not acknowledged."""
        records = self._unacknowledged.get((element_instance_key, name))
        return records[0] if records else None

    def correlating(self, subscription_key: int, message_key: int) -> Record | None:
        """The CORRELATING record of that registered subscription and message, unanswered."""
        return self._correlating.get((subscription_key, message_key))

    def signal_subscribers(self, name: str) -> list[SignalSubscriptionEntry]:
        return sorted(self.signal_subscriptions.get(name, {}).values(), key=lambda s: s.key)

    def buffered(self, name: str, correlation_key: str) -> list[BufferedMessage]:
        keys = self._messages_by_name.get((name, correlation_key), {})
        return [self.messages[k] for k in sorted(keys) if k in self.messages]

    def starts_for_message(self, name: str) -> list[MessageStartEntry]:
        return sorted(self.message_starts.get(name, {}).values(), key=lambda s: s.key)

    def start_subscriptions_of(self, definition_key: int) -> list[tuple[str, int]]:
        return list(self._starts_of.get(definition_key, {}))

    def active_start(self, process_id: str, correlation_key: str) -> int | None:
        return self._active_starts.get((process_id, correlation_key))

    def message_start_entry(self, key: int) -> MessageStartEntry | None:
        name = self._message_start_names.get(key)
        return self.message_starts.get(name, {}).get(key) if name is not None else None

    def called_child(self, element_instance_key: int) -> int | None:
        """The running instance a call activity's element instance started, if any."""
        return self._called_children.get(element_instance_key)

    def signal_entry(self, key: int) -> SignalSubscriptionEntry | None:
        name = self._signal_names.get(key)
        return self.signal_subscriptions.get(name, {}).get(key) if name is not None else None

    # -- folding ---------------------------------------------------------------------------
    def fold(self, record: Record) -> None:
        if record.get("recordType") != RecordType.EVENT:
            return
        handler = _FOLDS.get((record["valueType"], record["intent"]))
        if handler is not None:
            handler(self, record)

    def _set(self, table: dict[Any, Any], key: Any, value: Any) -> None:
        if self._undo is not None:
            self._undo.append((table, key, table.get(key, _MISSING)))
        table[key] = value

    def _del(self, table: dict[Any, Any], key: Any) -> None:
        if key not in table:
            return
        if self._undo is not None:
            self._undo.append((table, key, table[key]))
        del table[key]

    def _bucket(self, table: dict[Any, Any], key: Any) -> dict[Any, Any]:
        bucket = table.get(key)
        if bucket is None:
            bucket = {}
            self._set(table, key, bucket)
        return bucket

    def _drop(self, table: dict[Any, Any], outer: Any, inner: Any) -> None:
        bucket = table.get(outer)
        if bucket is not None:
            self._del(bucket, inner)
            if not bucket:
                self._del(table, outer)

    # timers
    def _timer_created(self, r: Record) -> None:
        entry = TimerEntry(r["key"], parse_datetime(r["dueDate"]), r.get("processInstanceKey", NO_INSTANCE),
                           r.get("elementInstanceKey", NO_INSTANCE), r.get("processDefinitionKey", -1),
                           r["elementId"], r.get("repetitions", 1))
        self._set(self.timers, entry.key, entry)
        heapq.heappush(self._timer_heap, (entry.due, entry.key))
        if entry.element_instance_key == NO_INSTANCE:
            self._set(self._bucket(self._starts_of, entry.definition_key), (ValueType.TIMER, entry.key), None)

    def _timer_removed(self, r: Record) -> None:
        entry = self.timers.get(r["key"])
        if entry is not None:
            self._del(self.timers, entry.key)
            self._drop(self._starts_of, entry.definition_key, (ValueType.TIMER, entry.key))

    def _timer_migrated(self, r: Record) -> None:
        entry = self.timers.get(r["key"])
        if entry is not None:
            self._set(self.timers, entry.key, replace(
                entry, element_id=r["elementId"], definition_key=r["processDefinitionKey"]))

    # message subscriptions
    def _message_subscription_opened(self, r: Record) -> None:
        entry = MessageSubscriptionEntry(r["key"], r["processInstanceKey"], r["elementInstanceKey"],
                                         r["bpmnProcessId"], r["messageName"], r["correlationKey"])
        name = (entry.name, entry.correlation_key)
        self._set(self._bucket(self.message_subscriptions, name), entry.key, entry)
        self._set(self._message_subscription_names, entry.key, name)

    def _message_subscription_closed(self, r: Record) -> None:
        name = self._message_subscription_names.get(r["key"])
        if name is not None:
            self._drop(self.message_subscriptions, name, r["key"])
            self._del(self._message_subscription_names, r["key"])

    def _message_subscription_correlated(self, r: Record) -> None:
        self._correlated(r.get("messageKey", -1), r["bpmnProcessId"])
        interrupting = r.get("interrupting", True)
        if interrupting:  # a non-interrupting catch keeps its subscription
            self._message_subscription_closed(r)
        if self._crossing is None or not self._crossing(r["correlationKey"]):
            return
        # the message partition correlated it: it holds the registration (an interrupting
        # one is used up there), so nothing sent about it before needs acknowledging
        sent = (r["elementInstanceKey"], r["messageName"])
        records = self._unacknowledged.get(sent, ())
        if interrupting:
            self._del(self._unacknowledged, sent)
        elif records and records[0]["intent"] == Intent.CREATED:
            self._keep_unacknowledged(sent, records[1:])

    def _sent_afar(self, r: Record) -> None:
        """A PMS record of a subscription registered on another partition: it awaits that
        partition's acknowledgement."""
        if self._crossing is not None and self._crossing(r["correlationKey"]):
            sent = (r["elementInstanceKey"], r["messageName"])
            self._set(self._unacknowledged, sent, self._unacknowledged.get(sent, ()) + (r,))

    def _keep_unacknowledged(self, sent: tuple[int, str], records: tuple[Record, ...]) -> None:
        if records:
            self._set(self._unacknowledged, sent, records)
        else:
            self._del(self._unacknowledged, sent)

    def _acknowledged(self, r: Record) -> None:
        sent = (r["elementInstanceKey"], r["messageName"])
        records = self._unacknowledged.get(sent, ())
        if records and records[0]["position"] == r["acknowledgedPosition"]:
            self._keep_unacknowledged(sent, records[1:])

    def _opened(self, r: Record) -> None:
        self._message_subscription_opened(r)
        self._sent_afar(r)

    def _closed(self, r: Record) -> None:
        self._message_subscription_closed(r)
        self._sent_afar(r)

    def _migrated(self, r: Record) -> None:
        self._message_subscription_migrated(r)
        self._sent_afar(r)

    def _message_subscription_migrated(self, r: Record) -> None:
        name = self._message_subscription_names.get(r["key"])
        entry = self.message_subscriptions.get(name, {}).get(r["key"]) if name else None
        if entry is not None and name is not None:
            self._set(self.message_subscriptions[name], entry.key,
                      replace(entry, process_id=r["bpmnProcessId"]))

    # subscriptions of other partitions, registered on the message's partition
    def _remote_opened(self, r: Record) -> None:
        entry = MessageSubscriptionEntry(r["key"], r["processInstanceKey"], r["elementInstanceKey"],
                                         r["bpmnProcessId"], r["messageName"], r["correlationKey"],
                                         remote=True, interrupting=r["interrupting"])
        name = (entry.name, entry.correlation_key)
        self._set(self._bucket(self.message_subscriptions, name), entry.key, entry)
        self._set(self._message_subscription_names, entry.key, name)
        self._set(self._remote_subscriptions, (entry.element_instance_key, entry.name), entry.key)

    def _remote_closed(self, r: Record) -> None:
        self._message_subscription_closed(r)
        if self._remote_subscriptions.get((r["elementInstanceKey"], r["messageName"])) == r["key"]:
            self._del(self._remote_subscriptions, (r["elementInstanceKey"], r["messageName"]))

    def _remote_correlating(self, r: Record) -> None:
        """The message is on its way to the subscription's partition: it counts as
        correlated to that process now (an interrupting subscription is used up)."""
        self._correlated(r["messageKey"], r["bpmnProcessId"])
        self._set(self._correlating, (r["key"], r["messageKey"]), r)
        if r["interrupting"]:
            self._remote_closed(r)

    def _remote_correlated(self, r: Record) -> None:
        """The instance's partition confirmed the correlation (Zeebe's CORRELATE command)."""
        self._del(self._correlating, (r["key"], r["messageKey"]))

    def _remote_rejected(self, r: Record) -> None:
        """The instance's partition refused the message: it no longer counts as correlated
        to that process (Zeebe's `MessageSubscriptionRejectedApplier`)."""
        self._del(self._correlating, (r["key"], r["messageKey"]))
        message = self.messages.get(r["messageKey"])
        if message is not None and r["bpmnProcessId"] in message.correlated:
            self._set(self.messages, message.key,
                      replace(message, correlated=message.correlated - {r["bpmnProcessId"]}))

    # signal subscriptions
    def _signal_opened(self, r: Record) -> None:
        entry = SignalSubscriptionEntry(r["key"], r.get("processInstanceKey", NO_INSTANCE),
                                        r.get("elementInstanceKey", NO_INSTANCE),
                                        r.get("processDefinitionKey", -1), r["elementId"],
                                        r["signalName"])
        self._set(self._bucket(self.signal_subscriptions, entry.name), entry.key, entry)
        self._set(self._signal_names, entry.key, entry.name)
        if entry.instance_key == NO_INSTANCE:
            self._set(self._bucket(self._starts_of, entry.definition_key),
                      (ValueType.SIGNAL_SUBSCRIPTION, entry.key), None)

    def _signal_closed(self, r: Record) -> None:
        entry = self.signal_entry(r["key"])
        if entry is not None:
            self._drop(self.signal_subscriptions, entry.name, entry.key)
            self._del(self._signal_names, entry.key)
            self._drop(self._starts_of, entry.definition_key, (ValueType.SIGNAL_SUBSCRIPTION, entry.key))

    def _signal_migrated(self, r: Record) -> None:
        entry = self.signal_entry(r["key"])
        if entry is not None:
            self._set(self.signal_subscriptions[entry.name], entry.key, replace(
                entry, element_id=r["elementId"], definition_key=r["processDefinitionKey"]))

    # messages
    def _message_published(self, r: Record) -> None:
        deadline = parse_datetime(r["deadline"])
        if deadline <= parse_datetime(r["timestamp"]):
            return  # no time to live: never buffered
        message = BufferedMessage(r["key"], r["name"], r["correlationKey"],
                                  dict(r.get("variables") or {}), deadline)
        self._set(self.messages, message.key, message)
        self._set(self._bucket(self._messages_by_name, (message.name, message.correlation_key)),
                  message.key, None)
        heapq.heappush(self._expiry_heap, (deadline, message.key))

    def _message_expired(self, r: Record) -> None:
        message = self.messages.get(r["key"])
        if message is not None:
            self._del(self.messages, message.key)
            self._drop(self._messages_by_name, (message.name, message.correlation_key), message.key)

    def _correlated(self, message_key: int, process_id: str) -> None:
        message = self.messages.get(message_key)
        if message is not None and process_id not in message.correlated:
            self._set(self.messages, message_key,
                      replace(message, correlated=message.correlated | {process_id}))

    # message start events
    def _message_start_opened(self, r: Record) -> None:
        entry = MessageStartEntry(r["key"], r["processDefinitionKey"], r["bpmnProcessId"],
                                  r["elementId"], r["messageName"])
        self._set(self._bucket(self.message_starts, entry.name), entry.key, entry)
        self._set(self._message_start_names, entry.key, entry.name)
        self._set(self._bucket(self._starts_of, entry.definition_key),
                  (ValueType.MESSAGE_START_EVENT_SUBSCRIPTION, entry.key), None)

    def _message_start_closed(self, r: Record) -> None:
        entry = self.message_start_entry(r["key"])
        if entry is not None:
            self._drop(self.message_starts, entry.name, entry.key)
            self._del(self._message_start_names, entry.key)
            self._drop(self._starts_of, entry.definition_key,
                       (ValueType.MESSAGE_START_EVENT_SUBSCRIPTION, entry.key))

    def _message_start_correlated(self, r: Record) -> None:
        self._correlated(r.get("messageKey", -1), r["bpmnProcessId"])
        if r.get("correlationKey"):
            started = (r["bpmnProcessId"], r["correlationKey"])
            self._set(self._active_starts, started, r["processInstanceKey"])
            self._set(self._started_by, r["processInstanceKey"], started)

    def _instance_activating(self, r: Record) -> None:
        parent = r.get("parentElementInstanceKey", NO_INSTANCE)
        if parent != NO_INSTANCE and r["key"] == r.get("processInstanceKey"):
            self._set(self._called_children, parent, r["key"])

    def _instance_finished(self, r: Record) -> None:
        if r["key"] != r.get("processInstanceKey"):
            return
        parent = r.get("parentElementInstanceKey", NO_INSTANCE)
        if self._called_children.get(parent) == r["key"]:
            self._del(self._called_children, parent)
        started = self._started_by.get(r["key"])
        if started is not None:
            self.finished_starts[r["key"]] = started
            self._del(self._started_by, r["key"])
            if self._active_starts.get(started) == r["key"]:
                self._del(self._active_starts, started)


PMS = ValueType.PROCESS_MESSAGE_SUBSCRIPTION
MSES = ValueType.MESSAGE_START_EVENT_SUBSCRIPTION
MS = ValueType.MESSAGE_SUBSCRIPTION
_FOLDS: dict[tuple[str, str], Callable[[EventIndex, Record], None]] = {
    (ValueType.TIMER, Intent.CREATED): EventIndex._timer_created,
    (ValueType.TIMER, Intent.TRIGGERED): EventIndex._timer_removed,
    (ValueType.TIMER, Intent.CANCELED): EventIndex._timer_removed,
    (ValueType.TIMER, Intent.MIGRATED): EventIndex._timer_migrated,
    (PMS, Intent.CREATED): EventIndex._opened,
    (PMS, Intent.CORRELATED): EventIndex._message_subscription_correlated,
    (PMS, Intent.DELETED): EventIndex._closed,
    (PMS, Intent.MIGRATED): EventIndex._migrated,
    (PMS, Intent.ACKNOWLEDGED): EventIndex._acknowledged,
    (MS, Intent.CREATED): EventIndex._remote_opened,
    (MS, Intent.CORRELATING): EventIndex._remote_correlating,
    (MS, Intent.CORRELATED): EventIndex._remote_correlated,
    (MS, Intent.DELETED): EventIndex._remote_closed,
    (MS, Intent.REJECTED): EventIndex._remote_rejected,
    (MS, Intent.MIGRATED): EventIndex._message_subscription_migrated,
    (ValueType.SIGNAL_SUBSCRIPTION, Intent.CREATED): EventIndex._signal_opened,
    (ValueType.SIGNAL_SUBSCRIPTION, Intent.DELETED): EventIndex._signal_closed,
    (ValueType.SIGNAL_SUBSCRIPTION, Intent.MIGRATED): EventIndex._signal_migrated,
    (ValueType.MESSAGE, Intent.PUBLISHED): EventIndex._message_published,
    (ValueType.MESSAGE, Intent.EXPIRED): EventIndex._message_expired,
    (MSES, Intent.CREATED): EventIndex._message_start_opened,
    (MSES, Intent.DELETED): EventIndex._message_start_closed,
    (MSES, Intent.CORRELATED): EventIndex._message_start_correlated,
    (ValueType.PROCESS_INSTANCE, Intent.ELEMENT_ACTIVATING): EventIndex._instance_activating,
    (ValueType.PROCESS_INSTANCE, Intent.ELEMENT_COMPLETED): EventIndex._instance_finished,
    (ValueType.PROCESS_INSTANCE, Intent.ELEMENT_TERMINATED): EventIndex._instance_finished,
}

"""The engine: one partition's processing loop over an eventsourcing application.

`execute(command)` looks up the command's processor (`register`ed per command type, as in
Zeebe's `TypedRecordProcessors`) and runs it with a fresh `CommandContext`: the processor
validates (raising `Rejected` before writing anything) and writes records; follow-ups run
until the queue is empty; then everything the command changed is written in one atomic
`app.events.put(...)`. A rejection is one COMMAND_REJECTION record in a journal entry, and
no instance's stream changes.

Instance state stays materialised in memory (`self.instances`), up to `cache_size` instances
on a durable store (the oldest are dropped after a save, never one with events not yet
written); an instance not in memory is rebuilt from its stored events when next needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application

from engine_sim.engine.aggregates import (
    DEFINITIONS_ID,
    Definitions,
    JournalEntry,
    ProcessInstance,
    instance_id,
    journal_id,
)
from engine_sim.engine.bpmn.behaviors import Behaviors
from engine_sim.engine.catalog import DeployedProcess, ProcessCatalog, StoredResource
from engine_sim.engine.commands import (
    Command,
    CommandProcessor,
    EngineProcessors,
    ExpireMessage,
    TriggerTimer,
)
from engine_sim.engine.context import CommandContext, Rejected, instance_fields
from engine_sim.engine.deployment import (
    DeploymentProcessor,
    DeployResource,
    DistributeDeployment,
    DistributionProcessor,
)
from engine_sim.engine.event_index import EventIndex
from engine_sim.engine.keys import KeyGenerator, SimulatedClock, first_key, message_partition
from engine_sim.engine.message_subscriptions import MessageSubscriptionProcessors
from engine_sim.engine.state import InstanceState
from engine_sim.feel import clock as feel_clock
from engine_sim.persistence import MsgspecTranscoder, Store, parse_store_url
from engine_sim.persistence.lease import writer_lease
from engine_sim.persistence.mapper import CheckedMapper
from engine_sim.persistence.partitions import partition_count
from engine_sim.persistence.streams import select_streams
from engine_sim.records import NO_KEY, Record, RecordType
from engine_sim.timeutil import Duration, format_timestamp

DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)
EVENT = RecordType.EVENT
GROUP_EVENTS = 1_000  # stored events per transaction in a group commit
CACHE_SIZE = 25_000  # instances kept in memory on a durable store
CATCH_UP_PAGE = 500  # stored events read at a time by a reader catching up (`refresh`)


class EngineApplication(Application[UUID]):
    """The eventsourcing application holding every stream of one engine."""

    name = "EngineApplication"

    def __init__(self, env: dict[str, str], partition: int = 1) -> None:
        # partition N > 1 of a partitioned store keeps its events in tables of its own
        # (the library names them after the application): its writer never waits on another's
        if partition > 1:
            self.name = f"EngineApplicationP{partition}"
        super().__init__(env=env)

    def construct_transcoder(self) -> MsgspecTranscoder:
        return MsgspecTranscoder()

    def construct_mapper(self) -> CheckedMapper:
        return CheckedMapper(transcoder=self.construct_transcoder())  # names a corrupt event


@dataclass
class Outcome:
    """What a command did: its records, or its rejection, and a result (e.g. new keys)."""

    records: list[Record] = field(default_factory=list)
    rejection: Record | None = None
    result: Any = None

    @property
    def rejected(self) -> bool:
        return self.rejection is not None


class Engine:
    def __init__(self, store: Store | str = "memory:", start_time: datetime = DEFAULT_START,
                 cache_size: int = CACHE_SIZE) -> None:
        self.store = parse_store_url(store) if isinstance(store, str) else store
        self.app = EngineApplication(self.store.env, self.store.partition)
        self.writer_lease = writer_lease(self.store)  # one writer per store: see take_writer_lease
        self._opened_at = 0  # the store's last notification id when this engine loaded it
        self.clock = SimulatedClock(start_time)
        self._now_text: tuple[datetime | None, str] = (None, "")
        self.keys = KeyGenerator(first_key(self.store.partition))
        self._next_position = 1
        self.catalog = ProcessCatalog()
        self.instances: dict[int, ProcessInstance] = {}  # oldest first
        # the memory store holds every event anyway: dropping state there saves nothing
        self.cache_size = cache_size if self.store.kind != "memory" else None
        self.behaviors = Behaviors(self.catalog)
        self.processors: dict[type[Command], CommandProcessor] = {
            **EngineProcessors(self.behaviors).table,
            DeployResource: DeploymentProcessor(self.behaviors, self.definitions_aggregate),
            DistributeDeployment: DistributionProcessor(self.behaviors, self.definitions_aggregate),
            **MessageSubscriptionProcessors(self.behaviors).table,  # a partitioned store's
        }
        # timers, subscriptions and buffered messages engine-wide, from saved records
        self._partitions = self.store.partitions  # the store's count, read when first needed
        self._event_index = EventIndex(self._crosses)
        self._event_index_stale = False  # a reopened store: folded on first use
        self._definitions: Definitions | None = None
        # called after each save with [(notification id, records)]: in-process read models
        # take what was just written instead of reading and decoding it again
        self.saved_listeners: list[Callable[[list[tuple[int, Sequence[Record]]]], None]] = []
        self._group: list[Any] | None = None  # events saved but not yet written (group_commit)
        self._unwritten: set[int] = set()  # instances with events in the group
        self._recover()

    def register(self, command_type: type[Command], processor: CommandProcessor) -> None:
        """Add the processor of a command defined outside the engine (e.g. migration)."""
        self.processors[command_type] = processor

    # -- reads ---------------------------------------------------------------------------
    def instance(self, key: int) -> InstanceState | None:
        """The materialised state of instance `key`, loaded from the store on first use."""
        aggregate = self.instances.get(key)
        if aggregate is None:
            aggregate = self._replay(key, self.app.recorder.select_events(instance_id(key)))
            if aggregate is None:
                return None
        return aggregate.bind(self.catalog.model)

    def preload(self, keys: Iterable[int]) -> None:
        """Load the instances of `keys` that are not in memory with one read of all their
        streams (a batch operation's chunk), instead of one read each."""
        missing = [key for key in keys if key not in self.instances]
        if not missing or self.cache_size is None:  # the memory store keeps every instance
            return
        streams = select_streams(self.app.recorder, map(instance_id, missing))
        for key in missing:
            self._replay(key, streams[instance_id(key)])

    def _replay(self, key: int, stored_events: Iterable[Any]) -> ProcessInstance | None:
        """Instance `key` from its stored events, kept in memory. The library's repository
        would do the same with runtime Protocol checks costing more than the replay."""
        aggregate: Any = None
        for stored in stored_events:
            event: Any = self.app.mapper.to_domain_event(stored)  # an aggregate event
            aggregate = event.mutate(aggregate)
        if not isinstance(aggregate, ProcessInstance):
            return None
        self.instances[key] = aggregate
        return aggregate

    def aggregate(self, aggregate_id: UUID) -> Any:
        """A stored aggregate other than an instance (e.g. a batch operation)."""
        return self.app.repository.get(aggregate_id)

    def stored_records(self, key: int) -> list[Record]:
        """Every record in instance `key`'s own stream, in position order, from the store."""
        records: list[Record] = []
        for event in self.app.repository.event_store.get(instance_id(key)):
            records.extend(getattr(event, "records", ()))
        return records

    def next_position(self) -> int:
        position = self._next_position
        self._next_position = position + 1
        return position

    # -- running commands ----------------------------------------------------------------
    def context(self) -> CommandContext:
        """A fresh unit of work at the clock's current time."""
        return CommandContext(self.clock.now, self.now_text(), self.keys, self.next_position,
                              self.instance, lambda: self.event_index, self.stored_records)

    def execute(self, command: Command) -> Outcome:
        """Run one command with its follow-ups and save all it changed atomically."""
        self.take_writer_lease()
        processor = self.processors[type(command)]
        if self._group is not None and len(self._group) >= GROUP_EVENTS:
            self._flush_group()
        saved_counters = (self.keys.next_key, self._next_position)
        p = self.context()
        try:
            with feel_clock(lambda: self.clock.now):  # FEEL's now() and today()
                result = processor(p, command)
                p.drain()
        except Rejected as rejection:
            self._roll_back(p, saved_counters)
            return self._reject(command, rejection)
        except BaseException:
            self._roll_back(p, saved_counters)
            raise
        try:
            self._save(p)
        except BaseException:
            self._roll_back(p, saved_counters)
            raise
        if not self._event_index_stale:  # else its next rebuild reads p's records
            self._event_index.commit(p)
        return Outcome(records=p.records, result=result)

    def _roll_back(self, p: CommandContext, counters: tuple[int, int]) -> None:
        """Forget what a failed command did in memory; the store never saw it."""
        if not self._event_index_stale:
            self._event_index.roll_back()
        for key in p.touched:
            self.instances.pop(key, None)
        self.keys.next_key, self._next_position = counters
        p.records.clear()
        p.touched.clear()
        p.queue.clear()

    def _reject(self, command: Command, rejection: Rejected) -> Outcome:
        p = self.context()
        record = rejection_record(p, command, rejection.rejection_type, rejection.reason)
        self._save(p)
        return Outcome(records=p.records, rejection=record)

    def _save(self, p: CommandContext) -> None:
        counters = [self.keys.next_key, self._next_position]
        timestamp = self.clock.now
        owned = {id(r) for records in p.owned.values() for r in records}
        by_instance: dict[int, list[Record]] = {key: [] for key in p.touched}
        journal: list[Record] = []
        for record in p.records:
            if id(record) in owned:
                continue
            bucket = by_instance.get(record.get("processInstanceKey", NO_KEY))
            if bucket is not None and record["recordType"] == EVENT:
                bucket.append(record)
            else:
                journal.append(record)
        aggregates: list[Any] = []
        for key, records in by_instance.items():
            aggregate = self.instances.get(key)
            if aggregate is None:
                aggregate = ProcessInstance.start(p.touched[key], records, counters, timestamp)
                self.instances[key] = aggregate
            else:
                aggregate.record(records, counters, timestamp)
            aggregates.append(aggregate)
        if journal:
            aggregates.append(
                JournalEntry._create(
                    JournalEntry.Created, id=journal_id(journal[0]["position"]),
                    records=journal, counters=counters, timestamp=timestamp,
                )
            )
        aggregates.extend(owner.persist(records, counters, timestamp) for owner, records in p.owned.items())
        events = [event for aggregate in aggregates for event in aggregate.collect_events()]
        if self._group is not None:
            self._group.extend(events)
            self._unwritten.update(by_instance)
        elif events:
            self._write(events)
        for owner in p.owned:
            owner.saved()
        self._evict()

    def _evict(self) -> None:
        """Keep at most `cache_size` instances in memory, dropping the oldest first."""
        if self.cache_size is None:
            return
        excess = len(self.instances) - self.cache_size
        if excess <= 0:
            return
        for key in list(islice(self.instances, excess + len(self._unwritten))):
            if key not in self._unwritten:
                del self.instances[key]
                excess -= 1
                if not excess:
                    return

    def _write(self, events: list[Any]) -> None:
        """What `app.save` does minus its runtime Protocol checks (~140 µs per aggregate
        here, more than the rest of a command): one atomic write through the library's
        mapper and recorder. We use no snapshots and no system notifications."""
        recordings = self.app.events.put(events)
        if self.saved_listeners:
            written = [(r.notification.id, getattr(r.domain_event, "records", ()))
                       for r in recordings]
            for listener in self.saved_listeners:
                listener(written)

    # -- group commit ----------------------------------------------------------------------
    @contextmanager
    def group_commit(self) -> Iterator[None]:
        """Write the commands executed inside in one transaction per `GROUP_EVENTS` events
        instead of one each (an SQLite commit costs more than the rest of a creation).

        Each command is still all or nothing: a rejected or failed one changes nothing. But
        its outcome is acknowledged only once the block has been written: if a write fails,
        or the block raises, every command of the unwritten group is forgotten (the engine
        reloads its state from the store) and the error propagates."""
        if self._group is not None:  # nested: the outer block writes
            yield
            return
        self._group = []
        try:
            yield
            self._flush_group()
        except BaseException:
            self._group = None
            self._unwritten.clear()
            self._reload()
            raise
        finally:
            self._group = None

    def _flush_group(self) -> None:
        if self._group:
            events, self._group = self._group, []
            self._write(events)
        self._unwritten.clear()

    def _reload(self) -> None:
        """Forget every in-memory change the store did not receive: state is read again."""
        self.instances.clear()
        self.catalog.clear()
        self._definitions = None
        self.keys.next_key, self._next_position = first_key(self.store.partition), 1
        self._event_index, self._event_index_stale = EventIndex(self._crosses), True
        self._recover()

    # -- commands that drive others -----------------------------------------------------
    def deploy(self, xml: bytes, resource_name: str) -> Outcome:
        """Deploy a BPMN resource (already validated by the caller or parsed here)."""
        return self.execute(DeployResource(xml, resource_name))

    def advance_clock(self, duration: Duration) -> list[Outcome]:
        """Every timer due (and every buffered message expiring) at or before the new time,
        in due order then key order, each its own command with the clock at its due date;
        then the clock shows the new time (Zeebe's due-date checkers)."""
        clock = self.clock
        until = duration.add_to(clock.now)
        outcomes: list[Outcome] = []
        refused: set[int] = set()
        while (due := self.event_index.next_due(until, frozenset(refused))) is not None:
            moment, kind, key = due
            clock.advance_to(moment)
            outcome = self.execute(TriggerTimer(key) if kind == 0 else ExpireMessage(key))
            if outcome.rejected or outcome.result is False:
                refused.add(key)  # tried again by the next advance, as Zeebe's checker does
            if outcome.records:
                outcomes.append(outcome)
        clock.advance_to(until)
        return outcomes

    def definitions_aggregate(self) -> Definitions:
        if self._definitions is None:
            self._definitions = Definitions._create(
                Definitions.Created, id=DEFINITIONS_ID, timestamp=self.clock.now
            )
        return self._definitions

    # -- recovery ------------------------------------------------------------------------
    def take_writer_lease(self) -> None:
        """One writer per store (persistence/lease.py): before its first command the engine
        takes the store's lease (waiting for, or failing on, another writer), then reloads what
        a previous holder wrote since this engine loaded the store: counters, definitions,
        instances, the event index. Held until `close`. `execute` calls it; a writer that
        reads state to prepare its commands calls it first (the CLI's writers do at once)."""
        if self.writer_lease.acquire() and self.app.recorder.max_notification_id() != self._opened_at:
            self._reload()

    def refresh(self) -> None:
        """A reader's catch-up: without the lease, take in what the store's writer wrote
        since this engine last looked (a partitioned store's router reads partitions that
        workers write so). Only that is read: the instances it touched are dropped from
        memory (read again when used), new definitions registered, the event index folds
        the new records, and the counters and clock follow the last event."""
        if self.writer_lease.held:
            return
        last_id = self.app.recorder.max_notification_id() or 0
        if last_id < self._opened_at:  # the store was emptied meanwhile
            self._reload()
        elif last_id > self._opened_at:
            self._catch_up(last_id)

    def _catch_up(self, last_id: int) -> None:
        position = self._opened_at
        definitions_changed = False
        while notifications := self.app.recorder.select_notifications(
                start=position, limit=CATCH_UP_PAGE, stop=last_id, inclusive_of_start=False):
            for notification in notifications:
                originator = notification.originator_id
                if isinstance(originator, UUID):  # an instance's aggregate id is its key
                    self.instances.pop(originator.int, None)
                definitions_changed |= originator == DEFINITIONS_ID
            if not self._event_index_stale:
                self._event_index.fold_notifications(self.app, notifications)
            position = notifications[-1].id
        if definitions_changed:
            self._load_definitions()
        self._resume_at(last_id)

    def _recover(self) -> None:
        """Reopen a store: the definitions, and the key and position counters."""
        last_id = self.app.recorder.max_notification_id()
        self._opened_at = last_id or 0
        if not last_id:
            return
        self._load_definitions()
        self._resume_at(last_id)
        self._event_index_stale = True

    def _load_definitions(self) -> None:
        """The stored definitions, each deployment not yet in the catalog registered."""
        definitions: Any
        try:
            definitions = self.app.repository.get(DEFINITIONS_ID)
        except AggregateNotFoundError:
            definitions = None
        if isinstance(definitions, Definitions):
            self._definitions = definitions
            for resources in definitions.deployments:
                self._register(resources)

    def _resume_at(self, last_id: int) -> None:
        """Counters and clock as the stored event `last_id` left them (the last one)."""
        self._opened_at = last_id
        last = self.app.recorder.select_notifications(start=last_id, limit=1)[0]
        event = self.app.mapper.to_domain_event(last)
        counters = getattr(event, "counters", None)
        if counters:
            self.keys.next_key, self._next_position = counters
        # the clock resumes where the store stopped
        stamp = getattr(event, "timestamp", None)
        if isinstance(stamp, datetime) and stamp.tzinfo is not None:
            self.clock.advance_to(stamp)

    @property
    def event_index(self) -> EventIndex:
        """Timers, subscriptions and buffered messages of every instance. A reopened engine
        folds the notification log into it once, when a command first reads it, so that
        read-only uses of a large store (the CLI's `instances`, `operations`) and commands
        that never read it (a migration without catch events) do not pay for the fold;
        commands saved until then are folded from the store with the rest."""
        if self._event_index_stale:
            if self._group:  # commands saved in the group are read from the store
                self._flush_group()
            self._event_index_stale = False
            self._event_index.rebuild(self.app)
        return self._event_index

    def _crosses(self, correlation_key: str) -> bool:
        """Whether a message subscription with this correlation key is registered on
        another partition (a partitioned store's message partition: docs/scaling.md)."""
        if self._partitions is None:
            self._partitions = partition_count(self.store)  # 1 unless a partitioned PostgreSQL
        return self._partitions > 1 and \
            message_partition(correlation_key, self._partitions) != self.store.partition

    def _register(self, resources: list[dict[str, Any]]) -> None:
        """The deployed definitions, their models parsed only when first used."""
        for resource in resources:
            stored = StoredResource(bytes(resource["xml"]), resource["name"])
            new: list[DeployedProcess] = []
            for entry in resource["processes"]:
                if entry["key"] not in self.catalog:
                    new.append(DeployedProcess(entry["key"], entry["id"], entry["version"],
                                               stored, resource["name"]))
            self.catalog.add(new)

    def close(self) -> None:
        self.writer_lease.release()
        self.app.close()

    def now_text(self) -> str:
        """The clock as record timestamps spell it (formatted once per clock value)."""
        now = self.clock.now
        if self._now_text[0] != now:
            self._now_text = (now, format_timestamp(now))
        return self._now_text[1]


def rejection_record(p: CommandContext, command: Command, rejection_type: str, reason: str,
                     owner: Any = None) -> Record:
    """One COMMAND_REJECTION record; it names the instance (and its definition, where the
    instance exists) but never enters the instance's own stream."""
    fields: dict[str, Any] = {"rejectionType": rejection_type, "rejectionReason": reason}
    instance_key = command.instance
    if instance_key is not None:
        state = p.instance(instance_key)
        fields.update(instance_fields(state) if state is not None
                      else {"processInstanceKey": instance_key})
    return p.write(None, command.VALUE_TYPE, command.INTENT, command.key, owner=owner,
                   record_type=RecordType.COMMAND_REJECTION, **fields)

"""The engine: one partition's processing loop over an eventsourcing application.

Each public command runs inside a `Processing`: its processor validates (raising `Rejected`
before writing anything) and writes records; follow-ups run until the queue is empty; then
everything the command changed is saved in one `app.save(...)`. A rejection is one
COMMAND_REJECTION record in a journal entry, and no instance's stream changes.

Instance state stays materialised in memory (`self.instances`); an instance not in memory
is rebuilt once from its stored events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from eventsourcing.application import AggregateNotFoundError, Application

from engine_sim.engine.aggregates import (
    DEFINITIONS_ID,
    Definitions,
    JournalEntry,
    ProcessInstance,
    instance_id,
    journal_id,
)
from engine_sim.engine.bpmn import Bpmn
from engine_sim.engine.bpmn.calls import CallActivities
from engine_sim.engine.bpmn.errors import ErrorEvents
from engine_sim.engine.bpmn.subscriptions import Subscriptions
from engine_sim.engine.bpmn.triggers import Triggers
from engine_sim.engine.catalog import DeployedProcess, ProcessCatalog
from engine_sim.engine.event_index import EventIndex
from engine_sim.engine.keys import KeyGenerator, SimulatedClock
from engine_sim.engine.processing import Processing, Rejected, instance_fields
from engine_sim.engine.state import InstanceState
from engine_sim.feel import clock as feel_clock
from engine_sim.model import parse_bpmn
from engine_sim.persistence import MsgspecTranscoder, Store, parse_store_url
from engine_sim.records import NO_KEY, RecordType
from engine_sim.timeutil import format_timestamp

Record = dict[str, Any]
DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)


class EngineApplication(Application):
    """The eventsourcing application holding every stream of one engine."""

    name = "EngineApplication"

    def construct_transcoder(self) -> MsgspecTranscoder:  # type: ignore[override]
        return MsgspecTranscoder()


@dataclass
class Outcome:
    """What a command did: its records, or its rejection, and a result (e.g. new keys)."""

    records: list[Record] = field(default_factory=list)
    rejection: Record | None = None
    result: Any = None

    @property
    def rejected(self) -> bool:
        return self.rejection is not None


@dataclass(frozen=True)
class CommandMeta:
    """Identifies a command for its rejection record."""

    value_type: str
    intent: str
    key: int = NO_KEY
    instance_key: int | None = None


class Engine:
    def __init__(self, store: Store | str = "memory:", start_time: datetime = DEFAULT_START,
                 wall_clock: bool = False) -> None:
        self.store = parse_store_url(store) if isinstance(store, str) else store
        self.app = EngineApplication(env=self.store.env)
        self.clock = SimulatedClock(start_time)
        self._now_text: tuple[datetime | None, str] = (None, "")
        self.wall_clock = wall_clock  # the CLI's engine follows real time
        self.keys = KeyGenerator()
        self._next_position = 1
        self.catalog = ProcessCatalog()
        self.instances: dict[int, ProcessInstance] = {}
        self.bpmn = Bpmn(self)
        self.subscriptions = Subscriptions(self)
        self.calls = CallActivities(self)
        self.errors = ErrorEvents(self)
        from engine_sim.engine.events import EventTriggers

        self.events = EventTriggers(self)
        self.triggers = Triggers(self)
        # timers, subscriptions and buffered messages engine-wide, from saved records
        self._event_index = EventIndex()
        self._event_index_stale = False  # a reopened store: folded on first use
        self.processing: Processing = Processing(self)
        self._definitions: Definitions | None = None
        self._recover()

    # -- reads ---------------------------------------------------------------------------
    def instance(self, key: int) -> InstanceState | None:
        """The materialised state of instance `key`, loaded from the store on first use."""
        aggregate = self.instances.get(key)
        if aggregate is None:
            try:
                aggregate = self.app.repository.get(instance_id(key))
            except AggregateNotFoundError:
                return None
            if not isinstance(aggregate, ProcessInstance):
                return None
            self.instances[key] = aggregate
        return aggregate.bind(self.catalog.model)

    def next_position(self) -> int:
        position = self._next_position
        self._next_position = position + 1
        return position

    # -- running commands ----------------------------------------------------------------
    def execute(self, meta: CommandMeta, command: Callable[[Processing], Any]) -> Outcome:
        """Run one command with its follow-ups and save all it changed atomically."""
        if self.wall_clock:
            self.clock.advance_to(datetime.now(UTC))
        index = self.event_index  # built before the command, so it never folds a record twice
        saved_counters = (self.keys.next_key, self._next_position)
        self.processing = p = Processing(self)
        try:
            with feel_clock(lambda: self.clock.now):  # FEEL's now() and today()
                result = command(p)
                p.drain()
        except Rejected as rejection:
            self._roll_back(p, saved_counters)
            return self._reject(meta, rejection)
        except BaseException:
            self._roll_back(p, saved_counters)
            raise
        try:
            self._save(p)
        except BaseException:
            self._roll_back(p, saved_counters)
            raise
        index.commit(p)
        return Outcome(records=p.records, result=result)

    def _roll_back(self, p: Processing, counters: tuple[int, int]) -> None:
        """Forget what a failed command did in memory; the store never saw it."""
        self.event_index.roll_back()
        for key in p.touched:
            self.instances.pop(key, None)
        self.keys.next_key, self._next_position = counters
        p.records.clear()
        p.touched.clear()
        p.queue.clear()

    def _reject(self, meta: CommandMeta, rejection: Rejected) -> Outcome:
        self.processing = p = Processing(self)
        record = self.rejection_record(p, meta, rejection.rejection_type, rejection.reason)
        self._save(p)
        return Outcome(records=p.records, rejection=record)

    def rejection_record(self, p: Processing, meta: CommandMeta, rejection_type: str,
                         reason: str, owner: Any = None) -> Record:
        """One COMMAND_REJECTION record; it names the instance (and its definition, where
        the instance exists) but never enters the instance's own stream."""
        fields: dict[str, Any] = {"rejectionType": rejection_type, "rejectionReason": reason}
        if meta.instance_key is not None:
            state = self.instance(meta.instance_key)
            fields.update(instance_fields(state) if state is not None
                          else {"processInstanceKey": meta.instance_key})
        return p.write(None, meta.value_type, meta.intent, meta.key, owner=owner,
                       record_type=RecordType.COMMAND_REJECTION.value, **fields)

    def _save(self, p: Processing) -> None:
        counters = [self.keys.next_key, self._next_position]
        timestamp = self.clock.now
        owned = {id(r) for records in p.owned.values() for r in records}
        by_instance: dict[int, list[Record]] = {key: [] for key in p.touched}
        journal: list[Record] = []
        for record in p.records:
            if id(record) in owned:
                continue
            bucket = by_instance.get(record.get("processInstanceKey", NO_KEY))
            if bucket is not None and record["recordType"] == RecordType.EVENT.value:
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
        if events:
            # What `app.save` does minus its runtime Protocol checks (~140 µs per aggregate
            # here, more than the rest of a command): one atomic write through the library's
            # mapper and recorder. We use no snapshots and no system notifications.
            self.app.events.put(events)
        for owner in p.owned:
            owner.saved()

    # -- deployment ----------------------------------------------------------------------
    def deploy(self, xml: bytes, resource_name: str) -> Outcome:
        """Deploy a BPMN resource (already validated by the caller or parsed here)."""
        from engine_sim.engine.deployment import deploy_resource

        return deploy_resource(self, xml, resource_name)

    def definitions_aggregate(self) -> Definitions:
        if self._definitions is None:
            self._definitions = Definitions._create(
                Definitions.Created, id=DEFINITIONS_ID, timestamp=self.clock.now
            )
        return self._definitions

    # -- recovery ------------------------------------------------------------------------
    def _recover(self) -> None:
        """Reopen a store: the definitions, and the key and position counters."""
        last_id = self.app.recorder.max_notification_id()
        if not last_id:
            return
        try:
            definitions = self.app.repository.get(DEFINITIONS_ID)
        except AggregateNotFoundError:
            definitions = None
        if isinstance(definitions, Definitions):
            self._definitions = definitions
            for resources in definitions.deployments:
                self._register(resources)
        last = self.app.recorder.select_notifications(start=last_id, limit=1)[0]
        event = self.app.mapper.to_domain_event(last)
        counters = getattr(event, "counters", None)
        if counters:
            self.keys.next_key, self._next_position = counters
        # the clock resumes where the store stopped
        stamp = getattr(event, "timestamp", None)
        if isinstance(stamp, datetime) and stamp.tzinfo is not None:
            self.clock.advance_to(stamp)
        self._event_index_stale = True

    @property
    def event_index(self) -> EventIndex:
        """Timers, subscriptions and buffered messages of every instance. A reopened engine
        folds the notification log into it once, when a command first needs it, so that
        read-only uses of a large store (the CLI's `instances`, `operations`) stay fast."""
        if self._event_index_stale:
            self._event_index_stale = False
            self._event_index.rebuild(self.app)
        return self._event_index

    def _register(self, resources: list[dict[str, Any]]) -> None:
        for resource in resources:
            definitions = parse_bpmn(bytes(resource["xml"]), resource["name"])
            models = {process.id: process for process in definitions.processes}
            for entry in resource["processes"]:
                if entry["key"] not in self.catalog:
                    self.catalog.add(
                        DeployedProcess(entry["key"], entry["id"], entry["version"],
                                        models[entry["id"]], resource["name"])
                    )

    def close(self) -> None:
        self.app.close()

    def now_text(self) -> str:
        """The clock as record timestamps spell it (formatted once per clock value)."""
        now = self.clock.now
        if self._now_text[0] != now:
            self._now_text = (now, format_timestamp(now))
        return self._now_text[1]

"""The engine's event-sourced aggregates (eventsourcing library), with explicit topics.

One stored event per processed command per aggregate: `Processed(records)` holds every record
the command produced for that instance, in order. Records are applied by the same appliers
during processing (as they are written) and on replay (here), so a rebuilt instance equals
the live one. Each event also carries `counters`, the key generator and log position after the
command, so that an engine reopened on a store continues its key sequence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from engine_sim.engine.appliers import apply_record
from engine_sim.engine.state import InstanceState, ModelResolver

Record = dict[str, Any]
_NAMESPACE = UUID("6f1c7f2e-5b7a-4c1e-9a59-2f0d5b0b7e11")


def instance_id(key: int) -> UUID:
    """Aggregate ids that increase with the key keep SQLite's index inserts local."""
    return UUID(int=key)


def journal_id(position: int) -> UUID:
    return uuid5(_NAMESPACE, f"journal:{position}")


DEFINITIONS_ID = uuid5(_NAMESPACE, "definitions")


class RecordsAggregate(Aggregate):
    """Appends pre-applied records as one event without applying them twice."""

    def append_records(self, event_class: type, records: list[Record], counters: list[int],
                       timestamp: datetime, **fields: Any) -> None:
        event = event_class(
            originator_id=self.id,
            originator_version=self.version + 1,
            timestamp=timestamp,
            records=records,
            counters=counters,
            **fields,
        )
        # the processor applied these records as it wrote them (see module docstring)
        self.version = event.originator_version
        self.modified_on = event.timestamp
        self.pending_events.append(event)


class ProcessInstance(RecordsAggregate):
    TOPIC = "engine_sim:ProcessInstance"

    class Created(Aggregate.Created):
        TOPIC = "engine_sim:ProcessInstance.Created"
        key: int
        records: list[Record]
        counters: list[int]  # [next key, next position] after the command

    class Processed(Aggregate.Event):
        TOPIC = "engine_sim:ProcessInstance.Processed"
        records: list[Record]
        counters: list[int]  # [next key, next position] after the command

        def apply(self, aggregate: ProcessInstance) -> None:
            aggregate.replay(self.records)

    def __init__(self, key: int, records: list[Record], counters: list[int]) -> None:
        self.key = key
        self.state: InstanceState | None = None
        self._backlog: list[Record] = list(records)

    @classmethod
    def start(cls, state: InstanceState, records: list[Record], counters: list[int],
              timestamp: datetime) -> ProcessInstance:
        """A new instance whose records were already applied to `state` by processing."""
        event = cls.Created(  # type: ignore[call-arg]  # fields declared on the event class
            originator_topic=get_topic(cls),
            originator_id=instance_id(state.key),
            originator_version=cls.INITIAL_VERSION,
            timestamp=timestamp,
            key=state.key,
            records=records,
            counters=counters,
        )
        aggregate = cls.__new__(cls)
        aggregate.__base_init__(event.originator_id, event.originator_version, timestamp)
        aggregate.key = state.key
        aggregate.state = state
        aggregate._backlog = []
        aggregate.pending_events.append(event)
        return aggregate

    def record(self, records: list[Record], counters: list[int], timestamp: datetime) -> None:
        self.append_records(self.Processed, records, counters, timestamp)

    def replay(self, records: list[Record]) -> None:
        if self.state is None:
            self._backlog.extend(records)
        else:
            for record in records:
                apply_record(self.state, record)

    def bind(self, models: ModelResolver) -> InstanceState:
        """Build the state from the replayed records (appliers need the process models)."""
        if self.state is None:
            self.state = InstanceState(self.key, models)
            for record in self._backlog:
                apply_record(self.state, record)
            self._backlog = []
        return self.state


class Definitions(RecordsAggregate):
    """Every deployed resource (the BPMN XML, parsed again on load) and its records."""

    TOPIC = "engine_sim:Definitions"

    class Created(Aggregate.Created):
        TOPIC = "engine_sim:Definitions.Created"

    class Deployed(Aggregate.Event):
        TOPIC = "engine_sim:Definitions.Deployed"
        records: list[Record]
        counters: list[int]  # [next key, next position] after the command
        resources: list[dict[str, Any]]  # {name, xml, processes: [{id, key, version}]}

        def apply(self, aggregate: Definitions) -> None:
            aggregate.deployments.append(self.resources)

    def __init__(self) -> None:
        self.deployments: list[list[dict[str, Any]]] = []

    def deployed(self, records: list[Record], counters: list[int], timestamp: datetime,
                 resources: list[dict[str, Any]]) -> None:
        self.append_records(self.Deployed, records, counters, timestamp, resources=resources)
        self.deployments.append(resources)


class JournalEntry(Aggregate):
    """Records that belong to no instance's stream: command rejections, published messages,
    broadcast signals. One aggregate per command, written once."""

    TOPIC = "engine_sim:JournalEntry"

    class Created(Aggregate.Created):
        TOPIC = "engine_sim:JournalEntry.Created"
        records: list[Record]
        counters: list[int]  # [next key, next position] after the command

    def __init__(self, records: list[Record], counters: list[int]) -> None:
        self.records = records
        self.counters = counters

"""The batch migration operation (Operate's "Migrate" batch), an event-sourced aggregate.

Created with its frozen selection: one item per running instance, each with the plan it will
run (a revert gives every item its own target and inverse mapping). It runs in chunks: each
chunk is one command whose save holds the migrated instances' events and the batch's
`ItemsProcessed` event together, so a crash between chunks loses nothing and a resumed run
never migrates an instance twice.
"""

from __future__ import annotations

from datetime import datetime
from itertools import islice
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from engine_sim.engine import RecordsAggregate
from engine_sim.records import Record
from migration.plan import MigrationPlan

OPERATION_TYPE = "MIGRATE_PROCESS_INSTANCE"


def operation_id(key: int) -> UUID:
    return UUID(int=(1 << 127) | key)


class BatchOperation(RecordsAggregate):
    TOPIC = "migration:BatchOperation"

    class Created(Aggregate.Created):
        TOPIC = "migration:BatchOperation.Created"
        key: int
        items: list[dict[str, Any]]  # {key, target, mapping: [[source, target]], autoMap}
        ignored: list[int]
        records: list[Record]
        counters: list[int]

    class ItemsProcessed(Aggregate.Event):
        TOPIC = "migration:BatchOperation.ItemsProcessed"
        results: list[dict[str, Any]]  # {key, status, reason, source, mapping}
        records: list[Record]
        counters: list[int]

        def apply(self, aggregate: BatchOperation) -> None:
            aggregate.take_results(self.results)

    def __init__(self, key: int, items: list[dict[str, Any]], ignored: list[int],
                 records: list[Record], counters: list[int]) -> None:
        self.key = key
        self.items = {item["key"]: item for item in items}
        self.ignored = list(ignored)
        self.results: dict[int, dict[str, Any]] = {}
        self._pending: dict[int, None] = dict.fromkeys(self.items)  # in selection order
        self._plans: dict[tuple[Any, ...], MigrationPlan] = {}

    # -- reads ---------------------------------------------------------------------------
    @property
    def pending_count(self) -> int:
        return len(self._pending)

    def next_chunk(self, size: int) -> list[int]:
        return list(islice(self._pending, size))

    @property
    def state(self) -> str:
        return "ACTIVE" if self._pending else "COMPLETED"

    def plan_of(self, key: int) -> MigrationPlan:
        """Items of a batch share few plans (one, unless it reverts a mixed batch): each is
        built once, not per item."""
        item = self.items[key]
        pairs = tuple((source, target) for source, target in item["mapping"])
        spec = (item["target"], pairs, item["autoMap"])
        plan = self._plans.get(spec)
        if plan is None:
            plan = self._plans[spec] = MigrationPlan.of(*spec)
        return plan

    def completed_results(self) -> list[dict[str, Any]]:
        return [r for r in self.results.values() if r["status"] == "COMPLETED"]

    # -- changes -------------------------------------------------------------------------
    def take_results(self, results: list[dict[str, Any]]) -> None:
        for result in results:
            self.results[result["key"]] = result
            self._pending.pop(result["key"], None)

    def processed(self, results: list[dict[str, Any]], records: list[Record], counters: list[int],
                  timestamp: datetime) -> None:
        self.append_records(self.ItemsProcessed, records, counters, timestamp, results=results)
        self.take_results(results)


class NewBatchOwner:
    """Keeps the records of a batch's creation and creates the aggregate at save time;
    once saved, the aggregate joins `known` (the batches held in memory)."""

    def __init__(self, key: int, items: list[dict[str, Any]], ignored: list[int],
                 known: dict[int, BatchOperation]) -> None:
        self.key = key
        self.items = items
        self.ignored = ignored
        self.known = known
        self.aggregate: BatchOperation | None = None

    def persist(self, records: list[Record], counters: list[int], timestamp: datetime) -> BatchOperation:
        self.aggregate = BatchOperation._create(
            BatchOperation.Created, id=operation_id(self.key), key=self.key, items=self.items,
            ignored=self.ignored, records=records, counters=counters, timestamp=timestamp,
        )
        return self.aggregate

    def saved(self) -> None:
        assert self.aggregate is not None
        self.known[self.key] = self.aggregate


class ChunkOwner:
    """Keeps a chunk's OPERATION records and the item results for the batch's event."""

    def __init__(self, batch: BatchOperation) -> None:
        self.batch = batch
        self.results: list[dict[str, Any]] = []

    def persist(self, records: list[Record], counters: list[int], timestamp: datetime) -> BatchOperation:
        self.batch.processed(self.results, records, counters, timestamp)
        return self.batch

    def saved(self) -> None:
        pass

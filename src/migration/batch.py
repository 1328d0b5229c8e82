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
PlanSpec = tuple[int, tuple[tuple[str, str], ...], bool]  # target key, pairs, auto-map
ElementPairs = tuple[tuple[str, ...], ...]  # (source element id, target element id) pairs
ItemResult = tuple[str, str, int | None, ElementPairs]  # status, reason, source definition, mapping


def _spec_of(item: dict[str, Any]) -> PlanSpec:
    return item["target"], tuple((s, t) for s, t in item["mapping"]), item["autoMap"]


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
        # Compact, as a batch may hold a million items: each item keeps only the number of
        # its plan (a batch has one, unless it reverts a mixed batch) and each result a tuple
        # whose mapping is shared with every result of the same mapping.
        self.key = key
        specs: dict[PlanSpec, int] = {}
        self.items: dict[int, int] = {  # item key -> its plan's number, in selection order
            item["key"]: specs.setdefault(_spec_of(item), len(specs)) for item in items
        }
        self._specs = list(specs)
        self._plans: dict[int, MigrationPlan] = {}
        self.ignored = list(ignored)
        self.results: dict[int, ItemResult] = {}
        self.failed = 0
        self._mappings: dict[ElementPairs, ElementPairs] = {}
        self._pending: dict[int, None] = dict.fromkeys(self.items)

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
        """Each of the batch's plans is built once, not per item."""
        number = self.items[key]
        plan = self._plans.get(number)
        if plan is None:
            plan = self._plans[number] = MigrationPlan.of(*self._specs[number])
        return plan

    def completed_results(self) -> list[dict[str, Any]]:
        """{key, source, mapping} of each item migrated (what a revert undoes)."""
        return [{"key": key, "source": source, "mapping": [list(pair) for pair in mapping]}
                for key, (status, _, source, mapping) in self.results.items()
                if status == "COMPLETED"]

    # -- changes -------------------------------------------------------------------------
    def take_results(self, results: list[dict[str, Any]]) -> None:
        mappings = self._mappings
        for result in results:
            key, status = result["key"], result["status"]
            mapping = tuple(map(tuple, result.get("mapping", ())))
            mapping = mappings.setdefault(mapping, mapping)
            self.results[key] = (status, result["reason"], result.get("source"), mapping)
            self.failed += status == "FAILED"
            self._pending.pop(key, None)

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

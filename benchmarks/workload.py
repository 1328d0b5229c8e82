"""The benchmark's only contact with the engine: every engine, Operate and projection call.

The engine's internals are being reshaped; when a name changes, this module is the one place
the benchmarks change. Everything else under `benchmarks/` sees the `Workload` class below
and plain values (keys, counts, store settings).

The workload is the one of issue 9: a process with one service task (`models/bench-v1.bpmn`),
N instances created with three variables each, one batch migration of all of them to
`bench-v2.bpmn` through the Operate batch operation (what `engine-sim migrate --all --yes`
runs), then one job completion per instance.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engine_sim.app import EngineApp
from engine_sim.cli.main import GC_THRESHOLDS
from engine_sim.engine import commands
from engine_sim.persistence import parse_store_url
from engine_sim.projections import ListFilter
from migration.operate import CHUNK_SIZE, Selection

MODELS = Path(__file__).resolve().parent / "models"
PROCESS_ID = "benchOrder"
TASK = "work"  # the service task every instance waits at, in both versions
SOURCE_VERSION, TARGET_VERSION = 1, 2
# the GC thresholds the CLI sets (engine_sim.cli.main), so figures match what users get
GC_SETTINGS = GC_THRESHOLDS
MIGRATION_CHUNK = CHUNK_SIZE

# what a recorder write looks like to the tap: the stored events of one transaction
StoredEvents = Sequence[Any]


class WorkloadError(RuntimeError):
    """The engine did not do what the workload asked: the figures would be meaningless."""


def store_settings(url: str) -> tuple[str, dict[str, str]]:
    """(kind, eventsourcing environment) of a store URL: what the floor writes to."""
    store = parse_store_url(url)
    return store.kind, dict(store.env)


def clear_store(url: str) -> None:
    """Empty the store (an SQLite file is deleted, PostgreSQL tables are dropped)."""
    parse_store_url(url).clear()


def variables_of(index: int) -> dict[str, Any]:
    """The three variables of instance `index`."""
    return {"orderId": f"order-{index}", "amount": 100 + index % 900, "express": index % 2 == 0}


class Workload:
    """One engine on one store, opened as the CLI opens it (`engine-sim create/migrate`:
    the composition root `EngineApp`, following real time)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.app = EngineApp(url)
        self.engine = self.app.engine
        self._views_open = False

    # -- setup -----------------------------------------------------------------------------
    def deploy(self) -> None:
        for version in (SOURCE_VERSION, TARGET_VERSION):
            name = f"bench-v{version}.bpmn"
            outcome = self.engine.deploy((MODELS / name).read_bytes(), name)
            if outcome.rejection is not None:
                raise WorkloadError(f"deploying {name}: {outcome.rejection}")
        deployed = self.engine.catalog.get(PROCESS_ID, TARGET_VERSION)
        if deployed is None:
            raise WorkloadError(f"{PROCESS_ID} version {TARGET_VERSION} is not deployed")

    def tap_store_writes(self, tap: Callable[[StoredEvents], None]) -> None:
        """Call `tap` with the stored events of each transaction the engine writes to the
        event store (the floor replays the same writes)."""
        recorder = self.engine.app.recorder
        insert = recorder.insert_events

        def tapped(stored_events: StoredEvents, **kwargs: Any) -> Any:
            tap(stored_events)
            return insert(stored_events, **kwargs)

        recorder.insert_events = tapped  # type: ignore[method-assign]

    # -- the phases ------------------------------------------------------------------------
    def create(self, start: int, count: int) -> list[int]:
        """Create `count` instances of v1, one command each, written in groups as
        `engine-sim create --count` writes them (`Engine.group_commit`)."""
        keys = []
        create_instance = commands.create_instance
        with self.engine.group_commit():
            for index in range(start, start + count):
                outcome = create_instance(self.engine, PROCESS_ID, SOURCE_VERSION,
                                          variables_of(index))
                if outcome.rejection is not None:
                    raise WorkloadError(f"creating instance {index}: {outcome.rejection}")
                keys.append(outcome.result)
        return keys

    def open_views(self) -> None:
        """Open the list view, the operations view and Operate as `engine-sim migrate` does,
        and catch them up with the store."""
        self.app.views()
        self._views_open = True

    def migrate_all(self) -> int:
        """One batch migration of every v1 instance to v2 (`migrate --all --yes`, without the
        preview's dry run): the batch is created, run chunk by chunk and the views catch up.
        Returns the operation key."""
        if not self._views_open:
            raise WorkloadError("open_views() first")
        operate = self.app.operate
        selection = Selection(filter=ListFilter(process=PROCESS_ID, version=SOURCE_VERSION))
        outcome, operation = operate.migrate(selection, PROCESS_ID, TARGET_VERSION, (), True,
                                             run=False)
        if operation is None:
            raise WorkloadError(f"the batch migration was rejected: {outcome.rejection}")
        operate.run_operations(operation, chunk_size=MIGRATION_CHUNK)
        return operation

    def check_migrated(self, operation: int, expected: int) -> None:
        view = self.app.operate.operation_view(operation)
        if view.get("completed") != expected or view.get("failed"):
            raise WorkloadError(f"expected {expected} migrated instances; the operation: {view}")

    def complete_jobs(self, keys: Sequence[int]) -> None:
        """Complete the `work` job of each instance (one command each, as `engine-sim jobs`)."""
        complete_job = commands.complete_job
        for key in keys:
            outcome = complete_job(self.engine, key, TASK, {"checked": True})
            if outcome.rejection is not None:
                raise WorkloadError(f"completing the job of {key}: {outcome.rejection}")

    # -- figures and lifetime --------------------------------------------------------------
    def records_written(self) -> int:
        """Records the engine has written so far (each record takes one log position)."""
        return self.engine._next_position - 1

    def close(self) -> None:
        self.app.close()

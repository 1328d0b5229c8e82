"""Where a store's commands go and its views are read: one partition, or a partitioned
store through `Cluster`.

The public API (`engine_sim.api.Engine`) and the scenario runner (`engine-sim replay`) each
have one code path; what differs between a store of one partition and a partitioned
PostgreSQL store (docs/scaling.md) is behind the small `Target` interface:

- `OnePartition` is the one `EngineApp` (keeping its record log in memory), as the CLI drives
  it: its records and results are those a one-partition replay has always written.
- `Partitioned` routes through `Cluster`: each command to its partition (to the partition's
  worker when a worker runs it, waiting for the outcome), deployments distributed, messages
  to their correlation key's partition, signals broadcast, every partition's clock moved. A
  batch migration is one operation per partition holding selected instances, so batch
  methods take and return the operations' keys; each partition keeps its own record log.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any, Protocol

from engine_sim.app import EngineApp
from engine_sim.engine import DeployResource, Outcome
from engine_sim.engine.commands import Command
from engine_sim.engine.state import InstanceState
from engine_sim.partitions.cluster import Cluster, merged
from engine_sim.persistence import Store
from engine_sim.persistence.partitions import partition_count
from engine_sim.projections import AnyListView
from engine_sim.records import Record
from engine_sim.timeutil import Duration
from migration.operate import Selection

Pairs = tuple[tuple[str, str], ...]
OnChunk = Callable[[Outcome], object]


class Target(Protocol):
    """What `Engine` and the scenario runner need of a store: commands, batch operations
    and reads."""

    partitions: int

    @property
    def app(self) -> EngineApp: ...
    @property
    def cluster(self) -> Cluster | None: ...
    @property
    def now(self) -> datetime: ...
    def execute(self, command: Command) -> Outcome: ...
    def group_commit(self) -> AbstractContextManager[None]: ...
    def advance_clock(self, duration: Duration) -> list[Outcome]: ...
    def migrate_instance(self, key: int, process: str, version: int | None, pairs: Pairs,
                         auto_map: bool) -> Outcome: ...
    def preview(self, selection: Selection, process: str, version: int | None, pairs: Pairs,
                auto_map: bool) -> dict[str, Any]: ...
    def migrate(self, selection: Selection, process: str, version: int | None, pairs: Pairs,
                auto_map: bool, run: bool) -> tuple[Outcome, list[int]]: ...
    def revert(self, keys: Sequence[int], run: bool) -> tuple[Outcome, list[int]]: ...
    def run_operations(self, keys: Sequence[int] | None, on_chunk: OnChunk) -> None: ...
    def views(self) -> AnyListView: ...
    def operation_row(self, key: int) -> dict[str, Any]: ...
    def operation_rows(self) -> list[dict[str, Any]]: ...
    def instance(self, key: int) -> InstanceState | None: ...
    def log(self, key: int | None, partition: int | None) -> list[Record]: ...
    def logs(self) -> list[tuple[int, list[Record]]]: ...
    def log_ends(self) -> list[int]: ...
    def close(self) -> None: ...


def open_target(store: Store, start_time: datetime) -> OnePartition | Partitioned:
    if partition_count(store) > 1:
        return Partitioned(store, start_time)
    return OnePartition(store, start_time)


class OnePartition:
    """One engine: every call is the `EngineApp` call the CLI and the scenario runner make."""

    partitions = 1
    cluster = None

    def __init__(self, store: Store, start_time: datetime) -> None:
        self.app = EngineApp(store, start_time=start_time, record_log=True)

    @property
    def now(self) -> datetime:
        return self.app.engine.clock.now

    def execute(self, command: Command) -> Outcome:
        return self.app.engine.execute(command)

    def group_commit(self) -> AbstractContextManager[None]:
        """The commands run inside written in one transaction (`Engine.group_commit`)."""
        return self.app.engine.group_commit()

    def advance_clock(self, duration: Duration) -> list[Outcome]:
        return self.app.engine.advance_clock(duration)

    def migrate_instance(self, key: int, process: str, version: int | None, pairs: Pairs,
                         auto_map: bool) -> Outcome:
        return self.app.operate.migrate_instance(key, process, version, pairs, auto_map)

    def preview(self, selection: Selection, process: str, version: int | None, pairs: Pairs,
                auto_map: bool) -> dict[str, Any]:
        return self.app.operate.preview(selection, process, version, pairs, auto_map)

    def migrate(self, selection: Selection, process: str, version: int | None, pairs: Pairs,
                auto_map: bool, run: bool) -> tuple[Outcome, list[int]]:
        outcome, key = self.app.operate.migrate(selection, process, version, pairs, auto_map, run)
        return outcome, [] if key is None else [key]

    def revert(self, keys: Sequence[int], run: bool) -> tuple[Outcome, list[int]]:
        reverted = [self.app.operate.revert(key, run) for key in keys]
        return _gathered([(outcome, key) for outcome, key in reverted])

    def run_operations(self, keys: Sequence[int] | None, on_chunk: OnChunk) -> None:
        for key in [None] if keys is None else keys:
            self.app.operate.run_operations(key, on_chunk=on_chunk)

    def views(self) -> AnyListView:
        return self.app.views()

    def operation_row(self, key: int) -> dict[str, Any]:
        return self.app.operate.operation_view(key)

    def operation_rows(self) -> list[dict[str, Any]]:
        self.app.views()
        return [row.as_dict() for row in self.app.operate.operations.all()]

    def instance(self, key: int) -> InstanceState | None:
        return self.app.engine.instance(key)

    def log(self, key: int | None, partition: int | None) -> list[Record]:
        """The whole record log, or instance `key`'s records, in position order."""
        self.app.follower.catch_up()
        assert self.app.log is not None
        if partition not in (None, 1):
            return []
        return self.app.log.stream(key)

    def logs(self) -> list[tuple[int, list[Record]]]:
        return [(1, self.log(None, None))]

    def log_ends(self) -> list[int]:
        """Where the log stands (its last notification id): what only reads leaves as is."""
        return [self.app.engine.app.recorder.max_notification_id() or 0]

    def close(self) -> None:
        self.app.close()


class Partitioned:
    """A partitioned PostgreSQL store through `Cluster` (docs/scaling.md). A partition is run
    in this process while its writer lease is free, and by its worker otherwise; batch
    operations run by workers are waited for, as one partition runs them before it returns."""

    def __init__(self, store: Store, start_time: datetime) -> None:
        self.cluster = Cluster(store, start_time=start_time, record_log=True)
        self.partitions = self.cluster.count
        self._clock = self.cluster.app(1).engine.clock.now  # where partition 1's log stopped

    @property
    def app(self) -> EngineApp:
        raise TypeError(f"the store has {self.partitions} partitions, each its own EngineApp: "
                        "use engine.cluster (engine_sim.partitions.Cluster)")

    @property
    def now(self) -> datetime:
        """Partition 1's clock: its own when this process runs it, otherwise where its log
        stopped when opened, moved by each `advance_clock` (each partition has its own)."""
        engine = self.cluster.app(1).engine
        return engine.clock.now if engine.writer_lease.held else self._clock

    def execute(self, command: Command) -> Outcome:
        if isinstance(command, DeployResource):
            return self.cluster.deploy(command.xml, command.resource_name)
        return self.cluster.execute(command)

    def group_commit(self) -> AbstractContextManager[None]:
        """Nothing: each command is written as it runs, so the partitions' records are
        written in the order their commands ran (`Cluster.group_commit` writes each
        partition's group in turn when the block ends)."""
        return nullcontext()

    def advance_clock(self, duration: Duration) -> list[Outcome]:
        outcomes = self.cluster.advance_clock(duration)
        self._clock = duration.add_to(self._clock)
        return outcomes

    def migrate_instance(self, key: int, process: str, version: int | None, pairs: Pairs,
                         auto_map: bool) -> Outcome:
        return self.cluster.migrate_instance(key, process, version, pairs, auto_map)

    def preview(self, selection: Selection, process: str, version: int | None, pairs: Pairs,
                auto_map: bool) -> dict[str, Any]:
        return self.cluster.preview(selection, process, version, pairs, auto_map)

    def migrate(self, selection: Selection, process: str, version: int | None, pairs: Pairs,
                auto_map: bool, run: bool) -> tuple[Outcome, list[int]]:
        created = self.cluster.migrate(selection, process, version, pairs, auto_map, run)
        return self._ran(_gathered([(outcome, key) for _, outcome, key in created]), run)

    def revert(self, keys: Sequence[int], run: bool) -> tuple[Outcome, list[int]]:
        created = self.cluster.revert(keys, run)
        return self._ran(_gathered([(outcome, key) for _, outcome, key in created]), run)

    def _ran(self, created: tuple[Outcome, list[int]], run: bool) -> tuple[Outcome, list[int]]:
        if run:
            self.wait(created[1])  # the workers' partitions run their chunks in their loops
        return created

    def run_operations(self, keys: Sequence[int] | None, on_chunk: OnChunk) -> None:
        """This process's partitions' chunks now (their outcomes to `on_chunk`), then the
        workers' partitions' operations waited for."""
        keys = self.cluster.pending_operations() if keys is None else list(keys)
        self.cluster.run_operations(keys, on_chunk)
        self.wait(keys)

    def wait(self, keys: Sequence[int]) -> None:
        """Until every operation of `keys` is COMPLETED (`Cluster.wait_for`)."""
        self.cluster.wait_for(keys)

    def views(self) -> AnyListView:
        return self.cluster.views()

    def operation_row(self, key: int) -> dict[str, Any]:
        self.cluster.views()
        return self.cluster.apps[0].operate.operation_view(key)

    def operation_rows(self) -> list[dict[str, Any]]:
        self.cluster.views()
        return [row.as_dict() for row in self.cluster.apps[0].operate.operations.all()]

    def instance(self, key: int) -> InstanceState | None:
        return self.cluster.instance(key)

    def log(self, key: int | None, partition: int | None) -> list[Record]:
        """Partition by partition, each its own log in position order; an instance's
        records are those of its partition's log."""
        self.cluster.views()  # every partition's follower caught up, its record log too
        if key is not None:
            partitions = [self.cluster.home(key)]
        else:
            partitions = list(range(1, self.partitions + 1))
        found: list[Record] = []
        for number in partitions:
            log = self.cluster.app(number).log
            if log is not None and partition in (None, number):
                found.extend(log.stream(key))
        return found

    def logs(self) -> list[tuple[int, list[Record]]]:
        """Each partition's whole log (`Engine.export_records` marks each line with it)."""
        return [(n, self.log(None, n)) for n in range(1, self.partitions + 1)]

    def log_ends(self) -> list[int]:
        return [app.engine.app.recorder.max_notification_id() or 0 for app in self.cluster.apps]

    def close(self) -> None:
        self.cluster.close()


def _gathered(created: list[tuple[Outcome, int | None]]) -> tuple[Outcome, list[int]]:
    """The outcomes of one operation per partition as one: every record, the first
    rejection (a bad plan is refused on every partition alike), and the created keys."""
    outcome = merged([o for o, _ in created])
    rejection = next((o.rejection for o, _ in created if o.rejection is not None), None)
    keys = [key for _, key in created if key is not None]
    return Outcome(records=outcome.records, rejection=rejection, result=outcome.result), keys

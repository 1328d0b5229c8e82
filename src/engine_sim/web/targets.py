"""What the web view drives: one engine (a memory, SQLite or one-partition PostgreSQL store,
the CLI's `session`) or every partition of a partitioned PostgreSQL store (a `Cluster`).

`WebService` asks the same questions of both; only what differs is here. On one engine a
batch operation is one key; on a partitioned store one confirmation creates one operation
per partition holding selected instances (`Cluster.migrate`), which `WebService` shows as
one. Every method runs on the service's one worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any, Protocol, TypeVar

from engine_sim.app import EngineApp
from engine_sim.cli.arguments import CliError
from engine_sim.cli.common import claim_store, cluster_of, open_store, session, store_partitions
from engine_sim.engine import Engine, Outcome, partition_of
from engine_sim.partitions import Cluster, WorkerTimeout
from engine_sim.partitions.cluster import DEFAULT_TIMEOUT
from engine_sim.persistence.lease import StoreBusy
from engine_sim.projections import AnyListView
from migration.batch import BatchOperation
from migration.operate import Selection
from migration.views import OperationRow

Pairs = tuple[tuple[str, str], ...]
LOG = logging.getLogger("engine_sim.web")


class Target(Protocol):
    def root(self) -> EngineApp | Cluster:
        """What the CLI's own checks take (the composition root, or the cluster)."""

    def definitions(self) -> Engine:
        """The engine whose catalog and deployments hold every definition, caught up."""

    def views(self) -> AnyListView:
        """The list view of the whole store, caught up (the operations view follows)."""

    def operation_row(self, key: int) -> OperationRow | None: ...

    def operation_rows(self) -> list[OperationRow]: ...

    def select(self, selection: Selection) -> list[int]: ...

    def preview(self, selection: Selection, process: str, version: int | None,
                pairs: Pairs) -> dict[str, Any]: ...

    def migrate(self, selection: Selection, process: str, version: int | None,
                pairs: Pairs) -> list[int]:
        """The batch operations created (not run yet), or a CliError."""

    def revert(self, operations: tuple[int, ...]) -> list[int]: ...

    def batch(self, operation: int) -> BatchOperation: ...

    def runs(self, operation: int) -> bool:
        """Whether this process runs `operation`'s chunks (else its partition's worker does)."""

    def run_chunk(self, operation: int, chunk_size: int) -> bool:
        """One chunk of `operation` run here; whether items are still pending."""

    def engine_of(self, key: int) -> Engine:
        """The engine holding instance `key`, caught up; a CliError for a foreign key."""


class OneEngine:
    """A one-partition store: the CLI's `session`, taking the writer lease on first write."""

    def __init__(self, stack: ExitStack, store_url: str, wait: float) -> None:
        self.s: EngineApp = stack.enter_context(session(store_url, wait=wait,
                                                        lease_on_first_write=True))

    def root(self) -> EngineApp | Cluster:
        return self.s

    def definitions(self) -> Engine:
        return self.s.engine

    def views(self) -> AnyListView:
        return self.s.views()

    def operation_row(self, key: int) -> OperationRow | None:
        return self.s.operate.operations.get(key)

    def operation_rows(self) -> list[OperationRow]:
        return list(self.s.operate.operations.all())

    def select(self, selection: Selection) -> list[int]:
        return self.s.operate.select(selection)

    def preview(self, selection: Selection, process: str, version: int | None,
                pairs: Pairs) -> dict[str, Any]:
        return self.s.operate.preview(selection, process, version, pairs, False)

    def migrate(self, selection: Selection, process: str, version: int | None,
                pairs: Pairs) -> list[int]:
        claim_store(self.s.engine)
        outcome, operation = self.s.operate.migrate(selection, process, version, pairs, False,
                                                    run=False)
        return [_created(outcome, operation, "--map")]

    def revert(self, operations: tuple[int, ...]) -> list[int]:
        claim_store(self.s.engine)
        outcome, created = self.s.operate.revert(operations[0], run=False)
        return [_created(outcome, created, "revert")]

    def batch(self, operation: int) -> BatchOperation:
        return self.s.operate.batch(operation)

    def runs(self, operation: int) -> bool:
        return True

    def run_chunk(self, operation: int, chunk_size: int) -> bool:
        self.s.operate.run_chunk(operation, chunk_size)  # one of what `run_operations` loops over
        self.s.follower.catch_up()
        return bool(self.s.operate.batch(operation).pending_count)

    def engine_of(self, key: int) -> Engine:
        return self.s.engine


class Partitions:
    """A partitioned store: a `Cluster`, which runs a partition in this process when its
    lease is free at the first write there (and holds it until the server stops), and sends
    the partition's commands to its worker when a worker holds it; with `workers`, to the
    worker always (a client only), waiting `timeout` seconds for its answer. A partition
    another command runs in its own process is waited for `wait` seconds."""

    def __init__(self, stack: ExitStack, store_url: str, wait: float, workers: bool,
                 timeout: float) -> None:
        self.cluster: Cluster = stack.enter_context(cluster_of(
            open_store(store_url, read_only=False), store_url, timeout=timeout, wait=wait))
        self.cluster.in_process = not workers

    def root(self) -> EngineApp | Cluster:
        return self.cluster

    def definitions(self) -> Engine:
        engine = self.cluster.app(1).engine  # the deployment partition
        engine.refresh()
        return engine

    def views(self) -> AnyListView:
        return self.cluster.views()

    def operation_row(self, key: int) -> OperationRow | None:
        return self.cluster.app(1).operate.operations.get(key)  # one table for every partition

    def operation_rows(self) -> list[OperationRow]:
        return list(self.cluster.app(1).operate.operations.all())

    def select(self, selection: Selection) -> list[int]:
        self.cluster.views()
        return self.cluster.app(1).operate.select(selection)

    def preview(self, selection: Selection, process: str, version: int | None,
                pairs: Pairs) -> dict[str, Any]:
        return self.cluster.preview(selection, process, version, pairs, False)

    def migrate(self, selection: Selection, process: str, version: int | None,
                pairs: Pairs) -> list[int]:
        created = _to_workers(lambda: self.cluster.migrate(selection, process, version, pairs,
                                                           False, run=False))
        return _fanned_out(created, "--map")

    def revert(self, operations: tuple[int, ...]) -> list[int]:
        return _fanned_out(_to_workers(lambda: self.cluster.revert(operations, run=False)),
                           "revert")

    def batch(self, operation: int) -> BatchOperation:
        app = self.cluster.app(partition_of(operation))
        app.engine.refresh()
        return app.operate.batch(operation)

    def runs(self, operation: int) -> bool:
        return _to_workers(lambda: self.cluster.local(partition_of(operation)))

    def run_chunk(self, operation: int, chunk_size: int) -> bool:
        partition = partition_of(operation)
        app = self.cluster.app(partition)
        outcome = app.operate.run_chunk(operation, chunk_size)
        if outcome is not None:
            try:  # e.g. message subscriptions migrated, to their message partition
                self.cluster.followed(partition, outcome)
            except WorkerTimeout as error:  # the chunk is saved; the request waits in its table
                LOG.warning("operation %s: %s", operation, error)
        app.follower.catch_up()
        return bool(app.operate.batch(operation).pending_count)

    def engine_of(self, key: int) -> Engine:
        if not 1 <= partition_of(key) <= self.cluster.count:
            raise CliError("KEY", f"no process instance with key {key}")
        engine = self.cluster.app(partition_of(key)).engine
        engine.refresh()
        return engine


def open_target(stack: ExitStack, store_url: str, wait: float, workers: bool = False,
                timeout: float = DEFAULT_TIMEOUT) -> Target:
    """The store's target: its partitions when it has more than one."""
    if store_partitions(store_url) > 1:
        return Partitions(stack, store_url, wait, workers, timeout)
    if workers:
        raise CliError("--workers", f"the store '{store_url}' has one partition and no "
                       "workers: serve it without --workers")
    return OneEngine(stack, store_url, wait)


def _created(outcome: Outcome, operation: int | None, argument: str) -> int:
    if operation is None:
        reason = (outcome.rejection or {}).get("rejectionReason", "rejected")
        raise CliError(argument, str(reason))
    return operation


Created = list[tuple[int, Outcome, int | None]]  # (partition, outcome, operation key)
T = TypeVar("T")


def _to_workers(send: Callable[[], T]) -> T:
    """A partition whose worker did not answer, or that another command held past `--wait`,
    is an error naming --store (a fan-out's operations created before it stay, ACTIVE: the
    operations list offers to resume them)."""
    try:
        return send()
    except (WorkerTimeout, StoreBusy, RuntimeError) as error:
        raise CliError("--store", str(error)) from None


def _fanned_out(created: Created, argument: str) -> list[int]:
    """The operations of a fan-out; its first refusal when no partition created one (every
    partition checks the same plan against the same definitions)."""
    keys = [key for _, _, key in created if key is not None]
    if not keys:
        if not created:
            raise CliError("selection", "no process instance selected")
        _created(created[0][1], None, argument)
    return keys

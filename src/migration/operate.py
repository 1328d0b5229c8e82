"""The Operate flow: select instances, preview, migrate in a batch, watch it, revert it.

Selections are read from the list view (a projection), never by scanning instances. The
plan is checked once before a batch is created (docs/migration.md, "Batch operations"); each item then runs
the `MigrateProcessInstance` checks and events of `migration.handler`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine_sim.engine import DeployedProcess, Engine, Outcome
from engine_sim.projections import (
    RUNNING_STATES,
    AnyListView,
    ListFilter,
    StreamFollower,
)
from migration import checks
from migration import messages as msg
from migration.batch import BatchOperation
from migration.batch_commands import CreateBatchOperation, ExecuteBatchOperation
from migration.handler import MigrateProcessInstance, validate
from migration.plan import MigrationPlan
from migration.service import install
from migration.views import OperationsView, SqlOperationsView, open_operations_view
from migration.walk import INVALID_STATE, NOT_FOUND, Rejection

CHUNK_SIZE = 500
NO_PLAN = MigrationPlan.of(-1, (), False)  # stands in where no target could be resolved
Pairs = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Selection:
    """Instance keys, or a list-view filter; frozen into keys when an operation is created."""

    keys: tuple[int, ...] | None = None
    filter: ListFilter | None = None


class Operate:
    def __init__(self, engine: Engine, list_view: AnyListView, follower: StreamFollower,
                 operations: OperationsView | SqlOperationsView | None = None) -> None:
        self.engine = engine
        self.list_view = list_view
        self.follower = follower
        self.operations = operations if operations is not None else open_operations_view(list_view)
        follower.projections.append(self.operations)
        self.processors = install(engine)

    # -- target resolution ---------------------------------------------------------------
    def target(self, process: str, version: int | None) -> DeployedProcess | Rejection:
        deployed = self.engine.catalog.get(process, version)
        if deployed is not None:
            return deployed
        template = msg.NO_TARGET_LATEST if version is None else msg.NO_TARGET_BY_ID
        return Rejection(NOT_FOUND, template.format(process=process, version=version))

    # -- one instance --------------------------------------------------------------------
    def migrate_instance(self, key: int, process: str, version: int | None, pairs: Pairs,
                         auto_map: bool) -> Outcome:
        target = self.target(process, version)
        if isinstance(target, Rejection):  # no plan without a target: the command is refused
            return self.engine.execute(MigrateProcessInstance(key, NO_PLAN, target))
        return self.engine.execute(
            MigrateProcessInstance(key, MigrationPlan.of(target.key, pairs, auto_map)))

    # -- selections ----------------------------------------------------------------------
    def select(self, selection: Selection) -> list[int]:
        self.follower.catch_up()
        if selection.keys is not None:
            return list(dict.fromkeys(selection.keys))
        return self.list_view.keys(selection.filter or ListFilter())

    def _split(self, keys: list[int]) -> tuple[list[int], list[int]]:
        """The running keys of the selection, and the others (ignored); no row is loaded."""
        states = self.list_view.states(keys)
        running: list[int] = []
        ignored: list[int] = []
        for key in keys:
            (running if states.get(key) in RUNNING_STATES else ignored).append(key)
        return running, ignored

    def check_plan(self, selection: Selection, target: DeployedProcess | Rejection,
                   pairs: Pairs) -> Rejection | None:
        """§5: rules 2, 3 and 5 once, and rule 4 when the selection names one version."""
        rejection = checks.check_duplicate_sources(list(pairs))
        if rejection is None and isinstance(target, Rejection):
            rejection = target
        if rejection is None and isinstance(target, DeployedProcess):
            rejection = checks.check_targets_exist(list(pairs), target)
        flt = selection.filter
        if rejection is None and flt is not None and flt.process and flt.version is not None:
            source = self.engine.catalog.get(flt.process, flt.version)
            if source is not None:
                rejection = checks.check_sources_exist(list(pairs), source)
        return rejection

    # -- preview -------------------------------------------------------------------------
    def preview(self, selection: Selection, process: str, version: int | None, pairs: Pairs,
                auto_map: bool) -> dict[str, Any]:
        """Counts per source and target element, ignored instances and the dry run's
        failures. Writes nothing."""
        running_keys, ignored = self._split(self.select(selection))
        rows = self.list_view.get_many(running_keys)
        running = [rows[key] for key in running_keys]
        target = self.target(process, version)
        plan_problem = self.check_plan(selection, target, pairs)
        counts: Counter[str] = Counter()
        targets: Counter[str] = Counter()
        failures: dict[int, str] = {}
        for row in running:
            key = row.key
            counts.update(set(row.active_elements()))
            if plan_problem is not None or isinstance(target, Rejection):
                failures[key] = (plan_problem or target).reason  # type: ignore[union-attr]
                continue
            plan = MigrationPlan.of(target.key, pairs, auto_map)
            result = validate(self.engine.catalog, self.engine.instance(key), key, plan)
            if isinstance(result, Rejection):
                failures[key] = result.reason
            else:
                targets.update({result.targets[leaf.key] for leaf in result.state.leaves()})
        return {"counts": dict(counts), "targets": dict(targets), "ignored": len(ignored),
                "ignoredKeys": ignored, "failures": failures, "total": len(running)}

    # -- batch operations ----------------------------------------------------------------
    def migrate(self, selection: Selection, process: str, version: int | None, pairs: Pairs,
                auto_map: bool, run: bool = True) -> tuple[Outcome, int | None]:
        keys = self.select(selection)
        target = self.target(process, version)
        rejection = self.check_plan(selection, target, pairs)
        if rejection is not None:
            return self.engine.execute(CreateBatchOperation([], [], rejection)), None
        assert isinstance(target, DeployedProcess)
        running, ignored = self._split(keys)
        mapping = [list(pair) for pair in pairs]
        items = [{"key": key, "target": target.key, "mapping": mapping, "autoMap": auto_map}
                 for key in running]
        return self._create(items, ignored, run)

    def revert(self, operation_key: int, run: bool = True) -> tuple[Outcome, int | None]:
        """§6: a COMPLETED migration is undone by a new batch migrating each instance it
        completed back to its former definition with the inverse of the applied mapping."""
        batch = self.batch(operation_key)
        if batch.state != "COMPLETED":
            reason = msg.OPERATION_NOT_COMPLETED.format(id=operation_key, state=batch.state)
            refused = CreateBatchOperation([], [], Rejection(INVALID_STATE, reason))
            return self.engine.execute(refused), None
        items = [
            {"key": r["key"], "target": r["source"], "mapping": inverse(r["mapping"]), "autoMap": False}
            for r in sorted(batch.completed_results(), key=lambda r: r["key"])
        ]
        return self._create(items, [], run)

    def _create(self, items: list[dict[str, Any]], ignored: list[int],
                run: bool) -> tuple[Outcome, int | None]:
        outcome = self.engine.execute(CreateBatchOperation(items, ignored))
        if outcome.rejected:
            return outcome, None
        key = outcome.result
        if run:
            self.run_operations(key)
        return outcome, key

    def batch(self, key: int) -> BatchOperation:
        return self.processors.batch(key)

    def run_operations(self, operation_key: int | None = None, chunk_size: int = CHUNK_SIZE,
                       on_chunk: Callable[[Outcome], object] | None = None) -> int:
        """Execute pending items chunk by chunk, every item exactly once; return the number
        of chunks. Each chunk's outcome goes to `on_chunk` and is not kept here: a batch of
        a million instances would otherwise hold every record it wrote."""
        keys = [operation_key] if operation_key is not None else self.pending_operations()
        chunks = 0
        for key in keys:
            while (outcome := self.run_chunk(key, chunk_size)) is not None:
                chunks += 1
                if on_chunk is not None:
                    on_chunk(outcome)
        self.follower.catch_up()
        return chunks

    def run_chunk(self, operation_key: int, chunk_size: int = CHUNK_SIZE) -> Outcome | None:
        """Execute the next chunk of an operation (its outcome's result: the chunk's keys);
        None when nothing is pending."""
        batch = self.batch(operation_key)
        if not batch.pending_count:
            return None
        return self._run_chunk(batch, batch.next_chunk(chunk_size))

    def pending_operations(self) -> list[int]:
        self.follower.catch_up()
        return [row.key for row in self.operations.all() if row.state == "ACTIVE"]

    def _run_chunk(self, batch: BatchOperation, chunk: list[int]) -> Outcome:
        try:
            return self.engine.execute(ExecuteBatchOperation(batch.key, tuple(chunk)))
        except BaseException:
            self.processors.forget(batch.key)
            raise

    # -- the operations view -------------------------------------------------------------
    def operation_view(self, key: int) -> dict[str, Any]:
        self.follower.catch_up()
        row = self.operations.get(key)
        if row is None:
            raise KeyError(key)
        return row.as_dict()


def inverse(mapping: list[list[str]]) -> list[list[str]]:
    """The inverse of an applied mapping; a target that two sources shared gets no pair."""
    by_target: dict[str, list[str]] = {}
    for source, target in mapping:
        by_target.setdefault(target, []).append(source)
    return [[target, sources[0]] for target, sources in by_target.items() if len(sources) == 1]

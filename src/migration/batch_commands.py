"""The batch operation's commands and their processors: creating a batch and executing one
chunk of it (Zeebe's `BatchOperationCreateProcessor` and its execution step)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine_sim.engine import Command, CommandContext, Engine, Rejected, rejection_record
from engine_sim.records import Intent, ValueType
from migration.batch import OPERATION_TYPE, BatchOperation, ChunkOwner, NewBatchOwner, operation_id
from migration.handler import MigrateProcessInstance, MigrationProcessor, validate
from migration.walk import Rejection

BATCH_OPERATION = ValueType.BATCH_OPERATION
OPERATION = ValueType.OPERATION


@dataclass(frozen=True)
class CreateBatchOperation(Command):
    VALUE_TYPE = BATCH_OPERATION
    INTENT = Intent.CREATE
    items: list[dict[str, Any]]  # {key, target, mapping: [[source, target]], autoMap}
    ignored: list[int]
    # the plan checks run on the whole selection by the caller, which reads the list view
    problem: Rejection | None = None


@dataclass(frozen=True)
class ExecuteBatchOperation(Command):
    VALUE_TYPE = BATCH_OPERATION
    INTENT = Intent.EXECUTE
    batch_key: int
    chunk: tuple[int, ...]

    @property
    def key(self) -> int:
        return self.batch_key


class BatchProcessors:
    """Creates batches and runs their chunks; keeps the batches it knows in memory."""

    def __init__(self, engine: Engine, migration: MigrationProcessor) -> None:
        self.engine = engine
        self.migration = migration
        self.batches: dict[int, BatchOperation] = {}

    def batch(self, key: int) -> BatchOperation:
        batch = self.batches.get(key)
        if batch is None:
            batch = self.engine.aggregate(operation_id(key))
            assert isinstance(batch, BatchOperation)
            self.batches[key] = batch
        return batch

    def forget(self, key: int) -> None:
        """A chunk failed unexpectedly: the store holds the truth; reload it next time."""
        self.batches.pop(key, None)

    # -- processors ------------------------------------------------------------------------
    def create(self, ctx: CommandContext, cmd: CreateBatchOperation) -> int:
        if cmd.problem is not None:
            raise Rejected(cmd.problem.type, cmd.problem.reason)
        key = ctx.new_key()
        owner = NewBatchOwner(key, cmd.items, cmd.ignored, self.batches)
        ctx.write(None, BATCH_OPERATION, Intent.CREATED, key, owner=owner,
                  batchOperationType=OPERATION_TYPE, itemKeys=[i["key"] for i in cmd.items],
                  ignoredKeys=cmd.ignored)
        if not cmd.items:
            ctx.write(None, BATCH_OPERATION, Intent.COMPLETED, key, owner=owner,
                      completed=0, failed=0)
        return key

    def execute(self, ctx: CommandContext, cmd: ExecuteBatchOperation) -> tuple[int, ...]:
        batch = self.batch(cmd.batch_key)
        self.engine.preload(cmd.chunk)  # one read for the chunk's instances not in memory
        owner = ChunkOwner(batch)
        for key in cmd.chunk:
            self._run_item(ctx, batch, owner, key)
        if batch.pending_count == len(cmd.chunk):
            failed = batch.failed + sum(1 for r in owner.results if r["status"] == "FAILED")
            total = len(batch.items)
            ctx.write(None, BATCH_OPERATION, Intent.COMPLETED, batch.key, owner=owner,
                      completed=total - failed, failed=failed)
        return cmd.chunk

    def _run_item(self, ctx: CommandContext, batch: BatchOperation, owner: ChunkOwner,
                  key: int) -> None:
        plan = batch.plan_of(key)
        result = validate(self.engine.catalog, ctx.instance(key), key, plan)
        common: dict[str, Any] = {"batchOperationKey": batch.key, "processInstanceKey": key,
                  "batchOperationType": OPERATION_TYPE}
        if isinstance(result, Rejection):
            rejection_record(ctx, MigrateProcessInstance(key, plan), result.type, result.reason,
                             owner=owner)
            ctx.write(None, OPERATION, Intent.FAILED, key, owner=owner,
                      errorMessage=result.reason, rejectionType=result.type, **common)
            owner.results.append({"key": key, "status": "FAILED", "reason": result.reason})
            return
        source = result.state.definition_key
        self.migration.apply(ctx, result)
        ctx.write(None, OPERATION, Intent.COMPLETED, key, owner=owner, **common)
        owner.results.append({"key": key, "status": "COMPLETED", "reason": "", "source": source,
                              "mapping": [list(pair) for pair in result.mapping.items()]})

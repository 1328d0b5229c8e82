"""Migration on an engine: `install` registers migration's command processors with it (the
engine knows nothing of migration), `migrate_instance` is the short Python face of the
`MigrateProcessInstance` command."""

from __future__ import annotations

from weakref import WeakKeyDictionary

from engine_sim.engine import Engine, Outcome
from migration.batch_commands import BatchProcessors, CreateBatchOperation, ExecuteBatchOperation
from migration.handler import MigrateProcessInstance, MigrationProcessor
from migration.plan import MigrationPlan

_INSTALLED: WeakKeyDictionary[Engine, BatchProcessors] = WeakKeyDictionary()


def install(engine: Engine) -> BatchProcessors:
    """Register the processors of migration's commands with `engine` (once per engine)."""
    installed = _INSTALLED.get(engine)
    if installed is None:
        migration = MigrationProcessor(engine.behaviors)
        installed = _INSTALLED[engine] = BatchProcessors(engine, migration)
        engine.register(MigrateProcessInstance, migration)
        engine.register(CreateBatchOperation, installed.create)
        engine.register(ExecuteBatchOperation, installed.execute)
    return installed


def migrate_instance(engine: Engine, key: int, plan: MigrationPlan) -> Outcome:
    install(engine)
    return engine.execute(MigrateProcessInstance(key, plan))

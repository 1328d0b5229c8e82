"""Process instance migration: plans, checks, the command handler, batch operations.

The public API: `MigrationPlan` (plan.py), `migrate_instance` and `validate` (handler.py),
`Operate` and `Selection` (operate.py: preview, batch, revert), `migrations_of` (history.py).
"""

from migration.handler import MigrateProcessInstance, validate
from migration.history import MigrationEntry, migrations_of
from migration.plan import MappingInstruction, MigrationPlan
from migration.service import install, migrate_instance

__all__ = [
    "MappingInstruction",
    "MigrateProcessInstance",
    "MigrationEntry",
    "MigrationPlan",
    "install",
    "migrate_instance",
    "migrations_of",
    "validate",
]

"""The operations view (Operate's batch operations list), folded from BATCH_OPERATION and
OPERATION records by the same stream follower as the list view.

`OperationsView` keeps its rows in memory (the memory store); `SqlOperationsView` keeps them
in `engine_sim_operations` and `engine_sim_operation_failures`, written with its position in
one transaction per folded page, so it survives a restart (see `engine_sim.projections.sql`).
`open_operations_view` picks the one that matches the list view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import msgspec

from engine_sim.projections import (
    AnyListView,
    MemoryProjection,
    SqlListView,
    SqlProjection,
)
from engine_sim.records import Intent, RecordType, ValueType

Record = dict[str, Any]


@dataclass
class OperationRow:
    key: int
    type: str
    total: int
    ignored: int
    ignored_keys: list[int]
    start_time: str
    end_time: str = ""
    completed: int = 0
    failed: int = 0
    failures: dict[int, str] = field(default_factory=dict)

    @property
    def state(self) -> str:
        return "COMPLETED" if self.completed + self.failed >= self.total else "ACTIVE"

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key, "type": self.type, "state": self.state, "total": self.total,
            "completed": self.completed, "failed": self.failed, "ignored": self.ignored,
            "failures": dict(self.failures), "ignoredKeys": list(self.ignored_keys),
            "startDate": self.start_time, "endDate": self.end_time or None,
        }


def folds(record: Record) -> bool:
    return (record["recordType"] == RecordType.EVENT
            and record["valueType"] in (ValueType.BATCH_OPERATION, ValueType.OPERATION))


def operation_key_of(record: Record) -> int:
    key: int = record["key"] if record["valueType"] == ValueType.BATCH_OPERATION else record["batchOperationKey"]
    return key


def fold_operation(rows: dict[int, OperationRow], record: Record) -> int | None:
    """Fold one record into its operation's row; return the operation key it changed."""
    if not folds(record):
        return None
    value_type, intent = record["valueType"], record["intent"]
    if value_type == ValueType.BATCH_OPERATION and intent == Intent.CREATED:
        rows[record["key"]] = OperationRow(
            key=record["key"], type=record["batchOperationType"],
            total=len(record["itemKeys"]), ignored=len(record["ignoredKeys"]),
            ignored_keys=list(record["ignoredKeys"]), start_time=record["timestamp"],
        )
        key: int = record["key"]
        return key
    row = rows.get(operation_key_of(record))
    if row is None:
        return None
    if value_type == ValueType.BATCH_OPERATION and intent == Intent.COMPLETED:
        row.end_time = record["timestamp"]
    elif intent == Intent.COMPLETED:
        row.completed += 1
    elif intent == "FAILED":
        row.failed += 1
        row.failures[record["processInstanceKey"]] = record["errorMessage"]
    return row.key


class OperationsView(MemoryProjection):
    def __init__(self) -> None:
        self.position = 0
        self.rows: dict[int, OperationRow] = {}

    def fold(self, record: Record) -> None:
        fold_operation(self.rows, record)

    def get(self, key: int) -> OperationRow | None:
        return self.rows.get(key)

    def all(self) -> list[OperationRow]:
        return [self.rows[k] for k in sorted(self.rows)]


NAME = "operations"
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS engine_sim_operations (
        operation_key BIGINT PRIMARY KEY,
        type TEXT NOT NULL,
        total INTEGER NOT NULL,
        ignored INTEGER NOT NULL,
        ignored_keys TEXT NOT NULL,
        start_time TEXT NOT NULL,
        end_time TEXT NOT NULL,
        completed INTEGER NOT NULL,
        failed INTEGER NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS engine_sim_operation_failures (
        operation_key BIGINT NOT NULL,
        instance_key BIGINT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (operation_key, instance_key)
    )""",
]
COLUMNS = "operation_key, type, total, ignored, ignored_keys, start_time, end_time, completed, failed"
UPSERT = (
    f"INSERT INTO engine_sim_operations ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (operation_key) DO UPDATE SET end_time = excluded.end_time, "
    "completed = excluded.completed, failed = excluded.failed"
)
UPSERT_FAILURE = (
    "INSERT INTO engine_sim_operation_failures (operation_key, instance_key, reason) "
    "VALUES (?, ?, ?) ON CONFLICT (operation_key, instance_key) DO UPDATE SET reason = excluded.reason"
)
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(list[int]).decode


def _from_sql(values: tuple[Any, ...]) -> OperationRow:
    key, type_, total, ignored, ignored_keys, start, end, completed, failed = values
    return OperationRow(key=key, type=type_, total=total, ignored=ignored,
                        ignored_keys=_decode(ignored_keys), start_time=start, end_time=end,
                        completed=completed, failed=failed)


class SqlOperationsView(SqlProjection):
    """The operations view on SQLite or PostgreSQL: `get` and `all` as `OperationsView`'s."""

    NAME = NAME
    SCHEMA = SCHEMA

    @staticmethod
    def folds(record: dict[str, Any]) -> bool:
        return folds(record)


    def _fold(self, records: list[Record]) -> None:
        # the touched rows without their failures: after the fold, `failures` holds the new ones
        rows = {row.key: row for row in self._load({operation_key_of(r) for r in records})}
        changed = {key for r in records if (key := fold_operation(rows, r)) is not None}
        written = [rows[key] for key in sorted(changed)]
        self.db.executemany(UPSERT, [
            (row.key, row.type, row.total, row.ignored, _encode(row.ignored_keys).decode(),
             row.start_time, row.end_time, row.completed, row.failed)
            for row in written
        ])
        self.db.executemany(UPSERT_FAILURE, [
            (row.key, instance, reason) for row in written for instance, reason in row.failures.items()
        ])

    def _load(self, keys: Iterable[int]) -> list[OperationRow]:
        found = self.db.query_in(
            f"SELECT {COLUMNS} FROM engine_sim_operations WHERE operation_key IN ({{}})", sorted(keys)
        )
        return [_from_sql(values) for values in found]

    def _with_failures(self, rows: list[OperationRow]) -> list[OperationRow]:
        by_key = {row.key: row for row in rows}
        if by_key:
            found = self.db.query_in(
                "SELECT operation_key, instance_key, reason FROM engine_sim_operation_failures "
                "WHERE operation_key IN ({}) ORDER BY operation_key, instance_key",
                sorted(by_key),
            )
            for operation, instance, reason in found:
                by_key[operation].failures[instance] = reason
        return rows

    def get(self, key: int) -> OperationRow | None:
        rows = self._with_failures(self._load([key]))
        return rows[0] if rows else None

    def all(self) -> list[OperationRow]:
        found = self.db.query(f"SELECT {COLUMNS} FROM engine_sim_operations ORDER BY operation_key")
        return self._with_failures([_from_sql(values) for values in found])


def open_operations_view(list_view: AnyListView) -> OperationsView | SqlOperationsView:
    """Durable next to a durable list view (sharing its connection), else in memory."""
    if isinstance(list_view, SqlListView):
        return SqlOperationsView(list_view.db)
    return OperationsView()

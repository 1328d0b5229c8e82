"""The operations view (Operate's batch operations list), folded from BATCH_OPERATION and
OPERATION records by the same stream follower as the list view."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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


class OperationsView:
    def __init__(self) -> None:
        self.rows: dict[int, OperationRow] = {}

    def fold(self, record: Record) -> None:
        value_type, intent = record["valueType"], record["intent"]
        if record["recordType"] != "EVENT":
            return
        if value_type == "BATCH_OPERATION" and intent == "CREATED":
            self.rows[record["key"]] = OperationRow(
                key=record["key"], type=record["batchOperationType"],
                total=len(record["itemKeys"]), ignored=len(record["ignoredKeys"]),
                ignored_keys=list(record["ignoredKeys"]), start_time=record["timestamp"],
            )
        elif value_type == "BATCH_OPERATION" and intent == "COMPLETED":
            row = self.rows.get(record["key"])
            if row is not None:
                row.end_time = record["timestamp"]
        elif value_type == "OPERATION":
            row = self.rows.get(record["batchOperationKey"])
            if row is None:
                return
            if intent == "COMPLETED":
                row.completed += 1
            elif intent == "FAILED":
                row.failed += 1
                row.failures[record["processInstanceKey"]] = record["errorMessage"]

    def get(self, key: int) -> OperationRow | None:
        return self.rows.get(key)

    def all(self) -> list[OperationRow]:
        return [self.rows[k] for k in sorted(self.rows)]

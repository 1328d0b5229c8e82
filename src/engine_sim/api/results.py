"""The typed values the public API returns: records, command results, views' rows.

A `Record` is a read-only mapping over the record exactly as the engine wrote it, with typed
properties for the fields every user reads; `to_json()` gives the bytes of one line of
`engine-sim replay --records`. Rows of the list view and the operations view are frozen
dataclasses: snapshots taken when they were asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from engine_sim.records.lines import marked

_ENCODER = msgspec.json.Encoder()


class Record(Mapping[str, Any]):
    """One record of the log (Zeebe's exporter record, flattened), read-only.

    Index it like a dict (`record["elementId"]`) or read the typed properties; fields a
    record does not carry read as None (`-1` for keys that point nowhere, as written)."""

    __slots__ = ("_fields",)

    def __init__(self, fields: Mapping[str, Any]) -> None:
        self._fields: Mapping[str, Any] = fields

    def __getitem__(self, name: str) -> Any:
        return self._fields[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._fields)

    def __len__(self) -> int:
        return len(self._fields)

    def __repr__(self) -> str:
        return f"Record({dict(self._fields)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Record):
            return dict(self._fields) == dict(other._fields)
        return isinstance(other, Mapping) and dict(self._fields) == dict(other)

    __hash__ = None  # type: ignore[assignment]

    @property
    def position(self) -> int:
        return int(self._fields["position"])

    @property
    def key(self) -> int:
        return int(self._fields["key"])

    @property
    def timestamp(self) -> str:
        return str(self._fields["timestamp"])

    @property
    def record_type(self) -> str:
        """EVENT or COMMAND_REJECTION."""
        return str(self._fields["recordType"])

    @property
    def value_type(self) -> str:
        return str(self._fields["valueType"])

    @property
    def intent(self) -> str:
        return str(self._fields["intent"])

    @property
    def process_instance_key(self) -> int | None:
        return self._fields.get("processInstanceKey")

    @property
    def element_id(self) -> str | None:
        return self._fields.get("elementId")

    @property
    def bpmn_element_type(self) -> str | None:
        return self._fields.get("bpmnElementType")

    @property
    def rejection_type(self) -> str | None:
        return self._fields.get("rejectionType")

    @property
    def rejection_reason(self) -> str | None:
        return self._fields.get("rejectionReason")

    @property
    def is_rejection(self) -> bool:
        return bool(self._fields["recordType"] == "COMMAND_REJECTION")

    def to_dict(self) -> dict[str, Any]:
        """A plain copy, fields in the order they were written."""
        return dict(self._fields)

    def to_json(self, scenario: str | None = None, partition: int | None = None) -> bytes:
        """The record as JSON, byte for byte as the engine wrote it (without a newline).
        With `scenario`, marked as `engine-sim replay --records` marks each line: a first
        field `"scenario": NAME`, then the record's own fields; with `partition` (a
        partitioned store's export), a field `"partitionId": N` before the record's own."""
        return marked(_ENCODER.encode(self._fields), scenario, partition)


def records_of(raw: Sequence[Mapping[str, Any]]) -> list[Record]:
    return [Record(r) for r in raw]


class CommandRejected(Exception):
    """The engine refused a command (Zeebe's command rejection): nothing was changed.

    `rejection_type` is one of NOT_FOUND, INVALID_STATE, INVALID_ARGUMENT, ...;
    `reason` the engine's message; `record` the COMMAND_REJECTION record it wrote."""

    def __init__(self, record: Record) -> None:
        self.record = record
        self.rejection_type = record.rejection_type or ""
        self.reason = record.rejection_reason or ""
        self.value_type = record.value_type
        self.intent = record.intent
        super().__init__(f"{self.value_type} {self.intent} rejected with "
                         f"{self.rejection_type}: {self.reason}")


@dataclass(frozen=True)
class Rejection:
    """Why a command was refused (the outcome value when `raise_on_reject=False`)."""

    rejection_type: str
    reason: str
    record: Record


@dataclass(frozen=True)
class CommandResult:
    """What one command did: the records it wrote, or its rejection."""

    records: list[Record] = field(default_factory=list, repr=False)
    rejection: Rejection | None = None

    @property
    def rejected(self) -> bool:
        return self.rejection is not None


@dataclass(frozen=True)
class DeployedProcess:
    process_id: str
    version: int
    key: int  # the process definition key
    resource_name: str
    duplicate: bool  # the same resource was deployed before: no new version


@dataclass(frozen=True)
class Deployment(CommandResult):
    processes: list[DeployedProcess] = field(default_factory=list)


@dataclass(frozen=True)
class InstanceInfo:
    """A row of the list view (Operate's instance list)."""

    key: int
    process_id: str
    version: int
    definition_key: int
    state: str  # ACTIVE, INCIDENT, COMPLETED or CANCELED
    start_date: str
    end_date: str | None
    active_elements: list[str]
    incidents: int
    parent_key: int  # -1 for a root instance


@dataclass(frozen=True)
class OperationInfo:
    """A row of the operations view (Operate's batch operations list)."""

    key: int
    type: str
    state: str  # ACTIVE or COMPLETED
    total: int
    completed: int
    failed: int
    ignored: int
    failures: dict[int, str]  # instance key -> reason
    ignored_keys: list[int]
    start_date: str
    end_date: str | None


@dataclass(frozen=True)
class Preview:
    """A migration's dry run: counts per source and target element, what would be ignored
    and which instances would fail, and why. A preview writes nothing."""

    total: int
    counts: dict[str, int]
    targets: dict[str, int]
    ignored: int
    ignored_keys: list[int]
    failures: dict[int, str]


def instance_info(row: dict[str, Any]) -> InstanceInfo:
    return InstanceInfo(
        key=row["key"], process_id=row["bpmnProcessId"], version=row["version"],
        definition_key=row["processDefinitionKey"], state=row["state"],
        start_date=row["startDate"], end_date=row["endDate"],
        active_elements=list(row["activeElements"]), incidents=row["incidents"],
        parent_key=row["parentProcessInstanceKey"],
    )


def operation_info(row: dict[str, Any]) -> OperationInfo:
    return OperationInfo(
        key=row["key"], type=row["type"], state=row["state"], total=row["total"],
        completed=row["completed"], failed=row["failed"], ignored=row["ignored"],
        failures=dict(row["failures"]), ignored_keys=list(row["ignoredKeys"]),
        start_date=row["startDate"], end_date=row["endDate"],
    )


def summed_operation(rows: Sequence[dict[str, Any]]) -> OperationInfo:
    """One row, or the rows of the operations one batch became on a partitioned store (one
    per partition) summed as `Cluster.operations` sums them: the first one's key and type,
    the counts added, the failures and ignored keys gathered, COMPLETED once all are."""
    if len(rows) == 1:
        return operation_info(rows[0])
    ends = [row["endDate"] for row in rows]
    return OperationInfo(
        key=rows[0]["key"], type=rows[0]["type"],
        state="COMPLETED" if all(row["state"] == "COMPLETED" for row in rows) else "ACTIVE",
        total=sum(row["total"] for row in rows),
        completed=sum(row["completed"] for row in rows),
        failed=sum(row["failed"] for row in rows), ignored=sum(row["ignored"] for row in rows),
        failures={key: reason for row in rows for key, reason in dict(row["failures"]).items()},
        ignored_keys=[key for row in rows for key in row["ignoredKeys"]],
        start_date=min(row["startDate"] for row in rows),
        end_date=None if None in ends else max(ends),
    )


def preview_of(raw: dict[str, Any]) -> Preview:
    return Preview(total=raw["total"], counts=dict(raw["counts"]), targets=dict(raw["targets"]),
                   ignored=raw["ignored"], ignored_keys=list(raw["ignoredKeys"]),
                   failures=dict(raw["failures"]))

"""The instance list view (Operate's list of process instances), folded from records.

Each row is maintained incrementally from the PROCESS_INSTANCE and INCIDENT records of its
instance; the leaf element instances are tracked per row so `active_elements` never needs
the instance aggregate. Queries read rows only (no aggregate is ever loaded).

`fold_row` is the one fold both list views share: `ListView` keeps its rows in memory (the
memory store), `SqlListView` (`sql_list_view.py`) in tables of the store's database.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from engine_sim.projections.follower import MemoryProjection
from engine_sim.records import Intent, RecordType, ValueType

Record = dict[str, Any]
RUNNING_STATES = ("ACTIVE", "INCIDENT")
# a multi-instance body is a leaf only without inner instances (holding an incident), as in
# `InstanceState.leaves`
NOT_A_LEAF = ("PROCESS",)


@dataclass(slots=True)
class InstanceRow:
    key: int
    process_id: str
    version: int
    definition_key: int
    parent_key: int = -1
    parent_element_key: int = -1  # the parent's call activity instance
    finished: str = ""  # "", COMPLETED or CANCELED
    start_time: str = ""
    end_time: str = ""
    incidents: int = 0
    # element instance key -> [element id, flow scope key, element type, open children]
    elements: dict[int, list[Any]] = field(default_factory=dict)
    # open incident key -> the element id it belongs to (flow-node statistics)
    incident_elements: dict[int, str] = field(default_factory=dict)

    @property
    def state(self) -> str:
        if self.finished:
            return self.finished
        return "INCIDENT" if self.incidents else "ACTIVE"

    @property
    def running(self) -> bool:
        return not self.finished

    def active_elements(self) -> list[str]:
        return [
            entry[0]
            for _, entry in sorted(self.elements.items())
            if entry[3] == 0 and entry[2] not in NOT_A_LEAF
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "bpmnProcessId": self.process_id,
            "version": self.version,
            "processDefinitionKey": self.definition_key,
            "state": self.state,
            "startDate": self.start_time,
            "endDate": self.end_time or None,
            "activeElements": self.active_elements(),
            "incidents": self.incidents,
            "parentProcessInstanceKey": self.parent_key,
        }


@dataclass(frozen=True)
class ListFilter:
    """The list view's filter; an absent field does not filter."""

    process: str | None = None
    version: int | None = None
    states: tuple[str, ...] = ()
    element: str | None = None

    def matches(self, row: InstanceRow) -> bool:
        if self.process is not None and row.process_id != self.process:
            return False
        if self.version is not None and row.version != self.version:
            return False
        if self.states and row.state not in self.states:
            return False
        return not (self.element is not None and self.element not in row.active_elements())


Rows = MutableMapping[int, InstanceRow]


# -- the fold ---------------------------------------------------------------------------------
def fold_row(rows: Rows, record: Record) -> int | None:
    """Fold one record into the row of its instance; return the key of the row it changed."""
    handler = _HANDLERS.get((record["valueType"], record["intent"]))
    if handler is None or record["recordType"] != RecordType.EVENT:
        return None
    return handler(rows, record)


def folds(record: Record) -> bool:
    """Whether the list view reads this record at all."""
    return (record["valueType"], record["intent"]) in _HANDLERS and record["recordType"] == RecordType.EVENT


def _activating(rows: Rows, record: Record) -> int | None:
    instance_key: int = record["processInstanceKey"]
    if record["bpmnElementType"] == "PROCESS" and instance_key not in rows:
        rows[instance_key] = InstanceRow(
            key=instance_key,
            process_id=record["bpmnProcessId"],
            version=record["version"],
            definition_key=record["processDefinitionKey"],
            parent_key=record.get("parentProcessInstanceKey", -1),
            parent_element_key=record.get("parentElementInstanceKey", -1),
            start_time=record["timestamp"],
        )
    row = rows.get(instance_key)
    if row is None or record["key"] in row.elements:
        return None
    row.elements[record["key"]] = [
        record["elementId"], record["flowScopeKey"], record["bpmnElementType"], 0,
    ]
    parent = row.elements.get(record["flowScopeKey"])
    if parent is not None:
        parent[3] += 1
    return instance_key


def _finished(rows: Rows, record: Record) -> int | None:
    row = rows.get(record["processInstanceKey"])
    if row is None:
        return None
    entry = row.elements.pop(record["key"], None)
    if entry is not None:
        parent = row.elements.get(entry[1])
        if parent is not None:
            parent[3] -= 1
    if record["key"] == row.key:
        row.finished = "COMPLETED" if record["intent"] == "ELEMENT_COMPLETED" else "CANCELED"
        row.end_time = record["timestamp"]
        row.elements.clear()
        row.incident_elements.clear()
    return row.key


def _migrated(rows: Rows, record: Record) -> int | None:
    row = rows.get(record["processInstanceKey"])
    if row is None:
        return None
    entry = row.elements.get(record["key"])
    if entry is not None:
        entry[0] = record["elementId"]
    if record["key"] == row.key:
        row.process_id = record["bpmnProcessId"]
        row.version = record["version"]
        row.definition_key = record["processDefinitionKey"]
    return row.key


def _incident(rows: Rows, record: Record) -> int | None:
    row = rows.get(record["processInstanceKey"])
    if row is None:
        return None
    intent = record["intent"]
    if intent == Intent.CREATED:
        row.incidents += 1
        row.incident_elements[record["key"]] = record.get("elementId", "")
    elif intent == "RESOLVED":
        row.incidents -= 1
        row.incident_elements.pop(record["key"], None)
    elif record["key"] in row.incident_elements:  # MIGRATED
        row.incident_elements[record["key"]] = record.get("elementId", "")
    return row.key


_HANDLERS = {
    (ValueType.PROCESS_INSTANCE, Intent.ELEMENT_ACTIVATING): _activating,
    (ValueType.PROCESS_INSTANCE, Intent.ELEMENT_COMPLETED): _finished,
    (ValueType.PROCESS_INSTANCE, Intent.ELEMENT_TERMINATED): _finished,
    (ValueType.PROCESS_INSTANCE, Intent.ELEMENT_MIGRATED): _migrated,
    (ValueType.INCIDENT, Intent.CREATED): _incident,
    (ValueType.INCIDENT, Intent.RESOLVED): _incident,
    (ValueType.INCIDENT, Intent.MIGRATED): _incident,
}


def statistics_of(rows: Iterable[InstanceRow]) -> dict[str, dict[str, int]]:
    """Flow-node statistics over running rows: per element id, how many instances hold a
    token there (`active`) and how many have an open incident there (`incidents`)."""
    stats: dict[str, dict[str, int]] = {}
    for row in rows:
        if not row.running:
            continue
        for element_id in set(row.active_elements()):
            stats.setdefault(element_id, {"active": 0, "incidents": 0})["active"] += 1
        for element_id in set(row.incident_elements.values()):
            stats.setdefault(element_id, {"active": 0, "incidents": 0})["incidents"] += 1
    return stats


# -- the in-memory view -------------------------------------------------------------------------
class ListView(MemoryProjection):
    """Rows by instance key, plus the index by bpmnProcessId that filters start from."""

    def __init__(self) -> None:
        self.position = 0
        self.rows: dict[int, InstanceRow] = {}
        self.by_process: dict[str, dict[int, None]] = {}
        self._indexed: dict[int, str] = {}  # instance key -> the process id it is indexed under

    def fold(self, record: Record) -> None:
        key = fold_row(self.rows, record)
        if key is None:
            return
        process_id = self.rows[key].process_id
        indexed = self._indexed.get(key)
        if indexed != process_id:
            if indexed is not None:
                self.by_process[indexed].pop(key, None)
            self.by_process.setdefault(process_id, {})[key] = None
            self._indexed[key] = process_id

    # -- queries -------------------------------------------------------------------------
    def query(self, flt: ListFilter) -> list[InstanceRow]:
        if flt.process is not None:
            keys: Iterable[int] = self.by_process.get(flt.process, {})
        else:
            keys = self.rows
        return [row for key in sorted(keys) if flt.matches(row := self.rows[key])]

    def keys(self, flt: ListFilter) -> list[int]:
        return [row.key for row in self.query(flt)]

    def states(self, keys: Iterable[int]) -> dict[int, str]:
        """The state of each of `keys` that has a row (a large selection loads no row)."""
        return {key: row.state for key in keys if (row := self.rows.get(key)) is not None}

    def get(self, key: int) -> InstanceRow | None:
        return self.rows.get(key)

    def get_many(self, keys: Iterable[int]) -> dict[int, InstanceRow]:
        return {key: row for key in keys if (row := self.rows.get(key)) is not None}

    def children(self, parent_key: int) -> list[InstanceRow]:
        """The instances called by instance `parent_key`, by key."""
        return sorted((r for r in self.rows.values() if r.parent_key == parent_key), key=lambda r: r.key)

    def element_statistics(self, definition_key: int) -> dict[str, dict[str, int]]:
        """Flow-node statistics of one definition (see `statistics_of`)."""
        return statistics_of(r for r in self.rows.values() if r.definition_key == definition_key)

    def close(self) -> None:
        pass

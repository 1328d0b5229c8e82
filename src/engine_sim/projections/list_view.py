"""The instance list view (Operate's list of process instances), folded from records.

Each row is maintained incrementally from the PROCESS_INSTANCE and INCIDENT records of its
instance; the leaf element instances are tracked per row so `active_elements` never needs
the instance aggregate. Queries read rows only (no aggregate is ever loaded).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]
RUNNING_STATES = ("ACTIVE", "INCIDENT")
NOT_A_LEAF = ("PROCESS", "MULTI_INSTANCE_BODY")


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
        if self.element is not None and self.element not in row.active_elements():
            return False
        return True


class ListView:
    """Rows by instance key, plus the index by bpmnProcessId that filters start from."""

    def __init__(self) -> None:
        self.rows: dict[int, InstanceRow] = {}
        self.by_process: dict[str, dict[int, None]] = {}
        self.changed: set[int] = set()  # rows changed since the last flush (persistence)

    # -- folding records -----------------------------------------------------------------
    def fold(self, record: Record) -> None:
        handler = _HANDLERS.get((record["valueType"], record["intent"]))
        if handler is not None and record["recordType"] == "EVENT":
            handler(self, record)

    def _activating(self, record: Record) -> None:
        instance_key = record["processInstanceKey"]
        if record["bpmnElementType"] == "PROCESS":
            row = InstanceRow(
                key=instance_key,
                process_id=record["bpmnProcessId"],
                version=record["version"],
                definition_key=record["processDefinitionKey"],
                parent_key=record.get("parentProcessInstanceKey", -1),
                parent_element_key=record.get("parentElementInstanceKey", -1),
                start_time=record["timestamp"],
            )
            self.rows[instance_key] = row
            self.by_process.setdefault(row.process_id, {})[instance_key] = None
        row = self.rows.get(instance_key)
        if row is None or record["key"] in row.elements:
            return
        row.elements[record["key"]] = [
            record["elementId"], record["flowScopeKey"], record["bpmnElementType"], 0,
        ]
        parent = row.elements.get(record["flowScopeKey"])
        if parent is not None:
            parent[3] += 1
        self.changed.add(instance_key)

    def _finished(self, record: Record) -> None:
        row = self.rows.get(record["processInstanceKey"])
        if row is None:
            return
        entry = row.elements.pop(record["key"], None)
        if entry is not None:
            parent = row.elements.get(entry[1])
            if parent is not None:
                parent[3] -= 1
        if record["key"] == row.key:
            row.finished = "COMPLETED" if record["intent"] == "ELEMENT_COMPLETED" else "CANCELED"
            row.end_time = record["timestamp"]
            row.elements.clear()
        self.changed.add(row.key)

    def _migrated(self, record: Record) -> None:
        row = self.rows.get(record["processInstanceKey"])
        if row is None:
            return
        entry = row.elements.get(record["key"])
        if entry is not None:
            entry[0] = record["elementId"]
        if record["key"] == row.key:
            if row.process_id != record["bpmnProcessId"]:
                self.by_process[row.process_id].pop(row.key, None)
                self.by_process.setdefault(record["bpmnProcessId"], {})[row.key] = None
            row.process_id = record["bpmnProcessId"]
            row.version = record["version"]
            row.definition_key = record["processDefinitionKey"]
        self.changed.add(row.key)

    def _incident(self, record: Record) -> None:
        row = self.rows.get(record["processInstanceKey"])
        if row is not None:
            row.incidents += 1 if record["intent"] == "CREATED" else -1
            self.changed.add(row.key)

    # -- queries -------------------------------------------------------------------------
    def query(self, flt: ListFilter) -> list[InstanceRow]:
        if flt.process is not None:
            keys: Iterable[int] = self.by_process.get(flt.process, {})
        else:
            keys = self.rows
        return [row for key in sorted(keys) if flt.matches(row := self.rows[key])]

    def get(self, key: int) -> InstanceRow | None:
        return self.rows.get(key)

    def element_statistics(self, definition_key: int) -> dict[str, dict[str, int]]:
        """Flow-node statistics: per element id, instances active there and with incidents."""
        stats: dict[str, dict[str, int]] = {}
        for row in self.rows.values():
            if row.definition_key != definition_key or not row.running:
                continue
            for element_id in set(row.active_elements()):
                entry = stats.setdefault(element_id, {"active": 0, "incidents": 0})
                entry["active"] += 1
        return stats


_HANDLERS = {
    ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING"): ListView._activating,
    ("PROCESS_INSTANCE", "ELEMENT_COMPLETED"): ListView._finished,
    ("PROCESS_INSTANCE", "ELEMENT_TERMINATED"): ListView._finished,
    ("PROCESS_INSTANCE", "ELEMENT_MIGRATED"): ListView._migrated,
    ("INCIDENT", "CREATED"): ListView._incident,
    ("INCIDENT", "RESOLVED"): ListView._incident,
}

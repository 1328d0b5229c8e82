"""An instance's migration history, read from its own stored events (not from a view)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine_sim.engine import Engine
from engine_sim.records import Intent, ValueType


@dataclass(frozen=True)
class MigrationEntry:
    """One migration the instance went through: from, to, when, with which mapping."""

    position: int
    timestamp: str
    source: tuple[str, int, int]  # bpmnProcessId, version, processDefinitionKey
    target: tuple[str, int, int]
    mapping: tuple[tuple[str, str], ...]


def stored_records(engine: Engine, key: int) -> list[dict[str, Any]]:
    """Every record in the instance's own stream, in position order."""
    return engine.stored_records(key)


def migrations_of(engine: Engine, key: int) -> list[MigrationEntry]:
    return [
        MigrationEntry(
            position=r["position"],
            timestamp=r["timestamp"],
            source=(r["sourceBpmnProcessId"], r["sourceVersion"], r["sourceProcessDefinitionKey"]),
            target=(r["bpmnProcessId"], r["version"], r["processDefinitionKey"]),
            mapping=tuple((m["sourceElementId"], m["targetElementId"]) for m in r["mappingInstructions"]),
        )
        for r in stored_records(engine, key)
        if r["valueType"] == ValueType.PROCESS_INSTANCE_MIGRATION and r["intent"] == Intent.MIGRATED
    ]

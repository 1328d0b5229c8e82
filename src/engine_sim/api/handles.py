"""Handles on what a command created: a process instance, a batch operation.

A handle is the command's result (its records, or its rejection) plus the key of what it
created, and reads the engine live: `instance.state` is the state now, not when it was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine_sim.api.results import CommandResult, OperationInfo, Record

if TYPE_CHECKING:
    from engine_sim.api.engine import Engine

FINISHED = {"COMPLETED": "COMPLETED", "TERMINATED": "CANCELED"}


@dataclass(frozen=True)
class IncidentInfo:
    key: int
    element_id: str
    error_type: str
    error_message: str
    job_key: int  # -1 when no job raised it


@dataclass(frozen=True)
class ProcessInstance(CommandResult):
    """A process instance (what `Engine.create_instance` returns). `key` is None only when
    the creation was rejected (with `raise_on_reject=False`)."""

    key: int | None = None
    engine: Engine | None = field(default=None, repr=False, compare=False)

    def _state(self) -> Any:
        if self.key is None or self.engine is None:
            raise ValueError("the instance was not created: its creation was rejected")
        state = self.engine._instance_state(self.key)  # on its partition
        if state is None:
            raise LookupError(f"no process instance with key {self.key}")
        return state

    @property
    def process_id(self) -> str:
        return str(self._state().process_id)

    @property
    def version(self) -> int:
        """The version of the definition it runs now (a migration changes it)."""
        return int(self._state().version)

    @property
    def definition_key(self) -> int:
        return int(self._state().definition_key)

    @property
    def state(self) -> str:
        """ACTIVE, INCIDENT, COMPLETED or CANCELED."""
        state = self._state()
        if state.is_running:
            return "INCIDENT" if state.incidents else "ACTIVE"
        return str(FINISHED.get(state.lifecycle, state.lifecycle))

    @property
    def is_active(self) -> bool:
        """Running (with or without incidents)."""
        return bool(self._state().is_running)

    @property
    def active_elements(self) -> list[str]:
        """The ids of the elements holding a token at rest, in element-instance key order."""
        return list(self._state().active_element_ids())

    @property
    def variables(self) -> dict[str, Any]:
        """The variables of the process scope."""
        return dict(self._state().process_variables())

    @property
    def incidents(self) -> list[IncidentInfo]:
        """The open incidents, oldest first."""
        found = sorted(self._state().incidents.values(), key=lambda i: i.key)
        return [IncidentInfo(i.key, i.element_id, i.error_type, i.error_message, i.job_key)
                for i in found]

    def stream(self) -> list[Record]:
        """Every record about this instance so far (its stream, and the rejections and
        operation records naming it), in position order."""
        assert self.engine is not None and self.key is not None
        return self.engine.records(self.key)


@dataclass(frozen=True)
class Operation(CommandResult):
    """A batch operation (what `Engine.migrate` and `Engine.revert` return). `key` is None
    only when the operation was rejected (with `raise_on_reject=False`).

    On a partitioned store one batch is one operation per partition holding selected
    instances (each with a key of its partition): `keys` are all of them, in partition
    order, and `key` the first; `info()` sums them. On one partition `keys` is `(key,)`."""

    key: int | None = None
    engine: Engine | None = field(default=None, repr=False, compare=False)
    keys: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not self.keys and self.key is not None:
            object.__setattr__(self, "keys", (self.key,))

    def info(self) -> OperationInfo:
        """Its row of the operations view now (its partitions' rows summed)."""
        if self.key is None or self.engine is None:
            raise ValueError("the operation was not created: it was rejected")
        return self.engine.operation(self)

    def stream(self) -> list[Record]:
        """The BATCH_OPERATION and OPERATION records of this operation, in position order
        (partition by partition)."""
        assert self.engine is not None
        keys = set(self.keys)
        return [r for r in self.engine.records()
                if r.get("batchOperationKey") in keys
                or (r.value_type == "BATCH_OPERATION" and r.key in keys)]

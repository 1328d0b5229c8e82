"""One command's unit of work (Zeebe's processing context with its `TypedResultBuilder`):
the record writer, the follow-up queue and the instances the command changed.

Zeebe writes follow-up commands to its log and processes them one after another; we keep
them in a FIFO queue drained before the command returns, so a command and everything it
caused form one unit of work (one save). Every record written is applied to its instance
at once, as Zeebe's appliers do, so the processors always read current state.

A context is created per command and passed explicitly to every behaviour and processor;
nothing reads a "current command" from anywhere else.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from engine_sim.engine.appliers import apply_record
from engine_sim.engine.event_index import EventIndex
from engine_sim.engine.state import InstanceState
from engine_sim.records import Record, RecordType, RejectionType

EVENT = RecordType.EVENT
MAX_FOLLOW_UPS = 100_000  # follow-up steps one command may cause (README: Limits)
FOLLOW_UPS_EXCEEDED = (
    "Expected the command to finish within {limit:,} follow-up steps, but it caused "
    "more: the process loops without a wait state (a cycle of gateways, tasks or parallel "
    "forks that never waits); nothing was written"
)


class Rejected(Exception):
    """A command processor's rejection: no state has changed when it is raised."""

    def __init__(self, rejection_type: str, reason: str) -> None:
        super().__init__(reason)
        self.rejection_type = rejection_type
        self.reason = reason


def instance_fields(state: InstanceState) -> Record:
    return {
        "processInstanceKey": state.key,
        "bpmnProcessId": state.process_id,
        "version": state.version,
        "processDefinitionKey": state.definition_key,
    }


class RecordOwner(Protocol):
    """An aggregate other than an instance that keeps some of a command's records."""

    def persist(self, records: list[Record], counters: list[int], timestamp: datetime) -> Any:
        """Trigger the aggregate's event holding `records`; return the aggregate to save."""

    def saved(self) -> None:
        """Called once the save succeeded (e.g. to publish new definitions)."""


class CommandContext:
    """What one command writes and what it has changed so far."""

    def __init__(self, now: datetime, timestamp: str, new_key: Callable[[], int],
                 next_position: Callable[[], int],
                 load_instance: Callable[[int], InstanceState | None],
                 event_index: Callable[[], EventIndex],
                 stored_records: Callable[[int], list[Record]]) -> None:
        self.now = now  # the clock while this command runs
        self.timestamp = timestamp  # `now` as records spell it
        self.new_key = new_key
        self._next_position = next_position
        self._load_instance = load_instance
        self._event_index = event_index  # built on first use (a reopened store folds its log)
        # an instance's saved stream, for the rare command that must look at its past (a
        # correlation from another partition that may have arrived before)
        self.stored_records = stored_records
        self.records: list[Record] = []
        self.touched: dict[int, InstanceState] = {}  # instances that received records
        self.queue: deque[Callable[[], object]] = deque()
        # records that belong to another aggregate than an instance (a deployment, a batch
        # operation): owner -> its records; see `RecordOwner`
        self.owned: dict[RecordOwner, list[Record]] = {}
        # a trigger's variables on their way to the element they activate, keyed by
        # (instance, flow scope, element id), and the winners of event-based gateways
        self.trigger_variables: dict[tuple[int, int, str], dict[str, Any]] = {}
        self.gateway_choices: dict[tuple[int, int], str] = {}

    # -- reading ---------------------------------------------------------------------------
    def instance(self, key: int) -> InstanceState | None:
        """An instance as this command sees it (one it created is not saved yet)."""
        if key < 0:
            return None
        touched = self.touched.get(key)
        return touched if touched is not None else self._load_instance(key)

    @property
    def index(self) -> EventIndex:
        """Timers, subscriptions and buffered messages: saved ones plus this command's."""
        return self._event_index().view(self)

    # -- writing ---------------------------------------------------------------------------
    def write(self, state: InstanceState | None, value_type: str, intent: str, key: int,
              owner: RecordOwner | None = None, record_type: str = EVENT,
              **fields: Any) -> Record:
        """Append a record; apply it to `state` (the instance it belongs to) unless an
        `owner` aggregate keeps it (then the instance's own stream does not change)."""
        record: Record = {
            "position": self._next_position(),
            "key": key,
            "timestamp": self.timestamp,
            "recordType": record_type,
            "valueType": value_type,
            "intent": intent,
        }
        if state is not None:  # `instance_fields`, spelled out: this is the hottest path
            record["processInstanceKey"] = state.key
            record["bpmnProcessId"] = state.process_id
            record["version"] = state.version
            record["processDefinitionKey"] = state.definition_key
        if fields:
            record.update(fields)
        self.records.append(record)
        if owner is not None:
            self.owned.setdefault(owner, []).append(record)
        elif state is not None:
            self.touched[state.key] = state
            apply_record(state, record)
        return record

    # -- follow-ups --------------------------------------------------------------------------
    def later(self, action: Callable[..., object], *args: Any) -> None:
        """Queue a follow-up (Zeebe: a follow-up command written to the log)."""
        self.queue.append(lambda: action(*args))

    def drain(self) -> None:
        """Run the follow-ups, at most MAX_FOLLOW_UPS of them: a process that loops without
        a wait state (a gateway, task or parallel fork cycle) would otherwise run forever;
        past the bound the command is rejected and nothing it did is saved."""
        queue, steps = self.queue, 0
        while queue:
            steps += 1
            if steps > MAX_FOLLOW_UPS:
                raise Rejected(RejectionType.EXCEEDED_BATCH_RECORD_SIZE,
                               FOLLOW_UPS_EXCEEDED.format(limit=MAX_FOLLOW_UPS))
            queue.popleft()()

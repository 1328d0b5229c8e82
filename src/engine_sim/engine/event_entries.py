"""The entries of the engine-wide event index (`event_index.EventIndex`): immutable, so the
index replaces an entry instead of changing it (which keeps its undo log simple)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class TimerEntry:
    key: int
    due: datetime
    instance_key: int  # -1: a timer start event
    element_instance_key: int
    definition_key: int
    element_id: str
    repetitions: int


@dataclass(frozen=True, slots=True)
class MessageSubscriptionEntry:
    key: int
    instance_key: int
    element_instance_key: int
    process_id: str  # a message correlates to at most one instance per bpmnProcessId
    name: str
    correlation_key: str
    # registered here, the message's partition, by an instance of another partition
    # (MESSAGE_SUBSCRIPTION): a correlation is sent there (a partitioned store only)
    remote: bool = False
    interrupting: bool = True


@dataclass(frozen=True, slots=True)
class SignalSubscriptionEntry:
    key: int
    instance_key: int  # -1: a signal start event
    element_instance_key: int
    definition_key: int
    element_id: str
    name: str


@dataclass(frozen=True, slots=True)
class MessageStartEntry:
    key: int
    definition_key: int
    process_id: str
    element_id: str
    name: str


@dataclass(frozen=True, slots=True)
class BufferedMessage:
    key: int
    name: str
    correlation_key: str
    variables: dict[str, Any]
    deadline: datetime
    correlated: frozenset[str] = frozenset()  # bpmnProcessIds it was correlated to

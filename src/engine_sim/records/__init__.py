"""The public record vocabulary (Zeebe's exporter records, flattened) and the JSONL export."""

from engine_sim.records.vocabulary import (
    INTENTS,
    NO_KEY,
    REJECTION_TYPES,
    VALUE_TYPES,
    Intent,
    Record,
    RecordType,
    RejectionType,
    ValueType,
)

__all__ = [
    "INTENTS",
    "NO_KEY",
    "REJECTION_TYPES",
    "VALUE_TYPES",
    "Intent",
    "Record",
    "RecordType",
    "RejectionType",
    "ValueType",
]

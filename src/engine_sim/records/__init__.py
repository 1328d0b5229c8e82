"""The public record vocabulary (Zeebe's exporter records, flattened) and how exported lines
are marked (`lines`)."""

from engine_sim.records.vocabulary import (
    NO_KEY,
    Intent,
    Record,
    RecordType,
    RejectionType,
    ValueType,
)

__all__ = [
    "NO_KEY",
    "Intent",
    "Record",
    "RecordType",
    "RejectionType",
    "ValueType",
]

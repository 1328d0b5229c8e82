"""Readable excerpts of a record stream, for assertion failure messages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine_sim.api import Record

EXCERPT = 12  # records shown at most
DETAIL_FIELDS = ("name", "value", "type", "errorType", "errorMessage", "rejectionType",
                 "rejectionReason")


def describe(record: Record) -> str:
    """One line: position, value type, intent, element (or variable), the telling fields."""
    head = f"#{record.get('position')} {record.get('valueType')} {record.get('intent')}"
    if record.get("recordType") == "COMMAND_REJECTION":
        head = f"#{record.get('position')} REJECTED {record.get('valueType')} {record.get('intent')}"
    element = record.get("elementId")
    if element is not None:
        head += f" {element}"
    details = [f"{name}={record[name]!r}" for name in DETAIL_FIELDS if name in record
               and record[name] != "" and not (name == "type" and record.get("valueType") != "JOB")]
    return head + (f" ({', '.join(details)})" if details else "")


def excerpt(stream: Sequence[Record], title: str,
            focus: Callable[[Record], bool] | None = None) -> str:
    """The records `focus` picks (else the last ones), at most `EXCERPT`, one per line."""
    chosen = [r for r in stream if focus(r)] if focus is not None else []
    label = "records of interest"
    if not chosen:
        chosen = list(stream)
        label = "last records"
    shown = chosen[-EXCERPT:]
    lines = [f"{title} ({label}: {len(shown)} of {len(stream)} in the stream):"]
    lines.extend(f"  {describe(r)}" for r in shown)
    if not stream:
        lines = [f"{title}: no records"]
    return "\n".join(lines)


def camel(name: str) -> str:
    """`value_type` -> `valueType`, so partial records may be spelt the Python way."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def partial(spec: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
    merged = dict(spec or {})
    merged.update(fields)
    return {camel(name): value for name, value in merged.items()}

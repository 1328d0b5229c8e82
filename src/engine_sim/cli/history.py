"""`engine-sim history KEY`: an instance's records, read from its stored events, and every
migration it went through (from its PROCESS_INSTANCE_MIGRATION MIGRATED records)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.table import Table
from rich.text import Text

from engine_sim.cli.common import EXIT_OK, CliError, add_store_option, console, session
from migration.history import MigrationEntry, migrations_of, stored_records

Record = dict[str, Any]


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("history", help="an instance's records and migrations",
                                 description="Show the records of one process instance, read from "
                                 "its stored events, and every migration it went through.")
    parser.add_argument("key", type=int, metavar="KEY", help="the process instance key")
    add_store_option(parser)
    parser.set_defaults(handler=run)


def _value(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), default=str)


def details(record: Record) -> str:
    """The facts of a record beyond its type, intent, element and key."""
    value_type, parts = record["valueType"], []
    if record["recordType"] == "COMMAND_REJECTION":
        parts.append(f"{record.get('rejectionType')}: {record.get('rejectionReason')}")
    elif value_type == "VARIABLE":
        parts.append(f"{record['name']} = {_value(record['value'])}")
    elif value_type == "JOB":
        parts.append(f"type {record.get('type')}, retries {record.get('retries')}")
        if record.get("errorMessage"):
            parts.append(f"error: {record['errorMessage']}")
    elif value_type == "INCIDENT":
        parts.append(f"{record.get('errorType')}: {record.get('errorMessage')}")
    elif value_type == "PROCESS_INSTANCE_MIGRATION":
        parts.append(f"from {record.get('sourceBpmnProcessId')} v{record.get('sourceVersion')} "
                     f"to {record.get('bpmnProcessId')} v{record.get('version')}")
    elif value_type == "PROCESS_INSTANCE_CREATION" and record.get("variables"):
        parts.append(f"variables {_value(record['variables'])}")
    elif value_type == "TIMER":
        parts.append(f"due {record.get('dueDate')}")
    elif value_type == "PROCESS_MESSAGE_SUBSCRIPTION":
        parts.append(f"message {record.get('messageName')}, correlation key {record.get('correlationKey')}")
    elif record.get("intent") == "ELEMENT_MIGRATED" and record.get("bpmnElementType") == "PROCESS":
        parts.append(f"now {record.get('bpmnProcessId')} v{record.get('version')}")
    return "; ".join(parts)


def records_table(records: list[Record]) -> Table:
    table = Table(title="Records")
    for column in ("position", "time", "value type", "intent", "element", "key", "details"):
        table.add_column(column, no_wrap=column != "details")
    for record in records:
        table.add_row(str(record["position"]), record["timestamp"], record["valueType"], record["intent"],
                      Text(str(record.get("elementId", ""))), str(record["key"]), Text(details(record)))
    return table


def migrations_table(migrations: list[MigrationEntry]) -> Table:
    table = Table(title="Migrations")
    for column in ("when", "from", "to", "mapping"):
        table.add_column(column, no_wrap=column != "mapping")
    for entry in migrations:
        mapping = ", ".join(f"{source} → {target}" for source, target in entry.mapping)
        (source_id, source_version, source_key), (target_id, target_version, target_key) = (
            entry.source, entry.target)
        table.add_row(entry.timestamp, f"{source_id} v{source_version} ({source_key})",
                      f"{target_id} v{target_version} ({target_key})", Text(mapping))
    return table


def run(args: argparse.Namespace) -> int:
    out = console()
    with session(args.store) as s:
        records = sorted(stored_records(s.engine, args.key), key=lambda r: r["position"])
        if not records:
            raise CliError("KEY", f"no process instance with key {args.key}")
        migrations = migrations_of(s.engine, args.key)
        row = s.views().get(args.key)
    if row is not None:
        out.print(f"Process instance {row.key}: {row.process_id} version {row.version}, {row.state}, "
                  f"started {row.start_time}" + (f", ended {row.end_time}" if row.end_time else ""))
    out.print(records_table(records))
    out.print(migrations_table(migrations) if migrations else "No migrations.")
    return EXIT_OK

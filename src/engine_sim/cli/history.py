"""`engine-sim history KEY`: an instance's records, read from its stored events, and every
migration it went through (from its PROCESS_INSTANCE_MIGRATION MIGRATED records)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from rich.table import Table
from rich.text import Text

from engine_sim.cli.arguments import EXIT_OK, CliError
from engine_sim.cli.common import console, key_column, print_json, session, text_column
from engine_sim.cli.instances import row_json
from migration.history import MigrationEntry, migrations_of, stored_records

Record = dict[str, Any]


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
    """Position, key, value type and intent whole; the element and the details wrap."""
    table = Table(title="Records")
    table.add_column("position", no_wrap=True, justify="right")
    key_column(table)
    text_column(table, "value type")
    text_column(table, "intent")
    text_column(table, "element")
    text_column(table, "details")
    for record in records:
        table.add_row(str(record["position"]), str(record["key"]), record["valueType"],
                      record["intent"], Text(str(record.get("elementId", ""))),
                      Text(details(record)))
    return table


def migrations_table(migrations: list[MigrationEntry]) -> Table:
    """When, from which version to which, with which mapping (`--json` adds the keys)."""
    table = Table(title="Migrations")
    for column in ("when", "from", "to", "mapping"):
        text_column(table, column)
    for entry in migrations:
        mapping = ", ".join(f"{source} → {target}" for source, target in entry.mapping)
        (source_id, source_version, _), (target_id, target_version, _) = entry.source, entry.target
        table.add_row(entry.timestamp, f"{source_id} v{source_version}",
                      f"{target_id} v{target_version}", Text(mapping))
    return table


def migration_json(entry: MigrationEntry) -> dict[str, Any]:
    (source_id, source_version, source_key), (target_id, target_version, target_key) = (
        entry.source, entry.target)
    return {"timestamp": entry.timestamp,
            "source": {"bpmnProcessId": source_id, "version": source_version,
                       "processDefinitionKey": source_key},
            "target": {"bpmnProcessId": target_id, "version": target_version,
                       "processDefinitionKey": target_key},
            "mapping": [{"source": source, "target": target} for source, target in entry.mapping]}


def run(args: argparse.Namespace) -> int:
    out = console(args.json)
    with session(args.store, read_only=True, key=args.key) as s:
        records = sorted(stored_records(s.engine, args.key), key=lambda r: r["position"])
        if not records:
            raise CliError("KEY", f"no process instance with key {args.key}")
        migrations = migrations_of(s.engine, args.key)
        row = s.views().get(args.key)
    if args.json:
        print_json({"processInstanceKey": args.key,
                    "instance": row_json(row) if row is not None else None,
                    "records": records, "migrations": [migration_json(m) for m in migrations]})
        return EXIT_OK
    if row is not None:
        out.print(f"Process instance {row.key}: {row.process_id} version {row.version}, {row.state}, "
                  f"started {row.start_time}" + (f", ended {row.end_time}" if row.end_time else ""))
    out.print(records_table(records))
    out.print(migrations_table(migrations) if migrations else "No migrations.")
    return EXIT_OK

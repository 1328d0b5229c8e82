"""`engine-sim instances [--process] [--version] [--state] [--element]`: the list view."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.table import Table

from engine_sim.cli.arguments import EXIT_OK, CliError
from engine_sim.cli.common import (
    WIDE,
    console,
    definition,
    key_column,
    print_json,
    session,
    text_column,
)
from engine_sim.engine import Engine
from engine_sim.projections import InstanceRow, ListFilter

STYLES = {"ACTIVE": "green", "INCIDENT": "red", "COMPLETED": "blue", "CANCELED": "yellow"}


def check_element(engine: Engine, process: str | None, version: int | None, element: str) -> None:
    """The element must exist in the definitions the filter can match."""
    candidates = [
        d for d in engine.catalog.by_key.values()
        if (process is None or d.process_id == process) and (version is None or d.version == version)
    ]
    if any(element in d.model.elements for d in candidates):
        return
    if process is None:
        where = "any deployed process"
    else:
        where = f"'{process}'" + (f" version {version}" if version is not None else "")
    raise CliError("--element", f"no element '{element}' in {where}")


def row_json(row: InstanceRow) -> dict[str, Any]:
    """One instance as `--json` shows it (docs/cli.md)."""
    return {"processInstanceKey": row.key, "bpmnProcessId": row.process_id, "version": row.version,
            "processDefinitionKey": row.definition_key, "state": row.state,
            "activeElements": list(row.active_elements()), "incidents": row.incidents,
            "parentProcessInstanceKey": row.parent_key, "startDate": row.start_time,
            "endDate": row.end_time or None}


def instance_table(rows: list[InstanceRow], out: Console, title: str | None = None) -> Table:
    """Keys whole at any width: below `WIDE` columns the dates are left out."""
    wide = out.width >= WIDE
    table = Table(title=title)
    key_column(table)
    text_column(table, "process")
    table.add_column("version", justify="right")
    table.add_column("state", no_wrap=True)
    text_column(table, "active elements")
    table.add_column("incidents", justify="right")
    if wide:
        table.add_column("start", no_wrap=True)
        table.add_column("end", no_wrap=True)
    for row in rows:
        state = row.state
        cells = [str(row.key), row.process_id, str(row.version), f"[{STYLES[state]}]{state}[/]",
                 ", ".join(row.active_elements()), str(row.incidents)]
        if wide:
            cells += [row.start_time, row.end_time or ""]
        table.add_row(*cells)
    return table


def run(args: argparse.Namespace) -> int:
    out = console(args.json)
    with session(args.store, read_only=True, whole_store=True) as s:
        if args.process is not None:
            definition(s.engine, args.process, args.version)
        elif args.version is not None and not any(d.version == args.version
                                                  for d in s.engine.catalog.by_key.values()):
            raise CliError("--version", f"no deployed process has version {args.version}")
        if args.element is not None:
            check_element(s.engine, args.process, args.version, args.element)
        flt = ListFilter(process=args.process, version=args.version,
                         states=tuple(dict.fromkeys(args.state or ())), element=args.element)
        rows = s.views().query(flt)
    shown = rows if not args.limit else rows[: args.limit]
    if args.json:
        print_json({"total": len(rows), "instances": [row_json(row) for row in shown]})
        return EXIT_OK
    out.print(instance_table(shown, out))
    more = f" (showing {len(shown)}; --limit 0 shows all)" if len(shown) < len(rows) else ""
    out.print(f"{len(rows)} instance{'s' if len(rows) != 1 else ''}{more}")
    return EXIT_OK

"""`engine-sim instances [--process] [--version] [--state] [--element]`: the list view."""

from __future__ import annotations

import argparse

from rich.table import Table

from engine_sim.cli.common import (
    EXIT_OK,
    CliError,
    add_store_option,
    console,
    definition,
    positive,
    session,
)
from engine_sim.engine.engine import Engine
from engine_sim.projections import InstanceRow, ListFilter

STATES = ("ACTIVE", "INCIDENT", "COMPLETED", "CANCELED")
DEFAULT_LIMIT = 200


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("instances", help="list process instances (filters combine)",
                                 description="List process instances from the list view.")
    parser.add_argument("--process", help="only instances of this bpmnProcessId")
    parser.add_argument("--version", type=int, help="only instances of this version")
    parser.add_argument("--state", action="append", type=str.upper, choices=STATES,
                        help="only instances in this state (repeat for several)")
    parser.add_argument("--element", help="only instances with a token in this element")
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT,
                        help=f"show at most this many rows (default {DEFAULT_LIMIT}; 0 shows all)")
    add_store_option(parser)
    parser.set_defaults(handler=run)


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


def instance_table(rows: list[InstanceRow], title: str | None = None) -> Table:
    table = Table(title=title)
    table.add_column("key", no_wrap=True)
    table.add_column("process", no_wrap=True)
    table.add_column("version", justify="right")
    table.add_column("state", no_wrap=True)
    table.add_column("active elements")
    table.add_column("incidents", justify="right")
    table.add_column("start", no_wrap=True)
    table.add_column("end", no_wrap=True)
    styles = {"ACTIVE": "green", "INCIDENT": "red", "COMPLETED": "blue", "CANCELED": "yellow"}
    for row in rows:
        state = row.state
        table.add_row(str(row.key), row.process_id, str(row.version), f"[{styles[state]}]{state}[/]",
                      ", ".join(row.active_elements()), str(row.incidents), row.start_time,
                      row.end_time or "")
    return table


def run(args: argparse.Namespace) -> int:
    positive("--limit", args.limit, allow_zero=True)
    out = console()
    with session(args.store) as s:
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
    out.print(instance_table(shown))
    more = f" (showing {len(shown)}; --limit 0 shows all)" if len(shown) < len(rows) else ""
    out.print(f"{len(rows)} instance{'s' if len(rows) != 1 else ''}{more}")
    return EXIT_OK

"""`engine-sim operations [ID]` and `engine-sim operations resume [ID]`: the operations view.

Without ID: every batch operation. With ID: one operation, its failed items and their
reasons, and the instances it ignored. `resume` runs the pending items of one operation (or
of every ACTIVE one), e.g. after the process running it was killed: each chunk was saved
atomically with the instances it migrated, so nothing runs twice and nothing is lost.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.table import Table

from engine_sim.cli.common import EXIT_OK, CliError, add_store_option, console, positive, session
from engine_sim.cli.migrate import operation_summary, run_with_progress
from migration.operate import CHUNK_SIZE


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "operations", help="list batch operations, show one, or resume them",
        usage="engine-sim operations [-h] [--store URL] [ID | resume [ID] [--chunk-size N] [--wait S]]",
        description="engine-sim operations: every batch operation. engine-sim operations ID: one "
        "operation with its failed items and reasons. engine-sim operations resume [ID]: run the "
        "pending items of operation ID, or of every ACTIVE operation.")
    parser.add_argument("words", nargs="*", metavar="ID | resume [ID]", help=argparse.SUPPRESS)
    parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE,
                        help=f"instances per atomic chunk when resuming (default {CHUNK_SIZE})")
    add_store_option(parser, writer=True)
    parser.set_defaults(handler=run)


def _operation_key(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CliError("ID", f"'{text}' is not an operation key (a number) nor 'resume'") from None


def operations_table(rows: list[Any]) -> Table:
    table = Table(title="Batch operations")
    for column in ("key", "type", "state", "total", "completed", "failed", "ignored", "start", "end"):
        justify = "right" if column in ("total", "completed", "failed", "ignored") else "left"
        table.add_column(column, justify=justify, no_wrap=True)
    for row in rows:
        style = "green" if row.state == "COMPLETED" else "yellow"
        table.add_row(str(row.key), row.type, f"[{style}]{row.state}[/]", str(row.total), str(row.completed),
                      str(row.failed), str(row.ignored), row.start_time, row.end_time)
    return table


def run(args: argparse.Namespace) -> int:
    positive("--chunk-size", args.chunk_size)
    words = list(args.words)
    resume = bool(words) and words[0] == "resume"
    if resume:
        words.pop(0)
    if len(words) > 1:
        raise CliError("ID", f"one operation key expected, got {' '.join(words)}")
    key = _operation_key(words[0]) if words else None
    out = console()
    with session(args.store, args.wait if resume else None) as s:
        s.views()
        operate = s.operate
        if key is not None and operate.operations.get(key) is None:
            raise CliError("ID", f"no batch operation with key {key}")
        if resume:
            keys = [key] if key is not None else operate.pending_operations()
            if not keys:
                out.print("No ACTIVE operation: nothing to resume.")
            for operation in keys:
                pending = operate.batch(operation).pending_count
                if not pending:
                    out.print(f"Operation {operation} is COMPLETED: nothing to resume.")
                    continue
                out.print(f"Resuming operation {operation}: {pending} pending item(s).")
                run_with_progress(out, operate, operation, pending, args.chunk_size, "Resuming")
                operation_summary(out, operate.operation_view(operation))
            return EXIT_OK
        if key is None:
            rows = operate.operations.all()
            out.print(operations_table(rows))
            out.print(f"{len(rows)} operation{'s' if len(rows) != 1 else ''}")
            return EXIT_OK
        view = operate.operation_view(key)
        operation_summary(out, view)
        out.print(f"started {view['startDate']}, ended {view['endDate'] or '-'}")
        if view["ignoredKeys"]:
            out.print("Ignored (not running when selected): " + ", ".join(map(str, view["ignoredKeys"])))
    return EXIT_OK

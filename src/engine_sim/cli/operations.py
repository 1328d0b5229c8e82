"""`engine-sim operations [ID]`, `operations resume [ID]` and `operations revert ID`.

Without ID: every batch operation. With ID: one operation, its failed items and their
reasons, and the instances it ignored. `resume` runs the pending items of one operation (or
of every ACTIVE one), e.g. after the process running it was killed: each chunk was saved
atomically with the instances it migrated, so nothing runs twice and nothing is lost.
`revert` creates and runs the batch that migrates every instance a COMPLETED migration
operation moved back to the definition it had, with the inverse of the applied mapping.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.table import Table
from rich.text import Text

from engine_sim.cli.arguments import EXIT_FAILED, EXIT_OK, CliError, operation_words
from engine_sim.cli.common import (
    console,
    key_column,
    print_json,
    session,
    store_partitions,
    writer,
)
from engine_sim.cli.migrate import operation_json, operation_summary, run_with_progress, watch
from engine_sim.partitions import Cluster

VERBS = ("resume", "revert")


def operations_table(rows: list[Any], wide: bool) -> Table:
    table = Table(title="Batch operations")
    key_column(table)
    table.add_column("type", overflow="fold")
    table.add_column("state", no_wrap=True)
    for column in ("total", "completed", "failed", "ignored"):
        table.add_column(column, justify="right", no_wrap=True)
    if wide:
        table.add_column("start", no_wrap=True)
        table.add_column("end", no_wrap=True)
    for row in rows:
        style = "green" if row.state == "COMPLETED" else "yellow"
        cells = [str(row.key), row.type, f"[{style}]{row.state}[/]", str(row.total),
                 str(row.completed), str(row.failed), str(row.ignored)]
        table.add_row(*(cells + [row.start_time, row.end_time] if wide else cells))
    return table


def run(args: argparse.Namespace) -> int:
    verb, key = operation_words(args.words, VERBS, "batch operation")
    if verb == "revert" and key is None:
        raise CliError("ID", "revert needs the key of the operation to revert")
    if verb == "resume" and key is None and store_partitions(args.store) > 1:
        return resume_partitions(args)
    out = console(args.json)
    # on a partitioned store: resume or revert ID on the operation's partition
    with session(args.store, read_only=verb is None, wait=args.wait, whole_store=verb is None,
                 key=key if verb is not None else None) as s:
        s.views()
        operate = s.operate
        if key is not None and operate.operations.get(key) is None:
            raise CliError("ID", f"no batch operation with key {key}")
        if verb == "resume":
            return resume(args, operate, key)
        if verb == "revert":
            assert key is not None
            return revert(args, operate, key)
        if key is None:
            rows = operate.operations.all()
            if args.json:
                print_json({"operations": [operation_json(row.as_dict()) for row in rows]})
                return EXIT_OK
            out.print(operations_table(rows, out.width >= 110))
            out.print(f"{len(rows)} operation{'s' if len(rows) != 1 else ''}")
            return EXIT_OK
        view = operate.operation_view(key)
    if args.json:
        print_json(operation_json(view))
        return EXIT_OK
    operation_summary(out, view)
    out.print(f"started {view['startDate']}, ended {view['endDate'] or '-'}")
    if view["ignoredKeys"]:
        out.print("Ignored (not running when selected): " + ", ".join(map(str, view["ignoredKeys"])))
    return EXIT_OK


def resume(args: argparse.Namespace, operate: Any, key: int | None) -> int:
    out = console(args.json)
    keys = [key] if key is not None else operate.pending_operations()
    if not keys:
        out.print("No ACTIVE operation: nothing to resume.")
    views = []
    for operation in keys:
        pending = operate.batch(operation).pending_count
        if not pending:
            out.print(f"Operation {operation} is COMPLETED: nothing to resume.")
        else:
            out.print(f"Resuming operation {operation}: {pending} pending item(s).")
            run_with_progress(out, operate, operation, pending, args.chunk_size, "Resuming")
        view = operate.operation_view(operation)
        views.append(view)
        if pending and not args.json:
            operation_summary(out, view)
    if args.json:
        print_json({"operations": [operation_json(view) for view in views]})
    return EXIT_OK


def resume_partitions(args: argparse.Namespace) -> int:
    """`resume` on a partitioned store: every partition's ACTIVE operations, each run by its
    partition's writer (here, or the partition's worker), followed until all are done."""
    out = console(args.json)
    with writer(args.store, wait=args.wait) as cluster:
        assert isinstance(cluster, Cluster)
        keys = cluster.pending_operations()
        if not keys:
            out.print("No ACTIVE operation: nothing to resume.")
        else:
            summary = cluster.operations(keys, catch_up=False)
            out.print(f"Resuming {len(keys)} operation(s), each on its partition: "
                      f"{summary['total'] - summary['completed'] - summary['failed']} pending "
                      "item(s).")
            watch(out, cluster, keys, summary["total"], args.chunk_size, "Resuming")
        views = [cluster.apps[0].operate.operation_view(operation) for operation in keys]
    if args.json:
        print_json({"operations": [operation_json(view) for view in views]})
        return EXIT_OK
    for view in views:
        operation_summary(out, view)
    return EXIT_OK


def revert(args: argparse.Namespace, operate: Any, key: int) -> int:
    out = console(args.json)
    view = operate.operation_view(key)
    if view["state"] != "COMPLETED":
        raise CliError("ID", f"operation {key} is {view['state']}: only a COMPLETED operation can "
                       "be reverted (resume it first: engine-sim operations resume "
                       f"{key})")
    outcome, operation = operate.revert(key, run=False)
    if operation is None:
        rejection = outcome.rejection or {}
        out.print(Text(f"rejected: {rejection.get('rejectionReason')}", style="red"))
        return EXIT_FAILED
    total = operate.operation_view(operation)["total"]
    out.print(f"Created operation {operation} reverting operation {key}, with {total} item(s).")
    run_with_progress(out, operate, operation, total, args.chunk_size, "Reverting")
    result = operate.operation_view(operation)
    if args.json:
        print_json({"revertedOperationKey": key, "operation": operation_json(result)})
    else:
        operation_summary(out, result)
    return EXIT_OK if result["failed"] == 0 else EXIT_FAILED

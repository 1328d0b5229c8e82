"""`engine-sim operations [ID]`, `operations resume [ID]` and `operations revert ID`.

Without ID: every batch operation. With ID: one operation, its failed items and their
reasons, and the instances it ignored. `resume` runs the pending items of one operation (or
of every ACTIVE one), e.g. after the process running it was killed: each chunk was saved
atomically with the instances it migrated, so nothing runs twice and nothing is lost.
`revert` creates and runs the batch that migrates every instance a COMPLETED migration
operation moved back to the definition it had, with the inverse of the applied mapping.
On a partitioned store `resume` and `revert` go through `Cluster` (`on_partitions`): the
partition's worker, when one runs it, runs the items, and the command follows them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from rich.console import Console
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
from engine_sim.engine import Outcome
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
    if verb is not None and store_partitions(args.store) > 1:
        return on_partitions(args, verb, key)
    out = console(args.json)
    with session(args.store, read_only=verb is None, wait=args.wait,
                 whole_store=verb is None) as s:
        s.views()
        operate = s.operate
        if key is not None and operate.operations.get(key) is None:
            raise CliError("ID", f"no batch operation with key {key}")
        if verb == "resume":
            return resume(args, operate, key)
        if verb == "revert":
            assert key is not None
            return revert(args, key, operate.operation_view,
                          lambda: operate.revert(key, run=False),
                          lambda out, operation, total: run_with_progress(
                              out, operate, operation, total, args.chunk_size, "Reverting"))
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


def on_partitions(args: argparse.Namespace, verb: str, key: int | None) -> int:
    """`resume [ID]` and `revert ID` on a partitioned store, through `Cluster`: an operation
    is on the partition in its key, whose writer (this process, or the partition's worker)
    runs its items; this process follows them until done."""
    with writer(args.store, args.wait, args.timeout, key, "ID") as cluster:
        assert isinstance(cluster, Cluster)
        cluster.views()  # every partition's operations, folded
        if key is not None and cluster.apps[0].operate.operations.get(key) is None:
            raise CliError("ID", f"no batch operation with key {key}")
        if verb == "resume":
            return resume_partitions(args, cluster, key)
        assert key is not None

        def view_of(operation: int) -> dict[str, Any]:
            cluster.views()  # what the partition's worker wrote, folded
            return cluster.apps[0].operate.operation_view(operation)

        def created() -> tuple[Outcome, int | None]:
            [(_, outcome, operation)] = cluster.revert([key], run=False)
            return outcome, operation

        return revert(args, key, view_of, created, lambda out, operation, total: watch(
            out, cluster, [operation], total, args.chunk_size, "Reverting"))


def resume_partitions(args: argparse.Namespace, cluster: Cluster, key: int | None) -> int:
    """`resume [ID]` on a partitioned store: operation ID, or every partition's ACTIVE
    operations, each run by its partition's writer (here, or the partition's worker, which
    resumes them by itself anyway), followed until all are done."""
    out = console(args.json)
    keys = cluster.pending_operations() if key is None else [key]
    summary = cluster.operations(keys, catch_up=False)  # caught up above
    pending = summary["total"] - summary["completed"] - summary["failed"]
    if not keys:
        out.print("No ACTIVE operation: nothing to resume.")
    elif not pending:
        out.print(f"Operation {key} is COMPLETED: nothing to resume.")
    else:
        out.print(f"Resuming operation {key}: {pending} pending item(s)." if key is not None
                  else f"Resuming {len(keys)} operation(s), each on its partition: {pending} "
                  "pending item(s).")
        watch(out, cluster, keys, summary["total"], args.chunk_size, "Resuming")
    views = [cluster.apps[0].operate.operation_view(operation) for operation in keys]
    if args.json:
        print_json({"operations": [operation_json(view) for view in views]})
        return EXIT_OK
    for view in views if pending else ():
        operation_summary(out, view)
    return EXIT_OK


def revert(args: argparse.Namespace, key: int, view_of: Callable[[int], dict[str, Any]],
           created: Callable[[], tuple[Outcome, int | None]],
           run: Callable[[Console, int, int], object]) -> int:
    """Revert operation `key`: `created` makes the reverting batch operation and `run` runs
    its items (here, or follows the partition's worker running them)."""
    out = console(args.json)
    view = view_of(key)
    if view["state"] != "COMPLETED":
        raise CliError("ID", f"operation {key} is {view['state']}: only a COMPLETED operation can "
                       "be reverted (resume it first: engine-sim operations resume "
                       f"{key})")
    outcome, operation = created()
    if operation is None:
        rejection = outcome.rejection or {}
        out.print(Text(f"rejected: {rejection.get('rejectionReason')}", style="red"))
        return EXIT_FAILED
    total = view_of(operation)["total"]
    out.print(f"Created operation {operation} reverting operation {key}, with {total} item(s).")
    run(out, operation, total)
    result = view_of(operation)
    if args.json:
        print_json({"revertedOperationKey": key, "operation": operation_json(result)})
    else:
        operation_summary(out, result)
    return EXIT_OK if result["failed"] == 0 else EXIT_FAILED

"""`engine-sim migrate`: Operate's migration flow on the command line.

Select the instances of one source version (`--all`, or `--key`), pick the target, map
elements (`--map SRC=TGT`, plus same-id same-type pairs unless `--no-auto-map`), look at the
mapping and at the preview (a dry run on every selected instance: counts per element, the
ignored instances, the ones that would fail and why, and warnings: `migrate_advice`), confirm
(or stop there with `--dry-run`), then watch the batch run. Every argument is checked against
the store before anything is written. `--json` prints one document (docs/cli.md). On a
partitioned store the same flow runs through `Cluster` (`run_partitioned`).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.prompt import Confirm
from rich.table import Table
from rich.text import Text

from engine_sim.app import EngineApp
from engine_sim.cli.arguments import EXIT_FAILED, EXIT_INVALID, EXIT_OK, CliError, parse_mapping
from engine_sim.cli.common import (
    console,
    definition,
    key_column,
    print_json,
    session,
    store_partitions,
    text_column,
    writer,
)
from engine_sim.cli.migrate_advice import advice, advice_lines
from engine_sim.engine import DeployedProcess
from engine_sim.model import ElementType
from engine_sim.partitions import Cluster
from engine_sim.projections import ListFilter
from migration import checks
from migration.operate import Operate, Selection
from migration.plan import auto_mapped_pairs

Pairs = tuple[tuple[str, str], ...]
SHOWN_IGNORED = 10


# -- checking the input ---------------------------------------------------------------------
def check_mapping(pairs: Pairs, source: DeployedProcess, target: DeployedProcess) -> None:
    """Rules 2, 4 and 5 of docs/migration.md (the command's own checks), as input errors
    naming `--map`."""
    rejection = (checks.check_duplicate_sources(list(pairs))
                 or checks.check_sources_exist(list(pairs), source)
                 or checks.check_targets_exist(list(pairs), target))
    if rejection is not None:
        raise CliError("--map", rejection.reason)


def select(s: EngineApp | Cluster, source: DeployedProcess, keys: list[int] | None) -> Selection:
    if not keys:
        return Selection(filter=ListFilter(process=source.process_id, version=source.version))
    keys = list(dict.fromkeys(keys))
    rows = s.views().get_many(keys)
    for key in keys:
        row = rows.get(key)
        if row is None:
            raise CliError("--key", f"no process instance with key {key}")
        if row.definition_key != source.key:
            raise CliError("--key", f"process instance {key} is {row.process_id} version {row.version}, "
                           f"not {source.process_id} version {source.version}")
    return Selection(keys=tuple(keys))


# -- showing the plan and the preview -------------------------------------------------------
def mapping_rows(source: DeployedProcess, target: DeployedProcess, pairs: Pairs,
                 auto_map: bool) -> list[dict[str, Any]]:
    """Every pair the plan applies: explicit (`mapped`) and same-id same-type (`auto`)."""
    auto = dict(auto_mapped_pairs(source.model, target.model, list(pairs))) if auto_map else {}
    rows = [{"source": s, "target": t, "how": "mapped"} for s, t in pairs]
    return rows + [{"source": s, "target": t, "how": "auto"} for s, t in auto.items()]


def mapping_table(source: DeployedProcess, target: DeployedProcess, pairs: Pairs, auto_map: bool) -> Table:
    """Each source flow node and where it goes; explicitly mapped sequence flows too."""
    explicit = dict(pairs)
    auto = dict(auto_mapped_pairs(source.model, target.model, list(pairs))) if auto_map else {}
    table = Table(title=f"Mapping {source.process_id} v{source.version} → {target.process_id} v{target.version}")
    for column in ("source element", "type", "target element", "how"):
        text_column(table, column)
    for element_id, element in source.model.elements.items():
        if element.type is ElementType.PROCESS:
            continue
        if element_id in explicit:
            table.add_row(element_id, element.type.value, explicit[element_id], "mapped")
        elif element_id in auto:
            table.add_row(element_id, element.type.value, auto[element_id], "auto")
        else:
            table.add_row(element_id, element.type.value, Text("-", style="dim"), Text("unmapped", style="dim"))
    for flow_id in source.model.flows:
        if flow_id in explicit:
            table.add_row(flow_id, "SEQUENCE_FLOW", explicit[flow_id], "mapped")
    flows = sum(1 for flow_id in source.model.flows if flow_id in auto)
    if flows:
        table.caption = f"and {flows} sequence flow{'s' if flows != 1 else ''} auto-mapped by id"
    return table


def print_preview(out: Console, preview: dict[str, Any]) -> None:
    counts = Table(title="Preview: instances per element")
    text_column(counts, "source element")
    counts.add_column("instances", justify="right")
    text_column(counts, "target element")
    counts.add_column("instances", justify="right")
    sources = sorted(preview["counts"].items())
    targets = sorted(preview["targets"].items())
    for index in range(max(len(sources), len(targets))):
        left = sources[index] if index < len(sources) else ("", "")
        right = targets[index] if index < len(targets) else ("", "")
        counts.add_row(left[0], str(left[1]), right[0], str(right[1]))
    out.print(counts)
    failures = preview["failures"]
    ignored = preview["ignoredKeys"]
    named = ""
    if ignored:
        named = ": " + ", ".join(map(str, ignored[:SHOWN_IGNORED])) + (" ..." if len(ignored) > SHOWN_IGNORED else "")
    out.print(f"{preview['total']} running instance(s) selected: {preview['total'] - len(failures)} would "
              f"migrate, {len(failures)} would fail; {len(ignored)} ignored (not running){named}")
    if failures:
        out.print(failure_table(failures, "Would fail (they would keep their version)"))


def failure_table(failures: dict[int, str], title: str) -> Table:
    table = Table(title=title)
    key_column(table, "instance")
    text_column(table, "reason")
    by_reason = Counter(failures.values())
    for key, reason in sorted(failures.items()):
        table.add_row(str(key), Text(reason))
    if len(by_reason) > 1:
        table.caption = "; ".join(f"{n} × {reason}" for reason, n in by_reason.most_common(3))
    return table


def failures_json(failures: dict[int, str]) -> list[dict[str, Any]]:
    return [{"processInstanceKey": key, "reason": reason} for key, reason in sorted(failures.items())]


def operation_json(view: dict[str, Any]) -> dict[str, Any]:
    """An operation as `--json` shows it (docs/cli.md)."""
    return {"operationKey": view["key"], "type": view["type"], "state": view["state"],
            "total": view["total"], "completed": view["completed"], "failed": view["failed"],
            "ignored": view["ignored"], "ignoredKeys": view["ignoredKeys"],
            "failures": failures_json(view["failures"]), "startDate": view["startDate"],
            "endDate": view["endDate"]}


def definition_json(deployed: DeployedProcess) -> dict[str, Any]:
    return {"bpmnProcessId": deployed.process_id, "version": deployed.version,
            "processDefinitionKey": deployed.key}


def operation_summary(out: Console, view: dict[str, Any]) -> None:
    out.print(f"Operation {view['key']} ({view['type']}) {view['state']}: total {view['total']}, "
              f"completed {view['completed']}, failed {view['failed']}, ignored {view['ignored']}")
    if view["failures"]:
        out.print(failure_table(view["failures"], "Failed items (they keep their version)"))


def run_with_progress(out: Console, operate: Operate, operation: int, total: int, chunk_size: int,
                      title: str = "Migrating") -> None:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=out) as progress:
        task = progress.add_task(title, total=total)
        operate.run_operations(operation, chunk_size=chunk_size,
                               on_chunk=lambda o: progress.advance(task, len(o.result)))
        progress.refresh()  # the final state, also where the output is not a terminal


def confirm(out: Console, yes: bool, question: str) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        raise CliError("--yes", "standard input is not a terminal, so the migration cannot be "
                       "confirmed: pass --yes to migrate without asking")
    return Confirm.ask(question, console=out, default=False)


def show_and_confirm(args: argparse.Namespace, out: Console, source: DeployedProcess,
                     target: DeployedProcess, pairs: Pairs, auto_map: bool,
                     preview: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
    """Print the mapping and the preview and ask; return the `--json` document and the exit
    code when the command stops here (a dry run, nothing selected, not confirmed)."""
    rows = mapping_rows(source, target, pairs, auto_map)
    warnings = advice(source.model, target.model, {r["source"]: r["target"] for r in rows},
                      preview["counts"])
    document: dict[str, Any] = {
        "source": definition_json(source), "target": definition_json(target),
        "mapping": rows, "preview": preview_json(preview, warnings),
        "dryRun": bool(args.dry_run), "operation": None}
    if not args.json:
        out.print(mapping_table(source, target, pairs, auto_map))
        print_preview(out, preview)
        for line in advice_lines(warnings):
            out.print(Text(line, style="yellow"))
    if args.dry_run or preview["total"] == 0:
        if not args.json:
            out.print("Dry run: nothing was changed." if args.dry_run
                      else "No running instance selected: nothing to migrate.")
        return document, finish(args, document, EXIT_OK)
    would = preview["total"] - len(preview["failures"])
    question = (f"Migrate {preview['total']} instance(s) to {target.process_id} version "
                f"{target.version} ({would} would migrate, {len(preview['failures'])} would fail)?")
    if not confirm(out, args.yes, question):
        out.print("Aborted: nothing was changed.")
        return document, finish(args, document, EXIT_FAILED)
    return document, None


# -- the command ----------------------------------------------------------------------------
def run(args: argparse.Namespace) -> int:
    if store_partitions(args.store) > 1:
        return run_partitioned(args)
    pairs = parse_mapping(args.map)
    auto_map = not args.no_auto_map
    out = console(args.json)
    with session(args.store, wait=args.wait) as s:
        source = definition(s.engine, args.process, args.version)
        target = definition(s.engine, args.to_process, args.to_version, "--to-process", "--to-version")
        check_mapping(pairs, source, target)
        selection = select(s, source, args.key)
        operate = s.operate
        preview = operate.preview(selection, target.process_id, target.version, pairs, auto_map)
        document, stop = show_and_confirm(args, out, source, target, pairs, auto_map, preview)
        if stop is not None:
            return stop
        outcome, operation = operate.migrate(selection, target.process_id, target.version, pairs,
                                             auto_map, run=False)
        if operation is None:  # the plan was checked above: not expected
            rejection = outcome.rejection or {}
            out.print(Text(f"rejected: {rejection.get('rejectionReason')}", style="red"))
            return EXIT_INVALID
        total = operate.operation_view(operation)["total"]
        out.print(f"Created operation {operation} with {total} item(s).")
        run_with_progress(out, operate, operation, total, args.chunk_size)
        view = operate.operation_view(operation)
        document["operation"] = operation_json(view)
        if not args.json:
            operation_summary(out, view)
    return finish(args, document, EXIT_OK if view["failed"] == 0 else EXIT_FAILED)



# -- a partitioned store -------------------------------------------------------------------
def run_partitioned(args: argparse.Namespace) -> int:
    """The same flow on a partitioned PostgreSQL store, through `Cluster` (docs/scaling.md):
    the preview is summed over the partitions holding selected instances, and the batch fans
    out to one operation per partition, each run by its partition's writer (here, or the
    partition's worker). `--json`'s `operation` is their sum, each under `operations`."""
    pairs = parse_mapping(args.map)
    auto_map = not args.no_auto_map
    out = console(args.json)
    with writer(args.store, args.wait, args.timeout) as cluster:
        assert isinstance(cluster, Cluster)
        source = definition(cluster, args.process, args.version)
        target = definition(cluster, args.to_process, args.to_version, "--to-process",
                            "--to-version")
        check_mapping(pairs, source, target)
        selection = select(cluster, source, args.key)
        preview = cluster.preview(selection, target.process_id, target.version, pairs, auto_map)
        document, stop = show_and_confirm(args, out, source, target, pairs, auto_map, preview)
        if stop is not None:
            return stop
        created = cluster.migrate(selection, target.process_id, target.version, pairs, auto_map,
                                  run=False)
        operations = [key for _, _, key in created if key is not None]
        out.print(f"Created {len(operations)} operation(s), one per partition: "
                  + ", ".join(map(str, operations)))
        summary = watch(out, cluster, operations, preview["total"], args.chunk_size)
        views = [cluster.apps[0].operate.operation_view(key) for key in operations]
        document["operation"] = {**summary, "operations": [operation_json(v) for v in views]}
        if not args.json:
            out.print(f"{summary['state']}: total {summary['total']}, completed "
                      f"{summary['completed']}, failed {summary['failed']}, ignored "
                      f"{summary['ignored']}")
    return finish(args, document, EXIT_OK if summary["failed"] == 0 else EXIT_FAILED)


def watch(out: Console, cluster: Cluster, operations: list[int], total: int,
          chunk_size: int, title: str = "Migrating") -> dict[str, Any]:
    """Run this process's partitions' chunks, then follow the workers' until all are done
    (`WorkerTimeout` after the command's `--timeout` without progress)."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=out) as progress:
        task = progress.add_task(title, total=total)
        cluster.run_operations(operations, lambda o: progress.advance(task, len(o.result)),
                               chunk_size)
        def shown(summary: dict[str, Any]) -> None:
            progress.update(task, completed=summary["completed"] + summary["failed"])
        summary = cluster.wait_for(operations, shown)  # --timeout without progress: exit 4
        shown(summary)
    return summary


def preview_json(preview: dict[str, Any], warnings: dict[str, Any]) -> dict[str, Any]:
    return {"total": preview["total"], "counts": preview["counts"], "targets": preview["targets"],
            "ignored": preview["ignored"], "ignoredKeys": preview["ignoredKeys"],
            "failures": failures_json(preview["failures"]), "warnings": warnings}


def finish(args: argparse.Namespace, document: dict[str, Any], code: int) -> int:
    if args.json:
        print_json(document)
    return code

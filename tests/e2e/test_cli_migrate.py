"""The seed's eight steps from the command line: filter, select, choose a target, map, see the
mapping, preview, confirm, watch the operation; then `operations` and `history`."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest
from cli_support import Cli, keys_in, store_digest


def seed(cli: Cli) -> dict[str, int]:
    """Five orderProcess v1 instances: three at checkPayment, one finished, one at shipArticles."""
    assert cli("deploy", "order-v1.bpmn", "order-v2.bpmn").code == 0
    a, b, c, done, paid = keys_in(cli("create", "orderProcess", "--version", "1", "--count", "5",
                                      "--var", "orderId=o-1").out)
    cli("jobs", "complete", done, "checkPayment", "--var", "paid=true")
    cli("jobs", "complete", done, "shipArticles")
    cli("jobs", "complete", paid, "checkPayment", "--var", "paid=true")
    return {"a": a, "b": b, "c": c, "done": done, "paid": paid}


def cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip("│ ").split("│")]


def row_of(table: str, first_cell: str) -> list[str]:
    """The cells of the table row whose first cell is `first_cell`."""
    for line in table.splitlines():
        if cells(line)[0] == first_cell:
            return cells(line)
    raise AssertionError(f"no row {first_cell!r} in\n{table}")


def test_the_seed_flow_with_preview_and_yes(cli: Cli) -> None:
    k = seed(cli)
    # 1-2. filter and select: version 1, running
    running = cli("instances", "--process", "orderProcess", "--version", "1", "--state", "ACTIVE")
    assert keys_in(running.out) == [k["a"], k["b"], k["c"], k["paid"]]
    # 3-8. target, mapping, preview, confirm, progress, summary
    result = cli("migrate", "--process", "orderProcess", "--version", "1", "--all",
                 "--to-process", "orderProcess", "--to-version", "2",
                 "--map", "checkPayment=checkPayment", "--no-auto-map", "--yes")
    assert result.code == 1, result.err  # one item failed: it keeps its version
    out = result.out
    assert row_of(out, "checkPayment")[1:] == ["SERVICE_TASK", "checkPayment", "mapped"]
    assert row_of(out, "shipArticles")[1:] == ["SERVICE_TASK", "-", "unmapped"]
    # preview: per source element, per target element
    preview = out[out.index("Preview"):out.index("Created operation")]
    assert row_of(preview, "checkPayment") == ["checkPayment", "3", "checkPayment", "3"]
    assert row_of(preview, "shipArticles")[:2] == ["shipArticles", "1"]
    assert (f"4 running instance(s) selected: 3 would migrate, 1 would fail; 1 ignored (not running): "
            f"{k['done']}") in preview
    reason = "active element 'shipArticles' has no mapping instruction"
    assert row_of(preview, str(k["paid"])) == [str(k["paid"]), reason]
    assert "Migrating" in out and "4/4" in out
    summary = re.search(r"Operation (\d+) \(MIGRATE_PROCESS_INSTANCE\) COMPLETED: total 4, completed 3, "
                        r"failed 1, ignored 1", out)
    assert summary, out
    operation = summary.group(1)

    # the list view agrees with the preview and the operation
    assert keys_in(cli("instances", "--version", "2").out) == [k["a"], k["b"], k["c"]]
    assert keys_in(cli("instances", "--version", "1").out) == [k["done"], k["paid"]]

    listed = cli("operations")
    assert row_of(listed.out, operation)[1:7] == ["MIGRATE_PROCESS_INSTANCE", "COMPLETED", "4", "3", "1", "1"]
    shown = cli("operations", operation)
    assert row_of(shown.out, str(k["paid"])) == [str(k["paid"]), reason]
    assert f"Ignored (not running when selected): {k['done']}" in shown.out

    history = cli("history", k["a"])
    assert "from orderProcess v1 to orderProcess v2" in history.out  # its MIGRATED record
    migrations = history.out[history.out.index("Migrations"):]
    [migration] = [cells(line) for line in migrations.splitlines() if "orderProcess v1" in line]
    assert migration[1:3] == ["orderProcess v1", "orderProcess v2"]
    assert migration[3] == "checkPayment → checkPayment"
    failed = cli("history", k["paid"])
    assert "No migrations." in failed.out

    # the migrated instances go on in version 2
    cli("jobs", "complete", k["a"], "checkPayment", "--var", "paid=true")
    assert "active elements: notifyCustomer" in cli("jobs", "complete", k["a"], "shipArticles").out


def test_selected_keys_with_an_explicit_mapping_and_auto_mapping(cli: Cli) -> None:
    k = seed(cli)
    cli("deploy", "order-v3.bpmn")
    result = cli("migrate", "--process", "orderProcess", "--version", "1", "--key", k["a"], k["paid"],
                 "--to-process", "orderProcess", "--to-version", "3", "--map", "checkPayment=verifyPayment",
                 "--yes", "--chunk-size", "1")
    assert result.code == 0, result.out + result.err
    assert row_of(result.out, "checkPayment")[1:] == ["SERVICE_TASK", "verifyPayment", "mapped"]
    assert row_of(result.out, "shipArticles")[1:] == ["SERVICE_TASK", "shipArticles", "auto"]
    assert "total 2, completed 2, failed 0, ignored 0" in result.out
    after = cli("instances", "--version", "3")
    assert keys_in(after.out) == [k["a"], k["paid"]]
    assert "verifyPayment" in after.out and "shipArticles" in after.out


def test_the_prompt_asks_and_a_no_changes_nothing(cli: Cli, workdir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    k = seed(cli)
    args = ("migrate", "--process", "orderProcess", "--version", "1", "--key", k["a"],
            "--to-process", "orderProcess", "--to-version", "2")
    before = store_digest(workdir)
    for answer, code in (("n\n", 1), ("y\n", 0)):
        stdin = io.StringIO(answer)
        stdin.isatty = lambda: True  # type: ignore[method-assign]
        monkeypatch.setattr(sys, "stdin", stdin)
        result = cli(*args)
        assert result.code == code, result.out + result.err
        assert "Migrate 1 instance(s) to orderProcess version 2" in result.out
        if answer == "n\n":
            assert "Aborted: nothing was changed." in result.out
            assert store_digest(workdir) == before
    assert keys_in(cli("instances", "--version", "2").out) == [k["a"]]

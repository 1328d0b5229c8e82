"""Every kind of bad input: exit status 2, one line on stderr naming the argument and the
offending value, and the store exactly as it was (checked before anything is written)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Cli, keys_in, store_digest

BAD = "9999999"


@pytest.fixture
def seeded(cli: Cli) -> dict[str, str]:
    """orderProcess v1 and v2; `a` at checkPayment (v1), `done` completed (v1), `new` on v2."""
    assert cli("deploy", "order-v1.bpmn", "order-v2.bpmn").code == 0
    a, done = keys_in(cli("create", "orderProcess", "--version", "1", "--count", "2").out)
    cli("jobs", "complete", done, "checkPayment", "--var", "paid=true")
    cli("jobs", "complete", done, "shipArticles")
    [new] = keys_in(cli("create", "orderProcess", "--version", "2").out)
    cli("instances")  # the views are caught up: a failing command has nothing left to fold
    cli("operations")
    return {"a": str(a), "done": str(done), "new": str(new)}


MIGRATE = ["migrate", "--process", "orderProcess", "--version", "1", "--to-process", "orderProcess",
           "--to-version", "2"]

# (arguments, what stderr must contain: the argument and the offending value)
CASES = [
    # deploy
    (["deploy", "missing.bpmn"], ["FILE", "'missing.bpmn'", "no such file"]),
    (["deploy", "not-xml.bpmn"], ["FILE", "not-xml.bpmn"]),
    (["deploy", "dangling-ref.bpmn"], ["FILE", "dangling-ref.bpmn", "nowhere"]),
    (["deploy", "order-v3.bpmn", "dangling-ref.bpmn"], ["FILE", "dangling-ref.bpmn"]),  # none is deployed
    (["deploy", "."], ["FILE", "'.'"]),
    # create
    (["create", "nope"], ["PROCESS", "'nope'"]),
    (["create", "orderProcess", "--version", "7"], ["--version", "no version 7"]),
    (["create", "orderProcess", "--count", "0"], ["--count", "'0'"]),
    (["create", "orderProcess", "--count", "x"], ["--count", "'x'"]),
    (["create", "orderProcess", "--var", "paid"], ["--var", "'paid'", "NAME=VALUE"]),
    # instances
    (["instances", "--process", "nope"], ["--process", "'nope'"]),
    (["instances", "--process", "orderProcess", "--version", "7"], ["--version", "7"]),
    (["instances", "--version", "7"], ["--version", "7"]),
    (["instances", "--element", "nope"], ["--element", "'nope'"]),
    (["instances", "--process", "orderProcess", "--version", "1", "--element", "notifyCustomer"],
     ["--element", "'notifyCustomer'", "version 1"]),
    (["instances", "--state", "running"], ["--state", "'RUNNING'"]),
    # jobs
    (["jobs", "complete", BAD, "checkPayment"], ["KEY", BAD]),
    (["jobs", "complete", "abc", "checkPayment"], ["KEY", "'abc'"]),
    (["jobs", "complete", "{a}", "nope"], ["ELEMENT", "'nope'"]),
    (["jobs", "complete", "{a}", "shipArticles"], ["ELEMENT", "'shipArticles'", "no open job"]),
    (["jobs", "complete", "{done}", "checkPayment"], ["KEY", "{done}", "not running"]),
    (["jobs", "complete", "{a}", "checkPayment", "--var", "=1"], ["--var", "'=1'"]),
    (["jobs", "fail", "{a}", "checkPayment", "--retries", "-1"], ["--retries", "'-1'"]),
    (["jobs", "fail", "{a}", "checkPayment"], ["--retries"]),
    # migrate
    (["migrate", "--process", "nope", "--version", "1", "--all", "--to-process", "orderProcess",
      "--to-version", "2", "--yes"], ["--process", "'nope'"]),
    (["migrate", "--process", "orderProcess", "--version", "7", "--all", "--to-process", "orderProcess",
      "--to-version", "2", "--yes"], ["--version", "no version 7"]),
    (["migrate", "--process", "orderProcess", "--version", "1", "--all", "--to-process", "nope",
      "--to-version", "2", "--yes"], ["--to-process", "'nope'"]),
    (["migrate", "--process", "orderProcess", "--version", "1", "--all", "--to-process", "orderProcess",
      "--to-version", "7", "--yes"], ["--to-version", "no version 7"]),
    ([*MIGRATE, "--key", BAD, "--yes"], ["--key", BAD]),
    ([*MIGRATE, "--key", "{new}", "--yes"], ["--key", "{new}", "version 2"]),
    ([*MIGRATE, "--all", "--map", "checkPayment", "--yes"], ["--map", "'checkPayment'", "SOURCE=TARGET"]),
    ([*MIGRATE, "--all", "--map", "checkPayment=", "--yes"], ["--map", "'checkPayment='"]),
    ([*MIGRATE, "--all", "--map", "nope=checkPayment", "--yes"],
     ["--map", "source element 'nope' does not exist in orderProcess version 1"]),
    ([*MIGRATE, "--all", "--map", "checkPayment=nope", "--yes"],
     ["--map", "target element 'nope' does not exist in orderProcess version 2"]),
    ([*MIGRATE, "--all", "--map", "checkPayment=checkPayment", "--map", "checkPayment=shipArticles", "--yes"],
     ["--map", "duplicate source element id 'checkPayment'"]),
    ([*MIGRATE, "--all", "--chunk-size", "0", "--yes"], ["--chunk-size", "'0'"]),
    ([*MIGRATE, "--all", "--key", "{a}", "--yes"], ["--key", "--all"]),
    ([*MIGRATE, "--all"], ["--yes", "not a terminal"]),  # no terminal to confirm on, no --yes
    # operations and history
    (["operations", BAD], ["ID", BAD]),
    (["operations", "abc"], ["ID", "'abc'"]),
    (["operations", "resume", BAD], ["ID", BAD]),
    (["operations", "1", "2"], ["ID", "1 2"]),
    (["history", BAD], ["KEY", BAD]),
    (["history", "abc"], ["KEY", "'abc'"]),
    # the store
    (["instances", "--store", "mysql://x"], ["--store", "'mysql://x'"]),
    (["instances", "--store", "sqlite:///."], ["--store", "sqlite:///."]),
]


def test_every_bad_input_exits_2_with_one_line_and_changes_nothing(
    cli: Cli, seeded: dict[str, str], workdir: Path
) -> None:
    before = store_digest(workdir)
    for argv, expected in CASES:
        args = [arg.format(**seeded) for arg in argv]
        result = cli(*args)
        context = f"engine-sim {' '.join(args)}\n{result.err}"
        assert result.code == 2, context + result.out
        lines = result.err.strip().splitlines()
        assert len(lines) == 1, context
        assert lines[0].startswith("engine-sim"), context
        for part in expected:
            assert part.format(**seeded) in lines[0], context
        assert "Traceback" not in result.err + result.out
        assert store_digest(workdir) == before, context

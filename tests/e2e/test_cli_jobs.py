"""`engine-sim jobs complete` and `jobs fail` move instances; the list view follows."""

from __future__ import annotations

import shutil
from pathlib import Path

from cli_support import Cli, keys_in


def test_jobs_complete_and_fail(cli: Cli) -> None:
    cli("deploy", "order-v1.bpmn")
    a, b, c = keys_in(cli("create", "orderProcess", "--count", "3").out)

    done = cli("jobs", "complete", a, "checkPayment", "--var", "paid=true")
    assert done.code == 0, done.err
    assert f"instance {a} is running, active elements: shipArticles" in done.out
    finished = cli("jobs", "complete", a, "shipArticles")
    assert f"instance {a} is completed" in finished.out

    retry = cli("jobs", "complete", b, "checkPayment", "--var", "paid=false")
    assert "active elements: requestPayment" in retry.out

    failed = cli("jobs", "fail", c, "checkPayment", "--retries", "0", "--message", "card declined")
    assert failed.code == 0, failed.err
    assert "1 open incident(s)" in failed.out

    assert keys_in(cli("instances", "--state", "COMPLETED").out) == [a]
    assert keys_in(cli("instances", "--state", "INCIDENT").out) == [c]
    assert keys_in(cli("instances", "--element", "requestPayment").out) == [b]
    history = cli("history", c)
    assert "JOB_NO_RETRIES: card declined" in history.out
    # the failed job cannot be completed before its incident is resolved
    blocked = cli("jobs", "complete", c, "checkPayment")
    assert blocked.code == 2 and "resolve its incident first" in blocked.err


def test_jobs_complete_names_an_execution_listener_job(cli: Cli, workdir: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "scenarios" / "listeners" / "bpmn"
    shutil.copy(source / "listened-shipping-v1.bpmn", workdir / "shipping.bpmn")
    cli("deploy", "shipping.bpmn")
    (key,) = keys_in(cli("create", "listenedShipping").out)

    done = cli("jobs", "complete", key, "pack")

    assert done.code == 0, done.err
    assert "(reserve, start execution listener) of 'pack'" in done.out
    assert "active elements: pack" in done.out

"""`--json` on every command: one JSON document on stdout and nothing else, with the field
names docs/cli.md documents (checked exactly here, so renaming one is a visible change)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_support import Cli, Result, seed_orders, store_digest

INSTANCE = {"processInstanceKey", "bpmnProcessId", "version", "processDefinitionKey", "state",
            "activeElements", "incidents", "parentProcessInstanceKey", "startDate", "endDate"}
STATUS = {"processInstanceKey", "bpmnProcessId", "version", "state", "activeElements", "incidents"}
OPERATION = {"operationKey", "type", "state", "total", "completed", "failed", "ignored",
             "ignoredKeys", "failures", "startDate", "endDate"}
MIGRATE = ["migrate", "--process", "orderProcess", "--version", "1", "--to-process",
           "orderProcess", "--to-version", "2", "--json"]


def document(result: Result) -> Any:
    assert result.code in (0, 1), result.err
    return json.loads(result.out)  # the whole of stdout is one JSON document


def test_deploy_and_create(cli: Cli) -> None:
    deployed = document(cli("deploy", "order-v1.bpmn", "order-v2.bpmn", "--json"))
    assert [set(p) for p in deployed["processes"]] == [
        {"bpmnProcessId", "version", "processDefinitionKey", "resourceName", "duplicate"}] * 2
    assert [(p["version"], p["duplicate"]) for p in deployed["processes"]] == [
        (1, False), (2, False)]
    again = document(cli("deploy", "order-v2.bpmn", "--json"))
    assert again["processes"][0]["duplicate"] is True
    created = document(cli("create", "orderProcess", "--version", "1", "--count", "25", "--json"))
    assert set(created) == {"bpmnProcessId", "version", "processDefinitionKey",
                            "processInstanceKeys"}
    keys = created["processInstanceKeys"]
    assert len(keys) == len(set(keys)) == 25  # every created key, not an abbreviation
    assert created["processDefinitionKey"] == deployed["processes"][0]["processDefinitionKey"]


def test_instances_jobs_and_history(cli: Cli) -> None:
    k = seed_orders(cli)
    listed = document(cli("instances", "--json"))
    assert listed["total"] == 3 and all(set(row) == INSTANCE for row in listed["instances"])
    by_key = {row["processInstanceKey"]: row for row in listed["instances"]}
    assert by_key[int(k["done"])]["state"] == "COMPLETED" and by_key[int(k["done"])]["endDate"]
    assert by_key[int(k["a"])]["activeElements"] == ["checkPayment"]
    limited = document(cli("instances", "--limit", "1", "--json"))
    assert limited["total"] == 3 and len(limited["instances"]) == 1

    completed = document(cli("jobs", "complete", k["a"], "checkPayment", "--var", "paid=true",
                             "--json"))
    assert set(completed) == {"jobKey", "type", "elementId", "instance"}
    assert completed["type"] == "check-payment" and set(completed["instance"]) == STATUS
    assert completed["instance"]["activeElements"] == ["shipArticles"]
    failed = document(cli("jobs", "fail", k["a"], "shipArticles", "--retries", "0", "--json"))
    assert failed["retries"] == 0 and failed["instance"]["state"] == "INCIDENT"

    history = document(cli("history", k["a"], "--json"))
    assert set(history) == {"processInstanceKey", "instance", "records", "migrations"}
    positions = [r["position"] for r in history["records"]]
    assert positions == sorted(positions)
    assert {"valueType": "JOB", "intent": "FAILED"}.items() <= next(
        r for r in history["records"] if r["intent"] == "FAILED").items()


def test_migrate_dry_run_writes_nothing_and_migrate_reports_the_operation(
        cli: Cli, workdir: Path) -> None:
    k = seed_orders(cli)
    cli("create", "orderProcess", "--version", "1")
    before = store_digest(workdir)
    dry = document(cli(*MIGRATE, "--all", "--dry-run"))
    assert store_digest(workdir) == before
    assert set(dry) == {"source", "target", "mapping", "preview", "dryRun", "operation"}
    assert dry["dryRun"] is True and dry["operation"] is None
    assert set(dry["preview"]) == {"total", "counts", "targets", "ignored", "ignoredKeys",
                                   "failures", "warnings"}
    assert dry["preview"]["counts"] == {"checkPayment": 2}
    assert dry["preview"]["ignoredKeys"] == [int(k["done"])]
    assert {"source": "checkPayment", "target": "checkPayment", "how": "auto"} in dry["mapping"]
    assert dry["preview"]["warnings"]["unmappedTargetElements"] == ["notifyCustomer"]

    done = document(cli(*MIGRATE, "--all", "--yes"))
    assert done["dryRun"] is False and set(done["operation"]) == OPERATION
    operation = done["operation"]
    assert (operation["state"], operation["total"], operation["completed"]) == ("COMPLETED", 2, 2)

    listed = document(cli("operations", "--json"))
    assert [o["operationKey"] for o in listed["operations"]] == [operation["operationKey"]]
    one = document(cli("operations", operation["operationKey"], "--json"))
    assert one == listed["operations"][0]
    resumed = document(cli("operations", "resume", "--json"))
    assert resumed == {"operations": []}
    reverted = document(cli("operations", "revert", operation["operationKey"], "--json"))
    assert reverted["revertedOperationKey"] == operation["operationKey"]
    assert (reverted["operation"]["completed"], reverted["operation"]["failed"]) == (2, 0)
    history = document(cli("history", k["a"], "--json"))
    assert [(m["source"]["version"], m["target"]["version"]) for m in history["migrations"]] == [
        (1, 2), (2, 1)]
    assert set(history["migrations"][0]) == {"timestamp", "source", "target", "mapping"}


def test_a_failing_item_is_in_the_json_failures(cli: Cli) -> None:
    k = seed_orders(cli)
    result = cli(*MIGRATE, "--all", "--no-auto-map", "--yes")
    assert result.code == 1, result.err  # an item failed: the instance at checkPayment is unmapped
    assert json.loads(result.out)["operation"]["failed"] == 1
    failures = json.loads(result.out)["operation"]["failures"]
    assert failures == [{"processInstanceKey": int(k["a"]),
                         "reason": "active element 'checkPayment' has no mapping instruction"}]

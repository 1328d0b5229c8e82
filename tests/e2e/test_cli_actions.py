"""Every action a scenario can take, from the command line (docs/cli.md): the store's clock,
messages, signals, user tasks, variables, incidents, cancel; and the migrate preview's
warnings. `actions.bpmn` waits on a PT1S timer, a message, a signal and a user task, then runs
a job whose type comes from a variable (an EXTRACT_VALUE_ERROR incident while it is unset)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cli_support import Cli, Result, seed_orders, store_digest


def document(result: Result) -> Any:
    assert result.code == 0, result.err
    return json.loads(result.out)


def start(cli: Cli, order: str = "o-1") -> int:
    assert cli("deploy", "actions.bpmn").code == 0
    created = document(cli("create", "actions", "--var", f"orderId={order}", "--json"))
    return int(created["processInstanceKeys"][0])


def active(cli: Cli, key: int) -> list[str]:
    row = document(cli("instances", "--json"))["instances"]
    return next(r["activeElements"] for r in row if r["processInstanceKey"] == key)


def test_a_pt1s_timer_fires_when_the_clock_advances_and_the_clock_is_kept(cli: Cli) -> None:
    key = start(cli)
    shown = document(cli("clock", "show", "--json"))
    [timer] = shown["timers"]
    assert timer["processInstanceKey"] == key and timer["elementId"] == "wait1s"
    assert active(cli, key) == ["wait1s"]
    early = document(cli("clock", "advance", "PT0.5S", "--json"))
    assert early["triggered"] == [] and active(cli, key) == ["wait1s"]
    fired = document(cli("clock", "advance", "PT0.5S", "--json"))
    assert [t["timerKey"] for t in fired["triggered"]] == [timer["timerKey"]]
    assert fired["triggered"][0]["dueDate"] == timer["dueDate"] == fired["time"]
    assert active(cli, key) == ["waitPaid"]
    # an advance that fires nothing is kept too: the store's clock resumes where it stopped
    moved = document(cli("clock", "advance", "P1D", "--json"))
    assert document(cli("clock", "show", "--json"))["time"] == moved["time"] > fired["time"]
    text = cli("clock", "show")
    assert moved["time"] in text.out and "No open timer." in text.out


def test_records_are_stamped_with_the_store_clock(cli: Cli) -> None:
    key = start(cli)
    before = document(cli("clock", "show", "--json"))["time"]
    cli("clock", "advance", "PT1H")
    document(cli("messages", "publish", "paid", "--key", "o-1", "--json"))  # not waiting yet
    records = document(cli("history", key, "--json"))["records"]
    assert {r["timestamp"] for r in records if r["intent"] == "ELEMENT_ACTIVATED"
            and r["elementId"] == "wait1s"} == {before}
    assert any(r["timestamp"] > before for r in records)


def test_message_signal_user_task_variables_and_incident(cli: Cli) -> None:
    key = start(cli)
    cli("clock", "advance", "PT1S")
    other = document(cli("messages", "publish", "paid", "--key", "o-2", "--json"))
    assert other["triggeredProcessInstanceKeys"] == []  # another correlation key
    published = document(cli("messages", "publish", "paid", "--key", "o-1", "--json"))
    assert set(published) == {"messageKey", "messageName", "correlationKey", "timeToLive",
                              "triggeredProcessInstanceKeys", "startedProcessInstanceKeys"}
    assert published["triggeredProcessInstanceKeys"] == [key]
    assert active(cli, key) == ["waitGo"]
    signal = document(cli("signals", "broadcast", "go", "--json"))
    assert signal["triggeredProcessInstanceKeys"] == [key] and signal["signalName"] == "go"

    task = document(cli("user-tasks", "complete", key, "approve", "--var", "ok=true", "--json"))
    assert task["implementation"] == "zeebe:userTask" and task["userTaskKey"] > 0
    assert task["instance"]["state"] == "INCIDENT"  # the job type is a missing variable

    incidents = document(cli("incidents", "--json"))["incidents"]
    assert [(i["processInstanceKey"], i["elementId"], i["errorType"]) for i in incidents] == [
        (key, "work", "EXTRACT_VALUE_ERROR")]
    assert document(cli("incidents", "--instance", key, "--json"))["incidents"] == incidents
    listed = cli("incidents")
    assert str(incidents[0]["incidentKey"]) in listed.out and "1 open incident" in listed.out

    changed = document(cli("variables", "set", key, "--var", "workType=ship", "--json"))
    assert changed["variables"] == {"workType": "ship"} and changed["elementId"] is None
    resolved = document(cli("incidents", "resolve", incidents[0]["incidentKey"], "--json"))
    assert resolved["instance"]["state"] == "ACTIVE"
    assert document(cli("incidents", "--json"))["incidents"] == []
    job = document(cli("jobs", "complete", key, "work", "--json"))
    assert job["type"] == "ship" and job["instance"]["state"] == "COMPLETED"


def test_cancel_and_variables_in_an_element_scope(cli: Cli) -> None:
    key = start(cli)
    scoped = document(cli("variables", "set", key, "--element", "wait1s", "--var", "n=1",
                          "--json"))
    assert scoped["elementId"] == "wait1s"
    history = document(cli("history", key, "--json"))["records"]
    assert any(r["valueType"] == "VARIABLE" and r["name"] == "n" and r["scopeKey"] != key
               for r in history)
    canceled = document(cli("cancel", key, "--json"))
    assert canceled["instance"]["state"] == "CANCELED"
    again = cli("cancel", key)
    assert again.code == 2 and "not running (it is canceled)" in again.err


def test_bad_targets_of_actions_exit_2_and_change_nothing(cli: Cli, workdir: Path) -> None:
    key = start(cli)
    before = store_digest(workdir)
    cases = [
        (["user-tasks", "complete", key, "nope"], "ELEMENT: no element 'nope'"),
        (["user-tasks", "complete", key, "approve"], "no user task waits at 'approve'"),
        (["user-tasks", "complete", "123", "approve"], "KEY: no process instance with key 123"),
        (["variables", "set", key], "--var: give at least one"),
        (["variables", "set", key, "--var", "a=1", "--element", "approve"], "is not active"),
        (["variables", "set", key, "--var", "a=1", "--element", "nope"], "no element 'nope'"),
        (["incidents", "resolve", "99"], "KEY: no open incident with key 99"),
        (["incidents", "99"], "incidents resolve 99"),
        (["incidents", "--instance", "99"], "--instance: no process instance with key 99"),
        (["cancel", "99"], "KEY: no process instance with key 99"),
        (["operations", "revert"], "revert needs the key"),
        (["clock", "advance", "P"], "DURATION"),
        (["messages", "publish", "paid", "--key", "o-1", "--ttl", "PTX"], "--ttl"),
    ]
    for argv, expected in cases:
        result = cli(*argv)
        assert result.code == 2, (argv, result.out, result.err)
        assert expected in result.err and len(result.err.strip().splitlines()) == 1, result.err
        assert store_digest(workdir) == before, argv


def test_the_preview_warns_about_job_types_unmapped_targets_and_renamed_elements(cli: Cli) -> None:
    seed_orders(cli)
    cli("deploy", "order-v3.bpmn")
    migrate = ["migrate", "--process", "orderProcess", "--version", "1", "--to-process",
               "orderProcess", "--to-version", "3", "--all", "--dry-run"]
    renamed = cli(*migrate)
    assert renamed.code == 0, renamed.err
    assert ("hint: 'checkPayment' (SERVICE_TASK) has no mapping; did its id change? "
            "--map checkPayment=verifyPayment") in renamed.out
    assert "note: nothing maps to target element(s) verifyPayment" in renamed.out
    warnings = json.loads(cli(*migrate, "--json").out)["preview"]["warnings"]
    assert warnings["suggestedMappings"][0] == {
        "sourceElementId": "checkPayment", "type": "SERVICE_TASK", "candidates": ["verifyPayment"]}
    retyped = json.loads(cli(*migrate, "--map", "checkPayment=shipArticles", "--json").out)
    assert retyped["preview"]["warnings"]["jobTypeChanges"] == [{
        "sourceElementId": "checkPayment", "targetElementId": "shipArticles",
        "jobType": "check-payment", "targetJobType": "ship-articles", "instances": 1}]
    text = cli(*migrate, "--map", "checkPayment=shipArticles")
    assert "keep type 'check-payment', but 'shipArticles' declares 'ship-articles'" in text.out


def test_a_message_with_a_ttl_waits_on_the_store_clock(cli: Cli) -> None:
    key = start(cli)
    early = document(cli("messages", "publish", "paid", "--key", "o-1", "--ttl", "PT1H",
                         "--json"))
    assert early["triggeredProcessInstanceKeys"] == [] and early["timeToLive"] == "PT1H"
    cli("clock", "advance", "PT1S")  # the timer fires; the buffered message correlates
    assert active(cli, key) == ["waitGo"]
    late = start(cli, "o-1")  # a buffered message reaches one instance per process only
    cli("clock", "advance", "PT2H")
    assert active(cli, late) == ["waitPaid"]

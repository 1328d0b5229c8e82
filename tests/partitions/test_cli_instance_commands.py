"""The CLI commands about one instance, incident or operation on a partitioned store: they go
through `Cluster` to the partition in the key, so a partition no worker runs runs them in
the command's process, and a partition a worker runs gets them through its command table
(the command does not wait for the worker's lease: `--wait 0` would exit 3 if it tried).
A worker that does not answer within `--timeout` leaves the request queued (exit 4).

One store of two partitions for the module, partition 2 run by one worker throughout;
partition 1 has none."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import pytest
from bpmn_builders import (
    BY_SOURCE,
    catch,
    chain,
    end,
    message,
    message_def,
    process,
    start,
    task,
    user_task,
)
from test_worker import JOB, JOB_V2, cli, start_worker

from engine_sim.cli.main import store_failure
from engine_sim.engine.commands import CreateProcessInstance
from engine_sim.partitions import (
    Cluster,
    CommandQueue,
    WorkerFailed,
    message_partition,
    partition_of,
)
from engine_sim.persistence import parse_store_url
from migration.operate import Selection

ORDER = process(start(), task("work"), user_task("approve", managed=True),
                catch("paid", message_def()), end(),
                chain("start", "work", "approve", "paid", "end", flow_ids=BY_SOURCE),
                extra=message("payment"), process_id="order")
Keys = dict[str, list[int]]
Store = tuple[str, Keys, subprocess.Popen[str]]


@pytest.fixture(scope="module")
def store(module_database_url: str) -> Iterator[Store]:
    """Per partition (1, then 2): an `order`, an instance to cancel, and a `job` with a
    migration to version 2 that nothing has run yet; then partition 2's worker starts."""
    url = module_database_url + "?partitions=2"
    setup = Cluster(url)
    for xml, name in ((ORDER, "order"), (JOB, "job")):
        assert not setup.deploy(xml, f"{name}.bpmn").rejected
    keys = {name: [setup.execute(CreateProcessInstance(process_id)).result for _ in range(2)]
            for name, process_id in (("order", "order"), ("cancel", "order"), ("job", "job"))}
    assert not setup.deploy(JOB_V2, "job.bpmn").rejected
    keys["operations"] = [key for _, _, key in setup.migrate(
        Selection(keys=tuple(keys["job"])), "job", 2, run=False) if key is not None]
    setup.close()
    assert {name: [partition_of(k) for k in found] for name, found in keys.items()} == {
        name: [1, 2] for name in keys}
    worker = start_worker(url, 2)
    try:
        yield url.split("?")[0], keys, worker
    finally:
        if worker.poll() is None:
            worker.send_signal(signal.SIGCONT)
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=20) == 0


def run(url: str, *args: str) -> dict[str, Any]:
    """A command that must succeed without waiting for a lease, its --json document."""
    done = cli(*args, "--store", url, "--wait", "0", "--json")
    assert done.returncode == 0, (args, done.stderr)
    document: dict[str, Any] = json.loads(done.stdout)
    return document


def answered(url: str, partition: int) -> int:
    """How many requests the partition's worker has answered."""
    table = CommandQueue(parse_store_url(url), partition)  # creates it if need be
    try:
        [(count,)] = table.connection.execute(f"SELECT count(*) FROM {table.table} "
                                              "WHERE outcome IS NOT NULL").fetchall()
    finally:
        table.close()
    return int(count)


def on_other_partition(key: int) -> str:
    """A correlation key whose message partition is not the instance's."""
    return next(k for k in (f"order-{n}" for n in range(100))
                if message_partition(k, 2) != partition_of(key))


def test_commands_on_one_instance_run_on_its_partition_or_by_its_worker(
        store: Store) -> None:
    url, keys, _ = store
    for key in keys["order"]:
        before = answered(url, 2)
        failed = run(url, "jobs", "fail", str(key), "work", "--retries", "0", "--message", "x")
        [incident] = run(url, "incidents", "--instance", str(key))["incidents"]
        resolved = run(url, "incidents", "resolve", str(incident["incidentKey"]))
        set_ = run(url, "variables", "set", str(key), "--var",
                   f"orderId={on_other_partition(key)}")
        completed = cli("jobs", "complete", str(key), "work", "--store", url, "--wait", "0")
        approved = run(url, "user-tasks", "complete", str(key), "approve")
        published = run(url, "messages", "publish", "payment", "--key", on_other_partition(key))

        assert failed["instance"]["state"] == "INCIDENT"
        assert resolved["instance"]["state"] == "ACTIVE"
        assert set_["variables"] == {"orderId": on_other_partition(key)}
        assert completed.returncode == 0, completed.stderr  # the text is a one-partition's
        assert completed.stdout.startswith("Completed job ")
        assert completed.stdout.rstrip().endswith(
            f"; instance {key} is running, active elements: approve")
        # the subscription it opened was registered on the other (message) partition
        assert approved["instance"]["activeElements"] == ["paid"]
        assert published["triggeredProcessInstanceKeys"] == [key]
        # partition 2's worker ran its instance's five commands (and the correlation)
        assert answered(url, 2) - before >= (5 if partition_of(key) == 2 else 1)

    for key in keys["cancel"]:
        assert run(url, "cancel", str(key))["instance"]["state"] == "CANCELED"
    reader = Cluster(url, in_process=False)
    try:
        for key in keys["order"] + keys["cancel"]:
            state = reader.instance(key)
            assert state is not None
            assert state.lifecycle == ("COMPLETED" if key in keys["order"] else "TERMINATED")
    finally:
        reader.close()


def test_operations_resume_and_revert_one_operation_on_its_partition(
        store: Store) -> None:
    url, keys, _ = store
    resumed = {key: run(url, "operations", "resume", str(key))["operations"]
               for key in keys["operations"]}
    before = answered(url, 2)
    reverted = [run(url, "operations", "revert", str(key)) for key in keys["operations"]]

    for key, [operation] in resumed.items():  # partition 2's worker may have run it already
        assert (operation["operationKey"], operation["state"], operation["completed"]) == (
            key, "COMPLETED", 1)
    for key, document in zip(keys["operations"], reverted, strict=True):
        operation = document["operation"]
        assert document["revertedOperationKey"] == key
        assert partition_of(operation["operationKey"]) == partition_of(key)
        assert (operation["state"], operation["completed"], operation["failed"]) == (
            "COMPLETED", 1, 0)
    assert answered(url, 2) == before + 1  # partition 2's revert, created by its worker
    histories = [cli("history", str(key), "--store", url, "--json") for key in keys["job"]]
    assert [json.loads(h.stdout)["instance"]["version"] for h in histories] == [1, 1]


def test_a_key_of_a_partition_the_store_does_not_have_is_refused(
        store: Store) -> None:
    url, _, _ = store
    stranger = str(5 << 51)
    job = cli("jobs", "complete", stranger, "work", "--store", url)
    operation = cli("operations", "revert", stranger, "--store", url)

    assert job.returncode == 2
    assert job.stderr.splitlines() == [
        f"engine-sim jobs: KEY: {stranger} is no key of this store: it names partition 5, "
        "and the store has 2"]
    assert operation.returncode == 2 and "ID: " in operation.stderr
    assert "names partition 5, and the store has 2" in operation.stderr


def test_the_cli_defaults_are_the_partitions_own() -> None:
    from engine_sim.cli import arguments
    from engine_sim.partitions import cluster, messages

    assert arguments.DEFAULT_TIMEOUT == cluster.DEFAULT_TIMEOUT
    assert arguments.RETRY_INTERVAL == messages.RETRY_INTERVAL


def test_a_workers_failure_is_one_line_with_status_1(capsys: pytest.CaptureFixture[str]) -> None:
    failure = WorkerFailed("partition 2's worker failed: ValueError: no\nsuch thing")

    assert store_failure("cancel", "postgresql://db", failure) == 1
    assert capsys.readouterr().err.splitlines() == [
        "engine-sim cancel: --store: partition 2's worker failed: ValueError: no such thing"]


def test_a_worker_that_does_not_answer_leaves_the_request_queued(store: Store) -> None:
    url, keys, worker = store
    key = keys["job"][1]  # partition 2's, a job of version 1 again
    worker.send_signal(signal.SIGSTOP)
    try:
        stopped = cli("cancel", str(key), "--store", url, "--wait", "0", "--timeout", "1")
    finally:
        worker.send_signal(signal.SIGCONT)

    assert stopped.returncode == 4
    [line] = stopped.stderr.splitlines()
    assert line.startswith("engine-sim cancel: --timeout: partition 2: no outcome of request ")
    assert "within 1 s" in line and "stays queued for the partition's worker" in line
    reader = Cluster(url, in_process=False)
    try:  # the worker, going on, runs the queued request
        deadline = time.monotonic() + 20
        while (state := reader.instance(key)) is None or state.lifecycle != "TERMINATED":
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        reader.close()


def test_a_partition_another_command_runs_is_waited_for_as_a_lease(store: Store) -> None:
    """No worker runs partition 1: a client holding its lease is another writer, waited for
    up to --wait (then exit 3, nothing queued), never sent a request no one would answer."""
    url, _, _ = store
    holder = Cluster(url)
    try:
        key = holder.send(1, CreateProcessInstance("job")).result  # this process runs it now
        assert not holder.app(1).engine.writer_lease.held_by_worker()
        before = answered(url, 1)
        busy = cli("cancel", str(key), "--store", url, "--wait", "0.5", "--timeout", "30")
        assert busy.returncode == 3, busy.stderr
        assert busy.stderr.count("\n") == 1 and "after waiting 0.5 s" in busy.stderr
        assert answered(url, 1) == before  # nothing left in the table for a worker
        waiting = subprocess.Popen(
            [sys.executable, "-m", "engine_sim", "cancel", str(key), "--store", url, "--wait",
             "60", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1)
    finally:
        holder.close()  # gives partition 1 back: the waiting command takes it
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert json.loads(out)["instance"]["state"] == "CANCELED"
    partition_2 = Cluster(url, in_process=False)
    try:
        assert partition_2.app(2).engine.writer_lease.held_by_worker()
    finally:
        partition_2.close()

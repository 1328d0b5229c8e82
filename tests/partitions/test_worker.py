"""Workers: `engine-sim worker --partition N` as a separate process runs its partition's
commands from the partition's command table; a client (`Cluster`) sends them there while the
worker holds the partition's lease, and runs the other partitions itself. A batch migration
fans out to one operation per partition, each run by the partition's own writer."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bpmn_builders import BY_SOURCE, chain, end, process, start, task

from engine_sim.engine.commands import CompleteJob, CreateProcessInstance
from engine_sim.partitions import Cluster, CommandQueue, Worker, WorkerTimeout, partition_of
from engine_sim.persistence import parse_store_url
from engine_sim.projections import ListFilter
from migration.operate import Selection

JOB = process(start(), task("work"), end(), chain("start", "work", "end", flow_ids=BY_SOURCE),
              process_id="job")
JOB_V2 = process(start(), task("work"), task("more"), end(),
                 chain("start", "work", "more", "end", flow_ids=BY_SOURCE), process_id="job")


def start_worker(url: str, partition: int, poll: float = 0.01) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "engine_sim", "worker", "--store", url, "--partition",
         str(partition), "--poll", str(poll)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert worker.stdout is not None
    line = worker.stdout.readline()  # printed once it holds the partition's lease
    assert f"partition {partition}" in line, worker.stderr.read() if worker.stderr else line
    return worker


@pytest.fixture
def store(database_url: str) -> Iterator[str]:
    url = database_url + "?partitions=4"
    setup = Cluster(url)
    assert not setup.deploy(JOB, "job.bpmn").rejected
    setup.close()  # gives every partition's lease back
    yield url


def test_a_worker_runs_its_partitions_commands(store: str) -> None:
    worker = start_worker(store, 2)
    cluster = Cluster(store, timeout=30)
    try:
        keys = [cluster.execute(CreateProcessInstance("job")).result for _ in range(4)]
        assert [partition_of(k) for k in keys] == [1, 2, 3, 4]
        assert not cluster.local(2)  # the worker holds partition 2
        assert all(cluster.local(n) for n in (1, 3, 4))

        for key in keys:
            assert not cluster.execute(CompleteJob(key, "work")).rejected

        rows = {row.key: row for row in cluster.views().query(ListFilter())}
        assert {rows[k].state for k in keys} == {"COMPLETED"}
        assert [r["intent"] for r in cluster.instance_records(keys[1])][-1] == "ELEMENT_COMPLETED"
    finally:
        cluster.close()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0


def test_an_idle_worker_is_woken_by_each_request_and_its_client_by_the_answer(store: str) -> None:
    """NOTIFY, not the poll: a worker looking at its table every two minutes answers
    requests that each time out after twenty seconds."""
    worker = start_worker(store, 1, poll=120)
    cluster = Cluster(store, timeout=20, in_process=False)
    try:
        for _ in range(3):
            time.sleep(0.2)  # the worker is asleep again
            assert partition_of(cluster.send(1, CreateProcessInstance("job")).result) == 1
    finally:
        cluster.close()
        worker.send_signal(signal.SIGTERM)  # ends its two-minute wait at once
        assert worker.wait(timeout=20) == 0


def test_a_client_only_cluster_waits_for_the_worker(store: str) -> None:
    cluster = Cluster(store, timeout=1, in_process=False)
    try:
        with pytest.raises(WorkerTimeout, match="partition 1: no outcome"):
            cluster.execute(CreateProcessInstance("job"))  # no worker runs partition 1
        worker = start_worker(store, 2)
        assert partition_of(cluster.execute(CreateProcessInstance("job")).result) == 2
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0
        assert not any(app.engine.writer_lease.held for app in cluster.apps)
    finally:
        cluster.close()


def test_a_batch_migration_fans_out_to_each_partitions_writer(store: str) -> None:
    worker = start_worker(store, 3)
    cluster = Cluster(store, timeout=30)
    try:
        keys = [cluster.execute(CreateProcessInstance("job")).result for _ in range(20)]
        assert not cluster.deploy(JOB_V2, "job.bpmn").rejected  # distributed through the worker

        by_version = Selection(filter=ListFilter(process="job", version=1))
        refused = cluster.migrate(by_version, "job", 2, (("nowhere", "work"),), auto_map=True)
        assert [(partition, key) for partition, _, key in refused] == [
            (1, None), (2, None), (3, None), (4, None)]  # the worker's partition 3 too
        assert len({o.rejection["rejectionReason"] for _, o, _ in refused
                    if o.rejection is not None}) == 1

        created = cluster.migrate(by_version, "job", 2, (), auto_map=True)

        assert sorted(partition for partition, _, _ in created) == [1, 2, 3, 4]
        operations = [key for _, _, key in created if key is not None]
        assert [partition_of(k) for k in operations] == [1, 2, 3, 4]
        deadline = time.monotonic() + 30
        while (summary := cluster.operations(operations))["state"] != "COMPLETED":
            assert time.monotonic() < deadline, summary
            time.sleep(0.1)
        assert (summary["total"], summary["completed"], summary["failed"]) == (20, 20, 0)
        rows = cluster.views().query(ListFilter(process="job"))
        assert {row.version for row in rows if row.key in keys} == {2}
    finally:
        cluster.close()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0


def test_following_operations_no_worker_runs_gives_up_after_the_timeout(store: str) -> None:
    """What `engine-sim migrate` and `operations resume` do on a partitioned store: follow
    the operations until done, or give up (exit 4) once none moved for the timeout."""
    setup = Cluster(store)
    keys = [setup.execute(CreateProcessInstance("job")).result for _ in range(4)]
    assert not setup.deploy(JOB_V2, "job.bpmn").rejected
    operations = [key for _, _, key in setup.migrate(Selection(keys=tuple(keys)), "job", 2,
                                                     run=False) if key is not None]
    setup.close()  # partitions 1 to 4 ACTIVE, and no worker runs them
    client = Cluster(store, timeout=1, in_process=False)
    try:
        with pytest.raises(WorkerTimeout, match=r"no progress for 1 s \(0 of 4 items done; "
                           r"is every partition's worker running\?\); they stay ACTIVE"):
            client.wait_for(operations)
    finally:
        client.close()
    runner = Cluster(store)
    try:  # this process runs them: done
        runner.run_operations(operations)
        assert runner.wait_for(operations)["completed"] == 4
    finally:
        runner.close()


def test_a_worker_refuses_a_partition_the_store_does_not_have(store: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "engine_sim", "worker", "--store", store.split("?")[0],
         "--partition", "5"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "COLUMNS": "200"})

    assert result.returncode == 2
    assert "has 4 partition(s): there is no partition 5" in result.stderr


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine_sim", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, "COLUMNS": "200"})


def test_the_cli_routes_to_the_partitions_and_lists_the_whole_store(store: str,
                                                                   tmp_path: Path) -> None:
    url = store.split("?")[0]
    worker = start_worker(store, 2)
    try:
        created = cli("create", "job", "--count", "8", "--store", url, "--json")
        assert created.returncode == 0, created.stderr
        keys = json.loads(created.stdout)["processInstanceKeys"]
        assert sorted(partition_of(k) for k in keys) == [1, 1, 2, 2, 3, 3, 4, 4]
        on_three = next(k for k in keys if partition_of(k) == 3)

        (tmp_path / "job.bpmn").write_bytes(JOB_V2)
        deployed = cli("deploy", str(tmp_path / "job.bpmn"), "--store", url, "--json")
        completed = cli("jobs", "complete", str(on_three), "work", "--store", url, "--json")
        history = cli("history", str(on_three), "--store", url, "--json")
        listed = cli("instances", "--store", url, "--json")
        migrated = cli("migrate", "--process", "job", "--version", "1", "--all",
                       "--to-process", "job", "--to-version", "2", "--yes", "--json",
                       "--store", url)
        after = cli("instances", "--store", url, "--process", "job", "--version", "2", "--json")
        on_three_op = next(o["operationKey"] for o in json.loads(migrated.stdout)["operation"]
                           ["operations"] if partition_of(o["operationKey"]) == 3)
        reverted = cli("operations", "revert", str(on_three_op), "--store", url, "--json")
        incidents = cli("incidents", "--instance", str(on_three), "--store", url, "--json")
        stranger = cli("cancel", str(5 << 51), "--store", url)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0

    assert deployed.returncode == 0, deployed.stderr
    assert json.loads(deployed.stdout)["processes"][0]["version"] == 2
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["instance"]["state"] == "COMPLETED"
    assert history.returncode == 0 and str(on_three) in history.stdout
    assert listed.returncode == 0, listed.stderr
    assert all(str(k) in listed.stdout for k in keys)
    assert migrated.returncode == 0, migrated.stderr
    operation = json.loads(migrated.stdout)["operation"]
    assert (operation["total"], operation["completed"], operation["failed"]) == (7, 7, 0)
    assert len(operation["operations"]) == 4  # one per partition, partition 2's by its worker
    assert after.returncode == 0 and all(str(k) in after.stdout for k in keys if k != on_three)
    assert reverted.returncode == 0, reverted.stderr
    assert partition_of(json.loads(reverted.stdout)["operation"]["operationKey"]) == 3
    assert incidents.returncode == 0 and json.loads(incidents.stdout) == {"incidents": []}
    assert stranger.returncode == 2 and "names partition 5, and the store has 4" in stranger.stderr


def test_a_worker_killed_mid_batch_is_resumed_by_the_next_one(store: str) -> None:
    cluster = Cluster(store)
    keys, _ = cluster.create_many("job", None, {}, 800)
    assert not cluster.deploy(JOB_V2, "job.bpmn").rejected
    cluster.close()
    mine = [k for k in keys if partition_of(k) == 2]
    command = [sys.executable, "-m", "engine_sim", "worker", "--store", store, "--partition",
               "2", "--poll", "0.01", "--chunk-size", "1"]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert first.stdout is not None and "partition 2" in first.stdout.readline()
    # a standby for the same partition: it waits for the lease
    second = subprocess.Popen([*command, "--wait", "60"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    assert second.stderr is not None and "waiting up to 60 s" in second.stderr.readline()
    cluster = Cluster(store, timeout=30)
    try:
        created = cluster.migrate(Selection(keys=tuple(keys)), "job", 2, (), auto_map=True,
                                  run=False)  # partitions 1, 3, 4 run theirs after the kill
        operation = next(key for partition, _, key in created if partition == 2)
        assert operation is not None
        while (done := cluster.operations([operation], catch_up=False)["completed"]) < 5:
            time.sleep(0.005)
        first.kill()  # mid-batch: its chunks run one instance each
        first.wait(timeout=20)
        killed_at = cluster.operations([operation])["completed"]
        assert 5 <= done <= killed_at < len(mine)

        assert second.stdout is not None and "partition 2" in second.stdout.readline()
        cluster.run_operations(key for _, _, key in created if key is not None)
        operations = [key for _, _, key in created if key is not None]
        deadline = time.monotonic() + 60
        while (summary := cluster.operations(operations))["state"] != "COMPLETED":
            assert time.monotonic() < deadline, summary
            time.sleep(0.1)
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=20) == 0

        assert (summary["total"], summary["completed"], summary["failed"]) == (800, 800, 0)
        for key in mine:  # each instance of the killed worker's partition migrated once
            migrated = [r for r in cluster.instance_records(key)
                        if r["intent"] == "ELEMENT_MIGRATED" and r["key"] == key]
            assert len(migrated) == 1, key
        rows = cluster.views().query(ListFilter(process="job"))
        assert {row.version for row in rows} == {2}
    finally:
        cluster.close()
        for worker in (first, second):
            if worker.poll() is None:
                worker.kill()



@pytest.mark.parametrize("ran", [True, False], ids=["ran-before-the-kill", "never-ran"])
def test_a_request_a_dead_worker_left_unanswered_runs_once(store: str, ran: bool) -> None:
    client = CommandQueue(parse_store_url(store), 2)
    request_id = client.submit("create", process="job", version=None, variables={}, count=3)
    dead = Worker(parse_store_url(store), 2)
    [(pending_id, request, _)] = dead.queue.pending()
    dead.queue.start(pending_id, dead.app.engine.app.recorder.max_notification_id() or 0)
    if ran:
        dead.handle(request)  # its events are stored; then it dies before answering
    dead.close()

    successor = Worker(parse_store_url(store), 2)
    successor.step()
    answer = client.wait(request_id, timeout=5)
    rows = successor.app.views().query(ListFilter(process="job"))
    successor.close()
    client.close()

    assert len(answer["keys"]) == 3 and {partition_of(k) for k in answer["keys"]} == {2}
    assert sorted(row.key for row in rows if partition_of(row.key) == 2) == sorted(answer["keys"])

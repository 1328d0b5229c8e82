"""The CLI commands about the whole of a partitioned store: `clock show` and `clock advance`
(every partition's clock, each moved by the same duration; a worker moves its own),
`incidents` (from every partition) and `operations resume` (every partition's ACTIVE
operations, each on its partition)."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from datetime import datetime

import pytest
from bpmn_builders import BY_SOURCE, catch, chain, end, process, start, timer
from test_worker import JOB, JOB_V2, cli, start_worker

from engine_sim.engine.commands import CreateProcessInstance, FailJob
from engine_sim.partitions import Cluster, partition_of
from engine_sim.projections import ListFilter
from migration.operate import Selection

TIMED = process(start(), catch("wait", timer("timeDuration", "PT1H")), end(),
                chain("start", "wait", "end", flow_ids=BY_SOURCE), process_id="timed")


@pytest.fixture
def store(database_url: str) -> Iterator[tuple[str, dict[str, list[int]]]]:
    """Two partitions: a timer waiting on each, an incident on each, and a migration
    operation on each that nothing has run yet."""
    url = database_url + "?partitions=2"
    setup = Cluster(url)
    for xml, name in ((TIMED, "timed"), (JOB, "job")):
        assert not setup.deploy(xml, f"{name}.bpmn").rejected
    keys = {name: [setup.execute(CreateProcessInstance(name)).result for _ in range(2)]
            for name in ("timed", "job")}
    keys["moved"] = [setup.execute(CreateProcessInstance("job")).result for _ in range(2)]
    for key in keys["job"]:
        assert not setup.execute(FailJob(key, "work", 0, "boom")).rejected
    assert not setup.deploy(JOB_V2, "job.bpmn").rejected
    created = setup.migrate(Selection(keys=tuple(keys["moved"])), "job", 2, run=False)
    keys["operations"] = [key for _, _, key in created if key is not None]
    setup.close()
    assert {name: [partition_of(k) for k in found] for name, found in keys.items()} == {
        "timed": [1, 2], "job": [1, 2], "moved": [1, 2], "operations": [1, 2]}
    yield url.split("?")[0], keys


def test_operations_resume_runs_every_partitions_pending_operations(
        store: tuple[str, dict[str, list[int]]]) -> None:
    url, keys = store
    resumed = cli("operations", "resume", "--store", url, "--json")
    again = cli("operations", "resume", "--store", url)

    assert resumed.returncode == 0, resumed.stderr
    operations = json.loads(resumed.stdout)["operations"]
    assert sorted(o["operationKey"] for o in operations) == keys["operations"]
    assert [(o["state"], o["completed"]) for o in operations] == [("COMPLETED", 1)] * 2
    assert again.returncode == 0 and "nothing to resume" in again.stdout
    after = Cluster(url)
    try:
        rows = after.views().get_many(keys["moved"])
        assert {rows[k].version for k in keys["moved"]} == {2}
    finally:
        after.close()


def test_clock_and_incidents_cover_every_partition(store: tuple[str, dict[str, list[int]]]
                                                   ) -> None:
    url, keys = store
    worker = start_worker(url, 2)  # partition 2's clock moves in its worker
    try:
        shown = cli("clock", "show", "--store", url, "--json")
        advanced = cli("clock", "advance", "PT1H", "--store", url, "--json")
        shown_after = cli("clock", "show", "--store", url)
        incidents = cli("incidents", "--store", url, "--json")
        bad_duration = cli("clock", "advance", "soon", "--store", url)
        stranger = cli("incidents", "--instance", str(5 << 51), "--store", url)
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0

    assert shown.returncode == 0, shown.stderr
    timers = json.loads(shown.stdout)["timers"]
    assert sorted(t["processInstanceKey"] for t in timers) == keys["timed"]
    assert [p["partition"] for p in json.loads(shown.stdout)["partitions"]] == [1, 2]
    assert advanced.returncode == 0, advanced.stderr
    moved = json.loads(advanced.stdout)
    assert sorted(t["processInstanceKey"] for t in moved["triggered"]) == keys["timed"]
    for partition in moved["partitions"]:  # each partition's clock moved by the duration
        later = datetime.fromisoformat(partition["time"]) - datetime.fromisoformat(partition["from"])
        assert later.total_seconds() == 3600
    assert moved["timers"] == []
    assert shown_after.returncode == 0 and "The partitions' clocks: 1: " in shown_after.stdout
    assert "No open timer." in shown_after.stdout  # the advance was kept in each partition
    assert incidents.returncode == 0, incidents.stderr
    assert sorted(i["processInstanceKey"] for i in json.loads(incidents.stdout)["incidents"]) \
        == keys["job"]
    assert bad_duration.returncode == 2 and len(bad_duration.stderr.splitlines()) == 1
    assert stranger.returncode == 2
    assert "names partition 5, and the store has 2" in stranger.stderr
    after = Cluster(url)
    try:
        rows = {row.key: row.state for row in after.views().query(ListFilter(process="timed"))}
        assert rows == {key: "COMPLETED" for key in keys["timed"]}
    finally:
        after.close()

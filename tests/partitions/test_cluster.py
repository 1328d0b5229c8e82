"""A 4-partition PostgreSQL store driven from one process (`Cluster`): keys name their
partition, instances spread, commands reach the instance's partition, deployments are on
every partition, messages and signals cross partitions, views see the whole store."""

from __future__ import annotations

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
    signal,
    signal_def,
    start,
    task,
)

from engine_sim.engine import Engine
from engine_sim.engine.commands import (
    BroadcastSignal,
    CompleteJob,
    CreateProcessInstance,
    PublishMessage,
)
from engine_sim.partitions import Cluster, message_partition, partition_of
from engine_sim.persistence.partitions import PartitionCountError
from engine_sim.projections import ListFilter
from engine_sim.timeutil import parse_duration

JOB = process(start(), task("work"), end(), chain("start", "work", "end", flow_ids=BY_SOURCE),
              process_id="job")
WAITS = process(start(), catch("paid", message_def()), catch("go", signal_def()), end(),
                chain("start", "paid", "go", "end", flow_ids=BY_SOURCE),
                extra=message("payment") + signal("go"), process_id="waits")


@pytest.fixture
def cluster(database_url: str) -> Iterator[Cluster]:
    opened = Cluster(database_url + "?partitions=4")
    yield opened
    opened.close()


def log(cluster: Cluster, partition: int) -> list[dict[str, Any]]:
    """Every record in a partition's log, in order."""
    app = cluster.app(partition).engine.app
    return [r for n in app.recorder.select_notifications(start=1, limit=10_000)
            for r in getattr(app.mapper.to_domain_event(n), "records", ())]


def create(cluster: Cluster, process_id: str, **variables: object) -> int:
    outcome = cluster.execute(CreateProcessInstance(process_id, variables=dict(variables)))
    assert not outcome.rejected, outcome.rejection
    return int(outcome.result)


def test_the_partition_count_is_recorded_and_a_mismatch_refused(cluster: Cluster,
                                                               database_url: str) -> None:
    assert Cluster(database_url).count == 4  # the store says how many

    with pytest.raises(PartitionCountError, match="has 4 partition"):
        Cluster(database_url + "?partitions=2")


def test_keys_name_their_partition_and_instances_spread(cluster: Cluster) -> None:
    cluster.deploy(JOB, "job.bpmn")

    keys = [create(cluster, "job") for _ in range(8)]

    assert [partition_of(k) for k in keys] == [1, 2, 3, 4, 1, 2, 3, 4]
    for key in keys:
        records = cluster.instance_records(key)
        assert {partition_of(r["key"]) for r in records} == {partition_of(key)}


def test_deployments_are_on_every_partition_with_the_same_keys(cluster: Cluster) -> None:
    deployed = cluster.deploy(JOB, "job.bpmn")

    key = next(r["key"] for r in deployed.records if r["valueType"] == "PROCESS")
    assert partition_of(key) == 1
    for app in cluster.apps:
        assert app.engine.catalog.get("job", 1).key == key  # type: ignore[union-attr]
    distributed = [(r["valueType"], r["intent"], r["key"]) for r in log(cluster, 3)]
    assert distributed == [("PROCESS", "CREATED", key), ("DEPLOYMENT", "DISTRIBUTED", key + 1)]


def test_commands_reach_the_instances_partition(cluster: Cluster) -> None:
    cluster.deploy(JOB, "job.bpmn")
    keys = [create(cluster, "job") for _ in range(4)]

    for key in keys:
        outcome = cluster.execute(CompleteJob(key, "work"))
        assert not outcome.rejected, outcome.rejection

    rows = cluster.views().query(ListFilter())
    assert sorted(row.key for row in rows) == sorted(keys)
    assert {row.state for row in rows} == {"COMPLETED"}


def test_a_message_reaches_its_subscriber_on_any_partition(cluster: Cluster) -> None:
    cluster.deploy(WAITS, "waits.bpmn")
    keys = {order: create(cluster, "waits", orderId=order) for order in ("a", "b", "c", "d")}

    for order, key in keys.items():
        outcome = cluster.execute(PublishMessage("payment", order, {}, parse_duration("PT0S")))
        correlated = [r for r in outcome.records
                      if r["valueType"] == "PROCESS_MESSAGE_SUBSCRIPTION" and r["intent"] == "CORRELATED"]
        assert [r["processInstanceKey"] for r in correlated] == [key]

    rows = {row.key: row for row in cluster.views().query(ListFilter())}
    assert {tuple(rows[k].active_elements()) for k in keys.values()} == {("go",)}


def test_a_buffered_message_goes_to_its_correlation_keys_partition(cluster: Cluster) -> None:
    cluster.deploy(WAITS, "waits.bpmn")

    outcome = cluster.execute(PublishMessage("payment", "nobody", {}, parse_duration("PT1H")))

    assert partition_of(outcome.result) == message_partition("nobody", 4)


def test_a_signal_is_broadcast_to_every_partition(cluster: Cluster) -> None:
    cluster.deploy(WAITS, "waits.bpmn")
    keys = [create(cluster, "waits", orderId=str(n)) for n in range(4)]
    for n in range(4):
        cluster.execute(PublishMessage("payment", str(n), {}, parse_duration("PT0S")))

    outcome = cluster.execute(BroadcastSignal("go", {}))

    assert len([r for r in outcome.records if r["intent"] == "BROADCASTED"]) == 4
    rows = {row.key: row for row in cluster.views().query(ListFilter())}
    assert {rows[k].state for k in keys} == {"COMPLETED"}


def test_zeebe_hashes_correlation_keys_like_java_strings() -> None:
    # "hello".hashCode() == 99162322 in Java; 99162322 % 4 == 2
    assert message_partition("hello", 4) == 3
    assert {message_partition(str(n), 4) for n in range(40)} == {1, 2, 3, 4}


def normalised(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records up to keys and positions: every key becomes the order it first appeared in."""
    seen: dict[int, int] = {}

    def norm(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1 << 51:
            return f"key{seen.setdefault(value, len(seen))}"
        return value
    return [{k: norm(v) for k, v in r.items() if k != "position"} for r in records]


def test_an_instance_on_partition_2_writes_the_same_records_as_on_one_partition(
        cluster: Cluster) -> None:
    single = Engine()
    for engine in (single, cluster):
        assert not engine.deploy(WAITS, "waits.bpmn").rejected
    create(cluster, "waits", orderId="a")
    on_two = create(cluster, "waits", orderId="b")
    alone = single.execute(CreateProcessInstance("waits", variables={"orderId": "b"})).result
    for engine in (single, cluster):
        engine.execute(PublishMessage("payment", "b", {"paid": True}, parse_duration("PT0S")))
        engine.execute(BroadcastSignal("go", {}))

    assert partition_of(on_two) == 2
    assert normalised(cluster.instance_records(on_two)) == normalised(single.stored_records(alone))

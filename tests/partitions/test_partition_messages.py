"""Messages across partitions, as Zeebe correlates them: a message lives on the partition
its correlation key hashes to, where every subscription waiting for it is registered
(MESSAGE_SUBSCRIPTION), so it correlates to at most one instance per process across the
store, and a buffered message reaches instances of any partition that subscribe later."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
from bpmn_builders import (
    BY_SOURCE,
    boundary,
    catch,
    chain,
    end,
    flow,
    message,
    message_def,
    process,
    start,
    task,
)
from test_cluster import create, log
from test_worker import cli, start_worker

from engine_sim.engine import Engine
from engine_sim.engine.commands import (
    CancelProcessInstance,
    CompleteJob,
    CreateProcessInstance,
    PublishMessage,
)
from engine_sim.engine.message_subscriptions import (
    CloseMessageSubscription,
    OpenMessageSubscription,
)
from engine_sim.partitions import Cluster, message_partition, partition_of
from engine_sim.partitions.messages import sent_commands
from engine_sim.projections import ListFilter
from engine_sim.timeutil import parse_duration
from migration.operate import Selection


def waits(process_id: str) -> bytes:
    return process(start(), catch("paid", message_def()), end(),
                   chain("start", "paid", "end", flow_ids=BY_SOURCE),
                   extra=message("payment"), process_id=process_id)


JOB = process(start(), task("work"), end(), chain("start", "work", "end", flow_ids=BY_SOURCE),
              process_id="job")
WORK_THEN_WAIT = process(start(), task("work"), catch("paid", message_def()), end(),
                         chain("start", "work", "paid", "end", flow_ids=BY_SOURCE),
                         extra=message("payment"), process_id="work_then_wait")
STARTED = process(start("start", message_def()), task("work"), end(),
                  chain("start", "work", "end", flow_ids=BY_SOURCE),
                  extra=message("order", key=None), process_id="started")
GUARDED = process(start(), task("work"), boundary("paid", "work", message_def()), end(),
                  end("late"), chain("start", "work", "end", flow_ids=BY_SOURCE)
                  + flow("paid_late", "paid", "late"), extra=message("payment"),
                  process_id="guarded")
UNGUARDED = process(start(), task("work"), end(), chain("start", "work", "end", flow_ids=BY_SOURCE),
                    process_id="guarded")
NO_TTL, HOUR = parse_duration("PT0S"), parse_duration("PT1H")


@pytest.fixture
def cluster(database_url: str) -> Iterator[Cluster]:
    opened = Cluster(database_url + "?partitions=4")
    for process_id in ("a", "b"):
        assert not opened.deploy(waits(process_id), f"{process_id}.bpmn").rejected
    assert not opened.deploy(JOB, "job.bpmn").rejected
    yield opened
    opened.close()


def key_on(partition: int) -> str:
    """A correlation key that hashes to `partition` of 4."""
    return next(k for k in (f"order-{n}" for n in range(100)) if message_partition(k, 4) == partition)


def publish(cluster: Cluster, key: str, ttl: Any = NO_TTL, **variables: Any) -> list[dict[str, Any]]:
    outcome = cluster.execute(PublishMessage("payment", key, variables, ttl))
    assert not outcome.rejected, outcome.rejection
    return outcome.records


def correlated(records: list[dict[str, Any]]) -> list[int]:
    return [r["processInstanceKey"] for r in records
            if r["valueType"] == "PROCESS_MESSAGE_SUBSCRIPTION" and r["intent"] == "CORRELATED"]


def states(cluster: Cluster) -> dict[int, str]:
    return {row.key: row.state for row in cluster.views().query(ListFilter())}


def kinds(cluster: Cluster, partition: int, value_type: str) -> list[str]:
    return [r["intent"] for r in log(cluster, partition) if r["valueType"] == value_type]


def test_a_message_on_another_partition_correlates_through_its_registered_subscription(
        cluster: Cluster) -> None:
    key = key_on(3)
    instance = create(cluster, "a", orderId=key)
    assert partition_of(instance) == 1
    assert kinds(cluster, 3, "MESSAGE_SUBSCRIPTION") == ["CREATED"]  # registered there

    records = publish(cluster, key, amount=7)

    assert correlated(records) == [instance]
    assert kinds(cluster, 3, "MESSAGE") == ["PUBLISHED", "EXPIRED"]
    # the instance's partition confirmed the correlation; the message partition had
    # acknowledged the registration
    assert kinds(cluster, 3, "MESSAGE_SUBSCRIPTION") == ["CREATED", "CORRELATING", "CORRELATED"]
    assert kinds(cluster, 1, "PROCESS_MESSAGE_SUBSCRIPTION") == [
        "CREATED", "ACKNOWLEDGED", "CORRELATED"]
    assert not cluster.app(1).engine.event_index.unacknowledged()
    assert not cluster.app(3).engine.event_index.unacknowledged()
    assert kinds(cluster, 1, "MESSAGE") == []  # the message stays on its partition
    assert states(cluster)[instance] == "COMPLETED"
    variables = [r for r in cluster.instance_records(instance) if r["valueType"] == "VARIABLE"]
    assert [(r["name"], r["value"]) for r in variables] == [("orderId", key), ("amount", 7)]


def test_one_message_reaches_one_instance_of_each_process_on_any_partition(
        cluster: Cluster) -> None:
    key = key_on(4)
    first = create(cluster, "a", orderId=key)
    second = create(cluster, "b", orderId=key)

    records = publish(cluster, key)

    assert [partition_of(first), partition_of(second)] == [1, 2]
    assert sorted(correlated(records)) == [first, second]
    assert {states(cluster)[k] for k in (first, second)} == {"COMPLETED"}


def test_instances_of_one_process_get_one_message_each_first_subscription_first(
        cluster: Cluster) -> None:
    key = key_on(3)
    create(cluster, "job")  # partition 1
    older = create(cluster, "a", orderId=key)  # partition 2
    create(cluster, "job")
    create(cluster, "job")
    newer = create(cluster, "a", orderId=key)  # partition 1: a smaller element instance key

    first = publish(cluster, key)
    second = publish(cluster, key)
    third = publish(cluster, key)

    # Zeebe visits a message's subscriptions by element instance key, whose high bits are
    # the partition: partition 1's instance comes first, whichever subscribed first
    assert [partition_of(older), partition_of(newer)] == [2, 1]
    assert (correlated(first), correlated(second), correlated(third)) == ([newer], [older], [])
    assert {states(cluster)[k] for k in (older, newer)} == {"COMPLETED"}


def test_a_buffered_message_reaches_later_subscribers_on_other_partitions_once_per_process(
        cluster: Cluster) -> None:
    key = key_on(2)
    message_key = cluster.execute(PublishMessage("payment", key, {"amount": 5}, HOUR)).result
    assert partition_of(message_key) == 2

    created = cluster.execute(CreateProcessInstance("a", variables={"orderId": key}))
    again = create(cluster, "a", orderId=key)
    other = cluster.execute(CreateProcessInstance("b", variables={"orderId": key}))
    cluster.advance_clock(parse_duration("PT2H"))  # the message expires
    late = create(cluster, "b", orderId=key)

    first = created.result
    assert [partition_of(k) for k in (first, again, other.result, late)] == [1, 2, 3, 4]
    assert correlated(created.records) == [first]  # in the outcome of the creation
    assert correlated(other.records) == [other.result]
    assert [r["messageKey"] for r in created.records if r["intent"] == "CORRELATED"
            and r["valueType"] == "PROCESS_MESSAGE_SUBSCRIPTION"] == [message_key]
    found = states(cluster)
    assert (found[first], found[again], found[other.result], found[late]) == (
        "COMPLETED", "ACTIVE", "COMPLETED", "ACTIVE")
    assert kinds(cluster, 2, "MESSAGE") == ["PUBLISHED", "EXPIRED"]


def test_a_closed_subscription_is_unregistered_from_the_message_partition(
        cluster: Cluster) -> None:
    key = key_on(4)
    instance = create(cluster, "a", orderId=key)

    assert not cluster.execute(CancelProcessInstance(instance)).rejected
    records = publish(cluster, key, ttl=HOUR)

    assert kinds(cluster, 4, "MESSAGE_SUBSCRIPTION") == ["CREATED", "DELETED"]
    assert correlated(records) == []
    assert states(cluster)[instance] == "CANCELED"


def test_a_refused_correlation_goes_back_and_the_message_to_the_next_subscription(
        cluster: Cluster) -> None:
    key = key_on(3)
    stale = create(cluster, "a", orderId=key)  # partition 1
    waiting = create(cluster, "a", orderId=key)  # partition 2
    # canceled behind the Cluster's back: its registration on partition 3 is left stale
    assert not cluster.app(1).engine.execute(CancelProcessInstance(stale)).rejected

    records = publish(cluster, key, ttl=HOUR)

    refusals = [r for r in records if r["recordType"] == "COMMAND_REJECTION"]
    assert [(r["valueType"], r["intent"], r["processInstanceKey"]) for r in refusals] == [
        ("PROCESS_MESSAGE_SUBSCRIPTION", "CORRELATE", stale)]
    assert kinds(cluster, 3, "MESSAGE_SUBSCRIPTION") == [
        "CREATED", "CREATED", "CORRELATING", "REJECTED", "CORRELATING", "CORRELATED"]
    assert correlated(records) == [waiting]
    assert states(cluster)[waiting] == "COMPLETED"


def test_a_migrated_subscription_counts_for_its_new_process(cluster: Cluster) -> None:
    key = key_on(3)
    migrated = create(cluster, "a", orderId=key)  # partition 1
    waiting = create(cluster, "a", orderId=key)  # partition 2

    outcome = cluster.migrate_instance(migrated, "b", None, (("paid", "paid"),))
    records = publish(cluster, key)

    assert not outcome.rejected, outcome.rejection
    assert kinds(cluster, 3, "MESSAGE_SUBSCRIPTION") == [
        "CREATED", "CREATED", "MIGRATED", "CORRELATING", "CORRELATING", "CORRELATED", "CORRELATED"]
    assert kinds(cluster, 1, "PROCESS_MESSAGE_SUBSCRIPTION") == [
        "CREATED", "ACKNOWLEDGED", "MIGRATED", "ACKNOWLEDGED", "CORRELATED"]
    assert sorted(correlated(records)) == [migrated, waiting]  # one of "b", one of "a"


def test_a_message_start_event_starts_one_instance_on_the_message_partition(
        cluster: Cluster) -> None:
    assert not cluster.deploy(STARTED, "started.bpmn").rejected
    key = key_on(3)

    for _ in range(2):  # the second waits, buffered, while the first runs (same key)
        assert not cluster.execute(PublishMessage("order", key, {}, HOUR)).rejected
    started = [k for k, s in states(cluster).items() if s == "ACTIVE"]
    assert [partition_of(k) for k in started] == [3]
    assert not cluster.execute(CompleteJob(started[0], "work")).rejected

    found = states(cluster)
    assert sorted(found.values()) == ["ACTIVE", "COMPLETED"]
    assert {partition_of(k) for k in found} == {3}


def test_messages_cross_partitions_run_by_workers(database_url: str) -> None:
    url = database_url + "?partitions=4"
    setup = Cluster(url)
    assert not setup.deploy(waits("a"), "a.bpmn").rejected
    setup.close()
    workers = [start_worker(url, n) for n in (1, 3)]
    cluster = Cluster(url, timeout=30)
    try:
        key = key_on(3)  # published and registered by partition 3's worker
        instance = create(cluster, "a", orderId=key)  # on partition 1's worker
        assert not cluster.local(1) and not cluster.local(3)

        records = publish(cluster, key)

        assert correlated(records) == [instance]
        assert states(cluster)[instance] == "COMPLETED"
    finally:
        cluster.close()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=20) == 0


def test_subscriptions_a_workers_batch_chunks_migrate_or_close_are_forwarded(
        database_url: str) -> None:
    url = database_url + "?partitions=4"
    setup = Cluster(url)
    for xml, name in ((waits("a"), "a"), (waits("b"), "b"), (JOB, "job"), (GUARDED, "g")):
        assert not setup.deploy(xml, f"{name}.bpmn").rejected
    setup.close()
    workers = [start_worker(url, n) for n in (1, 3)]
    cluster = Cluster(url, timeout=30)
    try:
        key = key_on(3)  # registered on partition 3, which its worker runs
        migrated, waiting = create(cluster, "a", orderId=key), create(cluster, "a", orderId=key)
        create(cluster, "job"), create(cluster, "job")
        guarded = create(cluster, "guarded", orderId=key)
        assert [partition_of(k) for k in (migrated, waiting, guarded)] == [1, 2, 1]
        assert not cluster.deploy(UNGUARDED, "g.bpmn").rejected

        operations = [created for selected, process_id, pairs in (
            (migrated, "b", (("paid", "paid"),)), (guarded, "guarded", (("work", "work"),)))
            for _, _, created in cluster.migrate(Selection(keys=(selected,)), process_id, None,
                                                 pairs, auto_map=False)]
        assert [partition_of(k) for k in operations if k is not None] == [1, 1]  # its worker's
        expected = ["CREATED", "CREATED", "CREATED", "MIGRATED", "DELETED"]
        deadline = time.monotonic() + 30  # the worker forwards a chunk's records after it
        while (cluster.operations([k for k in operations if k is not None])["state"]
               != "COMPLETED" or kinds(cluster, 3, "MESSAGE_SUBSCRIPTION") != expected):
            assert time.monotonic() < deadline, kinds(cluster, 3, "MESSAGE_SUBSCRIPTION")
            time.sleep(0.1)

        records = publish(cluster, key)

        assert sorted(correlated(records)) == [migrated, waiting]  # one of "b", one of "a"
        assert states(cluster)[guarded] == "ACTIVE"  # its boundary event is gone
    finally:
        cluster.close()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=20) == 0


def test_a_subscription_opened_by_a_cli_command_on_one_partition_is_registered(
        database_url: str) -> None:
    url = database_url + "?partitions=4"
    setup = Cluster(url)
    assert not setup.deploy(WORK_THEN_WAIT, "w.bpmn").rejected
    key = key_on(3)
    instance = create(setup, "work_then_wait", orderId=key)  # partition 1
    setup.close()

    completed = cli("jobs", "complete", str(instance), "work", "--store", url)
    published = cli("messages", "publish", "payment", "--key", key, "--store", url, "--json")

    assert completed.returncode == 0, completed.stderr
    assert published.returncode == 0, published.stderr
    after = Cluster(url)
    try:
        assert states(after)[instance] == "COMPLETED"
        assert kinds(after, 3, "MESSAGE_SUBSCRIPTION") == ["CREATED", "CORRELATING", "CORRELATED"]
    finally:
        after.close()


def test_only_subscriptions_of_another_message_partition_are_sent_on() -> None:
    home, away = key_on(2), key_on(3)
    opened = {"recordType": "EVENT", "valueType": "PROCESS_MESSAGE_SUBSCRIPTION",
              "intent": "CREATED", "processInstanceKey": 2 << 51, "elementInstanceKey": (2 << 51) + 5,
              "bpmnProcessId": "a", "messageName": "payment", "interrupting": True}

    sent = sent_commands(2, [opened | {"correlationKey": home}, opened | {"correlationKey": away}], 4)

    assert [(target, command) for _, target, command in sent] == [
        (3, OpenMessageSubscription(2 << 51, (2 << 51) + 5, "a", "payment", away, True))]


def test_a_registered_subscription_takes_a_buffered_message_once_per_process() -> None:
    engine = Engine()  # a message partition's engine, on its own
    other = 2 << 51  # an instance of partition 2
    published = engine.execute(PublishMessage("payment", "k", {"n": 1}, HOUR)).result

    first = engine.execute(OpenMessageSubscription(other, other + 1, "a", "payment", "k", True))
    again = engine.execute(OpenMessageSubscription(other + 9, other + 10, "a", "payment", "k", True))
    closed = engine.execute(CloseMessageSubscription(other + 10, "payment"))

    assert [(r["intent"], r.get("messageKey")) for r in first.records] == [
        ("CREATED", -1), ("CORRELATING", published)]
    assert [r["intent"] for r in again.records] == ["CREATED"]  # "a" had it already
    assert [r["intent"] for r in closed.records] == ["DELETED"]
    assert engine.execute(CloseMessageSubscription(other + 10, "payment")).rejected

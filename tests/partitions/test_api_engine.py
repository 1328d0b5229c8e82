"""The public `engine_sim.api.Engine` on a 4-partition PostgreSQL store: the same methods as
on one partition, routed through `Cluster`; a batch migration is one operation per partition
behind one `Operation`; each partition's record log is read in turn; an instance reads its
state and its records on its partition."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from bpmn_builders import (
    catch,
    chain,
    end,
    message,
    message_def,
    process,
    signal_def,
    start,
    timer,
    user_task,
)
from bpmn_builders import signal as signal_element
from test_cluster import normalised
from test_worker import start_worker

from engine_sim import CommandRejected, Engine
from engine_sim.cli.main import main
from engine_sim.partitions import Cluster, WorkerTimeout, message_partition, partition_of
from engine_sim.testing import assert_that, records

pytest_plugins = ("pytester",)

ORDER = Path(__file__).resolve().parents[2] / "scenarios" / "operate" / "bpmn"
MAPPING = {"checkPayment": "checkPayment"}
EVENTS = process(
    start(), catch("wait", timer("timeDuration", "PT1H")), catch("pay", message_def("m")),
    catch("sig", signal_def("s")), user_task("u", managed=True), end(),
    chain("start", "wait", "pay", "sig", "u", "end"),
    extra=message("paid", "=orderId", "m") + signal_element("go", "s"), process_id="events")


@pytest.fixture
def url(database_url: str) -> str:
    return database_url + "?partitions=4"


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    opened = Engine(url)
    yield opened
    opened.close()


def seed_flow(engine: Engine) -> dict[str, object]:
    """docs/python-api.md's seed example: five orders on version 1, one finished, one past
    checkPayment, a batch migration of all five to version 2."""
    engine.deploy(ORDER / "order-v1.bpmn", ORDER / "order-v2.bpmn")
    a, b, c, done, paid = (engine.create_instance("orderProcess", {"orderId": "o-1"}, version=1)
                           for _ in range(5))
    engine.complete_job(done, "checkPayment", {"paid": True})
    engine.complete_job(done, "shipArticles")
    engine.complete_job(paid, "checkPayment", {"paid": True})
    operation = engine.migrate([a, b, c, done, paid], process="orderProcess", version=2,
                               mapping=MAPPING)
    engine.complete_job(a, "checkPayment", {"paid": True})
    engine.complete_job(a, "shipArticles")
    return {"a": a, "b": b, "c": c, "done": done, "paid": paid, "operation": operation}


def test_the_seed_flow_on_four_partitions(engine: Engine, tmp_path: Path) -> None:
    assert engine.partitions == 4 and engine.cluster is not None
    flow = seed_flow(engine)
    a, b, c, done, paid = (flow[n] for n in ("a", "b", "c", "done", "paid"))
    operation = flow["operation"]

    assert [partition_of(i.key) for i in (a, b, c, done, paid)] == [1, 2, 3, 4, 1]
    assert_that(done).is_completed()
    assert_that(a).was_migrated(to_version=2, mapping=MAPPING).is_waiting_at("notifyCustomer")
    assert_that(b).was_migrated(to_version=2).is_waiting_at("checkPayment")
    assert (c.version, paid.version, paid.active_elements) == (2, 1, ["shipArticles"])

    # one operation per partition holding selected instances, summed in one handle
    assert [partition_of(k) for k in operation.keys] == [1, 2, 3, 4]
    assert operation.key == operation.keys[0]
    assert_that(operation).is_completed().completed(3).failed(1, reason="no mapping instruction")
    assert_that(operation).ignored(1)
    info = engine.operation(operation)
    assert info.ignored_keys == [done.key] and list(info.failures) == [paid.key]
    assert info.total == 4 and info.end_date is not None
    assert sorted(row.key for row in engine.operations()) == sorted(operation.keys)
    assert engine.operation(operation.keys[3]).ignored == 1  # one partition's own row
    records(operation).contains({"valueType": "OPERATION", "intent": "FAILED"})

    records(paid).contains_in_order(
        {"recordType": "COMMAND_REJECTION", "valueType": "PROCESS_INSTANCE_MIGRATION",
         "rejectionReason": "'shipArticles' has no mapping"},
        {"valueType": "OPERATION", "intent": "FAILED"},
    ).does_not_contain({"valueType": "PROCESS_INSTANCE", "intent": "ELEMENT_MIGRATED"})

    waiting = engine.instances(process="orderProcess", element="checkPayment")
    assert [i.key for i in waiting] == [b.key, c.key]

    # the log: partition by partition, each in its own position order
    log = engine.records()
    by_partition = [engine.records(partition=n) for n in (1, 2, 3, 4)]
    assert log == [r for part in by_partition for r in part]
    for part in by_partition:
        assert [r.position for r in part] == sorted(r.position for r in part)
        assert part[0].position == 1
    assert all(r in by_partition[partition_of(b.key) - 1] for r in engine.records(b))

    path = tmp_path / "seed.jsonl"
    assert engine.export_records(path, scenario="seed") == len(log)
    lines = path.read_bytes().splitlines()
    assert lines[0].startswith(b'{"scenario":"seed","partitionId":1,')
    assert [json.loads(line)["partitionId"] for line in lines] == sorted(
        json.loads(line)["partitionId"] for line in lines)


def test_each_instance_writes_what_it_writes_on_one_partition(engine: Engine) -> None:
    flow = seed_flow(engine)
    with Engine() as single:
        alone = seed_flow(single)
        for name in ("a", "b", "c", "done", "paid"):
            mine, theirs = flow[name], alone[name]
            assert normalised([r.to_dict() for r in engine.records(mine)]) == normalised(
                [r.to_dict() for r in single.records(theirs)]), name


def test_timers_messages_and_signals_cross_the_partitions(engine: Engine) -> None:
    engine.deploy_xml(EVENTS, "events.bpmn")
    orders = [engine.create_instance("events", {"orderId": f"o-{n}"}) for n in range(4)]
    assert {partition_of(o.key) for o in orders} == {1, 2, 3, 4}
    # correlation keys whose message partition is not the instance's
    assert any(message_partition(f"o-{n}", 4) != partition_of(o.key)
               for n, o in enumerate(orders))
    start_time = engine.now

    fired = engine.advance_clock("PT1H")
    assert len(fired) == 4 and engine.now == start_time.replace(hour=start_time.hour + 1)
    for n, order in enumerate(orders):
        assert_that(order).is_waiting_at("pay")
        engine.publish_message("paid", f"o-{n}", {"amount": n})
    engine.broadcast_signal("go")
    for n, order in enumerate(orders):
        assert_that(order).is_waiting_at("u").has_variable("amount", n)
        engine.complete_user_task(order, "u")
        assert_that(order).is_completed().has_passed("wait", "pay", "sig", "u")


def test_rejections_raise_or_are_returned(engine: Engine) -> None:
    engine.deploy(ORDER / "order-v1.bpmn", ORDER / "order-v2.bpmn")
    orders = [engine.create_instance("orderProcess", {"orderId": "o-1"}) for _ in range(3)]
    third = orders[2]
    engine.cancel(third)
    with pytest.raises(CommandRejected) as refused:
        engine.complete_job(third, "checkPayment")  # on partition 3
    assert refused.value.rejection_type in ("NOT_FOUND", "INVALID_STATE")
    with pytest.raises(CommandRejected) as unknown:
        engine.complete_job(123, "checkPayment")  # a key no partition made: partition 1
    assert unknown.value.rejection_type == "NOT_FOUND"
    with pytest.raises(CommandRejected, match="no process definition 'orderProcess' version 9"):
        engine.migrate(orders, process="orderProcess", version=9, auto_map=True)
    with pytest.raises(CommandRejected):  # a selection of nothing: still refused
        engine.migrate(process="orderProcess", version=9, source_process="nothing")
    assert engine.operations() == []

    engine.raise_on_reject = False
    result = engine.complete_job(third, "checkPayment")
    assert result.rejected and result.rejection is not None
    assert not engine.create_instance("nothing").key
    bad = engine.migrate(orders, process="orderProcess", version=9, auto_map=True)
    assert bad.key is None and bad.keys == () and bad.rejection is not None
    assert engine.operations() == []


def test_a_reopened_partitioned_store_and_a_revert(url: str) -> None:
    with Engine(url) as engine:
        engine.deploy(ORDER / "order-v1.bpmn", ORDER / "order-v2.bpmn")
        keys = [engine.create_instance("orderProcess", {"orderId": "o"}, version=1).key
                for _ in range(3)]
        pending = engine.migrate(process="orderProcess", version=2, mapping=MAPPING, run=False,
                                 source_process="orderProcess", source_version=1)
        assert pending.info().state == "ACTIVE" and len(pending.keys) == 3
        assert engine.cluster is not None
        engine.cluster.timeout = 0.3  # what a worker would run, nobody runs: not waited forever
        with pytest.raises(WorkerTimeout, match="no progress for 0.3 s"):
            engine.target.wait(pending.keys)
    with Engine(url.split("?")[0]) as reopened:  # the store says how many partitions it has
        assert reopened.partitions == 4
        ran = reopened.run_operations()
        assert sum(len(result.records) > 0 for result in ran) == 3
        operation = reopened.operations()
        assert {row.state for row in operation} == {"COMPLETED"}
        handles = [reopened.instance(k) for k in keys]
        assert {h.version for h in handles} == {2}
        back = reopened.revert(pending.keys[1])  # one partition's operation alone
        assert back.keys == (back.key,) and partition_of(back.key) == 2
        assert [h.version for h in handles] == [2, 1, 2]
        assert_that(handles[1]).was_migrated(to_version=1, mapping=MAPPING)


def test_a_worker_runs_one_partition_behind_the_engine(url: str) -> None:
    Cluster(url).close()  # the store exists before its worker starts
    worker = start_worker(url, 2)
    try:
        with Engine(url) as engine:
            flow = seed_flow(engine)
            cluster = engine.cluster
            assert cluster is not None and not cluster.local(2)
            b, operation = flow["b"], flow["operation"]
            assert partition_of(b.key) == 2
            assert_that(operation).is_completed().completed(3).failed(1).ignored(1)
            assert_that(b).was_migrated(to_version=2).is_waiting_at("checkPayment")
            engine.complete_job(b, "checkPayment", {"paid": True})
            assert_that(b).is_waiting_at("shipArticles")
            records(b).contains_in_order(
                {"valueType": "PROCESS_INSTANCE", "intent": "ELEMENT_MIGRATED"},
                {"valueType": "JOB", "intent": "COMPLETED"})
            assert any(r.value_type == "BATCH_OPERATION" for r in engine.records(partition=2))
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0


PLUGIN_TEST = '''
from engine_sim.partitions import partition_of
from engine_sim.testing import assert_that


def test_on_four_partitions(engine, deploy):
    assert engine.partitions == 4
    deploy("order-v1.bpmn", "order-v2.bpmn")
    orders = [engine.create_instance("orderProcess", {"orderId": "o"}, version=1)
              for _ in range(2)]
    assert [partition_of(o.key) for o in orders] == [1, 2]  # a fresh store for each test
    for order in orders:
        engine.migrate_instance(order, process="orderProcess", version=2,
                                mapping={"checkPayment": "checkPayment"})
        assert_that(order).was_migrated(to_version=2).is_waiting_at("checkPayment")


test_again = test_on_four_partitions
'''

SCENARIO = '''name: one partition
steps:
  - deploy: order-v1.bpmn
'''


def test_the_pytest_plugin_takes_a_partitioned_engine_store(
        pytester: pytest.Pytester, url: str) -> None:
    for name in ("order-v1.bpmn", "order-v2.bpmn"):
        (pytester.path / name).write_bytes((ORDER / name).read_bytes())
    pytester.makepyfile(test_flow=PLUGIN_TEST)
    pytester.makefile(".yaml", flow=SCENARIO)
    result = pytester.runpytest("-p", "no:hypothesispytest", "-p", "no:cacheprovider",
                                f"--engine-store={url}", "test_flow.py", "flow.yaml")
    result.assert_outcomes(passed=2, failed=1)  # scenarios replay on one partition only
    result.stdout.fnmatch_lines(["*asks for 4 partitions: scenarios replay on one partition*"])


def test_replay_refuses_a_partitioned_store_in_one_line(
        url: str, capsys: pytest.CaptureFixture[str]) -> None:
    seed = Path(__file__).resolve().parents[2] / "scenarios" / "operate" / "seed-example.yaml"
    assert main(["replay", str(seed), "--store", url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "asks for 4 partitions: scenarios replay on one" in err

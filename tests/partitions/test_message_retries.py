"""Messages across partitions are at least once and idempotent, as in Zeebe: whatever one
partition wrote that another must hear of stays in its event index until that partition
answers (ACKNOWLEDGED on the instance's partition, MESSAGE_SUBSCRIPTION CORRELATED or
REJECTED on the message partition), and is sent again until then (`Cluster.retry`, a
worker's `resend`); a command that arrives twice changes nothing the second time."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from typing import Any

import pytest
from bpmn_builders import (
    BY_SOURCE,
    boundary,
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
from test_partition_messages import WORK_THEN_WAIT, key_on, states, waits
from test_worker import start_worker

from engine_sim.engine import Outcome
from engine_sim.engine.commands import CompleteJob, PublishMessage
from engine_sim.engine.message_subscriptions import (
    AcknowledgeMessageSubscription,
    ConfirmMessageCorrelation,
    CorrelateMessageSubscription,
    MigrateMessageSubscription,
    OpenMessageSubscription,
    RejectMessageSubscription,
)
from engine_sim.partitions import Cluster
from engine_sim.partitions.messages import Resends, reply, sent_commands
from engine_sim.timeutil import parse_duration

HOUR = parse_duration("PT1H")
# each "payment" the running task hears of is noted, the task goes on
NOTED = process(start(), task("work"), boundary("paid", "work", message_def(), interrupting=False),
                end(), end("noted"), chain("start", "work", "end", flow_ids=BY_SOURCE)
                + flow("paid_noted", "paid", "noted"), extra=message("payment"),
                process_id="noting")
PMS, MS = "PROCESS_MESSAGE_SUBSCRIPTION", "MESSAGE_SUBSCRIPTION"


@pytest.fixture
def cluster(database_url: str) -> Iterator[Cluster]:
    opened = Cluster(database_url + "?partitions=4")
    for xml, name in ((waits("a"), "a"), (WORK_THEN_WAIT, "w"), (NOTED, "n")):
        assert not opened.deploy(xml, f"{name}.bpmn").rejected
    yield opened
    opened.close()


def intents(cluster: Cluster, partition: int, value_type: str) -> list[str]:
    return [r["intent"] for r in log(cluster, partition) if r["valueType"] == value_type
            and r["recordType"] == "EVENT"]


def refusals(cluster: Cluster, partition: int) -> list[tuple[str, str, str]]:
    return [(r["valueType"], r["intent"], r["rejectionType"]) for r in log(cluster, partition)
            if r["recordType"] == "COMMAND_REJECTION"]


def awaiting(cluster: Cluster, partition: int) -> list[str]:
    return [f"{r['valueType']} {r['intent']}"
            for r in cluster.app(partition).engine.event_index.unacknowledged()]


def test_a_subscription_whose_registration_was_lost_is_registered_by_the_retry(
        cluster: Cluster) -> None:
    key = key_on(3)
    instance = create(cluster, "work_then_wait", orderId=key)  # partition 1
    # the job completed by a client that died before sending anything on: partition 1
    # opened the subscription, partition 3 never heard of it
    assert not cluster.app(1).engine.execute(CompleteJob(instance, "work")).rejected
    assert intents(cluster, 3, MS) == []
    assert awaiting(cluster, 1) == [f"{PMS} CREATED"]

    # written since this process last looked: taken as sent by its writer, due after the
    # interval (here at once)
    assert cluster.retry(interval=60.0) == []
    retried = cluster.retry(interval=0.0)

    assert [(r["valueType"], r["intent"]) for o in retried for r in o.records] == [
        (MS, "CREATED"), (PMS, "ACKNOWLEDGED")]
    assert awaiting(cluster, 1) == []
    outcome = cluster.execute(PublishMessage("payment", key, {"paid": True}, HOUR))
    assert [r["processInstanceKey"] for r in outcome.records
            if r["valueType"] == PMS and r["intent"] == "CORRELATED"] == [instance]
    assert states(cluster)[instance] == "COMPLETED"
    assert cluster.retry(interval=0.0) == []  # nothing awaits an answer any more


def test_a_client_that_dies_while_forwarding_leaves_it_to_the_next_pass(
        cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    key = key_on(2)
    instance = create(cluster, "work_then_wait", orderId=key)
    send = cluster.send

    def dies(partition: int, command: Any, *, distributed: bool = False) -> Outcome:
        if isinstance(command, OpenMessageSubscription):
            raise ConnectionError("the client died")
        return send(partition, command, distributed=distributed)

    monkeypatch.setattr(cluster, "send", dies)
    with pytest.raises(ConnectionError):
        cluster.execute(CompleteJob(instance, "work"))
    monkeypatch.undo()
    assert awaiting(cluster, 1) == [f"{PMS} CREATED"]  # written, not forgotten

    cluster.retry(interval=0.0)
    cluster.execute(PublishMessage("payment", key, {}, HOUR))

    assert intents(cluster, 2, MS) == ["CREATED", "CORRELATING", "CORRELATED"]
    assert states(cluster)[instance] == "COMPLETED"


def test_a_lost_correlation_is_sent_again_and_taken_once(cluster: Cluster) -> None:
    key = key_on(3)
    first = create(cluster, "a", orderId=key)  # partition 1
    second = create(cluster, "a", orderId=key)  # partition 2
    # published by a client that died before sending the correlation on
    published = cluster.app(3).engine.execute(PublishMessage("payment", key, {}, HOUR))
    assert [r["intent"] for r in published.records if r["valueType"] == MS] == ["CORRELATING"]
    assert awaiting(cluster, 3) == [f"{MS} CORRELATING"]
    assert states(cluster)[first] == "ACTIVE"

    retried = cluster.retry(interval=0.0)
    again = cluster.retry(interval=0.0)

    assert [(r["valueType"], r["intent"]) for o in retried for r in o.records
            if r["valueType"] in (PMS, MS)] == [(PMS, "CORRELATED"), (MS, "CORRELATED")]
    assert again == []
    assert (states(cluster)[first], states(cluster)[second]) == ("COMPLETED", "ACTIVE")
    assert intents(cluster, 1, PMS) == ["CREATED", "ACKNOWLEDGED", "CORRELATED"]
    assert intents(cluster, 3, MS) == ["CREATED", "CREATED", "CORRELATING", "CORRELATED"]


def test_a_correlation_whose_confirmation_was_lost_is_not_taken_twice(cluster: Cluster) -> None:
    key = key_on(3)
    first = create(cluster, "a", orderId=key)  # partition 1
    second = create(cluster, "a", orderId=key)  # partition 2
    published = cluster.app(3).engine.execute(PublishMessage("payment", key, {}, HOUR))
    [(correlating, target, correlate)] = sent_commands(3, published.records, 4)
    # the instance's partition took it; its confirmation never reached partition 3
    assert not cluster.app(target).engine.execute(correlate).rejected
    assert states(cluster)[first] == "COMPLETED"

    cluster.retry(interval=0.0)

    # partition 1 refuses the second delivery as a duplicate and confirms it: partition 3
    # writes CORRELATED, not REJECTED, and the message does not go on to `second`
    assert refusals(cluster, 1) == [(PMS, "CORRELATE", "ALREADY_EXISTS")]
    assert intents(cluster, 3, MS) == ["CREATED", "CREATED", "CORRELATING", "CORRELATED"]
    assert intents(cluster, 1, PMS).count("CORRELATED") == 1
    assert states(cluster)[second] == "ACTIVE"
    assert reply(correlating, Outcome(rejection={"rejectionType": "ALREADY_EXISTS"})) == \
        ConfirmMessageCorrelation(correlating["key"], correlating["messageKey"])


def test_a_non_interrupting_subscription_takes_a_message_sent_twice_once(
        cluster: Cluster) -> None:
    key = key_on(3)
    instance = create(cluster, "noting", orderId=key)  # partition 1, its boundary event on 3
    published = cluster.app(3).engine.execute(PublishMessage("payment", key, {}, HOUR))
    [(_, target, correlate)] = sent_commands(3, published.records, 4)
    assert not cluster.app(target).engine.execute(correlate).rejected  # confirmation lost

    cluster.retry(interval=0.0)  # the correlation again: still registered, it could trigger
    cluster.execute(PublishMessage("payment", key, {}, HOUR))  # a second message: taken

    noted = [r for r in cluster.instance_records(instance)
             if r.get("elementId") == "paid" and r["intent"] == "ELEMENT_ACTIVATED"]
    assert len(noted) == 2
    assert refusals(cluster, 1) == [(PMS, "CORRELATE", "ALREADY_EXISTS")]
    assert intents(cluster, 3, MS) == ["CREATED", "CORRELATING", "CORRELATED",
                                       "CORRELATING", "CORRELATED"]
    assert states(cluster)[instance] == "ACTIVE"


def test_every_command_delivered_twice_changes_nothing_the_second_time(
        cluster: Cluster) -> None:
    key = key_on(3)
    instance = create(cluster, "a", orderId=key)  # partition 1, registered on 3
    [opened] = [r for r in log(cluster, 1) if r["valueType"] == PMS and r["intent"] == "CREATED"]
    [(_, _, open_command)] = sent_commands(1, [opened], 4)

    again = cluster.send(3, open_command)  # an opening sent twice: one registration
    assert again.rejection is not None and again.rejection["rejectionType"] == "INVALID_STATE"
    assert intents(cluster, 3, MS) == ["CREATED"]
    acknowledged = cluster.send(1, AcknowledgeMessageSubscription(
        instance, opened["elementInstanceKey"], "payment", opened["position"]))
    assert acknowledged.rejected  # acknowledged already: no second ACKNOWLEDGED

    migrated = MigrateMessageSubscription(opened["elementInstanceKey"], "payment", "a")
    refused = cluster.send(3, migrated).rejection
    assert refused is not None and refused["rejectionType"] == "ALREADY_EXISTS"

    outcome = cluster.execute(PublishMessage("payment", key, {}, HOUR))
    [correlating] = [r for r in outcome.records if r["valueType"] == MS
                     and r["intent"] == "CORRELATING"]
    [(_, _, correlate)] = sent_commands(3, [correlating], 4)
    assert isinstance(correlate, CorrelateMessageSubscription)
    twice = [cluster.send(1, correlate),
             cluster.send(3, ConfirmMessageCorrelation(correlating["key"], correlating["messageKey"])),
             cluster.send(3, RejectMessageSubscription(
                 correlating["key"], instance, correlating["elementInstanceKey"], "a", "payment",
                 key, True, correlating["messageKey"]))]

    assert [o.rejection["rejectionType"] for o in twice if o.rejection] == [
        "ALREADY_EXISTS", "NOT_FOUND", "NOT_FOUND"]
    assert intents(cluster, 1, PMS) == ["CREATED", "ACKNOWLEDGED", "CORRELATED"]
    assert intents(cluster, 3, MS) == ["CREATED", "CORRELATING", "CORRELATED"]
    assert awaiting(cluster, 1) == awaiting(cluster, 3) == []


def test_which_answers_acknowledge_a_record_and_which_leave_it_for_the_retry() -> None:
    record = {"valueType": PMS, "processInstanceKey": 7, "elementInstanceKey": 8,
              "messageName": "payment", "position": 9}
    acknowledged = AcknowledgeMessageSubscription(7, 8, "payment", 9)

    def answer(intent: str, refused: str | None) -> Any:
        rejection = None if refused is None else {"rejectionType": refused}
        return reply(record | {"intent": intent}, Outcome(rejection=rejection))

    assert answer("CREATED", None) == answer("CREATED", "INVALID_STATE") == acknowledged
    assert answer("DELETED", None) == answer("DELETED", "NOT_FOUND") == acknowledged
    # a migration of a registration used up by CORRELATING has nothing left to migrate
    assert answer("MIGRATED", "ALREADY_EXISTS") == answer("MIGRATED", "NOT_FOUND") == acknowledged
    assert answer("CREATED", "NOT_FOUND") is None  # not taken: sent again


def test_resends_are_due_once_the_interval_passed_since_they_were_last_sent() -> None:
    resends = Resends()
    old, new = {"position": 1}, {"position": 2}

    assert resends.due(1, [old], 10.0, now=100.0) == [old]  # held before this process looked
    assert resends.due(1, [old, new], 10.0, now=105.0) == []  # `new`: its writer sent it
    assert resends.due(1, [old, new], 10.0, now=111.0) == [old]
    assert resends.due(1, [old, new], 10.0, now=115.0) == [new]
    resends.sent(1, new, now=120.0)
    assert resends.due(1, [new], 10.0, now=125.0) == []
    assert resends.due(1, [], 10.0, now=200.0) == []  # answered: forgotten


def test_a_worker_sends_again_what_its_partition_left_unanswered(database_url: str) -> None:
    url = database_url + "?partitions=4"
    setup = Cluster(url)
    assert not setup.deploy(WORK_THEN_WAIT, "w.bpmn").rejected
    key = key_on(3)
    instance = create(setup, "work_then_wait", orderId=key)  # partition 1
    assert not setup.app(1).engine.execute(CompleteJob(instance, "work")).rejected  # not sent on
    setup.close()
    workers = [start_worker(url, n) for n in (1, 3)]  # partition 1's resends at once
    cluster = Cluster(url, timeout=30, in_process=False)
    try:
        deadline = time.monotonic() + 30
        while intents(cluster, 1, PMS) != ["CREATED", "ACKNOWLEDGED"]:
            assert time.monotonic() < deadline, intents(cluster, 1, PMS)
            time.sleep(0.1)

        cluster.execute(PublishMessage("payment", key, {}, parse_duration("PT0S")))

        assert intents(cluster, 3, MS) == ["CREATED", "CORRELATING", "CORRELATED"]
        assert states(cluster)[instance] == "COMPLETED"
    finally:
        cluster.close()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=20) == 0

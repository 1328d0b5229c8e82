"""docs/migration.md, step 6 of what a migration writes: the catch events of migrated element instances (unmapped
source subscriptions closed, unmapped target catch events opened, mapped ones migrated)."""

from __future__ import annotations

from typing import Any

import pytest

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine, Outcome
from engine_sim.timeutil import parse_duration
from migration import migrate_instance
from migration.plan import MigrationPlan

HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">'
        '<bpmn:message id="msg" name="ping"><bpmn:extensionElements>'
        '<zeebe:subscription correlationKey="=key"/></bpmn:extensionElements></bpmn:message>'
        '<bpmn:message id="other" name="pong"><bpmn:extensionElements>'
        '<zeebe:subscription correlationKey="=otherKey"/></bpmn:extensionElements></bpmn:message>'
        '<bpmn:signal id="sig" name="go"/><bpmn:process id="p" isExecutable="true">')
TAIL = "</bpmn:process></bpmn:definitions>"
TIMER = "<bpmn:timerEventDefinition><bpmn:timeDuration>{}</bpmn:timeDuration></bpmn:timerEventDefinition>"
MESSAGE = '<bpmn:messageEventDefinition messageRef="{}"/>'
SIGNAL = '<bpmn:signalEventDefinition signalRef="sig"/>'


def model(*nodes: str) -> bytes:
    return (HEAD + "".join(nodes) + TAIL).encode()


def flows(*pairs: tuple[str, str]) -> str:
    return "".join(f'<bpmn:sequenceFlow id="{a}_{b}" sourceRef="{a}" targetRef="{b}"/>'
                   for a, b in pairs)


def boundary(element_id: str, definition: str, interrupting: bool = True) -> str:
    cancel = "true" if interrupting else "false"
    return (f'<bpmn:boundaryEvent id="{element_id}" attachedToRef="t" cancelActivity="{cancel}">'
            f"{definition}</bpmn:boundaryEvent>{flows((element_id, 'end'))}")


def with_task(*boundaries: str) -> bytes:
    return model('<bpmn:startEvent id="start"/><bpmn:serviceTask id="t"><bpmn:extensionElements>'
                 '<zeebe:taskDefinition type="t"/></bpmn:extensionElements></bpmn:serviceTask>'
                 '<bpmn:endEvent id="end"/>', flows(("start", "t"), ("t", "end")), *boundaries)


def catching(element_id: str, definition: str, *extra: str) -> bytes:
    return model('<bpmn:startEvent id="start"/>'
                 f'<bpmn:intermediateCatchEvent id="{element_id}">{definition}'
                 '</bpmn:intermediateCatchEvent><bpmn:endEvent id="end"/>',
                 flows(("start", element_id), (element_id, "end")), *extra)


class Migration:
    """Two versions of process `p`, an instance of the first, the clock moved by 30 minutes."""

    def __init__(self, source: bytes, target: bytes, **variables: Any) -> None:
        self.engine = Engine()
        self.source = self.engine.deploy(source, "v1.bpmn").result[0].key
        self.target = self.engine.deploy(target, "v2.bpmn").result[0].key
        self.key = commands.create_instance(self.engine, "p", 1, variables).result
        self.engine.advance_clock(parse_duration("PT30M"))

    def migrate(self, mapping: dict[str, str], auto_map: bool = False) -> Outcome:
        plan = MigrationPlan.of(self.target, tuple(mapping.items()), auto_map)
        return migrate_instance(self.engine, self.key, plan)

    def catch_records(self, outcome: Outcome) -> list[tuple[str, str, str]]:
        kinds = ("TIMER", "PROCESS_MESSAGE_SUBSCRIPTION", "SIGNAL_SUBSCRIPTION")
        return [(r["valueType"], r["intent"], r["elementId"]) for r in outcome.records
                if r["valueType"] in kinds]

    def record(self, outcome: Outcome, value_type: str, intent: str) -> dict[str, Any]:
        return next(r for r in outcome.records if (r["valueType"], r["intent"]) == (value_type, intent))


def test_a_mapped_timer_keeps_its_key_and_due_date() -> None:
    given = Migration(with_task(boundary("b", TIMER.format("PT1H"))),
                      with_task(boundary("b2", TIMER.format("PT5H"))))
    before = next(iter(given.engine.instance(given.key).subscriptions.values()))

    outcome = given.migrate({"t": "t", "b": "b2"})

    migrated = given.record(outcome, "TIMER", "MIGRATED")
    assert given.catch_records(outcome) == [("TIMER", "MIGRATED", "b2")]
    assert (migrated["key"], migrated["dueDate"], migrated["targetElementId"], migrated["version"]) == (
        before.key, "2026-01-01T01:00:00Z", "b2", 2)


def test_an_unmapped_timer_is_canceled_and_the_target_timer_is_due_from_the_migration() -> None:
    given = Migration(with_task(boundary("b", TIMER.format("PT1H"))),
                      with_task(boundary("b", TIMER.format("PT5H"))))

    outcome = given.migrate({"t": "t"})

    assert given.catch_records(outcome) == [("TIMER", "CANCELED", "b"), ("TIMER", "CREATED", "b")]
    assert given.record(outcome, "TIMER", "CREATED")["dueDate"] == "2026-01-01T05:30:00Z"


def test_the_order_is_close_then_open_then_migrate() -> None:
    given = Migration(with_task(boundary("b", TIMER.format("PT1H")), boundary("m", MESSAGE.format("msg"))),
                      with_task(boundary("m", MESSAGE.format("msg")), boundary("s", SIGNAL)), key="k")

    outcome = given.migrate({"t": "t", "m": "m"})

    assert given.catch_records(outcome) == [
        ("TIMER", "CANCELED", "b"), ("SIGNAL_SUBSCRIPTION", "CREATED", "s"),
        ("PROCESS_MESSAGE_SUBSCRIPTION", "MIGRATED", "m")]
    assert [r["valueType"] for r in outcome.records][-1] == "PROCESS_INSTANCE_MIGRATION"


def test_a_message_subscription_keeps_its_name_and_correlation_key() -> None:
    given = Migration(catching("c", MESSAGE.format("msg")), catching("c2", MESSAGE.format("msg")),
                      key="k-1")

    outcome = given.migrate({"c": "c2"})

    migrated = given.record(outcome, "PROCESS_MESSAGE_SUBSCRIPTION", "MIGRATED")
    assert (migrated["elementId"], migrated["messageName"], migrated["correlationKey"]) == (
        "c2", "ping", "k-1")
    published = commands.publish_message(given.engine, "ping", "k-1", {}, parse_duration("PT0S"))
    assert "PROCESS_MESSAGE_SUBSCRIPTION" in {r["valueType"] for r in published.records}
    assert given.engine.instance(given.key).lifecycle == "COMPLETED"


def test_a_signal_catch_event_migrates_and_the_index_follows() -> None:
    given = Migration(catching("c", SIGNAL), catching("c2", SIGNAL))

    outcome = given.migrate({"c": "c2"})

    assert given.catch_records(outcome) == [("SIGNAL_SUBSCRIPTION", "MIGRATED", "c2")]
    entry = given.engine.event_index.signal_subscribers("go")[0]
    assert (entry.element_id, entry.definition_key) == ("c2", given.target)


def test_a_new_subscription_is_evaluated_at_migration_and_a_failure_rejects_it() -> None:
    given = Migration(with_task(), with_task(boundary("m", MESSAGE.format("other"))))

    outcome = given.migrate({"t": "t"})

    assert outcome.rejection is not None
    assert outcome.rejection["rejectionType"] == "INVALID_STATE"
    assert outcome.rejection["rejectionReason"] == (
        "catch event 'm' of active element 't' cannot be subscribed: Failed to extract the "
        "correlation key for 'otherKey': The value must be either a string or a number, but was 'NULL'.")
    assert given.engine.instance(given.key).version == 1


@pytest.mark.parametrize("mapping, reason", [
    ({"t": "t", "b": "m"}, "catch event 'b' changes event type from TIMER to MESSAGE"),
    ({"t": "t", "b": "end"}, "catch event 'b' is mapped to 'end', which would be detached from 't'"),
])
def test_rule_12_is_checked_before_anything_is_written(mapping: dict[str, str], reason: str) -> None:
    given = Migration(with_task(boundary("b", TIMER.format("PT1H"))),
                      with_task(boundary("m", MESSAGE.format("msg"))), key="k")

    outcome = given.migrate(mapping)

    assert outcome.rejection is not None and outcome.rejection["rejectionReason"] == reason
    assert [r["recordType"] for r in outcome.records] == ["COMMAND_REJECTION"]


def test_an_event_based_gateway_migrates_its_events_by_their_mapping() -> None:
    gateway = ('<bpmn:startEvent id="start"/><bpmn:eventBasedGateway id="gw"/>'
               '<bpmn:intermediateCatchEvent id="{a}">' + MESSAGE.format("msg")
               + '</bpmn:intermediateCatchEvent><bpmn:intermediateCatchEvent id="{b}">'
               + TIMER.format("PT1H") + '</bpmn:intermediateCatchEvent>'
               '<bpmn:endEvent id="end"/>' + flows(("start", "gw"), ("gw", "{a}"), ("gw", "{b}"),
                                                    ("{a}", "end"), ("{b}", "end")))
    given = Migration(model(gateway.format(a="m", b="late")), model(gateway.format(a="m2", b="later")),
                      key="k")

    outcome = given.migrate({"gw": "gw", "m": "m2"})

    assert given.catch_records(outcome) == [
        ("TIMER", "CANCELED", "late"), ("TIMER", "CREATED", "later"),
        ("PROCESS_MESSAGE_SUBSCRIPTION", "MIGRATED", "m2")]
    commands.publish_message(given.engine, "ping", "k", {}, parse_duration("PT0S"))
    state = given.engine.instance(given.key)
    assert state.lifecycle == "COMPLETED"


def test_event_subprocess_starts_belong_to_the_process_instance() -> None:
    def esp(start_id: str, definition: str) -> str:
        return (f'<bpmn:subProcess id="esp_{start_id}" triggeredByEvent="true">'
                f'<bpmn:startEvent id="{start_id}" isInterrupting="false">{definition}'
                f'</bpmn:startEvent><bpmn:endEvent id="x_{start_id}"/>'
                f'{flows((start_id, "x_" + start_id))}</bpmn:subProcess>')

    given = Migration(catching("c", SIGNAL, esp("s1", MESSAGE.format("msg"))),
                      catching("c", SIGNAL, esp("s2", TIMER.format("PT1H"))), key="k")

    outcome = given.migrate({"c": "c"})

    assert given.catch_records(outcome) == [
        ("PROCESS_MESSAGE_SUBSCRIPTION", "DELETED", "s1"), ("TIMER", "CREATED", "s2"),
        ("SIGNAL_SUBSCRIPTION", "MIGRATED", "c")]
    created = given.record(outcome, "TIMER", "CREATED")
    assert created["elementInstanceKey"] == given.key

"""docs/migration.md, step 6 of what a migration writes: the catch events of migrated element instances (unmapped
source subscriptions closed, unmapped target catch events opened, mapped ones migrated)."""

from __future__ import annotations

from typing import Any

import pytest
from bpmn_builders import (
    boundary,
    catch,
    chain,
    end,
    message,
    message_def,
    process,
    signal,
    signal_def,
    start,
    sub_process,
    task,
    timer,
)

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine, Outcome
from engine_sim.timeutil import parse_duration
from migration import migrate_instance
from migration.plan import MigrationPlan

# The messages and the signal every model of these tests may catch.
ROOTS = message("ping", key="=key") + message("pong", key="=otherKey", ref="other") + signal("go")


def model(*nodes: str) -> bytes:
    return process(*nodes, extra=ROOTS)


def pt(duration: str) -> str:
    return timer("timeDuration", duration)


def attached(element_id: str, definition: str, interrupting: bool = True) -> str:
    """A boundary event on task `t`, and its flow to `end`."""
    return boundary(element_id, "t", definition, interrupting) + chain(element_id, "end")


def with_task(*boundaries: str) -> bytes:
    return model(start(), task("t"), end(), chain("start", "t", "end"), *boundaries)


def catching(element_id: str, definition: str, *extra: str) -> bytes:
    return model(start(), catch(element_id, definition), end(),
                 chain("start", element_id, "end"), *extra)


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
    given = Migration(with_task(attached("b", pt("PT1H"))),
                      with_task(attached("b2", pt("PT5H"))))
    before = next(iter(given.engine.instance(given.key).subscriptions.values()))

    outcome = given.migrate({"t": "t", "b": "b2"})

    migrated = given.record(outcome, "TIMER", "MIGRATED")
    assert given.catch_records(outcome) == [("TIMER", "MIGRATED", "b2")]
    assert (migrated["key"], migrated["dueDate"], migrated["targetElementId"], migrated["version"]) == (
        before.key, "2026-01-01T01:00:00Z", "b2", 2)


def test_an_unmapped_timer_is_canceled_and_the_target_timer_is_due_from_the_migration() -> None:
    given = Migration(with_task(attached("b", pt("PT1H"))),
                      with_task(attached("b", pt("PT5H"))))

    outcome = given.migrate({"t": "t"})

    assert given.catch_records(outcome) == [("TIMER", "CANCELED", "b"), ("TIMER", "CREATED", "b")]
    assert given.record(outcome, "TIMER", "CREATED")["dueDate"] == "2026-01-01T05:30:00Z"


def test_the_order_is_close_then_open_then_migrate() -> None:
    given = Migration(with_task(attached("b", pt("PT1H")), attached("m", message_def("msg"))),
                      with_task(attached("m", message_def("msg")), attached("s", signal_def())), key="k")

    outcome = given.migrate({"t": "t", "m": "m"})

    assert given.catch_records(outcome) == [
        ("TIMER", "CANCELED", "b"), ("SIGNAL_SUBSCRIPTION", "CREATED", "s"),
        ("PROCESS_MESSAGE_SUBSCRIPTION", "MIGRATED", "m")]
    assert [r["valueType"] for r in outcome.records][-1] == "PROCESS_INSTANCE_MIGRATION"


def test_a_message_subscription_keeps_its_name_and_correlation_key() -> None:
    given = Migration(catching("c", message_def("msg")), catching("c2", message_def("msg")),
                      key="k-1")

    outcome = given.migrate({"c": "c2"})

    migrated = given.record(outcome, "PROCESS_MESSAGE_SUBSCRIPTION", "MIGRATED")
    assert (migrated["elementId"], migrated["messageName"], migrated["correlationKey"]) == (
        "c2", "ping", "k-1")
    published = commands.publish_message(given.engine, "ping", "k-1", {}, parse_duration("PT0S"))
    assert "PROCESS_MESSAGE_SUBSCRIPTION" in {r["valueType"] for r in published.records}
    assert given.engine.instance(given.key).lifecycle == "COMPLETED"


def test_a_signal_catch_event_migrates_and_the_index_follows() -> None:
    given = Migration(catching("c", signal_def()), catching("c2", signal_def()))

    outcome = given.migrate({"c": "c2"})

    assert given.catch_records(outcome) == [("SIGNAL_SUBSCRIPTION", "MIGRATED", "c2")]
    entry = given.engine.event_index.signal_subscribers("go")[0]
    assert (entry.element_id, entry.definition_key) == ("c2", given.target)


def test_a_new_subscription_is_evaluated_at_migration_and_a_failure_rejects_it() -> None:
    given = Migration(with_task(), with_task(attached("m", message_def("other"))))

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
    given = Migration(with_task(attached("b", pt("PT1H"))),
                      with_task(attached("m", message_def("msg"))), key="k")

    outcome = given.migrate(mapping)

    assert outcome.rejection is not None and outcome.rejection["rejectionReason"] == reason
    assert [r["recordType"] for r in outcome.records] == ["COMMAND_REJECTION"]


def test_an_event_based_gateway_migrates_its_events_by_their_mapping() -> None:
    def gateway(a: str, b: str) -> bytes:
        return model(start(), '<bpmn:eventBasedGateway id="gw"/>', catch(a, message_def("msg")),
                     catch(b, pt("PT1H")), end(), chain("start", "gw", a, "end"),
                     chain("gw", b, "end"))

    given = Migration(gateway("m", "late"), gateway("m2", "later"), key="k")

    outcome = given.migrate({"gw": "gw", "m": "m2"})

    assert given.catch_records(outcome) == [
        ("TIMER", "CANCELED", "late"), ("TIMER", "CREATED", "later"),
        ("PROCESS_MESSAGE_SUBSCRIPTION", "MIGRATED", "m2")]
    commands.publish_message(given.engine, "ping", "k", {}, parse_duration("PT0S"))
    state = given.engine.instance(given.key)
    assert state.lifecycle == "COMPLETED"


def test_event_subprocess_starts_belong_to_the_process_instance() -> None:
    def esp(start_id: str, definition: str) -> str:
        return sub_process(f"esp_{start_id}", start(start_id, definition, ' isInterrupting="false"'),
                           end(f"x_{start_id}"), chain(start_id, f"x_{start_id}"), triggered=True)

    given = Migration(catching("c", signal_def(), esp("s1", message_def("msg"))),
                      catching("c", signal_def(), esp("s2", pt("PT1H"))), key="k")

    outcome = given.migrate({"c": "c"})

    assert given.catch_records(outcome) == [
        ("PROCESS_MESSAGE_SUBSCRIPTION", "DELETED", "s1"), ("TIMER", "CREATED", "s2"),
        ("SIGNAL_SUBSCRIPTION", "MIGRATED", "c")]
    created = given.record(outcome, "TIMER", "CREATED")
    assert created["elementInstanceKey"] == given.key

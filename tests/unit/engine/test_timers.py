"""Timers on the simulated clock: intermediate catch events, boundary events, timer start
events, cycles, and the order in which `advance_clock` fires them."""

from __future__ import annotations

from bpmn_builders import boundary, catch, chain, end, process, start, task, timer
from events_support import Given, lifecycle, passes, trace

WAIT = process(start(), catch("wait", timer("timeDuration", "PT10M")), end(),
               chain("start", "wait", "end"))


def test_an_intermediate_timer_subscribes_before_it_is_activated() -> None:
    given = Given(WAIT)

    outcome = given.create()

    assert trace(outcome)[-3:] == ["ELEMENT_ACTIVATING wait", "TIMER CREATED wait",
                                   "ELEMENT_ACTIVATED wait"]
    created = outcome.records[-2]
    assert (created["dueDate"], created["repetitions"], created["elementInstanceKey"]) == (
        "2026-01-01T00:10:00Z", 1, outcome.records[-1]["key"])


def test_a_timer_fires_only_once_the_clock_reaches_its_due_date() -> None:
    given = Given(WAIT)
    given.create()

    assert given.advance("PT9M59S") == []
    fired = given.advance("PT1S")

    assert trace(fired) == ["TIMER TRIGGERED wait", *lifecycle("wait", "COMPLETING", "COMPLETED"),
                            "SEQUENCE_FLOW_TAKEN wait_end", *passes("end"),
                            *lifecycle("p", "COMPLETING", "COMPLETED")]
    assert given.state.lifecycle == "COMPLETED"


def test_each_timer_fires_in_its_own_command_at_its_due_date_in_due_then_key_order() -> None:
    given = Given(WAIT, process(start(), catch("late", timer("timeDuration", "PT20M")), end(),
                                chain("start", "late", "end"), process_id="q"))
    first = given.create("q").result
    second = given.create("p").result
    third = given.create("p").result

    outcomes = given.advance("PT1H")

    fired = [(o.records[0]["processInstanceKey"], o.records[0]["timestamp"]) for o in outcomes]
    assert fired == [(second, "2026-01-01T00:10:00Z"), (third, "2026-01-01T00:10:00Z"),
                     (first, "2026-01-01T00:20:00Z")]
    assert given.engine.now_text() == "2026-01-01T01:00:00Z"


def test_a_timer_date_from_a_variable_and_a_bad_value_is_an_incident() -> None:
    model = process(start(), catch("until", timer("timeDate", "=deadline")), end(),
                    chain("start", "until", "end"))
    given = Given(model)
    given.create(deadline="2026-01-01T05:00:00Z")
    assert given.state.subscriptions_of(given.state.leaves()[0].key)[0].fields["dueDate"] == (
        "2026-01-01T05:00:00Z")

    given.create(deadline=7)

    incident = next(iter(given.state.incidents.values()))
    assert (incident.error_type, incident.error_message) == (
        "EXTRACT_VALUE_ERROR",
        "Expected result of the expression 'deadline' to be one of '[DATE_TIME, STRING]', but was 'NUMBER'.")
    assert given.state.subscriptions == {}


def test_an_interrupting_boundary_timer_terminates_its_activity_first() -> None:
    model = process(start(), task("t"), boundary("b", "t", timer("timeDuration", "PT1M")), end(),
                    end("late"), chain("start", "t", "end"), chain("b", "late"))
    given = Given(model)
    created = given.create()
    assert trace(created)[-4:] == ["ELEMENT_ACTIVATING t", "TIMER CREATED b", "JOB CREATED t",
                                   "ELEMENT_ACTIVATED t"]

    fired = given.advance("PT1M")

    assert trace(fired) == [
        "TIMER TRIGGERED b", "ELEMENT_TERMINATING t", "JOB CANCELED t", "ELEMENT_TERMINATED t",
        *passes("b"), "SEQUENCE_FLOW_TAKEN b_late", *passes("late"),
        *lifecycle("p", "COMPLETING", "COMPLETED")]


def test_a_non_interrupting_cycle_is_created_again_until_its_repetitions_are_used() -> None:
    model = process(start(), task("t"),
                    boundary("b", "t", timer("timeCycle", "R2/PT10M"), interrupting=False),
                    end(), end("e2"), chain("start", "t", "end"), chain("b", "e2"))
    given = Given(model)
    given.create()

    outcomes = given.advance("PT1H")

    assert [trace(o)[:3] for o in outcomes] == [
        ["TIMER TRIGGERED b", "TIMER CREATED b", "ELEMENT_ACTIVATING b"],
        ["TIMER TRIGGERED b", "ELEMENT_ACTIVATING b", "ELEMENT_ACTIVATED b"],
    ]
    again = outcomes[0].records[1]
    assert (again["dueDate"], again["repetitions"]) == ("2026-01-01T00:20:00Z", 1)
    assert given.active() == ["t"]


def test_completing_the_activity_cancels_its_boundary_timers() -> None:
    model = process(start(), task("t"), boundary("b", "t", timer("timeDuration", "PT1M")), end(),
                    end("late"), chain("start", "t", "end"), chain("b", "late"))
    given = Given(model)
    given.create()

    completed = given.complete_job("t")

    assert trace(completed)[:4] == ["JOB COMPLETED t", "ELEMENT_COMPLETING t", "TIMER CANCELED b",
                                    "ELEMENT_COMPLETED t"]
    assert given.advance("PT1H") == []


def test_a_timer_start_cycle_creates_an_instance_each_time_and_a_new_version_replaces_it() -> None:
    v1 = process(start("s", timer("timeCycle", "R/PT30M")), end(), chain("s", "end"))
    v2 = process(start("s2", timer("timeCycle", "R1/PT5H")), end(), chain("s2", "end"))
    given = Given(v1)
    deployed = given.engine.deploy(v1, "again.bpmn")  # identical: no version, no new timer
    assert "TIMER CREATED s" not in trace(deployed)

    first = given.advance("PT1H")
    replaced = given.engine.deploy(v2, "v2.bpmn")
    later = given.advance("PT10H")

    assert [trace(o)[:3] for o in first] == [
        ["TIMER TRIGGERED s", "TIMER CREATED s", "PROCESS_INSTANCE_CREATION CREATED"]] * 2
    assert first[0].records[1]["repetitions"] == -1
    assert trace(replaced) == ["PROCESS CREATED", "TIMER CANCELED s", "TIMER CREATED s2",
                               "DEPLOYMENT CREATED"]
    assert [(o.records[0]["elementId"], o.records[0]["timestamp"]) for o in later] == [
        ("s2", "2026-01-01T06:00:00Z")]
    trigger = later[0].records[0]
    assert trigger["processInstanceKey"] == later[0].records[1]["processInstanceKey"]

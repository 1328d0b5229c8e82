"""Messages: correlation to subscriptions (one instance per process), time to live and
buffering, message start events, receive tasks and message boundary events."""

from __future__ import annotations

from bpmn_builders import boundary, catch, chain, end, message, message_def, process, start, task
from events_support import Given, lifecycle, passes, trace

WAIT = process(start(), catch("wait", message_def()), end(), chain("start", "wait", "end"),
               extra=message("paid"))
OTHER = process(start("s2"), catch("w2", message_def("m2")), end("e2"), chain("s2", "w2", "e2"),
                process_id="q", extra=message("paid", ref="m2"))


def test_a_message_correlates_to_the_waiting_catch_event_and_its_variables_propagate() -> None:
    given = Given(WAIT)
    given.create(orderId="o-1")
    subscription = given.state.subscriptions_of(given.state.leaves()[0].key)[0]

    published = given.publish("paid", "o-1", total=3)

    assert trace(published) == [
        "MESSAGE PUBLISHED paid", "MESSAGE EXPIRED paid",
        "PROCESS_MESSAGE_SUBSCRIPTION CORRELATED wait", "ELEMENT_COMPLETING wait",
        "VARIABLE CREATED total", "ELEMENT_COMPLETED wait", "SEQUENCE_FLOW_TAKEN wait_end",
        *passes("end"), *lifecycle("p", "COMPLETING", "COMPLETED")]
    correlated = published.records[2]
    assert (correlated["key"], correlated["messageKey"], correlated["messageName"],
            correlated["correlationKey"]) == (subscription.key, published.records[0]["key"],
                                              "paid", "o-1")
    assert given.variables() == {"orderId": "o-1", "total": 3}


def test_a_message_correlates_to_one_instance_per_process_oldest_first() -> None:
    given = Given(WAIT, OTHER)
    first = given.create(orderId="o-1").result
    second = given.create(orderId="o-1").result
    other = given.create("q", orderId="o-1").result
    unrelated = given.create(orderId="o-2").result

    given.publish("paid", "o-1")

    assert [given.instance(k).lifecycle for k in (first, second, other, unrelated)] == [
        "COMPLETED", "ACTIVE", "COMPLETED", "ACTIVE"]


def test_a_buffered_message_correlates_later_once_per_process_until_it_expires() -> None:
    given = Given(WAIT, OTHER)
    published = given.publish("paid", "o-1", ttl="PT1H", n=1)
    assert trace(published) == ["MESSAGE PUBLISHED paid"]
    assert published.records[0]["deadline"] == "2026-01-01T01:00:00Z"

    first = given.create(orderId="o-1")
    second = given.create(orderId="o-1").result
    other = given.create("q", orderId="o-1").result
    expired = given.advance("PT1H")
    late = given.create("q", orderId="o-1").result

    assert "PROCESS_MESSAGE_SUBSCRIPTION CORRELATED wait" in trace(first)
    assert given.instance(first.result).lifecycle == "COMPLETED"
    assert given.instance(second).lifecycle == "ACTIVE"
    assert given.instance(other).lifecycle == "COMPLETED"
    assert [trace(o) for o in expired] == [["MESSAGE EXPIRED paid"]]
    assert expired[0].records[0]["timestamp"] == "2026-01-01T01:00:00Z"
    assert given.instance(late).lifecycle == "ACTIVE"


def test_the_correlation_key_is_evaluated_on_subscribing_numbers_become_text() -> None:
    given = Given(WAIT)
    given.create(orderId=12)
    assert given.state.subscriptions_of(given.state.leaves()[0].key)[0].fields[
        "correlationKey"] == "12"

    given.create(orderId=[1])

    incident = next(iter(given.state.incidents.values()))
    assert (incident.error_type, incident.element_id, incident.error_message) == (
        "EXTRACT_VALUE_ERROR", "wait",
        ("Failed to extract the correlation key for 'orderId': The value must be either a "
         "string or a number, but was 'ARRAY'."))


def test_with_output_mappings_the_message_variables_stay_local() -> None:
    mapping = ('<zeebe:ioMapping><zeebe:output source="=amount * 2" target="doubled"/>'
               "</zeebe:ioMapping>")
    model = process(start(), catch("wait", message_def(), extensions=mapping), end(),
                    chain("start", "wait", "end"), extra=message("paid"))
    given = Given(model)
    given.create(orderId="o")

    given.publish("paid", "o", amount=4)

    assert given.variables() == {"orderId": "o", "doubled": 8}


def test_a_receive_task_waits_for_its_message_with_its_boundary_events() -> None:
    model = process(start(), '<bpmn:receiveTask id="rt" messageRef="msg"/>',
                    boundary("late", "rt", '<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H'
                             "</bpmn:timeDuration></bpmn:timerEventDefinition>"),
                    end(), end("e2"), chain("start", "rt", "end"), chain("late", "e2"),
                    extra=message("paid"))
    given = Given(model)
    created = given.create(orderId="o")
    assert trace(created)[-4:] == ["ELEMENT_ACTIVATING rt", "TIMER CREATED late",
                                   "PROCESS_MESSAGE_SUBSCRIPTION CREATED rt", "ELEMENT_ACTIVATED rt"]

    published = given.publish("paid", "o")

    assert trace(published)[2:6] == ["PROCESS_MESSAGE_SUBSCRIPTION CORRELATED rt",
                                     "ELEMENT_COMPLETING rt", "TIMER CANCELED late",
                                     "ELEMENT_COMPLETED rt"]


def test_a_non_interrupting_message_boundary_event_keeps_its_subscription() -> None:
    model = process(start(), task("t"), boundary("b", "t", message_def(), interrupting=False),
                    end(), end("e2"), chain("start", "t", "end"), chain("b", "e2"),
                    extra=message("ping"))
    given = Given(model)
    given.create(orderId="o")

    first = given.publish("ping", "o")
    second = given.publish("ping", "o")

    assert trace(first)[2:5] == ["PROCESS_MESSAGE_SUBSCRIPTION CORRELATED b",
                                 "ELEMENT_ACTIVATING b", "ELEMENT_ACTIVATED b"]
    assert first.records[2]["interrupting"] is False
    assert "PROCESS_MESSAGE_SUBSCRIPTION CORRELATED b" in trace(second)
    assert given.active() == ["t"]
    assert len(given.state.subscriptions) == 1


MESSAGE_START = process(start("ms", message_def()), catch("done", message_def("close")), end(),
                        chain("ms", "done", "end"),
                        extra=message("order", key=None) + message("close", "=ref", ref="close"))


def _instances(given: Given) -> list[int]:
    return sorted(key for key in given.engine.instances)


def test_a_message_start_event_creates_an_instance_with_the_message_variables() -> None:
    given = Given(MESSAGE_START)
    subscribed = given.engine.event_index.starts_for_message("order")
    assert [entry.element_id for entry in subscribed] == ["ms"]

    published = given.publish("order", "k1", ref="k1")

    assert trace(published)[:5] == [
        "MESSAGE PUBLISHED order", "MESSAGE EXPIRED order",
        "MESSAGE_START_EVENT_SUBSCRIPTION CORRELATED ms", "VARIABLE CREATED ref",
        "PROCESS_INSTANCE_CREATION CREATED"]
    instance_key = published.records[2]["processInstanceKey"]
    assert given.variables(instance_key) == {"ref": "k1"}
    assert given.active(instance_key) == ["done"]


def test_one_active_instance_per_correlation_key_and_the_next_waits_in_the_buffer() -> None:
    given = Given(MESSAGE_START)
    given.publish("order", "k1", ref="k1", n=1)
    given.publish("order", "k1", ttl="PT1H", ref="k1", n=2)
    given.publish("order", "k2", ref="k2", n=3)
    assert len(_instances(given)) == 2

    closed = given.publish("close", "k1")

    assert "MESSAGE_START_EVENT_SUBSCRIPTION CORRELATED ms" in trace(closed)
    started = [r for r in closed.records if r["valueType"] == "MESSAGE_START_EVENT_SUBSCRIPTION"]
    assert given.variables(started[0]["processInstanceKey"])["n"] == 2
    assert len(_instances(given)) == 3


def test_a_message_with_an_empty_correlation_key_always_starts_an_instance() -> None:
    given = Given(MESSAGE_START)
    given.publish("order", "", ref="x")
    given.publish("order", "", ref="x")

    assert len(_instances(given)) == 2


def test_a_message_throw_or_end_event_with_a_task_definition_is_a_job_worker() -> None:
    job = ('<bpmn:extensionElements><zeebe:taskDefinition type="send"/></bpmn:extensionElements>'
           + message_def())
    model = process(start(), f'<bpmn:intermediateThrowEvent id="notify">{job}'
                    "</bpmn:intermediateThrowEvent>", f'<bpmn:endEvent id="end">{job}</bpmn:endEvent>',
                    chain("start", "notify", "end"), extra=message("paid"))
    given = Given(model)

    created = given.create()
    assert trace(created)[-3:] == ["ELEMENT_ACTIVATING notify", "JOB CREATED notify",
                                   "ELEMENT_ACTIVATED notify"]
    given.complete_job("notify")
    assert given.active() == ["end"] and given.state.jobs
    completed = given.complete_job("end")

    assert trace(completed)[-4:] == [*lifecycle("end", "COMPLETING", "COMPLETED"),
                                     *lifecycle("p", "COMPLETING", "COMPLETED")]

"""Event-based gateways and event subprocesses."""

from __future__ import annotations

from bpmn_builders import (
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
from events_support import Given, lifecycle, passes, trace

GATEWAY = process(
    start(), '<bpmn:eventBasedGateway id="gw"/>', catch("paid", message_def()),
    catch("late", timer("timeDuration", "PT1H")), catch("stop", signal_def()),
    end("e1"), end("e2"), end("e3"), chain("start", "gw"), chain("gw", "paid"), chain("gw", "late"),
    chain("gw", "stop"), chain("paid", "e1"), chain("late", "e2"), chain("stop", "e3"),
    extra=message("paid") + signal("stop"))


def test_the_gateway_subscribes_to_every_event_after_it() -> None:
    given = Given(GATEWAY)

    created = given.create(orderId="o")

    assert trace(created)[-5:] == [
        "ELEMENT_ACTIVATING gw", "PROCESS_MESSAGE_SUBSCRIPTION CREATED paid", "TIMER CREATED late",
        "SIGNAL_SUBSCRIPTION CREATED stop", "ELEMENT_ACTIVATED gw"]
    gateway = given.state.leaves()[0]
    assert {s.element_instance_key for s in given.state.subscriptions.values()} == {gateway.key}


def test_the_first_event_wins_and_the_others_are_closed() -> None:
    given = Given(GATEWAY)
    given.create(orderId="o")

    published = given.publish("paid", "o", amount=1)

    assert trace(published)[2:] == [
        "PROCESS_MESSAGE_SUBSCRIPTION CORRELATED paid", "ELEMENT_COMPLETING gw",
        "TIMER CANCELED late", "SIGNAL_SUBSCRIPTION DELETED stop", "ELEMENT_COMPLETED gw",
        "SEQUENCE_FLOW_TAKEN gw_paid", "ELEMENT_ACTIVATING paid", "ELEMENT_ACTIVATED paid",
        "ELEMENT_COMPLETING paid", "VARIABLE CREATED amount", "ELEMENT_COMPLETED paid",
        "SEQUENCE_FLOW_TAKEN paid_e1", *passes("e1"), *lifecycle("p", "COMPLETING", "COMPLETED")]
    assert given.advance("PT2H") == []


def test_a_timer_or_a_signal_can_win_too() -> None:
    given = Given(GATEWAY)
    timed = given.create(orderId="o").result
    given.advance("PT1H")
    signalled = given.create(orderId="o").result
    given.broadcast("stop")

    assert [given.instance(k).lifecycle for k in (timed, signalled)] == ["COMPLETED", "COMPLETED"]
    assert given.engine.event_index.message_subscriptions == {}


ESP_MESSAGE = sub_process("esp1", '<bpmn:startEvent id="s1" isInterrupting="false">'
                          f"{message_def()}</bpmn:startEvent>", task("h1"), end("x1"),
                          chain("s1", "h1", "x1"), triggered=True)
ESP_TIMER = sub_process("esp2", start("s2", timer("timeDuration", "PT1H")), end("x2"),
                        chain("s2", "x2"), triggered=True)
SCOPES = process(start(), task("t"), end(), chain("start", "t", "end"), ESP_MESSAGE, ESP_TIMER,
                 extra=message("ping"))


def test_a_scope_opens_its_event_subprocess_starts_after_it_is_activated() -> None:
    given = Given(SCOPES)

    created = given.create(orderId="o")

    assert trace(created)[2:6] == ["ELEMENT_ACTIVATING p", "ELEMENT_ACTIVATED p",
                                   "PROCESS_MESSAGE_SUBSCRIPTION CREATED s1", "TIMER CREATED s2"]
    assert all(s.element_instance_key == given.key for s in given.state.subscriptions.values())


def test_a_non_interrupting_event_subprocess_runs_beside_the_flow_each_time() -> None:
    given = Given(SCOPES)
    given.create(orderId="o")

    first = given.publish("ping", "o", n=1)
    given.publish("ping", "o", n=2)

    assert trace(first)[2:6] == ["PROCESS_MESSAGE_SUBSCRIPTION CORRELATED s1",
                                 "ELEMENT_ACTIVATING esp1", "ELEMENT_ACTIVATED esp1",
                                 "ELEMENT_ACTIVATING s1"]
    assert given.active() == ["t", "h1", "h1"]
    assert given.variables()["n"] == 2


def test_an_interrupting_event_subprocess_takes_the_scope_over() -> None:
    given = Given(SCOPES)
    given.create(orderId="o")
    given.publish("ping", "o")

    fired = given.advance("PT1H")

    assert trace(fired)[:8] == [
        "TIMER TRIGGERED s2", "PROCESS_MESSAGE_SUBSCRIPTION DELETED s1",
        "ELEMENT_TERMINATING t", "JOB CANCELED t", "ELEMENT_TERMINATED t",
        "ELEMENT_TERMINATING esp1", "ELEMENT_TERMINATING h1", "JOB CANCELED h1"]
    assert trace(fired)[-2:] == lifecycle("p", "COMPLETING", "COMPLETED")
    assert given.publish("ping", "o").records[-1]["valueType"] == "MESSAGE"

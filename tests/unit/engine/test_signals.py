"""Signals: every waiting subscription is triggered by a broadcast, a throw or an end event."""

from __future__ import annotations

from bpmn_builders import boundary, catch, chain, end, process, signal, signal_def, start, task
from events_support import Given, lifecycle, passes, trace

WAIT = process(start(), catch("s", signal_def()), end(), chain("start", "s", "end"),
               extra=signal("go"))


def test_a_broadcast_triggers_every_waiting_catch_event() -> None:
    given = Given(WAIT)
    first = given.create().result
    second = given.create().result
    subscribed = given.state.subscriptions_of(given.state.leaves()[0].key)[0]
    assert (subscribed.value_type, subscribed.fields) == ("SIGNAL_SUBSCRIPTION", {"signalName": "go"})

    broadcast = given.broadcast("go", v=1)

    assert trace(broadcast)[:6] == [
        "SIGNAL BROADCASTED go", "ELEMENT_COMPLETING s", "VARIABLE CREATED v",
        "SIGNAL_SUBSCRIPTION DELETED s", "ELEMENT_COMPLETED s", "SEQUENCE_FLOW_TAKEN s_end"]
    assert [given.instance(k).lifecycle for k in (first, second)] == ["COMPLETED", "COMPLETED"]
    assert given.variables(first) == {"v": 1}


def test_a_signal_nobody_waits_for_is_broadcast_and_lost() -> None:
    given = Given(WAIT)
    given.create()

    assert trace(given.broadcast("other")) == ["SIGNAL BROADCASTED other"]
    assert given.active() == ["s"]


def test_a_signal_start_event_creates_an_instance_per_broadcast() -> None:
    model = process(start("ss", signal_def()), end(), chain("ss", "end"), extra=signal("go"))
    given = Given(model)

    broadcast = given.broadcast("go", v=2)

    assert trace(broadcast)[:3] == ["SIGNAL BROADCASTED go", "VARIABLE CREATED v",
                                    "PROCESS_INSTANCE_CREATION CREATED"]
    assert trace(broadcast)[-2:] == ["ELEMENT_COMPLETING p", "ELEMENT_COMPLETED p"]


def test_a_throw_event_broadcasts_its_input_mappings_and_goes_on() -> None:
    mapping = ('<bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=x" target="y"/>'
               "</zeebe:ioMapping></bpmn:extensionElements>")
    thrower = process(start("t0"), f'<bpmn:intermediateThrowEvent id="throw">{mapping}'
                      f"{signal_def()}</bpmn:intermediateThrowEvent>", end("t9"),
                      chain("t0", "throw", "t9"), process_id="thrower", extra=signal("go"))
    given = Given(WAIT, thrower)
    waiting = given.create().result

    thrown = given.create("thrower", x=5)

    lines = trace(thrown)
    assert lines[lines.index("ELEMENT_ACTIVATED throw"):][:3] == [
        "ELEMENT_ACTIVATED throw", "SIGNAL BROADCASTED go", "ELEMENT_COMPLETING s"]
    assert given.instance(waiting).lifecycle == "COMPLETED"
    assert given.variables(waiting) == {"y": 5}
    assert given.state.lifecycle == "COMPLETED"


def test_signal_boundary_events_interrupting_and_not() -> None:
    model = process(start(), task("t"), boundary("stop", "t", signal_def()),
                    boundary("note", "t", signal_def("n"), interrupting=False), end(), end("e2"),
                    end("e3"), chain("start", "t", "end"), chain("stop", "e2"), chain("note", "e3"),
                    extra=signal("stop") + signal("note", ref="n"))
    given = Given(model)
    given.create()

    noted = given.broadcast("note")
    stopped = given.broadcast("stop")

    assert trace(noted)[1:] == [*passes("note"), "SEQUENCE_FLOW_TAKEN note_e3", *passes("e3")]
    assert trace(stopped)[1:6] == ["ELEMENT_TERMINATING t", "JOB CANCELED t",
                                   "SIGNAL_SUBSCRIPTION DELETED stop",
                                   "SIGNAL_SUBSCRIPTION DELETED note", "ELEMENT_TERMINATED t"]
    assert trace(stopped)[-2:] == lifecycle("p", "COMPLETING", "COMPLETED")


def test_a_signal_end_event_broadcasts() -> None:
    thrower = process(start("t0"), end("t9", signal_def()), chain("t0", "t9"),
                      process_id="thrower", extra=signal("go"))
    given = Given(WAIT, thrower)
    waiting = given.create().result

    given.create("thrower")

    assert given.instance(waiting).lifecycle == "COMPLETED"


def test_a_new_version_drops_the_signal_and_message_start_events_of_the_previous_one() -> None:
    v1 = process(start("ss", signal_def()), start("ms", '<bpmn:messageEventDefinition messageRef="m"/>'),
                 end(), chain("ss", "end"), chain("ms", "end"),
                 extra=signal("go") + '<bpmn:message id="m" name="order"/>')
    v2 = process(start(), end(), chain("start", "end"))
    given = Given(v1)
    assert given.engine.event_index.signal_subscribers("go")[0].instance_key == -1

    deployed = given.engine.deploy(v2, "v2.bpmn")

    assert trace(deployed) == ["PROCESS CREATED", "SIGNAL_SUBSCRIPTION DELETED ss",
                               "MESSAGE_START_EVENT_SUBSCRIPTION DELETED ms", "DEPLOYMENT CREATED"]
    assert trace(given.broadcast("go")) == ["SIGNAL BROADCASTED go"]
    assert trace(given.publish("order", "k")) == ["MESSAGE PUBLISHED order", "MESSAGE EXPIRED order"]

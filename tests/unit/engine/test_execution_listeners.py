"""Execution listeners (Zeebe 8.6+): start listeners' jobs run in order while the element is
ACTIVATING (after its input mappings), end listeners' jobs while it is COMPLETING (after its
output mappings); each listener job must complete before the next step."""

from __future__ import annotations

from typing import Any

import pytest
from bpmn_builders import (
    boundary,
    call,
    catch,
    chain,
    end,
    ext,
    io,
    link_def,
    listeners,
    loop,
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
from core_support import assert_rebuilds
from events_support import Given, lifecycle, trace

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine, Outcome

S, E = "start", "end"


def jobs(outcome: Outcome | list[Outcome]) -> list[tuple[str, str, str | None]]:
    """(intent, job type, jobListenerEventType) of every JOB record."""
    outcomes = outcome if isinstance(outcome, list) else [outcome]
    return [(r["intent"], r["type"], r.get("jobListenerEventType"))
            for o in outcomes for r in o.records if r["valueType"] == "JOB"]


def job_records(outcome: Outcome) -> list[dict[str, Any]]:
    return [r for r in outcome.records if r["valueType"] == "JOB"]


def listened_task(*specs: tuple[str, str] | tuple[str, str, str], extensions: str = "",
                  more: str = "") -> bytes:
    return process(start(), task("t", extensions=listeners(*specs) + extensions), end(), more,
                   chain("start", "t", "end"))


def test_start_listeners_run_in_order_before_the_task_activates() -> None:
    given = Given(listened_task((S, "s1"), (S, "s2")))
    created = given.create()

    assert trace(created)[-2:] == ["ELEMENT_ACTIVATING t", "JOB CREATED t"]
    assert jobs(created) == [("CREATED", "s1", "START")]
    assert given.state.elements[given.state.key].lifecycle == "ELEMENT_ACTIVATED"
    assert given.active() == ["t"]

    second = given.complete_job("t")
    assert jobs(second) == [("COMPLETED", "s1", "START"), ("CREATED", "s2", "START")]
    third = given.complete_job("t")

    assert trace(third) == ["JOB COMPLETED t", "JOB CREATED t", "ELEMENT_ACTIVATED t"]
    assert jobs(third) == [("COMPLETED", "s2", "START"), ("CREATED", "t", None)]
    given.complete_job("t")
    assert given.state.lifecycle == "COMPLETED"


def test_end_listeners_run_in_order_after_completing_and_before_completed() -> None:
    given = Given(listened_task((E, "e1"), (E, "e2")))
    given.create()

    done = given.complete_job("t")
    assert trace(done) == ["JOB COMPLETED t", "ELEMENT_COMPLETING t", "JOB CREATED t"]
    assert jobs(done)[-1] == ("CREATED", "e1", "END")
    given.complete_job("t")
    last = given.complete_job("t")

    assert jobs(last) == [("COMPLETED", "e2", "END")]
    assert trace(last)[:3] == ["JOB COMPLETED t", "ELEMENT_COMPLETED t", "SEQUENCE_FLOW_TAKEN t_end"]
    assert given.state.lifecycle == "COMPLETED"


def test_a_listener_job_names_its_kind_and_event_type_and_evaluates_its_expressions() -> None:
    given = Given(listened_task((S, "=kind + &quot;-listener&quot;", "=tries")))
    created = given.create(kind="audit", tries=5)  # the type: kind + "-listener"

    (record,) = job_records(created)
    assert {k: record[k] for k in ("type", "retries", "jobKind", "jobListenerEventType",
                                   "listenerEventType", "customHeaders", "elementId")} == {
        "type": "audit-listener", "retries": 5, "jobKind": "EXECUTION_LISTENER",
        "jobListenerEventType": "START", "listenerEventType": "START", "customHeaders": {},
        "elementId": "t"}
    completed = given.complete_job("t")
    assert job_records(completed)[0]["jobKind"] == "EXECUTION_LISTENER"
    assert "jobKind" not in job_records(completed)[1]  # the task's own job, as before


def test_input_mappings_come_before_the_start_listener_and_output_mappings_before_the_end_one() -> None:
    given = Given(listened_task((S, "s"), (E, "e"), extensions=io({"local": "=1"}, {"out": "=2"})))
    created = given.create()
    assert trace(created)[-3:] == ["ELEMENT_ACTIVATING t", "VARIABLE CREATED local", "JOB CREATED t"]

    given.complete_job("t")
    completing = given.complete_job("t")
    assert trace(completing) == ["JOB COMPLETED t", "ELEMENT_COMPLETING t", "VARIABLE CREATED out",
                                 "JOB CREATED t"]


def test_start_listener_variables_are_local_and_end_listener_variables_go_to_the_flow_scope() -> None:
    given = Given(listened_task((S, "s"), (E, "e")))
    given.create()

    given.complete_job("t", fromStart=1)
    t_key = next(k for k, ei in given.state.elements.items() if ei.element_id == "t")
    assert set(given.state.variables[t_key]) == {"fromStart"}
    given.complete_job("t")
    given.complete_job("t", fromEnd=2)

    assert given.variables() == {"fromEnd": 2}


def test_boundary_events_subscribe_only_after_the_start_listeners() -> None:
    model = process(start(), task("t", extensions=listeners((S, "s"))),
                    boundary("late", "t", timer("timeDuration", "PT1M")), end(), end("e2"),
                    chain("start", "t", "end"), chain("late", "e2"))
    given = Given(model)
    created = given.create()
    assert "TIMER CREATED late" not in trace(created)

    activated = given.complete_job("t")
    assert trace(activated) == ["JOB COMPLETED t", "TIMER CREATED late", "JOB CREATED t",
                                "ELEMENT_ACTIVATED t"]


def test_a_failed_listener_job_without_retries_raises_an_execution_listener_incident() -> None:
    given = Given(listened_task((S, "s")))
    given.create()

    failed = commands.fail_job(given.engine, given.key, "t", 0, "boom")
    incident = [r for r in failed.records if r["valueType"] == "INCIDENT"][0]
    assert (incident["errorType"], incident["errorMessage"]) == ("EXECUTION_LISTENER_NO_RETRIES", "boom")

    resolved = commands.resolve_incident(given.engine, given.key, "t", retries=2)
    assert trace(resolved) == ["JOB RETRIES_UPDATED t", "INCIDENT RESOLVED t"]
    assert jobs(given.complete_job("t"))[-1] == ("CREATED", "t", None)


def test_a_listener_job_cannot_throw_a_bpmn_error() -> None:
    given = Given(listened_task((S, "s")))
    given.create()

    thrown = commands.throw_error(given.engine, given.key, "t", "E1")

    assert thrown.rejection is not None
    assert thrown.rejection["rejectionType"] == "INVALID_STATE"
    job_key = next(iter(given.state.jobs))
    assert thrown.rejection["rejectionReason"] == (
        f"Cannot throw BPMN error from EXECUTION_LISTENER job with key '{job_key}', "
        f"type 's' and processInstanceKey '{given.key}'")


def test_canceling_an_element_waiting_on_a_listener_cancels_the_listener_job() -> None:
    given = Given(listened_task((S, "s")))
    given.create()

    canceled = commands.cancel_instance(given.engine, given.key)

    assert jobs(canceled) == [("CANCELED", "s", "START")]
    assert trace(canceled)[:3] == ["ELEMENT_TERMINATING p", "ELEMENT_TERMINATING t", "JOB CANCELED t"]
    assert given.state.jobs == {}


def test_a_listener_type_that_cannot_be_evaluated_raises_an_incident_and_resolving_restarts() -> None:
    given = Given(listened_task((S, "first"), (S, "=second")))
    given.create()

    failed = given.complete_job("t")
    assert [r["errorType"] for r in failed.records if r["valueType"] == "INCIDENT"] == [
        "EXTRACT_VALUE_ERROR"]
    commands.set_variables(given.engine, given.key, {"second": "two"})
    resolved = commands.resolve_incident(given.engine, given.key, "t")

    assert jobs(resolved) == [("CREATED", "first", "START")]  # Zeebe: from the first listener
    given.complete_job("t")
    assert jobs(given.complete_job("t")) == [("COMPLETED", "two", "START"), ("CREATED", "t", None)]


def test_process_listeners_run_before_the_start_event_and_before_the_process_completes() -> None:
    model = process(ext(listeners((S, "ps"), (E, "pe"))), start(), end(), chain("start", "end"))
    given = Given(model)
    created = given.create()
    assert trace(created)[-2:] == ["ELEMENT_ACTIVATING p", "JOB CREATED p"]

    entered = given.complete_job("p", fromProcessStart=True)
    assert trace(entered)[:3] == ["JOB COMPLETED p", "VARIABLE CREATED fromProcessStart",
                                  "ELEMENT_ACTIVATED p"]
    assert trace(entered)[-2:] == ["ELEMENT_COMPLETING p", "JOB CREATED p"]
    finished = given.complete_job("p")

    assert trace(finished) == ["JOB COMPLETED p", "ELEMENT_COMPLETED p"]
    assert given.state.lifecycle == "COMPLETED"


def test_gateways_events_and_subprocesses_wait_on_their_listeners() -> None:
    gateway = ('<bpmn:exclusiveGateway id="gw">' + ext(listeners((S, "g"))) + "</bpmn:exclusiveGateway>")
    sub = sub_process("sub", ext(listeners((S, "in"), (E, "out"))), start("ss"), end("se"),
                      chain("ss", "se"))
    model = process(start(), gateway, sub,
                    '<bpmn:endEvent id="end">' + ext(listeners((S, "last"))) + "</bpmn:endEvent>",
                    chain("start", "gw", "sub", "end"))
    given = Given(model)
    given.create()

    order = []
    while given.state.is_running:
        (job,) = given.state.jobs.values()
        order.append(job.type)
        given.complete_job(job.element_id)

    assert order == ["g", "in", "out", "last"]


def test_a_catch_event_subscribes_after_its_start_listener() -> None:
    model = process(start(), catch("wait", message_def(), listeners((S, "s"), (E, "e"))), end(),
                    chain("start", "wait", "end"), extra=message("go"))
    given = Given(model)
    created = given.create(orderId="o-1")
    assert "PROCESS_MESSAGE_SUBSCRIPTION CREATED wait" not in trace(created)

    subscribed = given.complete_job("wait")
    assert "PROCESS_MESSAGE_SUBSCRIPTION CREATED wait" in trace(subscribed)
    correlated = given.publish("go", "o-1")
    assert jobs(correlated)[-1] == ("CREATED", "e", "END")
    given.complete_job("wait")
    assert given.state.lifecycle == "COMPLETED"


def test_multi_instance_listeners_run_for_each_inner_instance_not_the_body() -> None:
    model = process(start(), task("t", extensions=listeners((S, "s")),
                                  loop=loop("=[1, 2]", sequential=True)),
                    end(), chain("start", "t", "end"))
    given = Given(model)
    created = given.create()
    assert trace(created)[-5:] == [*lifecycle("t", "ACTIVATING", "ACTIVATED", "ACTIVATING"),
                                   "VARIABLE CREATED loopCounter", "JOB CREATED t"]
    assert jobs(created) == [("CREATED", "s", "START")]  # the body activated without one
    types = []
    while given.state.is_running:
        (job,) = given.state.jobs.values()
        types.append(job.type)
        given.complete_job("t")
    assert types == ["s", "t", "s", "t"]


def test_a_reopened_store_resumes_with_the_next_listener(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'engine.db'}"
    first = Engine(url)
    given = Given(listened_task((S, "s1"), (S, "s2"), (E, "e1")), engine=first)
    given.create()
    given.complete_job("t")
    first.close()

    reopened = Given(engine=Engine(url))
    reopened.key = given.key
    assert jobs(reopened.complete_job("t")) == [("COMPLETED", "s2", "START"), ("CREATED", "t", None)]
    assert jobs(reopened.complete_job("t"))[-1] == ("CREATED", "e1", "END")


@pytest.mark.parametrize("specs", [((S, "s"),), ((E, "e"),), ((S, "s1"), (S, "s2"), (E, "e"))])
def test_each_step_rebuilds_from_the_stored_events_alone(specs) -> None:
    """The listener index lives in state that only appliers change: a rebuilt instance
    equals the live one after every step, an incident's resolution included."""
    given = Given(process(ext(listeners((S, "ps"), (E, "pe"))), start(),
                          task("t", extensions=listeners(*specs)), end(), chain("start", "t", "end")))
    given.create()
    assert_rebuilds(given.engine, given.key)
    commands.fail_job(given.engine, given.key, "p", 0, "no")
    commands.resolve_incident(given.engine, given.key, "p")
    while given.state.is_running:
        assert_rebuilds(given.engine, given.key)
        (job,) = given.state.jobs.values()
        given.complete_job(job.element_id, step=job.type)
    assert_rebuilds(given.engine, given.key)
    assert given.state.lifecycle == "COMPLETED"


def _node(tag: str, element_id: str, specs: tuple[tuple[str, str], ...], inner: str = "",
          attrs: str = "") -> str:
    return f'<bpmn:{tag} id="{element_id}"{attrs}>{ext(listeners(*specs))}{inner}</bpmn:{tag}>'


def test_listeners_on_every_kind_of_element_run_to_completion() -> None:
    """Gateways (fork, join, inclusive), throw events (signal, link), a call activity whose
    called process listens too, and a terminate end event: each listener's job once."""
    child = process(ext(listeners((S, "child-in"), (E, "child-out"))), start("cs"), end("ce"),
                    chain("cs", "ce"), process_id="c")
    nodes = [
        start(),
        _node("parallelGateway", "fork", ((S, "fork-in"),)),
        _node("intermediateThrowEvent", "shout", ((S, "shout-in"), (E, "shout-out")), signal_def()),
        _node("intermediateThrowEvent", "jump", ((S, "jump-in"),), link_def("L")),
        _node("intermediateCatchEvent", "land", ((E, "land-out"),), link_def("L")),
        call("callC", "c", extensions=listeners((S, "call-in"), (E, "call-out"))),
        _node("parallelGateway", "join", ((S, "join-in"),)),
        _node("inclusiveGateway", "choose", ((S, "choose-in"),), attrs=' default="toStop"'),
        _node("endEvent", "stop", ((S, "stop-in"), (E, "stop-out")),
              "<bpmn:terminateEventDefinition/>"),
        chain("start", "fork", "shout", "jump"), chain("land", "join"),
        chain("fork", "callC", "join", "choose"),
        '<bpmn:sequenceFlow id="toStop" sourceRef="choose" targetRef="stop"/>',
    ]
    given = Given(child, process(*nodes, extra=signal("ping")))
    given.create()

    order = []
    while given.state.is_running:
        states = [given.engine.instance(key) for key in list(given.engine.instances)]
        open_jobs = sorted((job.key, state.key, job) for state in states if state is not None
                           for job in state.jobs.values())
        assert open_jobs, given.active()
        _, instance_key, job = open_jobs[0]
        order.append(job.type)
        outcome = commands.complete_job(given.engine, instance_key, job.element_id, {})
        assert outcome.rejection is None, outcome.rejection

    assert order == ["fork-in", "shout-in", "call-in", "shout-out", "child-in", "jump-in",
                     "child-out", "land-out", "call-out", "join-in", "choose-in", "stop-in",
                     "stop-out"]


def test_a_process_start_listener_incident_is_retried_and_cancel_cancels_its_job() -> None:
    model = process(ext(listeners((S, "=kind"))), start(), end(), chain("start", "end"))
    given = Given(model)
    created = given.create()
    assert trace(created)[-2:] == ["ELEMENT_ACTIVATING p", "INCIDENT CREATED p"]

    commands.set_variables(given.engine, given.key, {"kind": "audit"})
    resolved = commands.resolve_incident(given.engine, given.key, "p")
    assert jobs(resolved) == [("CREATED", "audit", "START")]
    canceled = commands.cancel_instance(given.engine, given.key)

    assert trace(canceled) == ["ELEMENT_TERMINATING p", "JOB CANCELED p", "ELEMENT_TERMINATED p"]


@pytest.mark.parametrize("managed", [False, True])
def test_complete_user_task_does_not_complete_a_listener_job(managed: bool) -> None:
    extensions = ("<zeebe:userTask/>" if managed else "") + listeners((S, "assign"))
    model = process(start(), f'<bpmn:userTask id="u">{ext(extensions)}</bpmn:userTask>', end(),
                    chain("start", "u", "end"))
    given = Given(model)
    given.create()

    refused = commands.complete_user_task(given.engine, given.key, "u", {})
    assert refused.rejection is not None and refused.rejection["rejectionType"] == "NOT_FOUND"
    given.complete_job("u")  # the listener's job
    done = commands.complete_user_task(given.engine, given.key, "u", {})

    assert done.rejection is None
    assert given.state.lifecycle == "COMPLETED"


def test_a_triggered_boundary_event_runs_its_end_listener_before_completing() -> None:
    model = process(start(), task("t"),
                    '<bpmn:boundaryEvent id="late" attachedToRef="t">' + ext(listeners((E, "escalate")))
                    + timer("timeDuration", "PT1M") + "</bpmn:boundaryEvent>",
                    end(), end("e2"), chain("start", "t", "end"), chain("late", "e2"))
    given = Given(model)
    given.create()

    fired = given.advance("PT2M")
    assert trace(fired)[-2:] == ["ELEMENT_COMPLETING late", "JOB CREATED late"]
    assert jobs(fired) == [("CANCELED", "t", None), ("CREATED", "escalate", "END")]
    given.complete_job("late")
    assert given.state.lifecycle == "COMPLETED"


def test_a_process_started_by_a_message_runs_its_start_listener_first() -> None:
    model = process(ext(listeners((S, "welcome"))),
                    start("byMessage", '<bpmn:messageEventDefinition messageRef="msg"/>'),
                    end(), chain("byMessage", "end"), extra=message("hello", key=None))
    given = Given(model)

    published = given.publish("hello", "", greeting="hi")
    (state,) = [given.engine.instance(k) for k in list(given.engine.instances)]
    given.key = state.key
    assert trace(published)[-2:] == ["ELEMENT_ACTIVATING p", "JOB CREATED p"]
    assert given.variables() == {"greeting": "hi"}

    entered = given.complete_job("p")
    assert [line for line in trace(entered) if "byMessage" in line][:1] == [
        "ELEMENT_ACTIVATING byMessage"]
    assert given.state.lifecycle == "COMPLETED"

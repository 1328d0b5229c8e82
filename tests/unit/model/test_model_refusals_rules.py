"""Refusals of structure, missing extensions, ambiguous catches and FEEL syntax errors."""

from __future__ import annotations

import pytest
from bpmn_builders import (
    MINIMAL_FLOW,
    between,
    ext,
    flow,
    fork,
    in_sub_process,
    message,
    message_def,
    node,
    task_definition,
    timer,
    with_boundary,
    with_catch,
    with_event_sub_process,
)
from model_helpers import Case

PT1M = timer("timeDuration", "PT1M")
PT2M = timer("timeDuration", "PT2M")
EBG = '<bpmn:eventBasedGateway id="gw" />'
TWO_TIMERS = (
    flow("f1", "gw", "t1") + flow("f2", "gw", "t2") + flow("o1", "t1", "a") + flow("o2", "t2", "b")
    + node("intermediateCatchEvent", "t1", PT1M) + node("intermediateCatchEvent", "t2", PT2M)
)  # fmt: skip
ERR = '<bpmn:error id="Err" errorCode="E" />'


def multi_instance_task(attrs: str) -> str:
    """Task `x` with a multi-instance loop whose zeebe:loopCharacteristics has `attrs`."""
    inner = ext(f"<zeebe:loopCharacteristics {attrs} />") if attrs else ""
    return node("task", inner=node("multiInstanceLoopCharacteristics", "mi", inner))


def called(attrs: str) -> str:
    return node("callActivity", inner=ext(f"<zeebe:calledElement {attrs} />"))


def with_end(definition: str) -> str:
    """MINIMAL_FLOW and an end event `x` holding `definition`."""
    return MINIMAL_FLOW + node("endEvent", inner=definition)


CASES: dict[str, Case] = {
    # -- structure --
    "no start event": Case('<bpmn:endEvent id="end" />', "p", "the process has no start event"),
    "two none start events": Case(MINIMAL_FLOW + '<bpmn:startEvent id="s2" />', "p", "more than one none start event (start, s2)"),
    "subprocess without start": Case(in_sub_process(node("task", "t")), "sub", "exactly one none start event (it has 0)"),
    "subprocess with two starts": Case(in_sub_process(node("startEvent", "s1") + node("startEvent", "s2")), "sub", "exactly one none start event (it has 2)"),
    "subprocess with a timer start": Case(in_sub_process(node("startEvent", "ss", PT1M)), "ss", "a subprocess start event cannot be a timer event"),
    "event subprocess with a none start": Case(with_event_sub_process(""), "es", "an event subprocess start event needs an event definition"),
    "event subprocess with two starts": Case(MINIMAL_FLOW + node("subProcess", "esp", node("startEvent", "s1", PT1M) + node("startEvent", "s2", PT2M), ' triggeredByEvent="true"'), "esp", "exactly one start event (it has 2)"),
    "event subprocess with a flow": Case(with_event_sub_process(PT1M, flow("extra", "esp", "end")), "esp", "cannot have incoming or outgoing"),
    "start with incoming": Case(MINIMAL_FLOW + flow("back", "end", "start"), "start", "a start event cannot have incoming sequence flows (back)"),
    "end with outgoing": Case(MINIMAL_FLOW + '<bpmn:endEvent id="e2" />' + flow("on", "end", "e2"), "end", "an end event cannot have outgoing sequence flows (on)"),
    "boundary with incoming": Case(with_boundary(PT1M) + flow("into", "start", "b"), "b", "a boundary event cannot have incoming sequence flows (into)"),
    "exclusive gateway without outgoing": Case(MINIMAL_FLOW + node("exclusiveGateway", "gw"), "gw", "at least one outgoing"),
    "parallel gateway without outgoing": Case(MINIMAL_FLOW + node("parallelGateway", "gw"), "gw", "at least one outgoing"),
    "inclusive gateway without outgoing": Case(MINIMAL_FLOW + node("inclusiveGateway", "gw"), "gw", "at least one outgoing"),
    "event gateway with one flow": Case(fork(EBG, flow("f", "gw", "a")), "gw", "at least 2 outgoing"),
    "event gateway to an end event": Case(fork(EBG, flow("f1", "gw", "a") + flow("f2", "gw", "b")), "gw", "sequence flow 'f1' leads to 'a'"),
    "event gateway target with another incoming flow": Case(fork(EBG, TWO_TIMERS + flow("f3", "start", "t1")), "gw", "'t1' after the event-based gateway cannot have other incoming"),
    "condition after a parallel gateway": Case(fork(node("parallelGateway", "gw"), flow("x", "gw", "a", "=ok")), "x", "conditions are only allowed on flows leaving an exclusive or inclusive gateway"),
    "condition after a task": Case(MINIMAL_FLOW + node("task", "t") + flow("x", "t", "end", "=ok"), "x", "a condition on a sequence flow leaving 't' (TASK)"),
    "fork without condition": Case(fork(node("exclusiveGateway", "gw"), flow("f1", "gw", "a", "=ok") + flow("f2", "gw", "b")), "f2", "needs a condition or must be its default"),
    # -- what elements need to run --
    "service task without job": Case(between(node("serviceTask")), "x", "a serviceTask needs a zeebe:taskDefinition"),
    "send task without job": Case(between(node("sendTask")), "x", "a sendTask needs a zeebe:taskDefinition"),
    "business rule task without job": Case(between(node("businessRuleTask")), "x", "a businessRuleTask needs a zeebe:taskDefinition"),
    "script task without script or job": Case(between(node("scriptTask")), "x", "a script task needs a zeebe:script or a zeebe:taskDefinition"),
    "message throw without job": Case(between(node("intermediateThrowEvent", inner="<bpmn:messageEventDefinition />")), "x", "a message throw event needs a zeebe:taskDefinition"),
    "message end without job": Case(with_end("<bpmn:messageEventDefinition />"), "x", "a message throw event needs a zeebe:taskDefinition"),
    "empty job type": Case(between(node("serviceTask", inner=ext(task_definition("  ")))), "x", "zeebe:taskDefinition has an empty type"),
    "script without result variable": Case(between(node("scriptTask", inner=ext('<zeebe:script expression="=1" />'))), "x", "zeebe:script has no resultVariable"),
    "script and job": Case(between(node("scriptTask", inner=ext('<zeebe:script expression="=1" resultVariable="r" />', '<zeebe:taskDefinition type="t" />'))), "x", "either a zeebe:script or a zeebe:taskDefinition, not both"),
    "receive task without message": Case(between(node("receiveTask")), "x", "must reference a message"),
    "message catch without message": Case(with_catch("<bpmn:messageEventDefinition />"), "x", "must reference a message"),
    "message without name": Case(with_catch(message_def("Msg")), "x", "message 'Msg' has no name", extra=message(None, "=id", "Msg")),
    "catch without correlation key": Case(with_catch(message_def("Msg")), "x", "message 'Msg' has no correlation key", extra=message("msg", None, "Msg")),
    "event subprocess message without correlation key": Case(with_event_sub_process(message_def("Msg")), "es", "message 'Msg' has no correlation key", extra=message("msg", None, "Msg")),
    "signal without name": Case(with_catch('<bpmn:signalEventDefinition signalRef="Sig" />'), "x", "signal 'Sig' has no name", extra='<bpmn:signal id="Sig" />'),
    "signal without reference": Case(with_catch("<bpmn:signalEventDefinition />"), "x", "must reference a signal"),
    "error end without error": Case(with_end("<bpmn:errorEventDefinition />"), "x", "must reference an error"),
    "error without code": Case(with_end('<bpmn:errorEventDefinition errorRef="Err" />'), "x", "error 'Err' has no errorCode", extra='<bpmn:error id="Err" />'),
    "error throw with an expression code": Case(with_end('<bpmn:errorEventDefinition errorRef="Err" />'), "x", "is an expression (not supported)", extra='<bpmn:error id="Err" errorCode="=c" />'),
    "error catch with an expression code": Case(with_boundary('<bpmn:errorEventDefinition errorRef="Err" />'), "b", "cannot be an expression on a catch", extra='<bpmn:error id="Err" errorCode="=c" />'),
    "escalation throw without escalation": Case(with_end("<bpmn:escalationEventDefinition />"), "x", "must reference an escalation"),
    "escalation throw without code": Case(with_end('<bpmn:escalationEventDefinition escalationRef="Esc" />'), "x", "escalation 'Esc' has no escalationCode", extra='<bpmn:escalation id="Esc" />'),
    "bad duration": Case(with_catch(timer("timeDuration", "10 minutes")), "x", "timeDuration '10 minutes' is not an ISO-8601 duration"),
    "bad date": Case(with_catch(timer("timeDate", "2026-01-01")), "x", "timeDate '2026-01-01' is not an ISO-8601 date-time"),
    "cron cycle": Case(MINIMAL_FLOW + node("startEvent", inner=timer("timeCycle", "0 0 9 * * MON")), "x", "timeCycle '0 0 9 * * MON' is not an ISO-8601 repeating interval"),
    "empty timer": Case(with_catch(timer("timeDuration", " ")), "x", "timeDuration is empty"),
    "call activity without process id": Case(between(called("")), "x", "needs zeebe:calledElement with a processId"),
    "call activity without extension": Case(between(node("callActivity")), "x", "needs zeebe:calledElement with a processId"),
    "bad binding type": Case(between(called('processId="c" bindingType="newest"')), "x", "bindingType 'newest' is not one of"),
    "empty version tag": Case(MINIMAL_FLOW, "p", "zeebe:versionTag needs a non-empty value", attrs='id="p" isExecutable="true"><bpmn:extensionElements><zeebe:versionTag value=""/></bpmn:extensionElements'),
    "version tag binding without tag": Case(between(called('processId="c" bindingType="versionTag"')), "x", "needs a versionTag"),
    "multi-instance without input collection": Case(between(multi_instance_task("")), "x", "needs zeebe:loopCharacteristics inputCollection"),
    "output collection without element": Case(between(multi_instance_task('inputCollection="=xs" outputCollection="ys"')), "x", "outputCollection and outputElement must be set together"),
    "mapping without target": Case(between(node("task", inner=ext('<zeebe:ioMapping><zeebe:input source="=a" /></zeebe:ioMapping>'))), "x", "a zeebe:input mapping has no target"),
    # -- ambiguous catches --
    "two boundaries for one error": Case(with_boundary('<bpmn:errorEventDefinition errorRef="Err" />') + node("boundaryEvent", "b2", '<bpmn:errorEventDefinition errorRef="Err" />', ' attachedToRef="task"') + flow("b2Out", "b2", "bEnd"), "b2", "another event attached to 'task' already catches error 'E'", extra=ERR),
    "two catch-all error event subprocesses": Case(with_event_sub_process("<bpmn:errorEventDefinition />", node("subProcess", "esp2", node("startEvent", "es2", "<bpmn:errorEventDefinition />"), ' triggeredByEvent="true"')), "es2", "already catches every error (no code)"),
    "two message start events for one name": Case(MINIMAL_FLOW + node("startEvent", "m1", message_def("Msg")) + node("startEvent", "m2", message_def("Msg2")), "m2", "starting the process already catches message 'msg'", extra=message("msg", "=id", "Msg") + message("msg", "=id", "Msg2")),
    # -- FEEL syntax errors, wrapped with the element that holds them --
    "bad condition": Case(fork('<bpmn:exclusiveGateway id="gw" default="f2" />', flow("f1", "gw", "a", "=x >") + flow("f2", "gw", "b")), "f1", "invalid expression in conditionExpression: failed to parse expression 'x >'"),
    "bad job type expression": Case(between(node("serviceTask", inner=ext(task_definition("=a +* b")))), "x", "invalid expression in zeebe:taskDefinition type"),
    "bad input mapping": Case(between(node("task", inner=ext('<zeebe:ioMapping><zeebe:input source="=(" target="t" /></zeebe:ioMapping>'))), "x", "invalid expression in zeebe:input source"),
    "bad message name": Case(with_catch(message_def("Msg")), "x", "invalid expression in the name of message 'Msg'", extra=message("=a +* b", "=id", "Msg")),
    "bad timer expression": Case(with_catch(timer("timeDuration", "=(")), "x", "invalid expression in timeDuration"),
    "bad input collection": Case(between(multi_instance_task('inputCollection="=[1,"')), "x", "invalid expression in inputCollection"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_refused(case: Case) -> None:
    case.check()

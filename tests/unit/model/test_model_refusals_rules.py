"""Refusals of structure, missing extensions, ambiguous catches and FEEL syntax errors."""

from __future__ import annotations

import pytest
from model_helpers import (
    COND,
    FLOW,
    MSG_CATCH,
    Case,
    between,
    boundary,
    catch,
    esp,
    ext,
    flow,
    fork,
    job,
    message,
    node,
    sub,
    timer,
)

PT1M = timer("timeDuration", "PT1M")
PT2M = timer("timeDuration", "PT2M")
EBG = '<bpmn:eventBasedGateway id="gw" />'
TWO_TIMERS = (
    flow("f1", "gw", "t1") + flow("f2", "gw", "t2") + flow("o1", "t1", "a") + flow("o2", "t2", "b")
    + node("intermediateCatchEvent", "t1", PT1M) + node("intermediateCatchEvent", "t2", PT2M)
)  # fmt: skip
ERR = '<bpmn:error id="Err" errorCode="E" />'


def loop(attrs: str) -> str:
    inner = ext(f"<zeebe:loopCharacteristics {attrs} />") if attrs else ""
    return node("task", inner=node("multiInstanceLoopCharacteristics", "mi", inner))


def called(attrs: str) -> str:
    return node("callActivity", inner=ext(f"<zeebe:calledElement {attrs} />"))


def end(definition: str) -> str:
    return FLOW + node("endEvent", inner=definition)


CASES: dict[str, Case] = {
    # -- structure --
    "no start event": Case('<bpmn:endEvent id="end" />', "p", "the process has no start event"),
    "two none start events": Case(FLOW + '<bpmn:startEvent id="s2" />', "p", "more than one none start event (start, s2)"),
    "subprocess without start": Case(sub(node("task", "t")), "sub", "exactly one none start event (it has 0)"),
    "subprocess with two starts": Case(sub(node("startEvent", "s1") + node("startEvent", "s2")), "sub", "exactly one none start event (it has 2)"),
    "subprocess with a timer start": Case(sub(node("startEvent", "ss", PT1M)), "ss", "a subprocess start event cannot be a timer event"),
    "event subprocess with a none start": Case(esp(""), "es", "an event subprocess start event needs an event definition"),
    "event subprocess with two starts": Case(FLOW + node("subProcess", "esp", node("startEvent", "s1", PT1M) + node("startEvent", "s2", PT2M), ' triggeredByEvent="true"'), "esp", "exactly one start event (it has 2)"),
    "event subprocess with a flow": Case(esp(PT1M, flow("extra", "esp", "end")), "esp", "cannot have incoming or outgoing"),
    "start with incoming": Case(FLOW + flow("back", "end", "start"), "start", "a start event cannot have incoming sequence flows (back)"),
    "end with outgoing": Case(FLOW + '<bpmn:endEvent id="e2" />' + flow("on", "end", "e2"), "end", "an end event cannot have outgoing sequence flows (on)"),
    "boundary with incoming": Case(boundary(PT1M) + flow("into", "start", "b"), "b", "a boundary event cannot have incoming sequence flows (into)"),
    "exclusive gateway without outgoing": Case(FLOW + node("exclusiveGateway", "gw"), "gw", "at least one outgoing"),
    "parallel gateway without outgoing": Case(FLOW + node("parallelGateway", "gw"), "gw", "at least one outgoing"),
    "inclusive gateway without outgoing": Case(FLOW + node("inclusiveGateway", "gw"), "gw", "at least one outgoing"),
    "event gateway with one flow": Case(fork(EBG, flow("f", "gw", "a")), "gw", "at least 2 outgoing"),
    "event gateway to an end event": Case(fork(EBG, flow("f1", "gw", "a") + flow("f2", "gw", "b")), "gw", "sequence flow 'f1' leads to 'a'"),
    "event gateway target with another incoming flow": Case(fork(EBG, TWO_TIMERS + flow("f3", "start", "t1")), "gw", "'t1' after the event-based gateway cannot have other incoming"),
    "condition after a parallel gateway": Case(fork(node("parallelGateway", "gw"), flow("x", "gw", "a", COND)), "x", "conditions are only allowed on flows leaving an exclusive or inclusive gateway"),
    "condition after a task": Case(FLOW + node("task", "t") + flow("x", "t", "end", COND), "x", "a condition on a sequence flow leaving 't' (TASK)"),
    "fork without condition": Case(fork(node("exclusiveGateway", "gw"), flow("f1", "gw", "a", COND) + flow("f2", "gw", "b")), "f2", "needs a condition or must be its default"),
    # -- what elements need to run --
    "service task without job": Case(between(node("serviceTask")), "x", "a serviceTask needs a zeebe:taskDefinition"),
    "send task without job": Case(between(node("sendTask")), "x", "a sendTask needs a zeebe:taskDefinition"),
    "business rule task without job": Case(between(node("businessRuleTask")), "x", "a businessRuleTask needs a zeebe:taskDefinition"),
    "script task without script or job": Case(between(node("scriptTask")), "x", "a script task needs a zeebe:script or a zeebe:taskDefinition"),
    "message throw without job": Case(between(node("intermediateThrowEvent", inner="<bpmn:messageEventDefinition />")), "x", "a message throw event needs a zeebe:taskDefinition"),
    "message end without job": Case(end("<bpmn:messageEventDefinition />"), "x", "a message throw event needs a zeebe:taskDefinition"),
    "empty job type": Case(between(node("serviceTask", inner=job("  "))), "x", "zeebe:taskDefinition has an empty type"),
    "script without result variable": Case(between(node("scriptTask", inner=ext('<zeebe:script expression="=1" />'))), "x", "zeebe:script has no resultVariable"),
    "script and job": Case(between(node("scriptTask", inner=ext('<zeebe:script expression="=1" resultVariable="r" />', '<zeebe:taskDefinition type="t" />'))), "x", "either a zeebe:script or a zeebe:taskDefinition, not both"),
    "receive task without message": Case(between(node("receiveTask")), "x", "must reference a message"),
    "message catch without message": Case(catch("<bpmn:messageEventDefinition />"), "x", "must reference a message"),
    "message without name": Case(catch(MSG_CATCH), "x", "message 'Msg' has no name", extra=message(name=None)),
    "catch without correlation key": Case(catch(MSG_CATCH), "x", "message 'Msg' has no correlation key", extra=message(key=None)),
    "event subprocess message without correlation key": Case(esp(MSG_CATCH), "es", "message 'Msg' has no correlation key", extra=message(key=None)),
    "signal without name": Case(catch('<bpmn:signalEventDefinition signalRef="Sig" />'), "x", "signal 'Sig' has no name", extra='<bpmn:signal id="Sig" />'),
    "signal without reference": Case(catch("<bpmn:signalEventDefinition />"), "x", "must reference a signal"),
    "error end without error": Case(end("<bpmn:errorEventDefinition />"), "x", "must reference an error"),
    "error without code": Case(end('<bpmn:errorEventDefinition errorRef="Err" />'), "x", "error 'Err' has no errorCode", extra='<bpmn:error id="Err" />'),
    "error throw with an expression code": Case(end('<bpmn:errorEventDefinition errorRef="Err" />'), "x", "is an expression (not supported)", extra='<bpmn:error id="Err" errorCode="=c" />'),
    "error catch with an expression code": Case(boundary('<bpmn:errorEventDefinition errorRef="Err" />'), "b", "cannot be an expression on a catch", extra='<bpmn:error id="Err" errorCode="=c" />'),
    "escalation throw without escalation": Case(end("<bpmn:escalationEventDefinition />"), "x", "must reference an escalation"),
    "escalation throw without code": Case(end('<bpmn:escalationEventDefinition escalationRef="Esc" />'), "x", "escalation 'Esc' has no escalationCode", extra='<bpmn:escalation id="Esc" />'),
    "bad duration": Case(catch(timer("timeDuration", "10 minutes")), "x", "timeDuration '10 minutes' is not an ISO-8601 duration"),
    "bad date": Case(catch(timer("timeDate", "2026-01-01")), "x", "timeDate '2026-01-01' is not an ISO-8601 date-time"),
    "cron cycle": Case(FLOW + node("startEvent", inner=timer("timeCycle", "0 0 9 * * MON")), "x", "timeCycle '0 0 9 * * MON' is not an ISO-8601 repeating interval"),
    "empty timer": Case(catch(timer("timeDuration", " ")), "x", "timeDuration is empty"),
    "call activity without process id": Case(between(called("")), "x", "needs zeebe:calledElement with a processId"),
    "call activity without extension": Case(between(node("callActivity")), "x", "needs zeebe:calledElement with a processId"),
    "bad binding type": Case(between(called('processId="c" bindingType="newest"')), "x", "bindingType 'newest' is not one of"),
    "empty version tag": Case(FLOW, "p", "zeebe:versionTag needs a non-empty value", attrs='id="p" isExecutable="true"><bpmn:extensionElements><zeebe:versionTag value=""/></bpmn:extensionElements'),
    "version tag binding without tag": Case(between(called('processId="c" bindingType="versionTag"')), "x", "needs a versionTag"),
    "multi-instance without input collection": Case(between(loop("")), "x", "needs zeebe:loopCharacteristics inputCollection"),
    "output collection without element": Case(between(loop('inputCollection="=xs" outputCollection="ys"')), "x", "outputCollection and outputElement must be set together"),
    "mapping without target": Case(between(node("task", inner=ext('<zeebe:ioMapping><zeebe:input source="=a" /></zeebe:ioMapping>'))), "x", "a zeebe:input mapping has no target"),
    # -- ambiguous catches --
    "two boundaries for one error": Case(boundary('<bpmn:errorEventDefinition errorRef="Err" />') + node("boundaryEvent", "b2", '<bpmn:errorEventDefinition errorRef="Err" />', ' attachedToRef="task"') + flow("b2Out", "b2", "bEnd"), "b2", "another event attached to 'task' already catches error 'E'", extra=ERR),
    "two catch-all error event subprocesses": Case(esp("<bpmn:errorEventDefinition />", node("subProcess", "esp2", node("startEvent", "es2", "<bpmn:errorEventDefinition />"), ' triggeredByEvent="true"')), "es2", "already catches every error (no code)"),
    "two message start events for one name": Case(FLOW + node("startEvent", "m1", MSG_CATCH) + node("startEvent", "m2", MSG_CATCH.replace("Msg", "Msg2")), "m2", "starting the process already catches message 'msg'", extra=message() + message("Msg2")),
    # -- FEEL syntax errors, wrapped with the element that holds them --
    "bad condition": Case(fork('<bpmn:exclusiveGateway id="gw" default="f2" />', flow("f1", "gw", "a", "<bpmn:conditionExpression>=x &gt;</bpmn:conditionExpression>") + flow("f2", "gw", "b")), "f1", "invalid expression in conditionExpression: failed to parse expression 'x >'"),
    "bad job type expression": Case(between(node("serviceTask", inner=job("=a +* b"))), "x", "invalid expression in zeebe:taskDefinition type"),
    "bad input mapping": Case(between(node("task", inner=ext('<zeebe:ioMapping><zeebe:input source="=(" target="t" /></zeebe:ioMapping>'))), "x", "invalid expression in zeebe:input source"),
    "bad message name": Case(catch(MSG_CATCH), "x", "invalid expression in the name of message 'Msg'", extra=message(name="=a +* b")),
    "bad timer expression": Case(catch(timer("timeDuration", "=(")), "x", "invalid expression in timeDuration"),
    "bad input collection": Case(between(loop('inputCollection="=[1,"')), "x", "invalid expression in inputCollection"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_refused(case: Case) -> None:
    case.check()

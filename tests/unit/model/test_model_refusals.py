"""Refusals of the file, of unsupported elements and of dangling references.

Each case asserts that the message names the file, the line and the element, and says why
(see `Case.check`).
"""

from __future__ import annotations

import pytest
from model_helpers import (
    FLOW,
    HEAD,
    MSG_CATCH,
    Case,
    between,
    boundary,
    catch,
    document,
    ext,
    flow,
    fork,
    message,
    node,
    parse,
    refused,
    sub,
    timer,
)

from engine_sim.model import BpmnModelError

PT1M = timer("timeDuration", "PT1M")
XOR = '<bpmn:exclusiveGateway id="gw" default="{default}" />'

CASES: dict[str, Case] = {
    # -- the file and its processes --
    "not executable": Case(FLOW, "p", "process 'p' is not executable", attrs='id="p" isExecutable="false"'),
    "isExecutable absent": Case(FLOW, "p", "process 'p' is not executable", attrs='id="p"'),
    "duplicate id": Case(FLOW + node("task", "start"), None, "duplicate id 'start'"),
    "flow node without id": Case(FLOW + "<bpmn:task />", None, "a 'task' element has no id"),
    "flow without id": Case(FLOW + '<bpmn:sequenceFlow sourceRef="start" targetRef="end" />', None, "a 'sequenceFlow' element has no id"),
    # -- unsupported elements and events --
    "complex gateway": Case(FLOW + node("complexGateway"), "x", "element type 'complexGateway' is not supported"),
    "ad-hoc subprocess": Case(FLOW + node("adHocSubProcess"), "x", "element type 'adHocSubProcess' is not supported"),
    "transaction": Case(FLOW + node("transaction"), "x", "element type 'transaction' is not supported"),
    "unknown flow node": Case(FLOW + node("callChoreography"), "x", "element type 'callChoreography' is not supported"),
    "link throw without its catch": Case(between(node("intermediateThrowEvent", inner='<bpmn:linkEventDefinition name="l" />')), "x", "no link catch event named 'l' in the scope"),
    "link without a name": Case(between(node("intermediateThrowEvent", inner="<bpmn:linkEventDefinition />")), "x", "a link event needs a name"),
    "two link catches of one name": Case(FLOW + node("intermediateCatchEvent", "x", '<bpmn:linkEventDefinition name="l" />') + node("intermediateCatchEvent", "y", '<bpmn:linkEventDefinition name="l" />'), "x", "more than one link catch event is named 'l' in one scope (x, y)"),
    "link catch in another scope": Case(sub('<bpmn:startEvent id="ss" /><bpmn:intermediateCatchEvent id="lc"><bpmn:linkEventDefinition name="l" /></bpmn:intermediateCatchEvent>') + node("intermediateThrowEvent", "x", '<bpmn:linkEventDefinition name="l" />'), "x", "no link catch event named 'l'"),
    "compensation event": Case(FLOW + node("endEvent", inner="<bpmn:compensateEventDefinition />"), "x", "compensation events are not supported"),
    "conditional event": Case(catch("<bpmn:conditionalEventDefinition />"), "x", "conditional events are not supported"),
    "two event definitions": Case(catch(MSG_CATCH + PT1M), "x", "more than one event definition", extra=message()),
    "standard loop": Case(between(node("task", inner="<bpmn:standardLoopCharacteristics />")), "x", "standard loops"),
    "compensation handler": Case(between(node("task", attrs=' isForCompensation="true"')), "x", "compensation handlers"),
    "decision": Case(between(node("businessRuleTask", inner=ext('<zeebe:calledDecision decisionId="d" resultVariable="r" />'))), "x", "zeebe:calledDecision"),
    "publish message": Case(between(node("intermediateThrowEvent", inner=node("messageEventDefinition", "m", ext('<zeebe:publishMessage correlationKey="=k" />')))), "x", "zeebe:publishMessage is not supported"),
    "error start on the process": Case(FLOW + node("startEvent", inner="<bpmn:errorEventDefinition />"), "x", "a process start event cannot be an error event"),
    "catch event without definition": Case(catch(""), "x", "an intermediate catch event needs an event definition"),
    "boundary without definition": Case(boundary(""), "b", "a boundary event needs an event definition"),
    "non-interrupting error boundary": Case(boundary("<bpmn:errorEventDefinition />", ' cancelActivity="false"'), "b", "an error event cannot be non-interrupting"),
    "interrupting timer cycle boundary": Case(boundary(timer("timeCycle", "R/PT1M")), "b", "an interrupting timer event cannot use timeCycle"),
    "timer start with a duration": Case(FLOW + node("startEvent", inner=PT1M), "x", "a process start timer event cannot use timeDuration"),
    "intermediate timer cycle": Case(catch(timer("timeCycle", "R/PT1M")), "x", "an intermediate catch timer event cannot use timeCycle"),
    "timer with two values": Case(catch(PT1M.replace("</bpmn:timeDuration>", "</bpmn:timeDuration><bpmn:timeDate>2026-01-01T00:00:00Z</bpmn:timeDate>")), "x", "exactly one of timeDuration, timeDate or timeCycle"),
    "escalation boundary on a task": Case(boundary("<bpmn:escalationEventDefinition />"), "b", "only be attached to a subprocess or call activity"),
    # -- dangling references --
    "dangling targetRef": Case(FLOW + flow("x", "start", "missing"), "x", "targetRef 'missing' does not exist"),
    "dangling sourceRef": Case(FLOW + flow("x", "missing", "end"), "x", "sourceRef 'missing' does not exist"),
    "missing targetRef": Case(FLOW + '<bpmn:sequenceFlow id="x" sourceRef="start" />', "x", "the sequence flow has no targetRef"),
    "flow crossing scopes": Case(sub('<bpmn:startEvent id="ss" />' + flow("x", "ss", "end")), "x", "targetRef 'end' is inside 'p' but the sequence flow is in 'sub'"),
    "dangling attachedToRef": Case(boundary(PT1M, host="missing"), "b", "attachedToRef 'missing' does not exist"),
    "boundary on a gateway": Case(FLOW + node("parallelGateway", "gw") + node("boundaryEvent", "b", PT1M, ' attachedToRef="gw"'), "b", "attachedToRef 'gw' is a PARALLEL_GATEWAY, not an activity"),
    "dangling default": Case(fork(XOR.format(default="missing"), flow("f", "gw", "a")), "gw", "default 'missing' does not exist"),
    "default not outgoing": Case(fork(XOR.format(default="in"), flow("f", "gw", "a")), "gw", "default 'in' is not an outgoing sequence flow"),
    "dangling messageRef": Case(catch('<bpmn:messageEventDefinition messageRef="missing" />'), "x", "messageRef 'missing' does not exist"),
    "dangling messageRef of a receive task": Case(between(node("receiveTask", attrs=' messageRef="missing"')), "x", "messageRef 'missing' does not exist"),
    "dangling errorRef": Case(FLOW + node("endEvent", inner='<bpmn:errorEventDefinition errorRef="missing" />'), "x", "errorRef 'missing' does not exist"),
    "dangling signalRef": Case(catch('<bpmn:signalEventDefinition signalRef="missing" />'), "x", "signalRef 'missing' does not exist"),
    "dangling escalationRef": Case(FLOW + node("endEvent", inner='<bpmn:escalationEventDefinition escalationRef="missing" />'), "x", "escalationRef 'missing' does not exist"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_refused(case: Case) -> None:
    case.check()


def test_the_baseline_document_is_valid() -> None:
    """Guard the tables: FLOW deploys, so each case fails for its own reason."""
    parse(document(FLOW))


def test_file_without_process() -> None:
    data = f"{HEAD}{message()}\n</bpmn:definitions>\n".encode()
    error = refused(data, None, "the file contains no process")
    # lxml's sourceline of a start tag spread over lines is the line where the tag ends
    assert (error.line, error.element_id) == (3, None)


def test_duplicate_id_names_the_second_use() -> None:
    data = document(FLOW + node("task", "start"))
    error = refused(data, None, "duplicate id 'start' (first used at line 6)")
    assert error.element_id == "start"
    assert error.line == 9


def test_first_problem_is_reported_by_rule_order() -> None:
    """An unsupported element wins over a dangling reference earlier in the same file."""
    body = FLOW + flow("x", "start", "missing") + node("complexGateway", "cg")
    refused(document(body), "cg", "element type 'complexGateway' is not supported")


def test_not_executable_wins_over_the_rest() -> None:
    body = FLOW + node("complexGateway")
    refused(document(body, attrs='id="p"'), "p", "is not executable")


def test_a_broken_model_raises_only_model_errors() -> None:
    body = "<bpmn:startEvent id='s'><bpmn:outgoing>x</bpmn:outgoing></bpmn:startEvent>"
    with pytest.raises(BpmnModelError):
        parse(document(body + "<bpmn:sequenceFlow id='f' />"))

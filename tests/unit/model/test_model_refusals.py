"""Refusals of the file, of unsupported elements and of dangling references.

Each case asserts that the message names the file, the line and the element, and says why
(see `Case.check`).
"""

from __future__ import annotations

import pytest
from bpmn_builders import (
    MINIMAL_FLOW,
    between,
    definitions,
    ext,
    flow,
    fork,
    in_sub_process,
    message,
    message_def,
    node,
    process,
    timer,
    with_boundary,
    with_catch,
)
from model_helpers import Case, parse, refused

from engine_sim.model import BpmnModelError

PT1M = timer("timeDuration", "PT1M")
XOR = '<bpmn:exclusiveGateway id="gw" default="{default}" />'

CASES: dict[str, Case] = {
    # -- the file and its processes --
    "not executable": Case(MINIMAL_FLOW, "p", "process 'p' is not executable", attrs='id="p" isExecutable="false"'),
    "isExecutable absent": Case(MINIMAL_FLOW, "p", "process 'p' is not executable", attrs='id="p"'),
    "duplicate id": Case(MINIMAL_FLOW + node("task", "start"), None, "duplicate id 'start'"),
    "flow node without id": Case(MINIMAL_FLOW + "<bpmn:task />", None, "a 'task' element has no id"),
    "flow without id": Case(MINIMAL_FLOW + '<bpmn:sequenceFlow sourceRef="start" targetRef="end" />', None, "a 'sequenceFlow' element has no id"),
    # -- unsupported elements and events --
    "complex gateway": Case(MINIMAL_FLOW + node("complexGateway"), "x", "element type 'complexGateway' is not supported"),
    "ad-hoc subprocess": Case(MINIMAL_FLOW + node("adHocSubProcess"), "x", "element type 'adHocSubProcess' is not supported"),
    "transaction": Case(MINIMAL_FLOW + node("transaction"), "x", "element type 'transaction' is not supported"),
    "unknown flow node": Case(MINIMAL_FLOW + node("callChoreography"), "x", "element type 'callChoreography' is not supported"),
    "link throw without its catch": Case(between(node("intermediateThrowEvent", inner='<bpmn:linkEventDefinition name="l" />')), "x", "no link catch event named 'l' in the scope"),
    "link without a name": Case(between(node("intermediateThrowEvent", inner="<bpmn:linkEventDefinition />")), "x", "a link event needs a name"),
    "two link catches of one name": Case(MINIMAL_FLOW + node("intermediateCatchEvent", "x", '<bpmn:linkEventDefinition name="l" />') + node("intermediateCatchEvent", "y", '<bpmn:linkEventDefinition name="l" />'), "x", "more than one link catch event is named 'l' in one scope (x, y)"),
    "link catch in another scope": Case(in_sub_process('<bpmn:startEvent id="ss" /><bpmn:intermediateCatchEvent id="lc"><bpmn:linkEventDefinition name="l" /></bpmn:intermediateCatchEvent>') + node("intermediateThrowEvent", "x", '<bpmn:linkEventDefinition name="l" />'), "x", "no link catch event named 'l'"),
    "compensation event": Case(MINIMAL_FLOW + node("endEvent", inner="<bpmn:compensateEventDefinition />"), "x", "compensation events are not supported"),
    "conditional event": Case(with_catch("<bpmn:conditionalEventDefinition />"), "x", "conditional events are not supported"),
    "two event definitions": Case(with_catch(message_def("Msg") + PT1M), "x", "more than one event definition", extra=message("msg", "=id", "Msg")),
    "standard loop": Case(between(node("task", inner="<bpmn:standardLoopCharacteristics />")), "x", "standard loops"),
    "compensation handler": Case(between(node("task", attrs=' isForCompensation="true"')), "x", "compensation handlers"),
    "decision": Case(between(node("businessRuleTask", inner=ext('<zeebe:calledDecision decisionId="d" resultVariable="r" />'))), "x", "zeebe:calledDecision"),
    "publish message": Case(between(node("intermediateThrowEvent", inner=node("messageEventDefinition", "m", ext('<zeebe:publishMessage correlationKey="=k" />')))), "x", "zeebe:publishMessage is not supported"),
    "error start on the process": Case(MINIMAL_FLOW + node("startEvent", inner="<bpmn:errorEventDefinition />"), "x", "a process start event cannot be an error event"),
    "catch event without definition": Case(with_catch(""), "x", "an intermediate catch event needs an event definition"),
    "boundary without definition": Case(with_boundary(""), "b", "a boundary event needs an event definition"),
    "non-interrupting error boundary": Case(with_boundary("<bpmn:errorEventDefinition />", ' cancelActivity="false"'), "b", "an error event cannot be non-interrupting"),
    "interrupting timer cycle boundary": Case(with_boundary(timer("timeCycle", "R/PT1M")), "b", "an interrupting timer event cannot use timeCycle"),
    "timer start with a duration": Case(MINIMAL_FLOW + node("startEvent", inner=PT1M), "x", "a process start timer event cannot use timeDuration"),
    "intermediate timer cycle": Case(with_catch(timer("timeCycle", "R/PT1M")), "x", "an intermediate catch timer event cannot use timeCycle"),
    "timer with two values": Case(with_catch(PT1M.replace("</bpmn:timeDuration>", "</bpmn:timeDuration><bpmn:timeDate>2026-01-01T00:00:00Z</bpmn:timeDate>")), "x", "exactly one of timeDuration, timeDate or timeCycle"),
    "escalation boundary on a task": Case(with_boundary("<bpmn:escalationEventDefinition />"), "b", "only be attached to a subprocess or call activity"),
    # -- dangling references --
    "dangling targetRef": Case(MINIMAL_FLOW + flow("x", "start", "missing"), "x", "targetRef 'missing' does not exist"),
    "dangling sourceRef": Case(MINIMAL_FLOW + flow("x", "missing", "end"), "x", "sourceRef 'missing' does not exist"),
    "missing targetRef": Case(MINIMAL_FLOW + '<bpmn:sequenceFlow id="x" sourceRef="start" />', "x", "the sequence flow has no targetRef"),
    "flow crossing scopes": Case(in_sub_process('<bpmn:startEvent id="ss" />' + flow("x", "ss", "end")), "x", "targetRef 'end' is inside 'p' but the sequence flow is in 'sub'"),
    "dangling attachedToRef": Case(with_boundary(PT1M, host="missing"), "b", "attachedToRef 'missing' does not exist"),
    "boundary on a gateway": Case(MINIMAL_FLOW + node("parallelGateway", "gw") + node("boundaryEvent", "b", PT1M, ' attachedToRef="gw"'), "b", "attachedToRef 'gw' is a PARALLEL_GATEWAY, not an activity"),
    "dangling default": Case(fork(XOR.format(default="missing"), flow("f", "gw", "a")), "gw", "default 'missing' does not exist"),
    "default not outgoing": Case(fork(XOR.format(default="in"), flow("f", "gw", "a")), "gw", "default 'in' is not an outgoing sequence flow"),
    "dangling messageRef": Case(with_catch('<bpmn:messageEventDefinition messageRef="missing" />'), "x", "messageRef 'missing' does not exist"),
    "dangling messageRef of a receive task": Case(between(node("receiveTask", attrs=' messageRef="missing"')), "x", "messageRef 'missing' does not exist"),
    "dangling errorRef": Case(MINIMAL_FLOW + node("endEvent", inner='<bpmn:errorEventDefinition errorRef="missing" />'), "x", "errorRef 'missing' does not exist"),
    "dangling signalRef": Case(with_catch('<bpmn:signalEventDefinition signalRef="missing" />'), "x", "signalRef 'missing' does not exist"),
    "dangling escalationRef": Case(MINIMAL_FLOW + node("endEvent", inner='<bpmn:escalationEventDefinition escalationRef="missing" />'), "x", "escalationRef 'missing' does not exist"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_refused(case: Case) -> None:
    case.check()


def test_the_baseline_document_is_valid() -> None:
    """Guard the tables: MINIMAL_FLOW deploys, so each case fails for its own reason."""
    parse(process(MINIMAL_FLOW))


def test_file_without_process() -> None:
    data = definitions(message("msg", "=id", "Msg"))
    error = refused(data, None, "the file contains no process")
    # lxml's sourceline of a start tag spread over lines is the line where the tag ends
    assert (error.line, error.element_id) == (3, None)


def test_duplicate_id_names_the_second_use() -> None:
    data = process(MINIMAL_FLOW + node("task", "start"))
    error = refused(data, None, "duplicate id 'start' (first used at line 6)")
    assert error.element_id == "start"
    assert error.line == 9


def test_first_problem_is_reported_by_rule_order() -> None:
    """An unsupported element wins over a dangling reference earlier in the same file."""
    body = MINIMAL_FLOW + flow("x", "start", "missing") + node("complexGateway", "cg")
    refused(process(body), "cg", "element type 'complexGateway' is not supported")


def test_not_executable_wins_over_the_rest() -> None:
    body = MINIMAL_FLOW + node("complexGateway")
    refused(process(body, attrs='id="p"'), "p", "is not executable")


def test_a_broken_model_raises_only_model_errors() -> None:
    body = "<bpmn:startEvent id='s'><bpmn:outgoing>x</bpmn:outgoing></bpmn:startEvent>"
    with pytest.raises(BpmnModelError):
        parse(process(body + "<bpmn:sequenceFlow id='f' />"))

"""`zeebe:executionListeners`: read into the element's start and end listeners (in document
order), and refused where Zeebe's validators refuse them, naming the element."""

from __future__ import annotations

import pytest
from bpmn_builders import MINIMAL_FLOW, between, ext, listeners, node, process, task_definition
from model_helpers import Case, parse

from engine_sim.feel import compile_expression
from engine_sim.model import ExecutionListener


def listening(tag: str, *specs: tuple[str, str] | tuple[str, str, str], inner: str = "") -> str:
    return between(node(tag, "x", ext(listeners(*specs)) + inner))


def test_listeners_are_read_in_order_and_split_by_event_type() -> None:
    body = between(node("serviceTask", "x", ext(
        listeners(("start", "s1", "4"), ("end", "e1"), ("start", "=kind"), ("end", "e2")),
        task_definition("work"))))
    element = parse(process(body)).processes[0].element("x")

    assert element.start_listeners == (
        ExecutionListener("start", compile_expression("s1"), compile_expression("4")),
        ExecutionListener("start", compile_expression("=kind"), compile_expression("3")),
    )
    assert [listener.type for listener in element.end_listeners] == [
        compile_expression("e1"), compile_expression("e2")]


def test_event_type_defaults_to_start_and_the_process_can_listen() -> None:
    data = process(ext('<zeebe:executionListeners><zeebe:executionListener type="audit"/>'
                       "</zeebe:executionListeners>"), MINIMAL_FLOW)
    root = parse(data).processes[0].root

    assert [listener.event_type for listener in root.start_listeners] == ["start"]
    assert root.end_listeners == ()


def test_elements_without_listeners_have_empty_tuples() -> None:
    element = parse(process(MINIMAL_FLOW)).processes[0].element("end")
    assert (element.start_listeners, element.end_listeners) == ((), ())


REFUSED = [
    Case(listening("task", ("begin", "s")), "x",
         "zeebe:executionListener eventType 'begin' is not start or end"),
    Case(listening("task", ("start", "")), "x", "zeebe:executionListener has an empty type"),
    Case(MINIMAL_FLOW.replace('<bpmn:startEvent id="start" />', '<bpmn:startEvent id="start">'
                              + ext(listeners(("start", "s"))) + "</bpmn:startEvent>"),
         "start", "Execution listeners of type 'start' are not supported by start events"),
    Case(listening("exclusiveGateway", ("end", "e")), "x",
         "Execution listeners of type 'end' are not supported by gateways"),
    Case(listening("parallelGateway", ("start", "ok"), ("end", "e")), "x",
         "Execution listeners of type 'end' are not supported by gateways"),
    Case(MINIMAL_FLOW.replace('<bpmn:endEvent id="end" />', '<bpmn:endEvent id="end">'
                              + ext(listeners(("end", "e")))
                              + '<bpmn:errorEventDefinition errorRef="err"/></bpmn:endEvent>'),
         "end", "Execution listeners of type 'end' are not supported by error end events",
         extra='<bpmn:error id="err" errorCode="E"/>'),
    Case(listening("task", ("start", "same"), ("end", "same"), ("start", "same")), "x",
         "two 'start' execution listeners have type 'same': each pair of eventType and type "
         "must be unique"),
    Case(ext(listeners(("start", "s"))) + MINIMAL_FLOW
         + '<bpmn:startEvent id="byMessage"><bpmn:messageEventDefinition messageRef="m"/>'
         '</bpmn:startEvent><bpmn:sequenceFlow id="m_end" sourceRef="byMessage" targetRef="end"/>',
         "p", "start execution listeners on a process with several start events are not "
              "supported yet (start event 'byMessage' is a message start event)",
         extra='<bpmn:message id="m" name="go"/>'),
]


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.reason[:50])
def test_refused(case: Case) -> None:
    case.check()


def test_a_boundary_event_cannot_have_start_listeners() -> None:
    body = between(node("serviceTask", "x", ext(task_definition("w")))) + (
        '<bpmn:boundaryEvent id="b" attachedToRef="x">' + ext(listeners(("start", "s")))
        + '<bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
        '<bpmn:endEvent id="be"/><bpmn:sequenceFlow id="bf" sourceRef="b" targetRef="be"/>')
    Case(body, "b", "Execution listeners of type 'start' are not supported by boundary events").check()


def test_start_listeners_on_elements_an_event_activates_are_refused_below_zeebe() -> None:
    event_sub = ('<bpmn:subProcess id="es" triggeredByEvent="true">' + ext(listeners(("start", "s")))
                 + '<bpmn:startEvent id="es_start"><bpmn:timerEventDefinition><bpmn:timeDuration>'
                 "PT1M</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:startEvent>"
                 '<bpmn:endEvent id="es_end"/>'
                 '<bpmn:sequenceFlow id="es_f" sourceRef="es_start" targetRef="es_end"/></bpmn:subProcess>')
    Case(MINIMAL_FLOW + event_sub, "es",
         "start execution listeners on an event subprocess are not supported yet").check()

    gateway = ('<bpmn:eventBasedGateway id="x"/>'
               '<bpmn:intermediateCatchEvent id="wait">' + ext(listeners(("start", "s")))
               + '<bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration>'
               "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
               '<bpmn:intermediateCatchEvent id="other"><bpmn:timerEventDefinition>'
               "<bpmn:timeDuration>PT2M</bpmn:timeDuration></bpmn:timerEventDefinition>"
               "</bpmn:intermediateCatchEvent>"
               '<bpmn:sequenceFlow id="g1" sourceRef="x" targetRef="wait"/>'
               '<bpmn:sequenceFlow id="g2" sourceRef="x" targetRef="other"/>'
               '<bpmn:sequenceFlow id="w1" sourceRef="wait" targetRef="end"/>'
               '<bpmn:sequenceFlow id="o1" sourceRef="other" targetRef="end"/>')
    body = ('<bpmn:startEvent id="start" /><bpmn:sequenceFlow id="in" sourceRef="start" '
            'targetRef="x" />' + gateway + '<bpmn:endEvent id="end" />')
    Case(body, "wait", "start execution listeners on an event after an event-based gateway are "
                       "not supported yet").check()

"""Helpers for the model tests: wrap a process body into a BPMN document, find lines, refuse."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from engine_sim.model import BpmnModelError, Definitions, parse_bpmn

DATA = Path(__file__).resolve().parents[2] / "data" / "bpmn"
SOURCE = "case.bpmn"

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="urn:test">
"""
# A minimal valid flow to embed cases in: start -> end.
FLOW = """
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="toEnd" sourceRef="start" targetRef="end" />
  <bpmn:endEvent id="end" />
"""


def job(job_type: str = "work") -> str:
    """The extension elements of a job worker task."""
    return (
        "<bpmn:extensionElements>"
        f'<zeebe:taskDefinition type="{job_type}" />'
        "</bpmn:extensionElements>"
    )


def message(message_id: str = "Msg", name: str = "msg", key: str | None = "=id") -> str:
    """A bpmn:message, with a zeebe:subscription when `key` is given."""
    subscription = (
        "<bpmn:extensionElements>"
        f'<zeebe:subscription correlationKey="{key}" />'
        "</bpmn:extensionElements>"
        if key is not None
        else ""
    )
    name_attr = f' name="{name}"' if name is not None else ""
    return f'<bpmn:message id="{message_id}"{name_attr}>{subscription}</bpmn:message>'


def document(body: str, extra: str = "", attrs: str = 'id="p" isExecutable="true"') -> bytes:
    """A BPMN document with one process holding `body`, and `extra` root elements after it."""
    return (
        f"{HEAD}  <bpmn:process {attrs}>\n{body}\n  </bpmn:process>\n{extra}\n</bpmn:definitions>\n"
    ).encode()


def line_of(data: bytes, element_id: str) -> int:
    """The 1-based line of the element whose id attribute is `element_id`."""
    needle = f'id="{element_id}"'.encode()
    for number, line in enumerate(data.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"no element {element_id!r} in the document")


def parse(data: bytes) -> Definitions:
    return parse_bpmn(data, SOURCE)


def refused(data: bytes, element_id: str | None, reason: str) -> BpmnModelError:
    """Assert that `data` is refused at `element_id`'s line with a reason containing `reason`."""
    with pytest.raises(BpmnModelError) as caught:
        parse_bpmn(data, SOURCE)
    error = caught.value
    message = str(error)
    assert error.source == SOURCE
    assert reason in error.reason, message
    if element_id is not None:
        line = line_of(data, element_id)
        assert (error.line, error.element_id) == (line, element_id), message
        assert message.startswith(f"{SOURCE}, line {line}: element '{element_id}': "), message
    return error


# -- building blocks for refusal cases ------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A refused document: `body` of process `p`, the element blamed and the reason's text."""

    body: str
    element_id: str | None
    reason: str
    extra: str = ""  # root elements after the process (messages, errors, ...)
    attrs: str = 'id="p" isExecutable="true"'

    def check(self) -> BpmnModelError:
        return refused(document(self.body, self.extra, self.attrs), self.element_id, self.reason)


COND = "<bpmn:conditionExpression>=ok</bpmn:conditionExpression>"
MSG_CATCH = '<bpmn:messageEventDefinition messageRef="Msg" />'


def ext(*children: str) -> str:
    """A bpmn:extensionElements holding `children`."""
    return f"<bpmn:extensionElements>{''.join(children)}</bpmn:extensionElements>"


def node(tag: str, node_id: str = "x", inner: str = "", attrs: str = "") -> str:
    """`<bpmn:tag id="node_id" attrs>inner</bpmn:tag>`."""
    return f'<bpmn:{tag} id="{node_id}"{attrs}>{inner}</bpmn:{tag}>'


def flow(flow_id: str, source: str, target: str, inner: str = "") -> str:
    return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">{inner}</bpmn:sequenceFlow>'


def timer(kind: str, value: str) -> str:
    value_el = f"<bpmn:{kind}>{value}</bpmn:{kind}>"
    return f"<bpmn:timerEventDefinition>{value_el}</bpmn:timerEventDefinition>"


def between(element: str, node_id: str = "x") -> str:
    """`element` (with id `node_id`) between a start and an end event."""
    return f"""
  <bpmn:startEvent id="start" />
  {flow("in", "start", node_id)}
  {element}
  {flow("out", node_id, "end")}
  <bpmn:endEvent id="end" />"""


def sub(body: str, sub_id: str = "sub") -> str:
    """A subprocess `sub_id` between a start and an end event, holding `body`."""
    return between(node("subProcess", sub_id, body), sub_id)


def boundary(definition: str, attrs: str = "", host: str = "task", outgoing: bool = True) -> str:
    """A boundary event `b` holding `definition`, attached to `host` (task `task` is there)."""
    out = flow("bOut", "b", "bEnd") if outgoing else ""
    event = node("boundaryEvent", "b", definition, f' attachedToRef="{host}"{attrs}')
    return between(node("task", "task"), "task") + f'\n  {event}{out}<bpmn:endEvent id="bEnd" />'


def catch(definition: str) -> str:
    """An intermediate catch event `x` holding `definition`, between start and end."""
    return between(node("intermediateCatchEvent", "x", definition))


def esp(start: str, extra: str = "") -> str:
    """An event subprocess `esp` whose start event `es` holds `start`, next to FLOW."""
    inner = node("startEvent", "es", start) + flow("esf", "es", "ee") + '<bpmn:endEvent id="ee" />'
    return FLOW + node("subProcess", "esp", inner, ' triggeredByEvent="true"') + extra


def fork(gateway: str, flows: str) -> str:
    """`gateway` (id `gw`) after a start event, with `flows` to end events `a` and `b`."""
    return f"""
  <bpmn:startEvent id="start" />
  {flow("in", "start", "gw")}
  {gateway}{flows}
  <bpmn:endEvent id="a" /><bpmn:endEvent id="b" />"""

"""Inline BPMN builders for the migration tests."""

from __future__ import annotations

from itertools import pairwise

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">'
    '<bpmn:process id="{pid}" isExecutable="true">'
)
TAIL = "</bpmn:process></bpmn:definitions>"


def task(element_id: str, job_type: str | None = None) -> str:
    return (f'<bpmn:serviceTask id="{element_id}"><bpmn:extensionElements>'
            f'<zeebe:taskDefinition type="{job_type or element_id}"/></bpmn:extensionElements>'
            "</bpmn:serviceTask>")


def user_task(element_id: str, managed: bool = False) -> str:
    ext = "<bpmn:extensionElements><zeebe:userTask/></bpmn:extensionElements>" if managed else ""
    return f'<bpmn:userTask id="{element_id}">{ext}</bpmn:userTask>'


def flow(flow_id: str, source: str, target: str) -> str:
    return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'


def chain(*ids: str) -> str:
    """Sequence flows start -> ids... -> end named f_<source>."""
    nodes = ("start", *ids, "end")
    return "".join(flow(f"f_{a}", a, b) for a, b in pairwise(nodes))


def process(pid: str, body: str) -> bytes:
    return (HEAD.format(pid=pid) + body + TAIL).encode()


def linear(pid: str, *tasks: str, extra: str = "") -> bytes:
    """start -> service tasks -> end."""
    body = '<bpmn:startEvent id="start"/>' + "".join(task(t) for t in tasks)
    return process(pid, body + '<bpmn:endEvent id="end"/>' + chain(*tasks) + extra)



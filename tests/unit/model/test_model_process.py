"""Process-level results: several processes per file, checksums, reachability, leniencies."""

from __future__ import annotations

import pytest
from bpmn_builders import (
    MINIMAL_FLOW,
    definitions,
    ext,
    message,
    process,
    process_element,
    task_definition,
)
from model_helpers import parse

from engine_sim.feel import compile_expression
from engine_sim.model import Definitions, ElementType
from engine_sim.model.iso8601 import is_cycle, is_date_time, is_duration


def test_two_processes_in_one_file() -> None:
    second = MINIMAL_FLOW.replace('id="start"', 'id="s2"').replace('id="end"', 'id="e2"')
    second = second.replace(
        'id="toEnd" sourceRef="start" targetRef="end"', 'id="f2" sourceRef="s2" targetRef="e2"'
    )
    data = definitions(
        '<bpmn:collaboration id="c"><bpmn:participant id="pa" processRef="a" />'
        "</bpmn:collaboration>",
        process_element(MINIMAL_FLOW, process_id="a"),
        process_element(second, attrs='id="b" name="B" isExecutable="true"'),
    )
    parsed = parse(data)
    assert isinstance(parsed, Definitions)
    assert parsed.source == "case.bpmn"
    assert [p.id for p in parsed.processes] == ["a", "b"]
    assert parsed.processes[1].name == "B"
    assert set(parsed.processes[1].elements) == {"b", "s2", "e2"}
    assert parsed.processes[0].checksum != parsed.processes[1].checksum


def test_checksum_is_per_process_and_ignores_the_rest_of_the_file() -> None:
    base = parse(process(MINIMAL_FLOW)).processes[0]
    with_message = parse(process(MINIMAL_FLOW, extra=message("n", key=None, ref="m"))).processes[0]
    changed = parse(process(MINIMAL_FLOW.replace('id="end"', 'id="end" name="Done"'))).processes[0]
    assert len(base.checksum) == 64
    assert base.checksum == with_message.checksum
    assert base.checksum != changed.checksum


def test_reachable_follows_flows_and_boundary_events() -> None:
    body = f"""
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
  <bpmn:serviceTask id="task">{ext(task_definition("work"))}</bpmn:serviceTask>
  <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="join" />
  <bpmn:boundaryEvent id="timeout" attachedToRef="task">
    <bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition>
  </bpmn:boundaryEvent>
  <bpmn:sequenceFlow id="f3" sourceRef="timeout" targetRef="late" />
  <bpmn:task id="late" />
  <bpmn:sequenceFlow id="f4" sourceRef="late" targetRef="join" />
  <bpmn:inclusiveGateway id="join" />
  <bpmn:sequenceFlow id="f5" sourceRef="join" targetRef="loop" />
  <bpmn:exclusiveGateway id="loop" default="f7" />
  <bpmn:sequenceFlow id="f6" sourceRef="loop" targetRef="task">
    <bpmn:conditionExpression>=again</bpmn:conditionExpression>
  </bpmn:sequenceFlow>
  <bpmn:sequenceFlow id="f7" sourceRef="loop" targetRef="end" />
  <bpmn:endEvent id="end" />"""
    parsed = parse(process(body)).processes[0]
    reach = parsed.reachable
    assert set(reach) == set(parsed.elements)
    assert reach["end"] == frozenset()
    assert reach["p"] == frozenset()
    assert reach["late"] == {"join", "loop", "task", "timeout", "late", "end"}
    assert "timeout" in reach["task"] and "late" in reach["task"]
    assert "task" in reach["task"]  # on a cycle
    assert "start" not in reach["task"]
    assert reach["start"] == set(parsed.elements) - {"p", "start"}


def test_reachable_stays_within_a_scope() -> None:
    body = """
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="sub" />
  <bpmn:subProcess id="sub">
    <bpmn:startEvent id="ss" />
    <bpmn:sequenceFlow id="sf" sourceRef="ss" targetRef="se" />
    <bpmn:endEvent id="se" />
  </bpmn:subProcess>
  <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="end" />
  <bpmn:endEvent id="end" />"""
    reach = parse(process(body)).processes[0].reachable
    assert reach["start"] == {"sub", "end"}
    assert reach["ss"] == {"se"}


def test_artifacts_foreign_elements_and_unknown_extensions_are_ignored() -> None:
    body = (
        MINIMAL_FLOW
        + """
  <bpmn:dataObject id="data" /><bpmn:dataObjectReference id="dataRef" dataObjectRef="data" />
  <bpmn:laneSet id="lanes">
    <bpmn:lane id="lane"><bpmn:flowNodeRef>start</bpmn:flowNodeRef></bpmn:lane>
  </bpmn:laneSet>
  <bpmn:textAnnotation id="ta" /><bpmn:association id="as" sourceRef="start" targetRef="ta" />
  <bpmn:group id="g" />
  <other:whatever xmlns:other="urn:x" id="foreign" />"""
    )
    body = body.replace(
        '<bpmn:endEvent id="end" />',
        '<bpmn:endEvent id="end"><bpmn:extensionElements><zeebe:taskListeners />'
        '<zeebe:properties><zeebe:property name="a" value="b" /></zeebe:properties>'
        "</bpmn:extensionElements></bpmn:endEvent>",
    )
    parsed = parse(process(body)).processes[0]
    assert set(parsed.elements) == {"p", "start", "end"}


def test_empty_retries_fall_back_to_the_default() -> None:
    """Camunda's get-started model writes retries=""; Zeebe deploys it with 3 retries."""
    body = MINIMAL_FLOW.replace(
        '<bpmn:sequenceFlow id="toEnd" sourceRef="start" targetRef="end" />',
        '<bpmn:sequenceFlow id="a" sourceRef="start" targetRef="t" />'
        '<bpmn:serviceTask id="t"><bpmn:extensionElements>'
        '<zeebe:taskDefinition type="w" retries="" /></bpmn:extensionElements></bpmn:serviceTask>'
        '<bpmn:sequenceFlow id="b" sourceRef="t" targetRef="end" />',
    )
    task = parse(process(body)).processes[0].element("t")
    assert task.task_definition is not None
    assert task.task_definition.retries == compile_expression("3")


def test_defaults_of_optional_extensions() -> None:
    body = MINIMAL_FLOW.replace(
        '<bpmn:sequenceFlow id="toEnd" sourceRef="start" targetRef="end" />',
        '<bpmn:sequenceFlow id="a" sourceRef="start" targetRef="c" />'
        '<bpmn:callActivity id="c"><bpmn:extensionElements><zeebe:calledElement processId="=pid" />'
        '<zeebe:ioMapping><zeebe:output target="nothing" /></zeebe:ioMapping>'
        "</bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>"
        '<zeebe:loopCharacteristics inputCollection="=xs" /></bpmn:extensionElements>'
        "</bpmn:multiInstanceLoopCharacteristics></bpmn:callActivity>"
        '<bpmn:sequenceFlow id="b" sourceRef="c" targetRef="end" />',
    )
    call = parse(process(body)).processes[0].element("c")
    assert call.type is ElementType.CALL_ACTIVITY and call.called_element is not None
    assert call.called_element.binding_type == "latest"
    assert call.called_element.propagate_all_child_variables is True
    assert call.io.outputs[0].source == compile_expression("=null")
    assert call.loop is not None
    assert (call.loop.sequential, call.loop.input_element, call.loop.output_collection) == (
        False,
        None,
        None,
    )
    assert call.loop.completion_condition is None


def test_elements_and_process_are_immutable() -> None:
    parsed = parse(process(MINIMAL_FLOW)).processes[0]
    with pytest.raises(AttributeError):
        parsed.element("start").name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        parsed.elements["x"] = parsed.root  # type: ignore[index]


@pytest.mark.parametrize(
    ("text", "valid"),
    [("PT10M", True), ("P1Y2M3W4DT5H6M7.5S", True), ("P1D", True), ("P", False), ("PT", False),
     ("P1DT", False), ("-PT1S", False), ("10m", False)],
)  # fmt: skip
def test_durations(text: str, valid: bool) -> None:
    assert is_duration(text) is valid


@pytest.mark.parametrize(
    ("text", "valid"),
    [("2026-01-01T10:00:00Z", True), ("2026-01-01T10:00:00.5+02:00", True),
     ("2019-10-02T08:09:40+02:00[Europe/Berlin]", True), ("2026-01-01T10:00:00", False),
     ("2026-02-30T10:00:00Z", False), ("2026-01-01", False), ("2026-01-01T10:00:00+0200", False)],
)  # fmt: skip
def test_date_times(text: str, valid: bool) -> None:
    assert is_date_time(text) is valid


@pytest.mark.parametrize(
    ("text", "valid"),
    [("R3/PT1H", True), ("R/P1D", True), ("R3/2026-01-01T00:00:00Z/PT1H", True),
     ("R3/PT0S", False), ("0 0 9 * * MON", False), ("R3", False)],
)  # fmt: skip
def test_cycles(text: str, valid: bool) -> None:
    assert is_cycle(text) is valid

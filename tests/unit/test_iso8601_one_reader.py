"""One reader of ISO-8601 timer values: a constant timer deploys exactly when the engine can
run it (issue 8's three disagreements between the deploy check and the run-time parser)."""

from __future__ import annotations

import pytest
from bpmn_builders import chain, end, process, start

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine
from engine_sim.model import BpmnModelError, parse_bpmn
from engine_sim.model.iso8601 import is_cycle, is_date_time
from engine_sim.timeutil import parse_cycle, parse_datetime

START, END = start(), end()


def timer_model(kind: str, text: str, expression: bool = False) -> bytes:
    value = f"=&quot;{text}&quot;" if expression else text
    catch = (f'<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
             f'<bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>'
             f'</bpmn:intermediateCatchEvent>')
    if kind == "timeCycle":  # a cycle belongs on a non-interrupting boundary or a start event
        catch = (f'<bpmn:startEvent id="start"><bpmn:timerEventDefinition><bpmn:timeCycle>{value}'
                 '</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>')
        return process(catch + END + chain("start", "end"))
    return process(START + catch + END + chain("start", "wait", "end"))


def deploys(model: bytes) -> bool:
    try:
        parse_bpmn(model, "timer.bpmn")
    except BpmnModelError:
        return False
    return True


def runs_as_date(text: str) -> bool:
    """Whether the engine takes the date at run time (from an expression, so no deploy check
    stands in the way): no incident when the instance reaches the timer."""
    engine = Engine()
    engine.deploy(timer_model("timeDate", text, expression=True), "timer.bpmn")
    outcome = commands.create_instance(engine, "p")
    return not any(r["valueType"] == "INCIDENT" for r in outcome.records)


@pytest.mark.parametrize(("kind", "text", "valid"), [
    ("timeDate", "2026-01-01T10:00:00+0200", False),  # Java's ISO parser wants +02:00
    ("timeDate", "2026-01-01T10:00:00+02:00", True),
    ("timeCycle", "R3/PT0S", False),  # a zero cycle would fire forever at one instant
    ("timeCycle", "R3/2026-01-01T00:00:00Z/PT1H", True),  # a start: the engine runs it
])
def test_deploy_time_and_run_time_agree(kind: str, text: str, valid: bool) -> None:
    assert deploys(timer_model(kind, text)) is valid
    if kind == "timeDate":
        assert is_date_time(text) is valid
        assert runs_as_date(text) is valid
        with_parser = _parses(parse_datetime, text)
    else:  # the engine's cycle timers read their value with `parse_cycle`
        assert is_cycle(text) is valid
        with_parser = _parses(parse_cycle, text)
    assert with_parser is valid


def _parses(parse, text: str) -> bool:  # type: ignore[no-untyped-def]
    try:
        parse(text)
    except ValueError:
        return False
    return True

"""Reopening a store: read-only use does not fold the whole log; the first command does,
once, and timers opened before the restart still fire."""

from __future__ import annotations

from pathlib import Path

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine
from engine_sim.engine.event_index import EventIndex
from engine_sim.timeutil import parse_duration

TIMER = (
    '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">'
    '<bpmn:process id="wait" isExecutable="true"><bpmn:startEvent id="s"/>'
    '<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDuration>PT5M'
    '</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
    '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/></bpmn:process></bpmn:definitions>'
)


def test_the_event_index_is_folded_on_the_first_command_only(tmp_path: Path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'engine.db'}"
    first = Engine(url)
    first.deploy(TIMER.encode(), "wait.bpmn")
    key = commands.create_instance(first, "wait").result
    first.close()

    reopened = Engine(url)
    folds = []
    original = EventIndex.rebuild
    monkeypatch.setattr(EventIndex, "rebuild", lambda self, app: folds.append(app) or original(self, app))
    assert reopened.instance(key).active_element_ids() == ["t"]
    assert folds == []  # reading state needs no index
    outcomes = reopened.advance_clock(parse_duration("PT6M"))
    assert len(folds) == 1 and outcomes
    assert reopened.instance(key).lifecycle == "COMPLETED"
    commands.create_instance(reopened, "wait")
    assert len(folds) == 1


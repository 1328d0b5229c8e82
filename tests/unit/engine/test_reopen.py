"""Reopening a store: read-only use does not fold the whole log; the first command does,
once, and timers opened before the restart still fire."""

from __future__ import annotations

from pathlib import Path

from bpmn_builders import catch, end, flow, process, start, timer

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine
from engine_sim.engine.event_index import EventIndex
from engine_sim.timeutil import parse_duration

TIMER = process(start("s"), catch("t", timer("timeDuration", "PT5M")), end("e"),
                flow("f1", "s", "t"), flow("f2", "t", "e"), process_id="wait")


def test_the_event_index_is_folded_on_the_first_command_only(tmp_path: Path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'engine.db'}"
    first = Engine(url)
    first.deploy(TIMER, "wait.bpmn")
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


"""Reachability for the inclusive join: computed per element when first asked for (a chain of
n elements would need n^2 entries up front), and equal to the transitive closure."""

from __future__ import annotations

from bpmn_builders import chain, end, flow, process, start

from engine_sim.model import parse_bpmn
from engine_sim.model.graph import Reachability

START, END = start(), end()

LOOP = process(START + '<bpmn:task id="a"/><bpmn:task id="b"/><bpmn:task id="c"/>' + END
               + chain("start", "a", "b", "c", "end") + flow("back", "c", "a"))


def test_reachability_is_computed_on_first_use_and_is_the_closure() -> None:
    [model] = parse_bpmn(LOOP, "loop.bpmn").processes
    reachable = model.reachable
    assert isinstance(reachable, Reachability)
    assert reachable._found == {}  # nothing computed while building the model

    assert reachable["a"] == {"a", "b", "c", "end"}  # on the cycle: itself included
    assert reachable["start"] == {"a", "b", "c", "end"}
    assert reachable["end"] == frozenset()
    assert set(reachable._found) == {"a", "start", "end"}
    assert reachable.get("nowhere") is None
    assert len(reachable) == len(list(reachable)) == len(model.elements)

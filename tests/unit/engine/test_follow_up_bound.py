"""A command causes at most `MAX_FOLLOW_UPS` follow-up steps: a process that loops without a
wait state is rejected (EXCEEDED_BATCH_RECORD_SIZE) and nothing of it is written."""

from __future__ import annotations

import pytest
from bpmn_builders import chain, end, flow, process, start, task

from engine_sim.engine import commands, context
from engine_sim.engine.engine import Engine

START, END = start(), end()

GATEWAY_LOOP = process(START + '<bpmn:exclusiveGateway id="g1"/><bpmn:exclusiveGateway id="g2"/>'
                       + chain("start", "g1", "g2") + flow("back", "g2", "g1"))
TASK_LOOP = process(START + '<bpmn:task id="t1"/><bpmn:task id="t2"/>'
                    + chain("start", "t1", "t2") + flow("back", "t2", "t1"))
FORK_LOOP = process(START + '<bpmn:exclusiveGateway id="merge"/><bpmn:parallelGateway id="fork"/>'
                    '<bpmn:task id="a"/><bpmn:task id="b"/>'
                    + chain("start", "merge", "fork", "a", "merge") + chain("fork", "b") + flow("b_merge", "b", "merge"))
LOOPS = {"gateway loop": GATEWAY_LOOP, "task loop": TASK_LOOP, "parallel fork loop": FORK_LOOP}


@pytest.fixture(autouse=True)
def small_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context, "MAX_FOLLOW_UPS", 2_000)


@pytest.mark.parametrize("model", LOOPS.values(), ids=LOOPS.keys())
def test_a_loop_without_a_wait_state_is_rejected_and_writes_nothing(model: bytes) -> None:
    engine = Engine()
    engine.deploy(model, "loop.bpmn")
    counters = (engine.keys.next_key, engine._next_position)
    instances = dict(engine.instances)

    outcome = commands.create_instance(engine, "p")

    assert outcome.rejected
    assert outcome.rejection["rejectionType"] == "EXCEEDED_BATCH_RECORD_SIZE"
    assert "2,000 follow-up steps" in outcome.rejection["rejectionReason"]
    assert [r["recordType"] for r in outcome.records] == ["COMMAND_REJECTION"]
    assert engine.instances == instances  # no instance was created
    assert engine.keys.next_key == counters[0]
    assert engine._next_position == counters[1] + 1  # the rejection record only


def test_a_command_within_the_bound_runs_whole() -> None:
    engine = Engine()
    tasks = "".join(f'<bpmn:task id="t{i}"/>' for i in range(300))
    engine.deploy(process(START + tasks + task("w", "work") + END
                          + chain("start", *(f"t{i}" for i in range(300)), "w", "end")), "long.bpmn")
    outcome = commands.create_instance(engine, "p")
    assert not outcome.rejected
    assert engine.instance(outcome.result).active_element_ids() == ["w"]

"""Operate's internals in memory: the batch aggregate's chunks and events, the inverse mapping.
(Its behaviour through the public API: tests/api/test_operate_flow.py.)"""

from __future__ import annotations

import pytest
from bpmn_builders import linear

from engine_sim.engine.engine import Engine
from engine_sim.projections import ListView, StreamFollower
from migration.batch import BatchOperation, operation_id
from migration.operate import Operate, Selection, inverse


@pytest.fixture
def operate(engine: Engine) -> Operate:
    view = ListView()
    return Operate(engine, view, StreamFollower(engine.app, [view]))


def test_items_run_in_chunks_each_one_event_and_the_aggregate_replays(engine, operate, deploy, start):
    deploy(linear("p", "a"))
    deploy(linear("p", "a", "b"))
    keys = [start("p", 1) for _ in range(5)]
    _, key = operate.migrate(Selection(keys=tuple(keys)), "p", 2, (), True, run=False)
    assert operate.run_operations(key, chunk_size=2) == 3
    events = list(engine.app.repository.event_store.get(operation_id(key)))
    assert [type(e).__name__ for e in events] == ["Created", "ItemsProcessed", "ItemsProcessed", "ItemsProcessed"]
    rebuilt = engine.app.repository.get(operation_id(key))
    assert isinstance(rebuilt, BatchOperation)
    assert rebuilt.state == "COMPLETED" and set(rebuilt.results) == set(keys)
    assert operate.run_operations(key) == 0  # nothing left: every item ran exactly once


def test_inverse_drops_targets_that_two_sources_shared():
    assert inverse([["a", "x"], ["b", "x"], ["c", "y"]]) == [["y", "c"]]

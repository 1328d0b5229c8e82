"""The Operate flow in memory: preview (a dry run that writes nothing), the batch aggregate,
its plan checks, chunks, and revert."""

from __future__ import annotations

import pytest
from migration_support import linear

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine
from engine_sim.projections import ListFilter, ListView, StreamFollower
from migration.batch import BatchOperation, operation_id
from migration.operate import Operate, Selection, inverse


@pytest.fixture
def operate(engine: Engine) -> Operate:
    view = ListView()
    return Operate(engine, view, StreamFollower(engine.app, [view]))


@pytest.fixture
def three(engine, deploy, start) -> list[int]:
    """Version 1 (a -> b) and version 2 (a -> b -> c); instances at a, at b, and finished."""
    deploy(linear("p", "a", "b"))
    deploy(linear("p", "a", "b", "c"))
    keys = [start("p", 1) for _ in range(3)]
    commands.complete_job(engine, keys[1], "a")
    for element in ("a", "b"):
        commands.complete_job(engine, keys[2], element)
    return keys


def test_preview_counts_failures_and_writes_nothing(engine, operate, three):
    at_a, at_b, finished = three
    written = engine.app.recorder.max_notification_id()
    preview = operate.preview(Selection(keys=tuple(three)), "p", 2, (("a", "a"),), auto_map=False)
    assert engine.app.recorder.max_notification_id() == written
    assert preview["counts"] == {"a": 1, "b": 1}
    assert preview["targets"] == {"a": 1}
    assert preview["ignored"] == 1 and preview["ignoredKeys"] == [finished]
    assert preview["failures"] == {at_b: "active element 'b' has no mapping instruction"}


def test_preview_of_a_bad_plan_fails_every_running_instance(operate, three):
    preview = operate.preview(Selection(keys=tuple(three)), "p", 7, (), auto_map=True)
    assert set(preview["failures"].values()) == {"no process definition 'p' version 7"}
    assert len(preview["failures"]) == 2


def test_batch_items_are_the_running_instances_frozen_at_creation(engine, operate, three, start):
    outcome, key = operate.migrate(Selection(filter=ListFilter(process="p", version=1)), "p", 2,
                                   (), auto_map=True, run=False)
    assert outcome.rejection is None and key is not None
    late = start("p", 1)
    operate.run_operations(key)
    view = operate.operation_view(key)
    assert (view["state"], view["total"], view["completed"], view["failed"]) == ("COMPLETED", 2, 2, 0)
    assert engine.instance(late).version == 1
    assert {engine.instance(k).version for k in three[:2]} == {2}


def test_a_bad_plan_creates_no_operation(engine, operate, three):
    cases = [
        ((("a", "a"), ("a", "b")), 2, "duplicate source element id 'a'"),
        ((("a", "zz"),), 2, "target element 'zz' does not exist in p version 2"),
        ((), 9, "no process definition 'p' version 9"),
    ]
    for pairs, version, reason in cases:
        outcome, key = operate.migrate(Selection(keys=tuple(three)), "p", version, pairs, True)
        assert key is None and outcome.rejection["rejectionReason"] == reason
        assert "processInstanceKey" not in outcome.rejection
    # rule 4 is checked up front only when the filter names one version
    outcome, key = operate.migrate(Selection(filter=ListFilter(process="p", version=1)), "p", 2,
                                   (("c", "c"),), True)
    assert outcome.rejection["rejectionReason"] == "source element 'c' does not exist in p version 1"
    assert operate.operations.all() == []


def test_items_run_in_chunks_each_one_event_and_the_aggregate_replays(engine, operate, deploy, start):
    deploy(linear("p", "a"))
    deploy(linear("p", "a", "b"))
    keys = [start("p", 1) for _ in range(5)]
    _, key = operate.migrate(Selection(keys=tuple(keys)), "p", 2, (), True, run=False)
    operate.run_operations(key, chunk_size=2)
    events = list(engine.app.repository.event_store.get(operation_id(key)))
    assert [type(e).__name__ for e in events] == ["Created", "ItemsProcessed", "ItemsProcessed", "ItemsProcessed"]
    rebuilt = engine.app.repository.get(operation_id(key))
    assert isinstance(rebuilt, BatchOperation)
    assert rebuilt.state == "COMPLETED" and set(rebuilt.results) == set(keys)
    assert operate.run_operations(key) == []  # nothing left: every item ran exactly once


def test_revert_migrates_completed_items_back_with_the_inverse_mapping(engine, operate, deploy, start):
    deploy(linear("p", "a"))
    renamed = deploy(linear("p", "a2"))
    key1 = start("p", 1)
    _, op = operate.migrate(Selection(keys=(key1,)), "p", 2, (("a", "a2"),), False)
    assert engine.instance(key1).active_element_ids() == ["a2"] and renamed
    outcome, back = operate.revert(op)
    assert outcome.rejection is None
    assert engine.instance(key1).version == 1
    assert engine.instance(key1).active_element_ids() == ["a"]
    assert operate.operation_view(back)["completed"] == 1


def test_revert_of_an_active_operation_is_rejected(operate, three):
    _, op = operate.migrate(Selection(keys=tuple(three)), "p", 2, (), True, run=False)
    outcome, key = operate.revert(op)
    assert key is None and outcome.rejection["rejectionType"] == "INVALID_STATE"
    assert "only a COMPLETED migration operation can be reverted" in outcome.rejection["rejectionReason"]


def test_inverse_drops_targets_that_two_sources_shared():
    assert inverse([["a", "x"], ["b", "x"], ["c", "y"]]) == [["y", "c"]]

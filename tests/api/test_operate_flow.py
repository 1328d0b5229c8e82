"""The Operate flow through the public API: preview (a dry run that writes nothing), batch
operations over a frozen selection, plan checks before any operation exists, and revert.
(Moved from tests/unit/migration/test_operate.py, which keeps the tests of internals.)"""

from __future__ import annotations

import pytest
from bpmn_builders import chain, end, process, start, task

from engine_sim import CommandRejected, Engine, ProcessInstance
from engine_sim.testing import assert_that


def linear(*tasks: str) -> bytes:
    """start -> one service task per id -> end, in process `p`."""
    return process(start(), *(task(t) for t in tasks), end(), chain("start", *tasks, "end"))


@pytest.fixture
def three(engine: Engine, deploy) -> list[ProcessInstance]:
    """Version 1 (a -> b) and version 2 (a -> b -> c); instances at a, at b, and finished."""
    deploy(linear("a", "b"), linear("a", "b", "c"))
    at_a, at_b, finished = (engine.create_instance("p", version=1) for _ in range(3))
    engine.complete_job(at_b, "a")
    for element in ("a", "b"):
        engine.complete_job(finished, element)
    return [at_a, at_b, finished]


def test_preview_counts_failures_and_writes_nothing(engine, three):
    at_a, at_b, finished = three
    before = len(engine.records())
    preview = engine.preview(three, process="p", version=2, mapping={"a": "a"})
    assert len(engine.records()) == before
    assert preview.counts == {"a": 1, "b": 1}
    assert preview.targets == {"a": 1}
    assert preview.ignored == 1 and preview.ignored_keys == [finished.key]
    assert preview.failures == {at_b.key: "active element 'b' has no mapping instruction"}


def test_preview_of_a_bad_plan_fails_every_running_instance(engine, three):
    preview = engine.preview(three, process="p", version=7, auto_map=True)
    assert set(preview.failures.values()) == {"no process definition 'p' version 7"}
    assert len(preview.failures) == 2


def test_batch_items_are_the_running_instances_frozen_at_creation(engine, three):
    operation = engine.migrate(process="p", version=2, auto_map=True, run=False,
                               source_process="p", source_version=1)
    late = engine.create_instance("p", version=1)
    engine.run_operations(operation)
    assert_that(operation).is_completed().completed(2).failed(0).ignored(1)
    assert late.version == 1
    assert {instance.version for instance in three[:2]} == {2}


@pytest.mark.parametrize(("mapping", "version", "reason"), [
    ({"a": "zz"}, 2, "target element 'zz' does not exist in p version 2"),
    ({}, 9, "no process definition 'p' version 9"),
])
def test_a_bad_plan_creates_no_operation(engine, three, mapping, version, reason):
    with pytest.raises(CommandRejected) as refused:
        engine.migrate(three, process="p", version=version, mapping=mapping, auto_map=True)
    assert refused.value.reason == reason
    assert "processInstanceKey" not in refused.value.record
    assert engine.operations() == []


def test_duplicate_and_missing_sources_are_refused_up_front(three):
    engine = three[0].engine
    engine.raise_on_reject = False  # the outcome value instead of an exception
    duplicate = engine.migrate(three, process="p", version=2, mapping=[("a", "a"), ("a", "b")])
    assert duplicate.key is None and duplicate.rejection is not None
    assert duplicate.rejection.reason == "duplicate source element id 'a'"
    # rule 4 is checked up front only when the filter names one version
    missing = engine.migrate(process="p", version=2, mapping={"c": "c"}, auto_map=True,
                             source_process="p", source_version=1)
    assert missing.rejection is not None
    assert missing.rejection.reason == "source element 'c' does not exist in p version 1"
    assert engine.operations() == []


def test_revert_migrates_completed_items_back_with_the_inverse_mapping(engine, deploy):
    deploy(linear("a"), linear("a2"))
    instance = engine.create_instance("p", version=1)
    operation = engine.migrate([instance], process="p", version=2, mapping={"a": "a2"})
    assert_that(instance).was_migrated(to_version=2, mapping={"a": "a2"}).is_waiting_at("a2")
    back = engine.revert(operation)
    assert_that(instance).was_migrated(to_version=1, mapping={"a2": "a"}).is_waiting_at("a")
    assert_that(back).completed(1)


def test_revert_of_an_active_operation_is_rejected(engine, three):
    operation = engine.migrate(three, process="p", version=2, auto_map=True, run=False)
    with pytest.raises(CommandRejected) as refused:
        engine.revert(operation)
    assert refused.value.rejection_type == "INVALID_STATE"
    assert "only a COMPLETED migration operation can be reverted" in refused.value.reason

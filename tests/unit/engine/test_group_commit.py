"""Group commit (`Engine.group_commit`): many commands, one transaction per group, and a
group that is not written is forgotten whole (every command of it, and only those)."""

from __future__ import annotations

from pathlib import Path

import pytest
from bpmn_builders import chain, end, process, start, task

from engine_sim.engine import Engine, commands

MODEL = process(start() + task("t") + end() + chain("start", "t", "end"))


def sqlite_engine(tmp_path: Path) -> tuple[Engine, str]:
    url = f"sqlite:///{tmp_path / 'group.db'}"
    engine = Engine(url)
    engine.deploy(MODEL, "p.bpmn")
    return engine, url


def stored_event_count(engine: Engine) -> int:
    return engine.app.recorder.max_notification_id() or 0


def test_a_group_is_written_in_one_transaction_and_survives_a_reopen(tmp_path: Path) -> None:
    engine, url = sqlite_engine(tmp_path)
    before = stored_event_count(engine)
    with engine.group_commit():
        keys = [commands.create_instance(engine, "p").result for _ in range(5)]
        assert stored_event_count(engine) == before  # nothing written yet
    assert stored_event_count(engine) == before + 5
    engine.close()

    reopened = Engine(url)
    assert [reopened.instance(k).active_element_ids() for k in keys] == [["t"]] * 5
    assert commands.complete_job(reopened, keys[0], "t").rejection is None


def test_a_rejected_command_in_a_group_changes_nothing_and_the_others_are_written(
        tmp_path: Path) -> None:
    engine, url = sqlite_engine(tmp_path)
    before = stored_event_count(engine)
    with engine.group_commit():
        first = commands.create_instance(engine, "p").result
        rejected = commands.create_instance(engine, "nope")
        second = commands.create_instance(engine, "p").result
    assert rejected.rejected
    assert stored_event_count(engine) == before + 3  # two instances and the rejection
    engine.close()
    reopened = Engine(url)
    assert reopened.instance(first) is not None and reopened.instance(second) is not None


def test_a_block_that_raises_forgets_its_group_and_the_engine_goes_on(tmp_path: Path) -> None:
    engine, url = sqlite_engine(tmp_path)
    kept = commands.create_instance(engine, "p").result
    before = stored_event_count(engine)
    with pytest.raises(RuntimeError), engine.group_commit():
        lost = commands.create_instance(engine, "p").result
        raise RuntimeError("interrupted")
    assert stored_event_count(engine) == before
    assert engine.instance(lost) is None and engine.instance(kept) is not None
    again = commands.create_instance(engine, "p").result
    assert again == lost  # the unwritten key was never handed out for good
    assert commands.complete_job(engine, kept, "t").rejection is None


def test_a_failed_write_forgets_the_group_and_reloads_from_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, url = sqlite_engine(tmp_path)
    kept = commands.create_instance(engine, "p").result
    before = stored_event_count(engine)

    def refuse(events: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(engine.app.events, "put", refuse)
    with pytest.raises(OSError, match="disk full"), engine.group_commit():
        lost = commands.create_instance(engine, "p").result
    monkeypatch.undo()

    assert stored_event_count(engine) == before
    assert engine.instance(lost) is None
    assert engine.instance(kept).active_element_ids() == ["t"]
    assert commands.create_instance(engine, "p").result == lost


def test_a_durable_store_keeps_a_bounded_number_of_instances_in_memory(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cache.db'}"
    engine = Engine(url, cache_size=3)
    engine.deploy(MODEL, "p.bpmn")
    with engine.group_commit():  # unwritten instances are never dropped
        keys = [commands.create_instance(engine, "p").result for _ in range(5)]
        assert set(engine.instances) == set(keys)
    commands.create_instance(engine, "p")
    assert len(engine.instances) == 3
    assert keys[0] not in engine.instances
    assert commands.complete_job(engine, keys[0], "t").rejection is None  # loaded again
    assert engine.instance(keys[0]).lifecycle == "COMPLETED"


def test_preload_reads_the_missing_instances_of_a_chunk_at_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'preload.db'}"
    engine = Engine(url)
    engine.deploy(MODEL, "p.bpmn")
    keys = [commands.create_instance(engine, "p").result for _ in range(4)]
    commands.complete_job(engine, keys[1], "t")
    engine.close()

    reopened = Engine(url)
    reopened.preload([*keys, 12345])  # an unknown key is left alone
    assert set(reopened.instances) == set(keys)
    assert [reopened.instance(k).lifecycle for k in keys] == [
        "ACTIVE", "COMPLETED", "ACTIVE", "ACTIVE"]

"""One writer per store: an engine takes the store's lease before its first command and then
reloads what another engine wrote since it opened; a second writer waits, then fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from bpmn_builders import chain, end, process, start, task

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine
from engine_sim.persistence.lease import StoreBusy

START, END = start(), end()

MODEL = process(START + task("t", "work") + END + chain("start", "t", "end"))


def test_an_engine_reloads_what_the_previous_writer_wrote(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    late = Engine(url)  # opened on an empty store, before the other one writes
    early = Engine(url)
    early.deploy(MODEL, "m.bpmn")
    first = commands.create_instance(early, "p")
    early.close()

    late.take_writer_lease()  # as a writer does before it reads for a write: reloads
    second = commands.create_instance(late, "p")

    assert not second.rejected
    keys = {r["key"] for r in first.records} | {r["position"] for r in first.records}
    assert not keys & ({r["key"] for r in second.records} | {r["position"] for r in second.records})
    assert second.records[0]["position"] == first.records[-1]["position"] + 1
    assert late.instance(first.result).active_element_ids() == ["t"]
    assert not commands.complete_job(late, first.result, "t", {}).rejected
    late.close()


def test_a_second_writer_fails_after_its_wait_and_a_reader_is_not_stopped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    writer = Engine(url)
    writer.deploy(MODEL, "m.bpmn")
    other = Engine(url)
    other.writer_lease.wait = 0.3
    waited: list[str] = []
    other.writer_lease.on_wait = waited.append
    try:
        assert other.catalog.latest("p") is not None  # reading needs no lease
        with pytest.raises(StoreBusy, match=r"in use by another writer, pid \d+ on host"):
            commands.create_instance(other, "p")
        assert len(waited) == 1
    finally:
        writer.close()
    assert not commands.create_instance(other, "p").rejected  # free now: taken on the command
    other.close()


def test_the_memory_store_needs_no_lease() -> None:
    engine = Engine()
    engine.deploy(MODEL, "m.bpmn")
    assert engine.writer_lease.held
    assert Engine().writer_lease.acquire()  # nothing is shared between memory stores


def test_the_cli_default_wait_is_the_lease_default() -> None:
    from engine_sim.cli import arguments
    from engine_sim.persistence import lease

    assert arguments.DEFAULT_WAIT == lease.DEFAULT_WAIT

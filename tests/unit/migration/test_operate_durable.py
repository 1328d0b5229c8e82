"""Operate on a durable store (SQLite file): a batch interrupted between two chunks resumes
on a reopened engine, migrating each remaining instance once; the preview, the operation and
the list view agree."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine_sim.engine import commands
from engine_sim.engine.aggregates import instance_id
from engine_sim.engine.engine import Engine, Outcome
from engine_sim.projections import ListFilter, SqlListView, StreamFollower, open_list_view
from migration.operate import Operate, Selection

ORDER = Path(__file__).resolve().parents[2] / "data" / "cli"
V1 = Selection(filter=ListFilter(process="orderProcess", version=1))


class Crash(Exception):
    pass


def open_operate(url: str) -> Operate:
    engine = Engine(url)
    view = open_list_view(engine.store)
    return Operate(engine, view, StreamFollower(engine.app, [view]))


def close(operate: Operate) -> None:
    operate.list_view.close()
    operate.engine.close()


def migrations_of(engine: Engine, key: int) -> int:
    count = 0
    for stored in engine.app.recorder.select_events(instance_id(key)):
        event = engine.app.mapper.to_domain_event(stored)
        count += sum(1 for r in event.records
                     if r["valueType"] == "PROCESS_INSTANCE_MIGRATION" and r["intent"] == "MIGRATED")
    return count


def test_an_interrupted_batch_resumes_on_a_reopened_engine(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'engine.db'}"
    operate = open_operate(url)
    engine = operate.engine
    for name in ("order-v1.bpmn", "order-v2.bpmn"):
        engine.deploy((ORDER / name).read_bytes(), name)
    keys = [commands.create_instance(engine, "orderProcess", 1, {"n": i}).result for i in range(25)]
    preview = operate.preview(V1, "orderProcess", 2, (), True)
    assert preview["counts"] == {"checkPayment": 25} and preview["failures"] == {}
    _, operation = operate.migrate(V1, "orderProcess", 2, (), True, run=False)
    assert operation is not None

    def crash_after_two_chunks(done: Outcome, seen: list[Outcome] = []) -> None:  # noqa: B006
        seen.append(done)
        if len(seen) == 2:
            raise Crash

    with pytest.raises(Crash):
        operate.run_operations(operation, chunk_size=4, on_chunk=crash_after_two_chunks)
    close(operate)

    operate = open_operate(url)
    assert isinstance(operate.list_view, SqlListView)
    assert operate.pending_operations() == [operation]
    assert operate.batch(operation).pending_count == 25 - 8
    operate.run_operations(chunk_size=4)
    view = operate.operation_view(operation)
    assert (view["state"], view["total"], view["completed"], view["failed"]) == ("COMPLETED", 25, 25, 0)
    assert [migrations_of(operate.engine, key) for key in keys] == [1] * 25
    rows = operate.list_view.query(ListFilter(process="orderProcess", version=2))
    assert [row.key for row in rows] == keys
    assert operate.list_view.query(ListFilter(process="orderProcess", version=1)) == []
    close(operate)

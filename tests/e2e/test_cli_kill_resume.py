"""Crash safety on SQLite: `engine-sim migrate --yes` over 3,000 instances is killed (SIGKILL)
mid-batch, `engine-sim operations resume` is killed too, and a last resume finishes the
operation. Every instance was migrated exactly once, none was lost, and the views agree."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from cli_support import DATA

from engine_sim.engine.aggregates import instance_id
from engine_sim.engine.engine import Engine
from engine_sim.projections import ListFilter, SqlListView, StreamFollower, open_list_view
from migration.batch import operation_id
from migration.operate import Operate

COUNT = 3000
CHUNK = 10
CHUNKS = COUNT // CHUNK
ITEMS_PROCESSED = "migration:BatchOperation.ItemsProcessed"


def engine_sim(folder: Path, *args: str, **popen: object) -> subprocess.Popen[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.Popen([sys.executable, "-m", "engine_sim.cli.main", *args], cwd=folder, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, **popen)  # type: ignore[call-overload]


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, out + err
    return out


def chunks_done(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as connection:
        found = connection.execute("SELECT COUNT(*) FROM stored_events WHERE topic = ?", (ITEMS_PROCESSED,))
        return int(found.fetchone()[0])


def kill_after(process: subprocess.Popen[str], db: Path, chunks: int) -> int:
    """SIGKILL the process once `chunks` chunks are stored; return how many were stored then."""
    deadline = time.monotonic() + 120
    while chunks_done(db) < chunks:
        assert process.poll() is None, "the process ended before it could be killed: " + str(process.communicate())
        assert time.monotonic() < deadline, "no progress"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    return chunks_done(db)


def test_a_killed_batch_resumes_and_migrates_every_instance_exactly_once(tmp_path: Path) -> None:
    db = tmp_path / ".engine-sim" / "engine.db"
    finish(engine_sim(tmp_path, "deploy", str(DATA / "order-v1.bpmn"), str(DATA / "order-v2.bpmn")))
    finish(engine_sim(tmp_path, "create", "orderProcess", "--version", "1", "--count", str(COUNT)))

    migrate = engine_sim(tmp_path, "migrate", "--process", "orderProcess", "--version", "1", "--all",
                         "--to-process", "orderProcess", "--to-version", "2", "--yes",
                         "--chunk-size", str(CHUNK))
    first = kill_after(migrate, db, 5)
    assert first < CHUNKS, "the batch finished before the kill"
    resume = engine_sim(tmp_path, "operations", "resume", "--chunk-size", str(CHUNK))
    second = kill_after(resume, db, first + 5)
    assert second < CHUNKS, "the batch finished before the second kill"
    out = finish(engine_sim(tmp_path, "operations", "resume", "--chunk-size", str(CHUNK)))
    assert f"total {COUNT}, completed {COUNT}, failed 0, ignored 0" in out

    engine = Engine(f"sqlite:///{db}")
    view = open_list_view(engine.store)
    try:
        assert isinstance(view, SqlListView)
        operate = Operate(engine, view, StreamFollower(engine.app, [view]))
        keys = instance_keys(db)
        assert len(keys) == COUNT
        migrations: Counter[int] = Counter()
        for key in keys:
            for stored in engine.app.recorder.select_events(instance_id(key)):
                records = engine.app.mapper.to_domain_event(stored).records
                migrations[key] += sum(1 for r in records if r["valueType"] == "PROCESS_INSTANCE_MIGRATION"
                                       and r["intent"] == "MIGRATED")
        assert set(migrations.values()) == {1}, "an instance migrated twice, or not at all"

        [operation] = [row.key for row in operate.operations.all()]
        completed: Counter[int] = Counter()
        for stored in engine.app.recorder.select_events(operation_id(operation)):
            for r in engine.app.mapper.to_domain_event(stored).records:
                if r["valueType"] == "OPERATION":
                    assert r["intent"] == "COMPLETED"
                    completed[r["processInstanceKey"]] += 1
        assert completed == Counter(dict.fromkeys(keys, 1))
        view_of = operate.operation_view(operation)
        assert (view_of["state"], view_of["total"], view_of["completed"], view_of["failed"]) == (
            "COMPLETED", COUNT, COUNT, 0)
        assert len(view.query(ListFilter(process="orderProcess", version=2))) == COUNT
        assert view.query(ListFilter(process="orderProcess", version=1)) == []
        assert all(engine.instance(key).version == 2 for key in keys[:: COUNT // 50])  # type: ignore[union-attr]
    finally:
        view.close()
        engine.close()


def instance_keys(db: Path) -> list[int]:
    """Every instance's key, from the store's creation events (not from a view under test)."""
    from uuid import UUID

    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT originator_id FROM stored_events WHERE topic = 'engine_sim:ProcessInstance.Created'"
        ).fetchall()
    return sorted(UUID(bytes=bytes(row[0])).int if isinstance(row[0], bytes) else UUID(row[0]).int
                  for row in rows)

"""The floor: the engine's stored events written straight to the same kind of store.

Each captured transaction is written again with the store's eventsourcing recorder
(`insert_events`), with the same originator ids, versions, topics and state sizes, in the same
transactions, into a fresh application of its own (an SQLite file beside the engine's, other
PostgreSQL tables). Only the recorder calls are timed: this is what storing the bytes costs,
the most any engine on this library and store could reach for the same writes.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from capture import read_transactions
from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

FLOOR_TABLE_PREFIX = "benchfloor"


class BenchFloor(Application):
    name = "BenchFloor"  # its own tables on PostgreSQL


def floor_env(kind: str, env: dict[str, str], folder: Path) -> dict[str, str]:
    env = dict(env)
    if kind == "sqlite":
        env["SQLITE_DBNAME"] = str(folder / "floor.db")
    return env


def drop_postgres_floor(env: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"],
                         port=env["POSTGRES_PORT"], user=env["POSTGRES_USER"],
                         password=env.get("POSTGRES_PASSWORD") or None, autocommit=True,
                         connect_timeout=5) as connection:
        rows = connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                                  f"AND tablename LIKE '{FLOOR_TABLE_PREFIX}%'").fetchall()
        for (table,) in rows:
            connection.execute(f'DROP TABLE IF EXISTS "{table}"')


def clear_floor(kind: str, env: dict[str, str]) -> None:
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(env["SQLITE_DBNAME"] + suffix).unlink(missing_ok=True)
    elif kind == "postgres":
        drop_postgres_floor(env)


def write_floor(kind: str, env: dict[str, str], folder: Path, capture: Path) -> dict[str, Any]:
    """Seconds and stored events per phase, writing the captured transactions again."""
    env = floor_env(kind, env, folder)
    clear_floor(kind, env)
    app = BenchFloor(env=env)
    insert = app.recorder.insert_events
    states: dict[int, bytes] = {}
    phases, transactions = read_transactions(capture)
    seconds = dict.fromkeys(phases, 0.0)
    events = dict.fromkeys(phases, 0)
    counts = dict.fromkeys(phases, 0)
    sizes = dict.fromkeys(phases, 0)
    for phase, rows in transactions:
        stored = []
        for originator, version, topic, size in rows:
            state = states.get(size)
            if state is None:
                state = states[size] = bytes(size)
            stored.append(StoredEvent(originator_id=originator, originator_version=version,
                                      topic=topic, state=state))
        began = time.perf_counter()
        insert(stored)
        seconds[phase] += time.perf_counter() - began
        events[phase] += len(stored)
        counts[phase] += 1
        sizes[phase] += sum(row[3] for row in rows)
    app.close()
    clear_floor(kind, env)
    return {phase: {"seconds": seconds[phase], "events": events[phase],
                    "transactions": counts[phase], "bytes": sizes[phase]} for phase in phases}

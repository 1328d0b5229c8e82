"""Stores for the durable projections' tests: an SQLite file, and PostgreSQL when a local
server answers (a database of this test session's own, dropped at the end; skipped with a
reason otherwise)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine_sim.engine.engine import Engine
from engine_sim.persistence import Store, parse_store_url

# where to create the session's database: override with ENGINE_SIM_TEST_POSTGRES
SERVER = os.environ.get("ENGINE_SIM_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def _admin(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    env = parse_store_url(url).env
    return psycopg.connect(dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"],
                           port=env["POSTGRES_PORT"], user=env["POSTGRES_USER"],
                           password=env["POSTGRES_PASSWORD"] or None, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    try:
        admin = _admin(SERVER)
    except Exception as error:
        pytest.skip(f"no PostgreSQL server at {SERVER}: {error}")
    name = f"engine_sim_projections_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = SERVER.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """An empty durable store."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'engine.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    chosen = parse_store_url(url)
    chosen.clear()
    return chosen


@pytest.fixture
def open_engine(store: Store) -> Iterator[Callable[[], Engine]]:
    """Opens engines on the store (a reopened one is a restart); closes them all at the end."""
    engines: list[Engine] = []

    def open_() -> Engine:
        engine = Engine(store)
        engines.append(engine)
        return engine

    yield open_
    for engine in engines:
        engine.close()

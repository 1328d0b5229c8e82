"""Fixtures shared by every test folder.

`postgres_url`: a PostgreSQL store URL for tests that need the server at 127.0.0.1:5432 (user
postgres, trust authentication, database `test`; `ENGINE_SIM_TEST_POSTGRES` overrides the
URL). A test that asks for it is skipped, with the reason, when the server cannot be reached.

Several engineers and CI jobs share that server, and a store is emptied (its tables dropped)
before each scenario, so two runs on one database break each other. The fixture therefore
creates a database of its own for the session (`<database>_engine_sim_<pid>`, dropped at the
end) and falls back to the configured database itself when it may not create one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

POSTGRES_URL = os.environ.get("ENGINE_SIM_TEST_POSTGRES",
                              "postgresql://postgres@127.0.0.1:5432/test")


def _postgres_problem(url: str) -> str | None:
    """Why the server at `url` cannot be used, or None when it can."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        with psycopg.connect(url, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return f"PostgreSQL is not reachable at {url}: {' '.join(str(error).split())}"
    return None


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    problem = _postgres_problem(POSTGRES_URL)
    if problem is not None:
        pytest.skip(problem)
    import psycopg

    private = f"{urlsplit(POSTGRES_URL).path.lstrip('/')}_engine_sim_{os.getpid()}"
    try:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{private}"')
            connection.execute(f'CREATE DATABASE "{private}"')
    except psycopg.Error:  # no right to create databases: share the configured one
        yield POSTGRES_URL
        return
    try:
        yield _with_database(POSTGRES_URL, private)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{private}" WITH (FORCE)')

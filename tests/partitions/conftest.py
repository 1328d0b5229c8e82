"""A fresh PostgreSQL database per test (created next to the session's, dropped after): a
partitioned store's tables, leases and command tables never meet another test's. A module
whose tests share one store (and the workers running it: they are slow to start) takes
`module_database_url` instead."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest

_numbers = itertools.count(1)


@contextmanager
def fresh_database(postgres_url: str) -> Iterator[str]:
    import psycopg

    parts = urlsplit(postgres_url)
    name = f"engine_sim_partitions_{os.getpid()}_{next(_numbers)}"
    try:
        with psycopg.connect(postgres_url, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as error:
        pytest.skip(f"cannot create a database for a partitioned store: {error}")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(postgres_url, autocommit=True, connect_timeout=3) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(postgres_url: str) -> Iterator[str]:
    with fresh_database(postgres_url) as url:
        yield url


@pytest.fixture(scope="module")
def module_database_url(postgres_url: str) -> Iterator[str]:
    with fresh_database(postgres_url) as url:
        yield url

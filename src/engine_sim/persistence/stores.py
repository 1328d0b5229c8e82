"""Store URLs -> the eventsourcing library's persistence settings.

`memory:` (the library's POPO recorders), `sqlite:///relative.db` / `sqlite:////abs.db`
(its SQLite module), `postgresql://USER@HOST:PORT/DB` (its PostgreSQL module). The store is
chosen by configuration, never by code paths in the engine.

A PostgreSQL store may be partitioned (`postgresql://...?partitions=4` when it is created:
docs/scaling.md); a `Store` then names one partition of it (`of_partition`), whose engine
keeps its events in tables of its own.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlparse

DEFAULT_CLI_STORE = "sqlite:///.engine-sim/engine.db"
SCHEMA_LOCK = 0x656E67696E65  # the PostgreSQL advisory lock of DDL (as projections/sql.py)
MAX_PARTITIONS = 64  # Zeebe's partition ids fit 13 bits; a store of more would be a typo here


class StoreURLError(ValueError):
    pass


@dataclass(frozen=True)
class Store:
    url: str
    kind: str  # memory | sqlite | postgres
    env: dict[str, str]
    path: Path | None = None  # the SQLite file
    read_only: bool = False  # a SQLite file this process may not write: read as it stands
    partition: int = 1  # which partition's tables the engine on this store uses
    partitions: int | None = None  # the count the URL asks for (`?partitions=N`), if any

    def of_partition(self, partition: int) -> Store:
        """The same store, naming partition `partition` (its own tables, keys and lease)."""
        return replace(self, partition=partition)

    def clear(self) -> None:
        """Empty the store (the replay runner starts every scenario on an empty store)."""
        if self.kind == "sqlite" and self.path is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                candidate = Path(str(self.path) + suffix)
                if candidate.exists():
                    candidate.unlink()
        elif self.kind == "postgres":
            _drop_postgres_tables(self.env)


def parse_store_url(url: str, create_folder: bool = True) -> Store:
    """The store `url` names. A SQLite store's folder is created unless `create_folder` is
    false (a command that only reads must not create folders)."""
    if url in ("memory:", "memory://", "memory"):
        return Store(url, "memory", {"PERSISTENCE_MODULE": "eventsourcing.popo"})
    parsed = urlparse(url)
    if "partitions" in parse_qs(parsed.query) and parsed.scheme not in ("postgresql", "postgres"):
        raise StoreURLError(f"invalid store '{url}': only a PostgreSQL store has partitions "
                            "(memory and SQLite stores are one partition)")
    if parsed.scheme == "sqlite":
        return _sqlite_store(url, create_folder)
    if parsed.scheme in ("postgresql", "postgres"):
        return _postgres_store(url, parsed)
    raise StoreURLError(
        f"unknown store '{url}': use memory:, sqlite:///relative.db, sqlite:////absolute.db "
        "or postgresql://USER@HOST:PORT/DB"
    )


def _sqlite_store(url: str, create_folder: bool) -> Store:
    if not url.startswith("sqlite:///") or len(url) <= len("sqlite:///"):
        raise StoreURLError(f"invalid SQLite store '{url}': expected sqlite:///path/to/file.db")
    raw = url[len("sqlite:///"):]
    path = Path(raw) if raw.startswith("/") else Path.cwd() / raw
    try:
        if path.is_dir():
            raise StoreURLError(f"invalid SQLite store '{url}': '{path}' is a folder")
        path.exists()
    except OSError as error:  # a folder on the way this user may not enter
        raise StoreURLError(f"invalid SQLite store '{url}': cannot reach '{path}': "
                            f"{error.strerror or error}") from None
    if not create_folder:
        if path.parent.exists() and not path.parent.is_dir():
            raise StoreURLError(f"invalid SQLite store '{url}': '{path.parent}' is not a folder")
        return _sqlite_env(url, path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreURLError(
            f"invalid SQLite store '{url}': cannot create the folder '{path.parent}': "
            f"{error.strerror or error}"
        ) from None
    return _sqlite_env(url, path)


def _sqlite_env(url: str, path: Path) -> Store:
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(path),
        "SQLITE_LOCK_TIMEOUT": "10",
    }
    read_only = path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
    if read_only:
        # SQLite cannot open a WAL database read-only where it may not create the `-shm`
        # file; `immutable` reads the file as it stands (nobody may write it from here)
        env["SQLITE_DBNAME"] = f"file:{quote(str(path))}?immutable=1"
        env["CREATE_TABLE"] = "false"
    return Store(url, "sqlite", env, path, read_only)


def _postgres_store(url: str, parsed) -> Store:  # type: ignore[no-untyped-def]
    try:
        import eventsourcing.postgres  # noqa: F401 - psycopg and its pool, from the extra
    except ImportError as error:
        raise StoreURLError(
            f"the PostgreSQL store '{url}' needs the 'postgres' extra, which is not installed "
            f"({error}): pip install 'engine-sim[postgres]'"
        ) from None
    dbname = parsed.path.lstrip("/")
    if not parsed.hostname or not dbname:
        raise StoreURLError(f"invalid PostgreSQL store '{url}': expected postgresql://USER@HOST:PORT/DB")
    try:
        port = parsed.port or 5432
    except ValueError:  # urllib: a port that is not a number in 0-65535
        raise StoreURLError(f"invalid PostgreSQL store '{url}': the port is not a number") from None
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": parsed.hostname,
        "POSTGRES_PORT": str(port),
        "POSTGRES_USER": parsed.username or os.environ.get("USER", "postgres"),
        "POSTGRES_PASSWORD": parsed.password or "",
        "POSTGRES_CONNECT_TIMEOUT": "5",
        # the library's recorder, writing in a plain transaction (postgres_recorder.py)
        "APPLICATION_RECORDER_TOPIC": "engine_sim.persistence.postgres_recorder:PostgresRecorder",
        # one engine is one thread: a pool of five idle connections per engine only used up
        # the server's connections (a partitioned store opens one engine per partition)
        "POSTGRES_POOL_SIZE": "1",
        "POSTGRES_MAX_OVERFLOW": "4",
    }
    return Store(url, "postgres", env, partitions=_partitions(url, parsed.query))


def _partitions(url: str, query: str) -> int | None:
    """The partition count `?partitions=N` asks for (None: whatever the store has)."""
    try:
        options = parse_qs(query, strict_parsing=bool(query))
    except ValueError:
        raise StoreURLError(f"invalid PostgreSQL store '{url}': cannot read its options "
                            f"'{query}'") from None
    unknown = sorted(set(options) - {"partitions"})
    if unknown:
        raise StoreURLError(f"invalid PostgreSQL store '{url}': unknown option '{unknown[0]}' "
                            "(the only option is partitions=N)")
    if "partitions" not in options:
        return None
    value = options["partitions"][-1]
    if not value.isdigit() or not 1 <= int(value) <= MAX_PARTITIONS:
        raise StoreURLError(f"invalid PostgreSQL store '{url}': partitions must be a whole "
                            f"number from 1 to {MAX_PARTITIONS}, not '{value}'")
    return int(value)


def _drop_postgres_tables(env: dict[str, str]) -> None:
    import psycopg

    with psycopg.connect(
        dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
        user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"] or None, autocommit=True,
        connect_timeout=5,
    ) as connection:
        rows = connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND (tablename LIKE 'engineapplication%' OR tablename LIKE 'engine_sim_%')"
        ).fetchall()
        for (table,) in rows:
            connection.execute(f'DROP TABLE IF EXISTS "{table}"')



def check_postgres(store: Store) -> None:
    """Connect once to a PostgreSQL store, so that an unusable server is reported with its
    cause (refused, timeout, authentication, missing database) within the connect timeout,
    rather than as the connection pool's "couldn't get a connection"."""
    connect(store).close()


@contextmanager
def schema_lock(store: Store) -> Iterator[None]:
    """Serialise opening the store across processes: on PostgreSQL, two processes creating
    the library's tables at once (CREATE TABLE IF NOT EXISTS) can fail with "tuple
    concurrently updated". The same advisory lock guards the projections' tables."""
    if store.kind != "postgres":
        yield
        return
    connection = connect(store)
    try:
        connection.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
        yield
    finally:
        connection.close()  # ends the session: the lock goes with it


def connect(store: Store) -> Any:
    """An autocommit psycopg connection to a PostgreSQL store, or one line saying why not."""
    import psycopg

    env = store.env
    timeout = int(env.get("POSTGRES_CONNECT_TIMEOUT", "5"))
    where = f"{env['POSTGRES_HOST']}:{env['POSTGRES_PORT']}"
    try:
        return psycopg.connect(
            dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"] or None,
            connect_timeout=timeout, autocommit=True,
        )
    except psycopg.Error as error:
        raise StoreURLError(f"cannot open '{store.url}': {_cause(error, where, timeout, env)}") from None


def _cause(error: Exception, where: str, timeout: int, env: dict[str, str]) -> str:
    text = " ".join(str(error).split())
    lowered = text.lower()
    detail = text.rsplit("failed: ", 1)[-1]
    if "timeout" in lowered:
        return f"timeout: the server at {where} did not answer within {timeout} s"
    if "connection refused" in lowered:
        return f"connection refused: no server is listening at {where}"
    if f'database "{env["POSTGRES_DBNAME"]}" does not exist' in text:
        return f"missing database: the server at {where} has no database '{env['POSTGRES_DBNAME']}'"
    if any(word in lowered for word in ("authentication", "password", "role", "pg_hba")):
        return f"authentication failed for user '{env['POSTGRES_USER']}': {detail}"
    return detail

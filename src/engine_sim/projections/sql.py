"""The durable projections' database: tables of their own next to the store's events.

On SQLite and PostgreSQL the list view and the operations view keep their rows in tables
prefixed `engine_sim_` in the store's own database, and their position in the notification
log in `engine_sim_tracking`. A projection writes a folded page's rows and its new position
in one transaction (the library's `ProjectionRunner` commits once per event, which is an
order of magnitude slower; see notes-eventsourcing.md), so a crash between two pages loses
nothing and folds nothing twice: the position says exactly what the rows contain.

On a partitioned PostgreSQL store every partition's log feeds the same tables; each
partition's position is a tracking row of its own (`list_view` for partition 1,
`list_view@2`, ... for the others), so a partition's view catches up alone.

SQL is written once with `?` placeholders; for PostgreSQL they become `%s`. Keys are 64-bit
(`BIGINT` on both: SQLite gives it INTEGER affinity).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from engine_sim.persistence import Store

TRACKING = """CREATE TABLE IF NOT EXISTS engine_sim_tracking (
    name TEXT PRIMARY KEY,
    position BIGINT NOT NULL
)"""
# a random constant: serialises the projections' DDL across processes on PostgreSQL, where
# concurrent CREATE TABLE IF NOT EXISTS can fail ("tuple concurrently updated")
_DDL_LOCK = 0x656E67696E65


class ProjectionDatabase:
    """One connection to the store's database, for the durable projections."""

    def __init__(self, store: Store) -> None:
        if store.kind not in ("sqlite", "postgres"):
            raise ValueError(f"store '{store.url}' has no database for durable projections")
        self.kind = store.kind
        self.partition = store.partition  # whose log the projections on it fold
        self._in_transaction = False
        if store.kind == "sqlite":
            assert store.path is not None
            # autocommit: transactions are opened explicitly (BEGIN IMMEDIATE takes the write
            # lock at once, so a page's read of the position and its writes are serialised)
            self._connection: Any = sqlite3.connect(store.path, timeout=30, isolation_level=None)
            self._connection.execute("PRAGMA busy_timeout = 30000")
        else:
            import psycopg

            env = store.env
            self._connection = psycopg.connect(
                dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"],
                port=env["POSTGRES_PORT"], user=env["POSTGRES_USER"],
                password=env["POSTGRES_PASSWORD"] or None, autocommit=True,
                connect_timeout=int(env.get("POSTGRES_CONNECT_TIMEOUT", "5")),
            )
        self.create_tables([TRACKING])

    # -- statements ----------------------------------------------------------------------
    def _sql(self, statement: str) -> str:
        return statement if self.kind == "sqlite" else statement.replace("?", "%s")

    def execute(self, statement: str, params: Sequence[Any] = ()) -> None:
        self._connection.execute(self._sql(statement), params)

    def executemany(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        if self.kind == "sqlite":
            self._connection.executemany(statement, rows)
        else:
            with self._connection.cursor() as cursor:
                cursor.executemany(self._sql(statement), rows)

    def query(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._connection.execute(self._sql(statement), params).fetchall())

    def query_in(self, statement: str, values: Sequence[Any], chunk: int = 500) -> list[tuple[Any, ...]]:
        """`statement` has one `IN ({})` slot; run it over `values` in chunks."""
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(values), chunk):
            part = values[start:start + chunk]
            found.extend(self.query(statement.format(", ".join("?" * len(part))), part))
        return found

    # -- schema and transactions ---------------------------------------------------------
    def create_tables(self, statements: Sequence[str]) -> None:
        with self.transaction():
            if self.kind == "postgres":
                self.execute("SELECT pg_advisory_xact_lock(?)", (_DDL_LOCK,))
            for statement in statements:
                self.execute(statement)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One transaction; nested use joins the outer one."""
        if self._in_transaction:
            yield
            return
        self._in_transaction = True
        try:
            if self.kind == "sqlite":
                self._connection.execute("BEGIN IMMEDIATE")
                try:
                    yield
                except BaseException:
                    self._connection.execute("ROLLBACK")
                    raise
                self._connection.execute("COMMIT")
            else:
                with self._connection.transaction():
                    yield
        finally:
            self._in_transaction = False

    # -- tracking ------------------------------------------------------------------------
    def tracking_name(self, projection: str) -> str:
        """The tracking row of `projection` fed from this database's partition."""
        return projection if self.partition == 1 else f"{projection}@{self.partition}"

    def position(self, name: str) -> int:
        """The projection's position; inside a transaction it is locked until the commit."""
        lock = " FOR UPDATE" if self.kind == "postgres" and self._in_transaction else ""
        rows = self.query(f"SELECT position FROM engine_sim_tracking WHERE name = ?{lock}", (name,))
        return int(rows[0][0]) if rows else 0

    def track(self, name: str) -> int:
        """Make sure the projection has a tracking row (so that `position` can lock it);
        return its position."""
        self.execute(
            "INSERT INTO engine_sim_tracking (name, position) VALUES (?, 0) "
            "ON CONFLICT (name) DO NOTHING",
            (name,),
        )
        return self.position(name)

    def set_position(self, name: str, position: int) -> None:
        self.execute(
            "INSERT INTO engine_sim_tracking (name, position) VALUES (?, ?) "
            "ON CONFLICT (name) DO UPDATE SET position = excluded.position",
            (name, position),
        )

    def close(self) -> None:
        self._connection.close()


class SqlProjection:
    """A durable projection: each page is folded in one transaction that also moves its
    position, so a page is folded once, whoever folds it. Subclasses say which records they
    fold (`folds`) and how (`_fold`), and name their tracking row (`NAME`)."""

    NAME: str
    SCHEMA: Sequence[str]

    def __init__(self, db: ProjectionDatabase) -> None:
        self.db = db
        self.tracking = db.tracking_name(self.NAME)
        db.create_tables(self.SCHEMA)
        self.position = db.track(self.tracking)

    def folds(self, record: dict[str, Any]) -> bool:
        raise NotImplementedError

    def _fold(self, records: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    def fold_page(self, page: Sequence[tuple[int, dict[str, Any]]], last_id: int) -> None:
        db = self.db
        with db.transaction():
            stored = db.position(self.tracking)
            records = [r for nid, r in page if nid > stored and self.folds(r)]
            if records:
                self._fold(records)
            if last_id > stored:
                db.set_position(self.tracking, last_id)
        self.position = max(stored, last_id)

"""One writer per store: the writer lease, as a Zeebe partition has one leader.

The engine keeps its key and position counters (and its instances) in memory, so two
processes writing to one store would hand out the same keys and positions. A writer
therefore takes the store's lease before its first command and holds it until it closes;
readers (listing instances, operations, an instance's history) never need it.

- SQLite: an exclusive `flock` on the file `<database>.lock` beside the database. The kernel
  drops it when the holder exits, even on `kill -9`, so a lease is never stale.
- PostgreSQL: a session-level advisory lock (`pg_try_advisory_lock`) held by a connection of
  its own for the writer's life; the server drops it when that connection ends. A
  partitioned store has one lease per partition (one writer each, as one leader each).
- memory: one process, one engine: nothing to share.

The holder writes who it is (process id, host, command, since when) next to the lock, so a
second writer can say who holds the store: it waits up to `wait` seconds (calling `on_wait`
once with that description), then raises `StoreBusy`.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from engine_sim.persistence.stores import Store

DEFAULT_WAIT = 10.0  # seconds a second writer waits for the lease by default
POLL = 0.1
# the PostgreSQL advisory lock key of the writer lease (ASCII "esWRTR"), one per database;
# partition N of a partitioned store uses ADVISORY_KEY + N - 1
ADVISORY_KEY = 0x6573575254520000
MAX_COMMAND = 200  # characters of the holder's command line kept in its description


class StoreBusy(Exception):
    """Another process holds the store's writer lease (and did not release it in time)."""


class StoreReadOnly(Exception):
    """The store cannot be written (a read-only file or folder, a read-only server)."""


def holder_description(worker: bool = False) -> str:
    """Who this process is, as a second writer will read it; a partition's worker says so
    (clients send it their commands instead of waiting for its lease)."""
    command = shlex.join(sys.argv)
    if len(command) > MAX_COMMAND:
        command = command[: MAX_COMMAND - 3] + "..."
    since = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "command": command,
                       "since": since, **({"worker": True} if worker else {})})


def describe(holder: str | None) -> str:
    """'pid 12 on host h (engine-sim create p), since T' from a stored description."""
    try:
        info = json.loads(holder or "")
        return (f"pid {info['pid']} on host {info['host']} ({info['command']}), "
                f"since {info['since']}")
    except (ValueError, KeyError, TypeError):
        return "a process that has not said who it is yet"


class WriterLease:
    """The lease protocol: `acquire` (waiting up to `wait` seconds), `release`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.wait = DEFAULT_WAIT
        self.on_wait: Callable[[str], None] | None = None
        self.held = False
        self.worker = False  # a partition's worker holds it (`holder_description`)

    def acquire(self) -> bool:
        """Take the lease; True when it was taken now, False when it was held already."""
        if self.held:
            return False
        deadline = time.monotonic() + max(self.wait, 0.0)
        told = False
        while not self._try_acquire():
            holder = describe(self._holder())
            if time.monotonic() >= deadline:
                raise self.busy(self.wait, holder)
            if not told and self.on_wait is not None:
                self.on_wait(holder)
                told = True
            time.sleep(POLL)
        self.held = True
        return True

    def busy(self, waited: float, holder: str | None = None) -> StoreBusy:
        """The error of a writer that waited `waited` seconds for the lease in vain."""
        holder = holder or describe(self._holder())
        after = f"after waiting {waited:g} s" if waited > 0 else "(no --wait)"
        return StoreBusy(f"the store '{self.store.url}'{self._which()} is in use by another "
                         f"writer, {holder}: giving up {after}")

    def held_by_worker(self) -> bool:
        """Whether the lease's current holder said it is a partition's worker."""
        try:
            return json.loads(self._holder() or "").get("worker") is True
        except (ValueError, AttributeError):
            return False

    def release(self) -> None:
        """Give the lease back (and drop what waiting for it opened)."""
        self.held = False
        self._release()

    def _which(self) -> str:
        partition = self.store.partition
        return f" (partition {partition})" if partition > 1 or self.store.partitions else ""

    # -- per store kind ------------------------------------------------------------------
    def _try_acquire(self) -> bool:
        return True

    def _holder(self) -> str | None:
        return None

    def _release(self) -> None:
        pass


class FileLease(WriterLease):
    """SQLite: `flock` on `<database>.lock`, with the holder's description as its content."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        assert store.path is not None
        self.database = store.path
        self.path = Path(str(store.path) + ".lock")
        self._fd: int | None = None

    def _try_acquire(self) -> bool:
        import fcntl

        if self.store.read_only:
            raise StoreReadOnly(f"the store '{self.store.url}' is read-only: '{self.database}' "
                                "or its folder may not be written (commands that only read work)")
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreReadOnly(f"the store '{self.store.url}' cannot be written: cannot create "
                                f"its lock file '{self.path}': {error.strerror or error}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder_description(self.worker).encode(), 0)
        self._fd = fd
        return True

    def _holder(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None

    def _release(self) -> None:
        import fcntl

        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class AdvisoryLease(WriterLease):
    """PostgreSQL: a session advisory lock on a connection of its own; the holder's
    description in the table `engine_sim_writer`."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self._connection: Any = None

    def _connect(self) -> Any:
        if self._connection is None:
            import psycopg

            env = self.store.env
            self._connection = psycopg.connect(
                dbname=env["POSTGRES_DBNAME"], host=env["POSTGRES_HOST"], port=env["POSTGRES_PORT"],
                user=env["POSTGRES_USER"], password=env["POSTGRES_PASSWORD"] or None,
                autocommit=True, connect_timeout=int(env.get("POSTGRES_CONNECT_TIMEOUT", "5")),
                application_name="engine-sim writer lease",
            )
        return self._connection

    def _try_acquire(self) -> bool:
        connection = self._connect()
        partition = self.store.partition
        [(taken,)] = connection.execute("SELECT pg_try_advisory_lock(%s)",
                                        (ADVISORY_KEY + partition - 1,))
        if not taken:
            return False
        with connection.transaction():  # two partitions' holders may both create the table
            connection.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_KEY - 1,))
            connection.execute("CREATE TABLE IF NOT EXISTS engine_sim_writer "
                               "(id INTEGER PRIMARY KEY, holder TEXT NOT NULL)")
        connection.execute("INSERT INTO engine_sim_writer (id, holder) VALUES (%s, %s) "
                           "ON CONFLICT (id) DO UPDATE SET holder = excluded.holder",
                           (partition, holder_description(self.worker)))
        return True

    def _holder(self) -> str | None:
        import psycopg

        try:
            rows = self._connect().execute("SELECT holder FROM engine_sim_writer WHERE id = %s",
                                           (self.store.partition,))
            found = rows.fetchall()
        except psycopg.Error:  # no table yet: the holder is about to write it
            return None
        return str(found[0][0]) if found else None

    def _release(self) -> None:
        if self._connection is not None:
            self._connection.close()  # ends the session: the server drops the lock
            self._connection = None


def writer_lease(store: Store) -> WriterLease:
    """The lease that guards `store`'s writes (nothing to guard in memory)."""
    if store.kind == "sqlite":
        return FileLease(store)
    if store.kind == "postgres":
        return AdvisoryLease(store)
    return WriterLease(store)

"""The command table of one partition: how a client hands work to that partition's worker.

A client inserts a request (`submit`) into `engine_sim_commands_<N>` and polls for its
outcome (`wait`); the partition's worker, the one process holding the partition's writer
lease, takes pending requests in id order (`pending`), runs them and writes each outcome
back (`answer`). Requests and outcomes are MessagePack (msgspec): a request is a kind
(`command`, `migrate`, `migrate_instance`, `advance_clock`) and its arguments; a command is
named by its class and decoded into that class, so nothing but data crosses the table.

Nobody waits for a fixed poll: a request is announced with `NOTIFY engine_sim_commands_<N>`,
which wakes the idle worker LISTENing on it, and an outcome with `NOTIFY
engine_sim_outcomes_<N>` (its request id as payload), which wakes the client waiting for it;
the table stays the truth (a look at it comes first, and a wait ends after at most its
timeout anyway), so a notification lost with a connection costs time, never a request.
The outcome is written after the command's
events, so before running a request the worker notes where the partition's log stands
(`start`): a worker that dies before answering leaves the request pending, and the next
worker of the partition answers it from the records written after that point when there are
any (the request ran), or runs it (it did not): each request runs once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import msgspec

from engine_sim.persistence.stores import Store, connect
from engine_sim.projections import ListFilter

POLL = 0.02  # seconds between a waiting worker's looks at its outcome (it answers its own)
LOOK_AGAIN = 1.0  # a client's longest wait for a notification before it looks again
# serialises creating the command tables ("esCMDS"): concurrent CREATE TABLE IF NOT EXISTS
# can fail on PostgreSQL ("tuple concurrently updated")
DDL_LOCK = 0x6573434D4453
_encode = msgspec.msgpack.Encoder(enc_hook=repr).encode  # results that are objects: their repr
_decode = msgspec.msgpack.Decoder().decode


class WorkerTimeout(Exception):
    """No outcome within the client's timeout (no worker running for the partition?). The
    request stays in the table: the partition's worker runs it when it goes on."""


class WorkerFailed(RuntimeError):
    """The worker answered with an error: running the request raised (the engine rolled the
    command back)."""


class CommandQueue:
    def __init__(self, store: Store, partition: int) -> None:
        self.store = store
        self.partition = partition
        self.table = f"engine_sim_commands_{partition}"
        self.outcomes = f"engine_sim_outcomes_{partition}"  # the channel answers are told on
        self._connection: Any = None
        self._listening: set[str] = set()

    @property
    def connection(self) -> Any:
        if self._connection is None:
            self._connection = connection = connect(self.store)
            with connection.transaction():  # a client and the worker may both create it
                connection.execute("SELECT pg_advisory_xact_lock(%s)", (DDL_LOCK,))
                connection.execute(
                    f"CREATE TABLE IF NOT EXISTS {self.table} (id BIGSERIAL PRIMARY KEY, "
                    "request BYTEA NOT NULL, started_at BIGINT, outcome BYTEA)")
        return self._connection

    def listen(self, channel: str) -> None:
        """Be woken by `NOTIFY channel` (`sleep`)."""
        if channel not in self._listening:
            self.connection.execute(f"LISTEN {channel}")
            self._listening.add(channel)

    def sleep(self, seconds: float, payload: str | None = None) -> None:
        """Until a notification (with `payload`, if given) on a channel this queue listens
        to, or `seconds` pass. psycopg keeps those told while the connection ran a query."""
        for notification in self.connection.notifies(timeout=seconds):
            if payload is None or notification.payload == payload:
                return

    # -- the client's side ---------------------------------------------------------------
    def submit(self, kind: str, **args: Any) -> int:
        self.listen(self.outcomes)  # before the worker can answer
        with self.connection.transaction():  # one commit: the row and its announcement
            [(request_id,)] = self.connection.execute(
                f"INSERT INTO {self.table} (request) VALUES (%s) RETURNING id",
                (_encode({"kind": kind, "args": args}),)).fetchall()
            self.connection.execute(f"NOTIFY {self.table}")
        return int(request_id)

    def wait(self, request_id: int, timeout: float,
             idle: Callable[[], object] | None = None) -> dict[str, Any]:
        """The request's outcome; `idle` runs between looks (a worker waiting on another
        answers its own table meanwhile, so two workers waiting on each other both go on)."""
        deadline = time.monotonic() + timeout
        while True:
            rows = self.connection.execute(
                f"SELECT outcome FROM {self.table} WHERE id = %s AND outcome IS NOT NULL",
                (request_id,)).fetchall()
            if rows:
                answer: dict[str, Any] = _decode(rows[0][0])
                return answer
            if time.monotonic() >= deadline:
                raise WorkerTimeout(f"partition {self.partition}: no outcome of request "
                                    f"{request_id} within {timeout:g} s (is its worker running?); "
                                    "it stays queued for the partition's worker")
            if idle is None:
                self.sleep(min(LOOK_AGAIN, deadline - time.monotonic()), str(request_id))
            elif not idle():
                time.sleep(POLL)

    def call(self, kind: str, timeout: float, idle: Callable[[], object] | None = None,
             **args: Any) -> dict[str, Any]:
        return self.wait(self.submit(kind, **args), timeout, idle)

    # -- the worker's side ---------------------------------------------------------------
    def pending(self, limit: int = 100) -> list[tuple[int, dict[str, Any], int | None]]:
        """Unanswered requests in id order: (id, request, where the partition's log stood
        when a worker started it, or None when none has)."""
        rows = self.connection.execute(
            f"SELECT id, request, started_at FROM {self.table} WHERE outcome IS NULL "
            "ORDER BY id LIMIT %s", (limit,)).fetchall()
        return [(int(request_id), _decode(request), started_at)
                for request_id, request, started_at in rows]

    def start(self, request_id: int, log_position: int) -> None:
        """Note where the partition's log stands as the worker starts the request."""
        self.connection.execute(f"UPDATE {self.table} SET started_at = %s WHERE id = %s",
                                (log_position, request_id))

    def answer(self, request_id: int, outcome: dict[str, Any]) -> None:
        with self.connection.transaction():
            self.connection.execute(f"UPDATE {self.table} SET outcome = %s WHERE id = %s",
                                    (_encode(outcome), request_id))
            self.connection.execute(f"NOTIFY {self.outcomes}, '{request_id}'")

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
            self._listening.clear()


def encode_command(command: Any) -> dict[str, Any]:
    """A command as the table carries it: its class name and fields."""
    return {"type": type(command).__name__, "fields": msgspec.to_builtins(command)}


def decode_command(types: dict[str, type], encoded: dict[str, Any]) -> Any:
    """The command back, from the worker's table of command types by class name."""
    command_type = types.get(encoded["type"])
    if command_type is None:
        raise ValueError(f"unknown command type '{encoded['type']}'")
    return msgspec.convert(encoded["fields"], command_type)


def encode_filter(selected_by: ListFilter | None) -> dict[str, Any] | None:
    """A batch's list-view filter as the table carries it (its fields)."""
    return None if selected_by is None else msgspec.to_builtins(selected_by)


def decode_filter(encoded: dict[str, Any] | None) -> ListFilter | None:
    return None if encoded is None else msgspec.convert(encoded, ListFilter)

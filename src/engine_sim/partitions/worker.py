"""One partition's worker: its single writer, serving the partition's command table.

`Worker(store, N)` takes partition N's writer lease (waiting for a previous worker, as a
follower waits to become leader) and then, step by step, runs the requests clients put in
the partition's command table, writing each outcome back, and one chunk of a batch
operation of its partition that still has items pending; every `retry_interval` seconds it
sends again what its partition sent to others and was not answered about (`Cluster.retry`,
Zeebe's pending subscription checkers). A worker that dies leaves its
unanswered requests and its batch operations' pending items to the next worker of the
partition: the items a chunk migrated were written with the chunk's events, so none is
migrated twice or lost.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine_sim.app import EngineApp
from engine_sim.engine import Outcome, partition_of
from engine_sim.engine.clock_control import advance_by
from engine_sim.engine.commands import CreateProcessInstance
from engine_sim.engine.engine import DEFAULT_START
from engine_sim.partitions.cluster import DEFAULT_TIMEOUT, Cluster
from engine_sim.partitions.messages import RETRY_INTERVAL, crosses
from engine_sim.partitions.queue import CommandQueue, WorkerTimeout, decode_command, decode_filter
from engine_sim.persistence import Store
from engine_sim.persistence.partitions import partition_count
from engine_sim.persistence.stores import StoreURLError, schema_lock
from engine_sim.records import Intent, RecordType, ValueType
from engine_sim.timeutil import parse_duration
from migration.operate import CHUNK_SIZE, Selection

POLL = 1.0  # an idle worker's longest wait for a request's NOTIFY before it looks again


class Worker:
    def __init__(self, store: Store, partition: int, *, wait: float = 10.0,
                 chunk_size: int = CHUNK_SIZE, timeout: float = DEFAULT_TIMEOUT,
                 start_time: datetime = DEFAULT_START,
                 on_wait: Callable[[str], None] | None = None,
                 retry_interval: float = RETRY_INTERVAL) -> None:
        count = partition_count(store)
        if not 1 <= partition <= count:
            raise StoreURLError(f"the store '{store.url}' has {count} partition(s): there is "
                                f"no partition {partition}")
        self.store, self.partition = store, partition
        self.chunk_size, self.timeout = chunk_size, timeout
        self._cluster: Cluster | None = None  # opened by the first chunk or resend that crosses
        self.retry_interval = retry_interval
        self._resent_at = -retry_interval  # the first step resends what a previous worker left
        self.asleep = False  # waiting for a request in `run`
        with schema_lock(store):
            self.app = EngineApp(store.of_partition(partition), start_time=start_time)
        lease = self.app.engine.writer_lease
        lease.wait, lease.on_wait, lease.worker = wait, on_wait, True
        self.app.engine.take_writer_lease()  # reloads what a previous worker wrote
        self.queue = CommandQueue(store, partition)
        self.command_types = {t.__name__: t for t in self.app.engine.processors}

    def step(self) -> int:
        """Answer the pending requests, then run one chunk of a pending batch operation of
        this partition; how many things were done (0: idle)."""
        done = self.resend() + self.answer_requests()
        operate = self.app.operate
        for key in operate.pending_operations():
            if partition_of(key) != self.partition:
                continue
            outcome = operate.run_chunk(key, self.chunk_size)
            if outcome is not None:
                self.forward(outcome)
                return done + 1
        return done

    def answer_requests(self) -> int:
        """Run and answer the pending requests of the command table; how many."""
        done = 0
        recorder = self.app.engine.app.recorder
        for request_id, request, started_at in self.queue.pending():
            last = recorder.max_notification_id() or 0
            if started_at is not None and last > started_at:
                answer = self.recovered(started_at)  # a previous worker ran it, then died
            else:
                self.queue.start(request_id, last)
                answer = self.handle(request)
            self.queue.answer(request_id, answer)
            done += 1
        return done

    def forward(self, outcome: Outcome) -> None:
        """What a chunk run here sends to other partitions (subscriptions it migrated or
        closed), as a `Cluster` sends a command's: to their workers, answering this
        partition's own requests while it waits. A partition no worker runs keeps the
        request in its table for its next worker (`WorkerTimeout`, after `timeout`)."""
        if not any(crosses(r) for r in outcome.records):
            return
        try:
            self.cluster().followed(self.partition, outcome)
        except WorkerTimeout as error:
            print(f"engine-sim worker: {error}", file=sys.stderr)

    def resend(self) -> int:
        """Once per `retry_interval`: what this partition sent to other partitions and was
        not answered about, sent again (`Cluster.retry`); how many commands that was."""
        now = time.monotonic()
        if now - self._resent_at < self.retry_interval:
            return 0
        self._resent_at = now
        if not self.app.engine.event_index.unacknowledged():
            return 0
        return len(self.cluster().retry(self.retry_interval))

    def cluster(self) -> Cluster:
        """A `Cluster` that runs only this partition and sends the rest to the other
        partitions' workers, answering this partition's own requests while it waits."""
        if self._cluster is None:
            self._cluster = Cluster(self.store, in_process=False, timeout=self.timeout,
                                    running={self.partition: self.app},
                                    idle=self.answer_requests)
        return self._cluster

    def run(self, stop: Callable[[], bool] = lambda: False, poll: float = POLL) -> None:
        self.queue.listen(self.queue.table)  # before its first look: no request is missed
        while not stop():
            if not self.step():
                self.asleep = True  # nothing half-done: a signal may end the wait
                try:
                    if not stop():  # a signal during the step, before `asleep`, is seen here
                        self.queue.sleep(poll)
                finally:
                    self.asleep = False

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        kind, args = request["kind"], request["args"]
        engine = self.app.engine
        try:
            if kind == "command":
                return _answer(engine.execute(decode_command(self.command_types, args["command"])))
            if kind == "create":  # a share of `create --count`, in group commits
                return self._create(args["process"], args["version"], args["variables"],
                                    args["count"])
            if kind == "advance_clock":
                outcomes = advance_by(engine, parse_duration(args["duration"]),
                                      args.get("pin", False))
                return {"outcomes": [_answer(o) for o in outcomes]}
            pairs = tuple((source, target) for source, target in args.get("pairs", ()))
            if kind == "migrate_instance":
                return _answer(self.app.operate.migrate_instance(
                    args["key"], args["process"], args["version"], pairs, args["auto_map"]))
            if kind == "revert":  # its items run chunk by chunk in `step`
                outcome, key = self.app.operate.revert(args["key"], run=False)
                return {**_answer(outcome), "key": key}
            if kind == "migrate":  # the items run chunk by chunk in `step`
                outcome, key = self.app.operate.migrate(
                    Selection(keys=tuple(args["keys"]), filter=decode_filter(args.get("filter"))),
                    args["process"], args["version"],
                    pairs, args["auto_map"], run=False)
                return {**_answer(outcome), "key": key}
        except Exception as error:  # the engine rolled the command back: tell the client
            return {"error": f"{type(error).__name__}: {error}"}
        return {"error": f"unknown request kind '{kind}'"}

    def recovered(self, started_at: int) -> dict[str, Any]:
        """The answer to a request a previous worker ran but did not answer: the records
        written since it started (the worker is the partition's only writer), shaped for
        every request kind (records, rejection, created keys, batch operation key)."""
        app = self.app.engine.app
        records: list[dict[str, Any]] = []
        while notifications := app.recorder.select_notifications(
                start=started_at, limit=500, inclusive_of_start=False):
            for notification in notifications:
                records.extend(getattr(app.mapper.to_domain_event(notification), "records", ()))
            started_at = notifications[-1].id
        rejection = next((r for r in records if r["recordType"] == RecordType.COMMAND_REJECTION),
                         None)
        created = [r["key"] for r in records if r["intent"] == Intent.CREATED
                   and r["valueType"] == ValueType.PROCESS_INSTANCE_CREATION]
        batch = next((r["key"] for r in records if r["intent"] == Intent.CREATED
                      and r["valueType"] == ValueType.BATCH_OPERATION), None)
        outcome = {"records": records, "rejection": rejection, "result": None}
        return {**outcome, "keys": created, "key": batch, "outcomes": [outcome]}

    def _create(self, process_id: str, version: int | None, variables: dict[str, Any],
                count: int) -> dict[str, Any]:
        engine = self.app.engine
        keys: list[int] = []
        crossing: list[dict[str, Any]] = []  # what the client sends on to other partitions
        rejection = None
        with engine.group_commit():
            for _ in range(count):
                outcome = engine.execute(CreateProcessInstance(process_id, version, variables))
                if outcome.rejection is not None:
                    rejection = outcome.rejection
                    break
                keys.append(outcome.result)
                crossing.extend(r for r in outcome.records if crosses(r))
        return {"keys": keys, "rejection": rejection, "records": crossing}

    def close(self) -> None:
        if self._cluster is not None:
            self._cluster.close()  # not this partition's app: it is closed below
        self.queue.close()
        self.app.close()


def _answer(outcome: Outcome) -> dict[str, Any]:
    return {"records": outcome.records, "rejection": outcome.rejection, "result": outcome.result}

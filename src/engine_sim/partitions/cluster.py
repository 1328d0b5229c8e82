"""A partitioned store seen from one process: route each command to its partition.

`Cluster` opens one `EngineApp` per partition (each its own tables, keys, lease and event
index) and sends every command where Zeebe's gateway would (`routing`). A partition is run
in this process when its writer lease is free (this process then holds it until it closes),
or handed to the partition's worker through its command table when a worker holds the lease
(`queue`, `worker`). Deployments go to partition 1 and are distributed to the others
(`DistributeDeployment`); a signal broadcast on one partition is distributed to the others;
a message is published on its correlation key's partition, where the message subscriptions
of every partition are registered, and its correlations are sent back (`messages`), each
command answered and sent again until it is (`retry`);
the list view and the operations view are folded from every partition's log into the same
tables. Each partition keeps its own clock.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from datetime import datetime
from typing import Any

from engine_sim.app import EngineApp
from engine_sim.engine import (
    Command,
    DeployResource,
    DistributeDeployment,
    Outcome,
    ProcessCatalog,
    commands,
    partition_of,
)
from engine_sim.engine.clock_control import advance_by
from engine_sim.engine.engine import DEFAULT_START
from engine_sim.engine.state import InstanceState
from engine_sim.partitions.messages import RETRY_INTERVAL, Resends, reply, sent_commands
from engine_sim.partitions.queue import (
    CommandQueue,
    WorkerFailed,
    WorkerTimeout,
    encode_command,
    encode_filter,
)
from engine_sim.partitions.routing import RoundRobin, message_partition
from engine_sim.persistence import Store, parse_store_url
from engine_sim.persistence.lease import StoreBusy
from engine_sim.persistence.partitions import partition_count
from engine_sim.persistence.stores import schema_lock
from engine_sim.projections import AnyListView, SqlProjection
from engine_sim.records import NO_KEY, Intent, Record, ValueType
from engine_sim.timeutil import Duration
from migration.operate import CHUNK_SIZE, Selection
from migration.views import OperationRow

DEFAULT_TIMEOUT = 60.0  # seconds a client waits for a worker's outcome
LEASE_POLL = 0.05  # seconds between tries of a lease another client holds
OPERATIONS_POLL = 0.05  # seconds between looks at operations the workers run (`wait_for`)


class Cluster:
    def __init__(self, store: Store | str, *, start_time: datetime = DEFAULT_START,
                 timeout: float = DEFAULT_TIMEOUT, in_process: bool = True,
                 running: dict[int, EngineApp] | None = None,
                 idle: Callable[[], object] | None = None, record_log: bool = False,
                 wait: float = 0.0) -> None:
        """`running`: partitions this process's worker runs already (their apps, not closed
        here); `idle`: what to do while waiting for another partition's worker (a worker
        answers its own requests); `wait`: how long to wait for a partition's lease that
        another client (not a worker) holds; `record_log`: each partition's app keeps its record log
        in memory (`EngineApp`, what `engine_sim.api.Engine.records` reads)."""
        self.store = parse_store_url(store) if isinstance(store, str) else store
        self.count = partition_count(self.store)
        self._running = running or {}
        with schema_lock(self.store):  # creating the partitions' tables: one process at a time
            self.apps = [self._running.get(n) or EngineApp(self.store.of_partition(n),
                                                           start_time=start_time,
                                                           record_log=record_log)
                         for n in range(1, self.count + 1)]
        self.timeout = timeout
        self.in_process = in_process  # False: a client only, every command goes to a worker
        self.wait = wait
        self.idle = idle
        self.next_partition = RoundRobin(self.count)
        self._queues: dict[int, CommandQueue] = {}
        self._resends = Resends()
        self._retried_at = -RETRY_INTERVAL

    def app(self, partition: int) -> EngineApp:
        return self.apps[partition - 1]

    def home(self, key: int) -> int:
        """The partition that made `key`; partition 1 for a key no partition of this store
        made, which refuses it there (NOT_FOUND) as a one-partition store would."""
        partition = partition_of(key)
        return partition if 1 <= partition <= self.count else 1

    @property
    def catalog(self) -> ProcessCatalog:
        """The deployed definitions (partition 1 deploys them all, then distributes them)."""
        engine = self.apps[0].engine
        engine.refresh()
        return engine.catalog

    @contextmanager
    def group_commit(self) -> Iterator[None]:
        """`Engine.group_commit` on every partition this process runs (`create --count`)."""
        with ExitStack() as stack:
            for partition in range(1, self.count + 1):
                if self.local(partition):
                    stack.enter_context(self.app(partition).engine.group_commit())
            yield

    # -- commands ------------------------------------------------------------------------
    def execute(self, command: Command) -> Outcome:
        """Run `command` on its partition (a signal: on partition 1, then distributed)."""
        if isinstance(command, DeployResource):
            return self.deploy(command.xml, command.resource_name)
        outcome = self.send(self.partition_for(command), command)
        self._retry_due()
        return outcome

    def partition_for(self, command: Command) -> int:
        if isinstance(command, commands.CreateProcessInstance):
            return self.next_partition()
        if isinstance(command, commands.PublishMessage):  # where it correlates and is buffered
            return message_partition(command.correlation_key, self.count)
        key = command.instance if command.instance is not None else command.key
        return self.home(key) if key != NO_KEY else 1

    def create_many(self, process_id: str, version: int | None, variables: dict[str, Any],
                    count: int) -> tuple[list[int], Outcome | None]:
        """`count` instances spread evenly over the partitions, each partition's share in one
        request (workers create theirs in parallel, in group commits): their keys, and the
        first rejection (a partition stops at its first)."""
        shares = [count // self.count + (1 if n < count % self.count else 0)
                  for n in range(self.count)]
        waiting: dict[int, int] = {}
        keys: list[int] = []
        rejection: Outcome | None = None
        for partition, share in enumerate(shares, start=1):
            if share and not self.local(partition):
                waiting[partition] = self._queue(partition).submit(
                    "create", process=process_id, version=version, variables=variables,
                    count=share)
        for partition, share in enumerate(shares, start=1):
            if not share or partition in waiting:
                continue
            engine = self.app(partition).engine
            with engine.group_commit():
                for _ in range(share):
                    outcome = engine.execute(commands.CreateProcessInstance(
                        process_id, version, variables))
                    if outcome.rejected:
                        rejection = rejection or outcome
                        break
                    keys.append(outcome.result)
                    self.followed(partition, outcome)
        for partition, request_id in waiting.items():
            answer = self._answer(partition, self._queue(partition).wait(
                request_id, self.timeout, self.idle))
            keys.extend(answer["keys"])
            self.followed(partition, Outcome(records=answer.get("records", [])))
            if answer["rejection"] is not None:
                rejection = rejection or _outcome({**answer, "records": [answer["rejection"]],
                                                   "result": None})
        return keys, rejection

    def deploy(self, xml: bytes, resource_name: str) -> Outcome:
        """Deploy on partition 1, then distribute the new definitions to the others."""
        outcome = self.send(1, DeployResource(xml, resource_name))
        if outcome.rejected:
            return outcome
        created = [r for r in outcome.records
                   if r["valueType"] == ValueType.PROCESS and r["intent"] == Intent.CREATED]
        deployment = next(r["key"] for r in outcome.records
                          if r["valueType"] == ValueType.DEPLOYMENT)
        processes = tuple((r["bpmnProcessId"], r["key"], r["version"]) for r in created)
        for partition in range(2, self.count + 1 if processes else 2):  # duplicates: nothing new
            distributed = self.send(partition, DistributeDeployment(
                deployment, xml, resource_name, processes))
            if distributed.rejected:  # the same XML was accepted on partition 1
                raise RuntimeError(f"partition {partition} refused a distributed deployment: "
                                   f"{distributed.rejection}")
        return outcome

    def send(self, partition: int, command: Command, *, distributed: bool = False) -> Outcome:
        """Run `command` on `partition`, then what it sends to other partitions."""
        if self.local(partition):
            outcome = self.app(partition).engine.execute(command)
        else:
            outcome = _outcome(self.request(partition, "command", command=encode_command(command)))
        return self.followed(partition, outcome, distributed)

    def followed(self, partition: int, outcome: Outcome, distributed: bool = False) -> Outcome:
        """`outcome` of `partition` and what it caused on the others, merged: its message
        subscriptions registered on (or correlations sent back from) their message's
        partition (`messages`), then its signal broadcasts distributed."""
        others = [outcome]
        if self.count > 1:
            for record, target, command in sent_commands(partition, outcome.records, self.count):
                others.extend(self._deliver(partition, record, target, command))
        others.extend(self._distribute_signals(partition, outcome, distributed))
        return merged(others) if len(others) > 1 else outcome

    def _deliver(self, partition: int, record: Record, target: int,
                 command: Command) -> list[Outcome]:
        """`command`, which `record` of `partition` sends, run on `target`; then its answer
        back to `partition` (`messages.reply`: acknowledged, confirmed or refused)."""
        self._resends.sent(partition, record, time.monotonic())
        sent = self.send(target, command)
        answer = reply(record, sent)
        return [sent] if answer is None else [sent, self.send(partition, answer)]

    def retry(self, interval: float = RETRY_INTERVAL) -> list[Outcome]:
        """Zeebe's pending subscription checkers, on every partition this process holds:
        what it sent to another partition and has not been answered about (`messages`),
        last sent `interval` seconds ago or more (or before this process first looked), is
        sent again. A partition whose worker does not answer within the interval (or fails),
        or that another client holds, is left for the next pass (a request stays in its
        table for its next worker)."""
        self._retried_at = time.monotonic()
        outcomes: list[Outcome] = []
        if self.count == 1:
            return outcomes
        timeout, self.timeout = self.timeout, min(self.timeout, max(interval, 1.0))
        try:
            for partition in range(1, self.count + 1):
                engine = self.app(partition).engine
                if not engine.writer_lease.held:
                    continue
                due = self._resends.due(partition, engine.event_index.unacknowledged(),
                                        interval, time.monotonic())
                unreachable: set[int] = set()
                for record, target, command in sent_commands(partition, due, self.count):
                    if target in unreachable:
                        continue
                    try:
                        outcomes.extend(self._deliver(partition, record, target, command))
                    except (WorkerTimeout, WorkerFailed, StoreBusy):  # no answer now
                        unreachable.add(target)
        finally:
            self.timeout = timeout
        return outcomes

    def _retry_due(self) -> None:
        """`retry` after a command, once per `RETRY_INTERVAL`, and at once for a partition
        this process took since the last pass (what a client that died left unsent)."""
        if self.count == 1:
            return
        held = [n for n, app in enumerate(self.apps, start=1) if app.engine.writer_lease.held]
        if time.monotonic() - self._retried_at >= RETRY_INTERVAL or \
                any(not self._resends.looked_at(n) for n in held):
            self.retry()

    def _distribute_signals(self, partition: int, outcome: Outcome,
                            distributed: bool = False) -> list[Outcome]:
        """Zeebe distributes a signal broadcast (a command's, or a signal throw or end
        event's) to every other partition: each SIGNAL BROADCASTED this outcome wrote is
        broadcast there too (a distributed broadcast's own record is not sent on again)."""
        broadcasts = [r for r in outcome.records if r["valueType"] == ValueType.SIGNAL
                      and r["intent"] == Intent.BROADCASTED][1 if distributed else 0:]
        others: list[Outcome] = []
        for record in broadcasts:
            signal = commands.BroadcastSignal(record["signalName"], dict(record["variables"]))
            others.extend(self.send(n, signal, distributed=True)
                          for n in range(1, self.count + 1) if n != partition)
        return others

    def advance_clock(self, duration: Duration, pin: bool = False) -> list[Outcome]:
        """Every partition's clock moved by `duration`, partition by partition: its due
        timers and expiring messages; with `pin`, each partition's new time is kept in its
        log (`clock_control.advance`, the CLI's store clock)."""
        outcomes: list[Outcome] = []
        for partition in range(1, self.count + 1):
            if self.local(partition):
                fired = advance_by(self.app(partition).engine, duration, pin)
            else:
                answer = self.request(partition, "advance_clock", duration=duration.isoformat(),
                                      pin=pin)
                fired = [_outcome(o) for o in answer["outcomes"]]
            outcomes.extend(self.followed(partition, o) for o in fired)
        return outcomes

    # -- migration -----------------------------------------------------------------------
    def migrate_instance(self, key: int, process: str, version: int | None,
                         pairs: tuple[tuple[str, str], ...] = (), auto_map: bool = False) -> Outcome:
        partition = self.home(key)
        if self.local(partition):
            return self.followed(partition, self.app(partition).operate.migrate_instance(
                key, process, version, pairs, auto_map))
        return self.followed(partition, _outcome(self.request(
            partition, "migrate_instance", key=key, process=process, version=version,
            pairs=[list(p) for p in pairs], auto_map=auto_map)))

    def migrate(self, selection: Selection, process: str, version: int | None,
                pairs: tuple[tuple[str, str], ...] = (), auto_map: bool = True,
                run: bool = True) -> list[tuple[int, Outcome, int | None]]:
        """One batch operation per partition holding selected instances, each over its own
        instances: (partition, creation outcome, operation key). Local partitions run their
        chunks now when `run`; a worker runs its partition's chunks in its loop. A selection
        of no instance makes one (empty) operation on partition 1, as one partition does, so
        that a bad plan is refused all the same."""
        self.views()  # every partition's instances, for a selection by filter
        created: list[tuple[int, Outcome, int | None]] = []
        groups = self._by_partition(self.apps[0].operate.select(selection)) or [(1, [])]
        for partition, group in groups:
            key: int | None
            if self.local(partition):
                outcome, key = self.app(partition).operate.migrate(
                    _share(selection, group), process, version, pairs, auto_map, run=False)
                if run and key is not None:
                    self.run_operations([key])
            else:
                answer = self.request(partition, "migrate", keys=group, process=process,
                                      version=version, pairs=[list(p) for p in pairs],
                                      auto_map=auto_map, filter=encode_filter(selection.filter))
                outcome, key = _outcome(answer), answer["key"]
            created.append((partition, outcome, key))
        return created

    def revert(self, keys: Iterable[int], run: bool = True) -> list[tuple[int, Outcome, int | None]]:
        """Revert each partition's operation of a fanned-out migration on its partition."""
        reverted: list[tuple[int, Outcome, int | None]] = []
        for key in keys:
            partition = self.home(key)
            if self.local(partition):
                outcome, created = self.app(partition).operate.revert(key, run=False)
                if run and created is not None:
                    self.run_operations([created])
            else:
                answer = self.request(partition, "revert", key=key)
                outcome, created = _outcome(answer), answer["key"]
            reverted.append((partition, outcome, created))
        return reverted

    def run_operations(self, keys: Iterable[int],
                       on_chunk: Callable[[Outcome], object] | None = None,
                       chunk_size: int = CHUNK_SIZE) -> list[Outcome]:
        """Run the pending chunks of the operations `keys` on the partitions this process
        runs (a worker runs its own partition's in its loop); each chunk's outcome goes to
        `on_chunk`, or is returned."""
        outcomes: list[Outcome] = []
        sink = on_chunk or outcomes.append
        for key in keys:
            partition = self.home(key)
            if self.local(partition):
                def chunk_done(outcome: Outcome, partition: int = partition) -> None:
                    sink(self.followed(partition, outcome))  # e.g. subscriptions migrated
                self.app(partition).operate.run_operations(key, chunk_size, on_chunk=chunk_done)
        return outcomes

    def pending_operations(self) -> list[int]:
        """Every partition's ACTIVE batch operations (the operations view of the store)."""
        self.views()
        return [row.key for row in self.apps[0].operate.operations.all() if row.state == "ACTIVE"]

    def preview(self, selection: Selection, process: str, version: int | None,
                pairs: tuple[tuple[str, str], ...], auto_map: bool) -> dict[str, Any]:
        """`Operate.preview` on every partition holding selected instances, summed. It writes
        nothing, so a partition a worker runs is previewed here on its stored state."""
        self.views()
        total: dict[str, Any] = {"counts": Counter(), "targets": Counter(), "ignored": 0,
                                 "ignoredKeys": [], "failures": {}, "total": 0}
        for partition, group in self._by_partition(self.apps[0].operate.select(selection)):
            app = self.app(partition)
            app.engine.refresh()
            preview = app.operate.preview(_share(selection, group), process, version,
                                          pairs, auto_map)
            for name in ("counts", "targets"):
                total[name].update(preview[name])
            for name in ("ignored", "total"):
                total[name] += preview[name]
            total["ignoredKeys"].extend(preview["ignoredKeys"])
            total["failures"].update(preview["failures"])
        return {**total, "counts": dict(total["counts"]), "targets": dict(total["targets"])}

    def _by_partition(self, keys: Iterable[int]) -> list[tuple[int, list[int]]]:
        groups: dict[int, list[int]] = {}
        for key in keys:
            groups.setdefault(self.home(key), []).append(key)
        return sorted(groups.items())

    def operations(self, keys: Iterable[int], catch_up: bool = True) -> dict[str, Any]:
        """The partitions' batch operations summed: total, completed, failed, ignored. The
        view is caught up with every partition first, unless `catch_up` is false (workers
        fold their own partitions' progress: polling need not read their logs again)."""
        if catch_up:
            self.views()
        view = self.apps[0].operate.operations
        rows = [row for key in keys if (row := view.get(key)) is not None]
        return summed(rows)

    def wait_for(self, keys: Sequence[int],
                 progress: Callable[[dict[str, Any]], object] | None = None) -> dict[str, Any]:
        """Until every operation of `keys` is COMPLETED: their sum (`operations`), each look
        also given to `progress`. `WorkerTimeout` when none of them moved for `timeout`
        seconds (no worker runs a partition of theirs?): they stay ACTIVE, for the
        partitions' next workers to finish."""
        if not keys:
            return summed([])
        moved_at, seen = time.monotonic(), None
        while (summary := self.operations(keys))["state"] != "COMPLETED":
            if progress is not None:
                progress(summary)
            done = summary["completed"] + summary["failed"]
            if done != seen:
                moved_at, seen = time.monotonic(), done
            elif time.monotonic() - moved_at > self.timeout:
                raise WorkerTimeout(f"operations {list(keys)}: no progress for {self.timeout:g} s "
                                    f"({done} of {summary['total']} items done; is every "
                                    "partition's worker running?); they stay ACTIVE for the "
                                    "partitions' workers")
            time.sleep(OPERATIONS_POLL)
        return summary

    # -- reads ---------------------------------------------------------------------------
    def views(self) -> AnyListView:
        """The list view of the whole store: every partition's log folded in."""
        for app in self.apps:
            if not app.engine.writer_lease.held:
                _skip_folded(app)
            app.views()
        return self.apps[0].list_view

    def instance(self, key: int) -> InstanceState | None:
        """The state of instance `key`, as its partition's writer last wrote it."""
        engine = self.app(self.home(key)).engine
        engine.refresh()
        return engine.instance(key)

    def instance_records(self, key: int) -> list[dict[str, Any]]:
        engine = self.app(self.home(key)).engine
        engine.refresh()
        return engine.stored_records(key)

    # -- where a partition runs ----------------------------------------------------------
    def local(self, partition: int) -> bool:
        """Whether this process runs the partition: it holds its lease, or takes it now (a
        free lease: no worker runs the partition) unless it is a client only. A lease a
        worker holds sends the command to the worker; one another client holds is waited
        for, up to `wait` seconds (then `StoreBusy`), as a one-partition store's writer waits.
        A lease taken is held until `close`: a worker started later for the partition waits
        for it."""
        engine = self.app(partition).engine
        lease = engine.writer_lease
        if lease.held:
            return True
        if not self.in_process:
            return False
        lease.wait = 0
        deadline = time.monotonic() + self.wait
        while True:
            try:
                engine.take_writer_lease()
                return True
            except StoreBusy:
                if lease.held_by_worker():
                    return False
                if time.monotonic() >= deadline:  # another client runs it: no one would answer
                    raise lease.busy(self.wait) from None
            time.sleep(LEASE_POLL)

    def request(self, partition: int, kind: str, **args: Any) -> dict[str, Any]:
        return self._answer(partition, self._queue(partition).call(kind, self.timeout, self.idle,
                                                                    **args))

    def _queue(self, partition: int) -> CommandQueue:
        queue = self._queues.get(partition)
        if queue is None:
            queue = self._queues[partition] = CommandQueue(self.store, partition)
        return queue

    @staticmethod
    def _answer(partition: int, answer: dict[str, Any]) -> dict[str, Any]:
        if "error" in answer:
            raise WorkerFailed(f"partition {partition}'s worker failed: {answer['error']}")
        return answer

    def close(self) -> None:
        for queue in self._queues.values():
            queue.close()
        for partition, app in enumerate(self.apps, start=1):
            if partition not in self._running:
                app.close()


def _skip_folded(app: EngineApp) -> None:
    """A partition another process writes: its worker folds its log into the shared views
    itself, so this process's projections start from the stored positions instead of
    reading and decoding what is folded already."""
    app.operate  # noqa: B018 - opens the views and the follower
    for projection in app.follower.projections:
        if isinstance(projection, SqlProjection):
            projection.position = max(projection.position,
                                      projection.db.position(projection.tracking))


def _share(selection: Selection, keys: list[int]) -> Selection:
    """A partition's share of a selection: its keys, and the filter they were selected by,
    with which a plan's source elements are checked when it names one version (as on one
    partition; a worker is sent both)."""
    return Selection(keys=tuple(keys), filter=selection.filter)


def _outcome(answer: dict[str, Any]) -> Outcome:
    return Outcome(records=answer["records"], rejection=answer["rejection"],
                   result=answer["result"])


def merged(outcomes: list[Outcome]) -> Outcome:
    """One outcome for a command and what it caused on other partitions: all their records,
    the first outcome's rejection and result."""
    first = outcomes[0]
    return Outcome(records=[r for o in outcomes for r in o.records], rejection=first.rejection,
                   result=first.result)


def summed(rows: list[OperationRow]) -> dict[str, Any]:
    return {"operations": [row.key for row in rows],
            "total": sum(row.total for row in rows),
            "completed": sum(row.completed for row in rows),
            "failed": sum(row.failed for row in rows),
            "ignored": sum(row.ignored for row in rows),
            "state": "COMPLETED" if rows and all(row.state == "COMPLETED" for row in rows)
            else "ACTIVE"}

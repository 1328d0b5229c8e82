"""`Engine`: the public Python face of engine-sim, a thin layer over `EngineApp`.

Every method is one command (or one read) of the composition root the CLI and the scenario
runner use too, so a test written against this class sees the same records, keys and views
as `engine-sim replay`. A rejected command raises `CommandRejected` unless the engine was
opened with `raise_on_reject=False`, in which case the result carries the `rejection`.

On a partitioned PostgreSQL store the same methods go through `Cluster` (`targets`): each
command to its partition, a batch migration to one operation per partition (one `Operation`
handle carrying their keys), each partition's record log read in turn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

from engine_sim.api.handles import Operation, ProcessInstance
from engine_sim.api.results import (
    CommandRejected,
    CommandResult,
    DeployedProcess,
    Deployment,
    InstanceInfo,
    OperationInfo,
    Preview,
    Record,
    Rejection,
    instance_info,
    operation_info,
    preview_of,
    records_of,
    summed_operation,
)
from engine_sim.app import EngineApp
from engine_sim.engine import DeployResource, Outcome, commands
from engine_sim.engine.engine import DEFAULT_START
from engine_sim.engine.state import InstanceState
from engine_sim.partitions.cluster import Cluster
from engine_sim.partitions.targets import Target, open_target
from engine_sim.persistence import Store, parse_store_url
from engine_sim.projections import ListFilter
from engine_sim.timeutil import Duration, parse_duration
from migration.operate import Selection

InstanceLike = ProcessInstance | int
Mapping_ = Mapping[str, str] | Iterable[tuple[str, str]]
DurationLike = str | timedelta | Duration
NO_TTL = Duration()


class Engine:
    """A simulated Zeebe engine (one partition, or a partitioned store's partitions) with
    migration and Operate's views.

    >>> with Engine() as engine:                      # memory store, clock at 2026-01-01Z
    ...     engine.deploy("order-v1.bpmn")            # doctest: +SKIP
    ...     order = engine.create_instance("orderProcess", {"orderId": "o-1"})

    `store` is a URL (`memory:`, `sqlite:///path.db`, `postgresql://user@host:port/db`,
    `postgresql://...?partitions=N`) or a `Store`; an existing SQLite or PostgreSQL store is
    reopened where it stopped. `start_time` sets the simulated clock of a new store (it only
    moves by `advance_clock`).
    """

    def __init__(self, store: str | Store = "memory:", *, start_time: datetime = DEFAULT_START,
                 raise_on_reject: bool = True) -> None:
        store = parse_store_url(store) if isinstance(store, str) else store
        self.target: Target = open_target(store, start_time)  # one partition, or `Cluster`
        self.raise_on_reject = raise_on_reject

    @property
    def app(self) -> EngineApp:
        """The underlying `EngineApp` of a one-partition store, for what the API does not
        cover (a partitioned store has one per partition: see `cluster`)."""
        return self.target.app

    @property
    def cluster(self) -> Cluster | None:
        """The `Cluster` of a partitioned store (None on one partition)."""
        return self.target.cluster

    @property
    def partitions(self) -> int:
        return self.target.partitions

    @classmethod
    def open(cls, store: str | Store = "memory:", **options: Any) -> Engine:
        """The same as `Engine(store, ...)`; reads well with `with Engine.open(url) as e:`."""
        return cls(store, **options)

    def close(self) -> None:
        self.target.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    @property
    def now(self) -> datetime:
        """The simulated clock (partition 1's on a partitioned store: each keeps its own, and
        `advance_clock` moves them all alike)."""
        return self.target.now

    # -- deploying -----------------------------------------------------------------------
    def deploy(self, *paths: str | Path) -> Deployment:
        """Deploy BPMN files, one deployment each; returns the last one's result with the
        processes of all of them (a file deployed again unchanged keeps its version)."""
        if not paths:
            raise TypeError("deploy() needs at least one file")
        results = [self.deploy_xml(Path(p).read_bytes(), Path(p).name) for p in paths]
        processes = [p for result in results for p in result.processes]
        records = [r for result in results for r in result.records]
        return Deployment(records, results[-1].rejection, processes)

    def deploy_xml(self, xml: str | bytes, name: str = "process.bpmn") -> Deployment:
        """Deploy one BPMN document given as text; `name` is its resource name."""
        data = xml.encode() if isinstance(xml, str) else xml
        outcome = self.target.execute(DeployResource(data, name))
        result = self._result(outcome)
        processes = [
            DeployedProcess(m["bpmnProcessId"], m["version"], m["processDefinitionKey"],
                            m["resourceName"], m["isDuplicate"])
            for r in result.records if r.value_type == "DEPLOYMENT" and r.intent == "CREATED"
            for m in r["processesMetadata"]
        ]
        return Deployment(result.records, result.rejection, processes)

    # -- instances -----------------------------------------------------------------------
    def create_instance(self, process_id: str, variables: Mapping[str, Any] | None = None, *,
                        version: int | None = None) -> ProcessInstance:
        """Start an instance at the none start event (latest version unless `version`)."""
        outcome = self.target.execute(commands.CreateProcessInstance(
            process_id, version, dict(variables or {})))
        result = self._result(outcome)
        key = outcome.result if not outcome.rejected else None
        return ProcessInstance(result.records, result.rejection, key, self)

    def instance(self, key: int) -> ProcessInstance:
        """A handle on an existing instance (e.g. a child started by a call activity)."""
        return ProcessInstance([], None, key, self)

    def cancel(self, instance: InstanceLike) -> CommandResult:
        return self._run(commands.CancelProcessInstance(_key(instance)))

    def set_variables(self, instance: InstanceLike, variables: Mapping[str, Any],
                      element_id: str | None = None) -> CommandResult:
        """Set variables on the process scope, or on the local scope of `element_id`."""
        return self._run(commands.SetVariables(_key(instance), dict(variables), element_id))

    # -- jobs, user tasks, incidents -----------------------------------------------------
    def complete_job(self, instance: InstanceLike, element_id: str,
                     variables: Mapping[str, Any] | None = None) -> CommandResult:
        """Complete the oldest open job of `element_id` in the instance (the job of the
        execution listener it waits on, while it runs its listeners)."""
        return self._run(commands.CompleteJob(_key(instance), element_id, dict(variables or {})))

    def fail_job(self, instance: InstanceLike, element_id: str, retries: int = 0,
                 message: str | None = None) -> CommandResult:
        """Fail the job; with no retries left an incident is raised."""
        return self._run(commands.FailJob(_key(instance), element_id, retries, message))

    def throw_error(self, instance: InstanceLike, element_id: str, code: str,
                    message: str | None = None) -> CommandResult:
        """A BPMN error from the job's worker: caught by a boundary or event subprocess, or an
        incident when nothing catches it."""
        return self._run(commands.ThrowError(_key(instance), element_id, code, message))

    def complete_user_task(self, instance: InstanceLike, element_id: str,
                           variables: Mapping[str, Any] | None = None) -> CommandResult:
        return self._run(commands.CompleteUserTask(_key(instance), element_id,
                                                   dict(variables or {})))

    def resolve_incident(self, instance: InstanceLike, element_id: str,
                         retries: int = 1) -> CommandResult:
        """Resolve the oldest incident of `element_id` (a job's gets `retries` again)."""
        return self._run(commands.ResolveIncident(_key(instance), element_id, retries))

    # -- messages, signals, time ---------------------------------------------------------
    def publish_message(self, name: str, correlation_key: str = "",
                        variables: Mapping[str, Any] | None = None,
                        ttl: DurationLike = NO_TTL) -> CommandResult:
        """Publish a message; with a `ttl` it is buffered for subscriptions opened later."""
        return self._run(commands.PublishMessage(name, correlation_key, dict(variables or {}),
                                                 _duration(ttl)))

    def broadcast_signal(self, name: str,
                         variables: Mapping[str, Any] | None = None) -> CommandResult:
        return self._run(commands.BroadcastSignal(name, dict(variables or {})))

    def advance_clock(self, duration: DurationLike) -> list[CommandResult]:
        """Move the simulated clock; every timer due on the way fires (and buffered messages
        expire), in due order, each as its own command."""
        outcomes = self.target.advance_clock(_duration(duration))
        return [self._result(o, check=False) for o in outcomes]

    # -- migration -----------------------------------------------------------------------
    def migrate_instance(self, instance: InstanceLike, *, process: str,
                         version: int | None = None, mapping: Mapping_ = (),
                         auto_map: bool = False) -> CommandResult:
        """Migrate one instance to `process` (latest version unless `version`); `mapping`
        maps source element ids to target ones, `auto_map` adds same-id pairs."""
        outcome = self.target.migrate_instance(_key(instance), process, version,
                                               _pairs(mapping), auto_map)
        return self._result(outcome)

    def preview(self, instances: Sequence[InstanceLike] | None = None, *, process: str,
                version: int | None = None, mapping: Mapping_ = (), auto_map: bool = False,
                **filters: Any) -> Preview:
        """What `migrate` would do to the selection, writing nothing. Select by `instances`
        or by list-view filters (`source_process`, `source_version`, `state`, `element`)."""
        selection = _selection(instances, filters)
        return preview_of(self.target.preview(selection, process, version,
                                              _pairs(mapping), auto_map))

    def migrate(self, instances: Sequence[InstanceLike] | None = None, *, process: str,
                version: int | None = None, mapping: Mapping_ = (), auto_map: bool = False,
                run: bool = True, **filters: Any) -> Operation:
        """A batch migration of the selection (as `preview`); finished instances are
        ignored, each running one migrates or fails alone. `run=False` leaves it pending for
        `run_operations`. On a partitioned store it is one operation per partition holding
        selected instances, all in the one `Operation` returned (`keys`)."""
        outcome, keys = self.target.migrate(_selection(instances, filters), process, version,
                                            _pairs(mapping), auto_map, run)
        return self._operation(outcome, keys)

    def revert(self, operation: Operation | int, run: bool = True) -> Operation:
        """Undo a COMPLETED migration: a new batch migrating each instance it migrated back
        (on a partitioned store, one per partition's operation)."""
        outcome, keys = self.target.revert(_operation_keys(operation), run)
        return self._operation(outcome, keys)

    def _operation(self, outcome: Outcome, keys: list[int]) -> Operation:
        result = self._result(outcome)
        return Operation(result.records, result.rejection, keys[0] if keys else None, self,
                         tuple(keys))

    def run_operations(self, operation: Operation | int | None = None) -> list[CommandResult]:
        """Run the pending items of one batch operation, or of every active one (the chunks
        this process ran; on a partitioned store it then waits for the workers' chunks)."""
        keys = None if operation is None else _operation_keys(operation)
        outcomes: list[Outcome] = []
        self.target.run_operations(keys, outcomes.append)
        return [self._result(o) for o in outcomes]

    # -- views and records ---------------------------------------------------------------
    def instances(self, *, process: str | None = None, version: int | None = None,
                  state: str | Sequence[str] = (), element: str | None = None) -> list[InstanceInfo]:
        """The list view, filtered (an absent filter does not filter), in key order."""
        flt = ListFilter(process, version, (state,) if isinstance(state, str) else tuple(state),
                         element)
        return [instance_info(row.as_dict()) for row in self.target.views().query(flt)]

    def operation(self, operation: Operation | int) -> OperationInfo:
        """A batch operation's row of the operations view; an `Operation` of several
        partitions' operations, their rows summed (`summed_operation`)."""
        rows = [self.target.operation_row(key) for key in _operation_keys(operation)]
        return summed_operation(rows)

    def operations(self) -> list[OperationInfo]:
        """Every row of the operations view (on a partitioned store, one per partition's
        operation)."""
        return [operation_info(row) for row in self.target.operation_rows()]

    def records(self, instance: InstanceLike | None = None, *,
                partition: int | None = None) -> list[Record]:
        """The whole record log, or what concerns one instance, in position order. A
        partitioned store has one log per partition: they come partition by partition (or
        only `partition`'s), and an instance's records are those of its partition."""
        key = None if instance is None else _key(instance)
        return records_of(self.target.log(key, partition))

    def export_records(self, path: str | Path, scenario: str | None = None) -> int:
        """Write the whole log as JSON lines; with `scenario`, each line marked with that
        name exactly as `engine-sim replay --records` marks a scenario's records. A
        partitioned store's lines come partition by partition, each marked with its
        `"partitionId"` (after the scenario's mark), as Zeebe's exporters mark them."""
        written = 0
        marked = self.partitions > 1
        with Path(path).open("wb") as out:
            for partition, records in self.target.logs():
                for record in records:
                    out.write(Record(record).to_json(scenario, partition if marked else None)
                              + b"\n")
                written += len(records)
        return written

    # -- plumbing ------------------------------------------------------------------------
    def _instance_state(self, key: int) -> InstanceState | None:
        """Instance `key`'s state now (read on its partition): what handles read."""
        return self.target.instance(key)

    def _run(self, command: commands.Command) -> CommandResult:
        return self._result(self.target.execute(command))

    def _result(self, outcome: Outcome, check: bool = True) -> CommandResult:
        records = records_of(outcome.records)
        if outcome.rejection is None:
            return CommandResult(records)
        record = Record(outcome.rejection)
        if check and self.raise_on_reject:
            raise CommandRejected(record)
        rejection = Rejection(record.rejection_type or "", record.rejection_reason or "", record)
        return CommandResult(records, rejection)


def _key(handle: ProcessInstance | Operation | int) -> int:
    if isinstance(handle, int):
        return handle
    if handle.key is None:
        raise ValueError("this handle has no key: the command that made it was rejected")
    return handle.key


def _operation_keys(operation: Operation | int) -> tuple[int, ...]:
    """An `Operation`'s keys (one per partition it spans), or one operation's key."""
    if isinstance(operation, Operation) and operation.keys:
        return operation.keys
    return (_key(operation),)


def _pairs(mapping: Mapping_) -> tuple[tuple[str, str], ...]:
    items = mapping.items() if isinstance(mapping, Mapping) else mapping
    return tuple((str(source), str(target)) for source, target in items)


def _duration(value: DurationLike) -> Duration:
    if isinstance(value, Duration):
        return value
    if isinstance(value, timedelta):
        seconds = Decimal(value.days * 86_400 + value.seconds) + Decimal(value.microseconds) / 10**6
        return Duration(seconds=seconds)
    return parse_duration(value)


FILTERS = ("source_process", "source_version", "state", "element")


def _selection(instances: Sequence[InstanceLike] | None, filters: dict[str, Any]) -> Selection:
    unknown = sorted(set(filters) - set(FILTERS))
    if unknown:
        raise TypeError(f"unknown selection filter {unknown[0]!r} (known: {', '.join(FILTERS)})")
    if instances is not None:
        if filters:
            raise TypeError("select by instances or by filters, not both")
        return Selection(keys=tuple(_key(i) for i in instances))
    state = filters.get("state", ())
    return Selection(filter=ListFilter(
        filters.get("source_process"), filters.get("source_version"),
        (state,) if isinstance(state, str) else tuple(state), filters.get("element")))

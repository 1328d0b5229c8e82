"""Everything the web view asks of the engine, in one place: the store session, the list and
operations views, the catalog and the deployed XML, Operate (preview, batch, revert) and an
instance's state and history.

The server is the store's single writer while it runs (from its first write it holds the
writer lease, persistence/lease.py): one worker thread owns what the store is driven
through (`targets`: the `engine_sim.app.EngineApp` opened by the CLI's `session()`, or a
`Cluster` over a partitioned store's partitions) and runs every call that touches it, reads
and writes alike, one at a time; views are caught up before each read. A batch operation
runs one chunk per call, so pages stay responsive while it runs. Bad input raises the CLI's
own `CliError`, built by the CLI's own checks, so the web and the command line say the same
thing.

On a partitioned store one confirmation (or revert) creates one batch operation per
partition; the service shows them as one operation, named by the first one's key, with
their counts summed (`_groups`, kept while the server runs; docs/web.md).

Routes get plain data (dicts, tuples, frozen dataclasses), never live engine objects.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, TypeVar

from engine_sim.cli.arguments import DEFAULT_TIMEOUT, DEFAULT_WAIT, CliError, parse_mapping
from engine_sim.cli.common import definition
from engine_sim.cli.history import details
from engine_sim.cli.instances import check_element
from engine_sim.cli.migrate import check_mapping, select
from engine_sim.engine import DeployedProcess, Engine, partition_of
from engine_sim.model import ElementType
from engine_sim.partitions.cluster import summed
from engine_sim.projections import ListFilter
from engine_sim.web.diagram import Diagram, build_diagram
from engine_sim.web.targets import Target, open_target
from migration import messages as msg
from migration.history import migrations_of, stored_records
from migration.operate import CHUNK_SIZE, Selection
from migration.plan import auto_mapped_pairs
from migration.views import OperationRow

__all__ = ["CliError", "Definition", "Filter", "MappingRow", "WebSelection", "WebService"]
LOG = logging.getLogger("engine_sim.web")
T = TypeVar("T")
Pairs = tuple[tuple[str, str], ...]
STATES = ("ACTIVE", "INCIDENT", "COMPLETED", "CANCELED")
# source elements a migration never maps (they hold no token at rest); start events of event
# subprocesses are catch events and stay
NEVER_MAPPED = (ElementType.PROCESS, ElementType.END_EVENT, ElementType.INTERMEDIATE_THROW_EVENT,
                ElementType.MANUAL_TASK, ElementType.TASK)


@dataclass(frozen=True)
class Definition:
    key: int
    process_id: str
    version: int
    name: str
    # (id, type, name, event type) of every flow node, in document order
    elements: tuple[tuple[str, str, str, str], ...]


@dataclass(frozen=True)
class Filter:
    """The Processes screen's filter, as typed; `check` turns it into a ListFilter."""

    process: str | None = None
    version: int | None = None
    states: tuple[str, ...] = ()
    element: str | None = None
    operation: int | None = None


@dataclass(frozen=True)
class WebSelection:
    """Checked keys, or every instance matching the filter less the excluded ones."""

    filter: Filter
    keys: tuple[int, ...] = ()
    all: bool = False
    excluded: tuple[int, ...] = ()


@dataclass(frozen=True)
class MappingRow:
    source: str
    type: str
    name: str
    target: str  # "" when not mapped
    auto: bool
    options: tuple[tuple[str, str], ...]  # (target id, label) of a mappable type


class WebService:
    def __init__(self, store_url: str, chunk_size: int = CHUNK_SIZE,
                 wait: float = DEFAULT_WAIT, workers: bool = False,
                 timeout: float = DEFAULT_TIMEOUT) -> None:
        """`wait`: for another writer's lease; a partitioned store's partitions are all left
        to their workers with `workers`, whose answers are waited for `timeout` seconds."""
        self.store_url = store_url
        self.workers = workers
        self.timeout = timeout
        self.chunk_size = chunk_size
        self.lease_wait = wait  # for another writer's lease (the server holds it while it runs)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-sim-store")
        self._stack = ExitStack()
        self._diagrams: dict[int, Diagram] = {}
        self._running: set[int] = set()  # operations whose chunks are scheduled
        self._delegated: set[int] = set()  # operations their partition's worker runs
        # one confirmation's (or revert's) operations, one per partition, by the first's key
        self._groups: dict[int, tuple[int, ...]] = {}
        self._closing = False
        self._target: Target = self._call(self._open)

    # -- the worker thread --------------------------------------------------------------
    def _open(self) -> Target:
        return open_target(self._stack, self.store_url, self.lease_wait, self.workers,
                           self.timeout)

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        return self._worker.submit(fn, *args).result()

    def close(self) -> None:
        """Stop between chunks (a running operation stays ACTIVE, resumable), then close."""
        self._closing = True
        self._worker.submit(self._stack.close).result()
        self._worker.shutdown(wait=True, cancel_futures=True)

    @property
    def _engine(self) -> Engine:
        """The engine holding every definition (a partitioned store's partition 1)."""
        return self._target.definitions()

    # -- definitions ----------------------------------------------------------------------
    def catalog(self) -> dict[str, list[int]]:
        """Every deployed bpmnProcessId and its versions."""
        return self._call(lambda: {
            pid: [d.version for d in versions]
            for pid, versions in sorted(self._engine.catalog.versions.items())
        })

    def definition(self, process: str, version: int | None, process_field: str = "--process",
                   version_field: str = "--version") -> Definition:
        return self._call(lambda: _definition_of(
            definition(self._engine, process, version, process_field, version_field)))

    def diagram(self, definition_key: int) -> Diagram:
        cached = self._diagrams.get(definition_key)
        if cached is None:
            process_id, xml = self._call(self._xml_of, definition_key)
            cached = self._diagrams[definition_key] = build_diagram(xml, process_id)
        return cached

    def _xml_of(self, definition_key: int) -> tuple[str, bytes]:
        engine = self._engine
        deployed = engine.catalog.by_key[definition_key]
        for resources in engine.definitions_aggregate().deployments:
            for resource in resources:
                if any(p["key"] == definition_key for p in resource["processes"]):
                    return deployed.process_id, bytes(resource["xml"])
        raise KeyError(definition_key)

    # -- the list view --------------------------------------------------------------------
    def check_filter(self, flt: Filter) -> None:
        """The CLI's checks of `engine-sim instances`' options (same messages)."""
        self._call(self._check_filter, flt)

    def _check_filter(self, flt: Filter) -> None:
        engine = self._engine
        if flt.process is not None:
            definition(engine, flt.process, flt.version)
        elif flt.version is not None and not any(d.version == flt.version
                                                 for d in engine.catalog.by_key.values()):
            raise CliError("--version", f"no deployed process has version {flt.version}")
        if flt.element is not None:
            check_element(engine, flt.process, flt.version, flt.element)
        if flt.operation is not None:
            self._target.views()
            if self._target.operation_row(flt.operation) is None:
                raise CliError("operation", f"no batch operation with key {flt.operation}")

    def instances(self, flt: Filter) -> list[dict[str, Any]]:
        """Every row matching `flt` (checked first), as plain dicts."""
        return self._call(self._instances, flt)

    def _instances(self, flt: Filter) -> list[dict[str, Any]]:
        self._check_filter(flt)
        view = self._target.views()
        rows = view.query(ListFilter(process=flt.process, version=flt.version,
                                     states=flt.states, element=flt.element))
        if flt.operation is not None:
            keys = self._operation_keys(flt.operation)
            rows = [row for row in rows if row.key in keys]
        return [_row_dict(row) for row in rows]

    def _operation_keys(self, operation: int) -> set[int]:
        keys: set[int] = set()
        for member in self._members(operation):
            batch = self._target.batch(member)
            keys |= set(batch.items) | set(batch.ignored)
        return keys

    def statistics(self, definition_key: int) -> dict[str, tuple[int, int]]:
        """Per element: running instances with a token there, and with an incident there."""
        def read() -> dict[str, tuple[int, int]]:
            stats = self._target.views().element_statistics(definition_key)
            return {k: (v["active"], v["incidents"]) for k, v in stats.items()}
        return self._call(read)

    # -- migration ------------------------------------------------------------------------
    def mapping_rows(self, source: Definition, target: Definition,
                     chosen: dict[str, str] | None) -> list[MappingRow]:
        """One row per mappable source flow node: the mappable targets (same element type,
        same event type), and the chosen target (`chosen`), or the auto-mapped one."""
        return self._call(self._mapping_rows, source, target, chosen)

    def _mapping_rows(self, source: Definition, target: Definition,
                      chosen: dict[str, str] | None) -> list[MappingRow]:
        catalog = self._engine.catalog
        smodel, tmodel = catalog.model(source.key), catalog.model(target.key)
        auto = dict(auto_mapped_pairs(smodel, tmodel, []))
        rows = []
        for element_id, element in smodel.elements.items():
            if element.type in NEVER_MAPPED or (element.type is ElementType.START_EVENT
                                                and element.flow_scope == smodel.id):
                continue
            options = tuple(
                (t.id, f"{t.name} ({t.id})" if t.name else t.id)
                for t in tmodel.elements.values()
                if t.type is element.type and t.event_type is element.event_type
            )
            picked = auto.get(element_id, "") if chosen is None else chosen.get(element_id, "")
            rows.append(MappingRow(element_id, element.type.value, element.name or "", picked,
                                   picked != "" and auto.get(element_id) == picked, options))
        return rows

    def flow_pairs(self, source: Definition, target: Definition) -> Pairs:
        """Sequence flows that keep their id in the target (mapped by id, as auto-mapping does)."""
        def read() -> Pairs:
            catalog = self._engine.catalog
            smodel, tmodel = catalog.model(source.key), catalog.model(target.key)
            return tuple((f, f) for f in smodel.flows if f in tmodel.flows)
        return self._call(read)

    def parse_pairs(self, items: list[str], source: Definition, target: Definition) -> Pairs:
        """The `--map` parsing and checks of `engine-sim migrate` (same messages)."""
        pairs = parse_mapping(items)

        def check() -> None:
            catalog = self._engine.catalog
            check_mapping(pairs, catalog.by_key[source.key], catalog.by_key[target.key])
        self._call(check)
        return pairs

    def selection(self, chosen: WebSelection, source: Definition) -> Selection:
        """The Operate selection: a filter, or keys checked as `--key` is."""
        return self._call(self._selection, chosen, source)

    def _selection(self, chosen: WebSelection, source: Definition) -> Selection:
        flt = chosen.filter
        if chosen.all:
            self._check_filter(flt)
            list_filter = ListFilter(process=source.process_id, version=source.version,
                                     states=flt.states, element=flt.element)
            if not chosen.excluded and flt.operation is None:
                return Selection(filter=list_filter)
            keys = [row["key"] for row in self._instances(flt) if row["key"] not in chosen.excluded]
            return Selection(keys=tuple(keys))
        if not chosen.keys:
            raise CliError("selection", "no process instance selected")
        deployed = self._engine.catalog.by_key[source.key]
        return select(self._target.root(), deployed, list(chosen.keys))

    def selected(self, selection: Selection) -> dict[str, Any]:
        """What a selection holds: running instances per element, and the ignored ones."""
        def read() -> dict[str, Any]:
            keys = self._target.select(selection)
            rows = self._target.views().get_many(keys)
            running = [rows[k] for k in keys if k in rows and rows[k].running]
            counts: dict[str, int] = {}
            for row in running:
                for element_id in set(row.active_elements()):
                    counts[element_id] = counts.get(element_id, 0) + 1
            return {"total": len(running), "counts": counts, "ignored": len(keys) - len(running)}
        return self._call(read)

    def preview(self, selection: Selection, target: Definition, pairs: Pairs) -> dict[str, Any]:
        return self._call(lambda: self._target.preview(
            selection, target.process_id, target.version, pairs))

    def migrate(self, selection: Selection, target: Definition, pairs: Pairs) -> int:
        """Create the batch operation (one per partition holding selected instances) and
        start running it; its key (the first's)."""
        operation = self._call(lambda: self._grouped(self._target.migrate(
            selection, target.process_id, target.version, pairs)))
        self.run(operation)
        return operation

    def revert(self, operation: int) -> int:
        def create() -> int:
            self._target.views()
            if self._target.operation_row(operation) is None:
                raise CliError("ID", f"no batch operation with key {operation}")
            return self._grouped(self._target.revert(self._reverted(operation)))
        created = self._call(create)
        self.run(created)
        return created

    def _grouped(self, operations: list[int]) -> int:
        if len(operations) > 1:
            self._groups[operations[0]] = tuple(operations)
        return operations[0]

    def _members(self, operation: int) -> tuple[int, ...]:
        return self._groups.get(operation, (operation,))

    def _reverted(self, operation: int) -> tuple[int, ...]:
        """A group's operations that migrated some instance (reverting the others would
        create empty operations), once all are COMPLETED (the engine's rule, for the group
        as a whole); all of them when none did (the engine says why not)."""
        members = self._members(operation)
        if len(members) == 1:
            return members
        rows = [row for k in members if (row := self._target.operation_row(k)) is not None]
        for row in rows:
            if row.state != "COMPLETED":
                raise CliError("revert", msg.OPERATION_NOT_COMPLETED.format(
                    id=operation, state=row.state))
        return tuple(row.key for row in rows if row.completed) or members

    def run(self, operation: int) -> None:
        """Run the pending items of `operation` (of each of its partitions' operations), one
        chunk per worker call (so reads run between chunks); a partition's worker runs its
        own. `_running` and `_delegated` are only touched on the worker thread."""
        self._worker.submit(self._start_all, operation)

    def _start_all(self, operation: int) -> None:
        for member in self._members(operation):
            self._start(member)

    def _start(self, operation: int) -> None:
        if operation in self._running:
            return
        try:
            here = self._target.runs(operation)
        except CliError as error:  # its partition is busy: it stays ACTIVE, resumable
            LOG.warning("operation %s not resumed: %s", operation, error)
            return
        if not here:
            self._delegated.add(operation)
            return
        self._running.add(operation)
        self._step(operation)

    def _step(self, operation: int) -> None:
        if self._closing:
            self._running.discard(operation)
            return
        try:
            pending = self._target.run_chunk(operation, self.chunk_size)
        except Exception:  # the chunk was not saved: the operation stays ACTIVE, resumable
            self._running.discard(operation)
            LOG.exception("operation %s stopped; resume it from its page", operation)
            return
        if pending:
            self._worker.submit(self._step, operation)
        else:
            self._running.discard(operation)

    def wait(self, operation: int, timeout: float = 60.0) -> dict[str, Any]:
        """Block until `operation` has completed or stopped running; its view."""
        deadline = time.monotonic() + timeout
        while True:
            view = self.operation(operation)
            if view["state"] == "COMPLETED" or not view["running"]:
                return view
            if time.monotonic() > deadline:
                raise TimeoutError(f"operation {operation} still running after {timeout} s")
            fence: Future[None] = self._worker.submit(lambda: None)
            fence.result()
            if view["running"] and not self._running:  # only partitions' workers run it
                time.sleep(0.02)

    # -- the operations view ----------------------------------------------------------------
    def operations(self) -> list[dict[str, Any]]:
        """Every operation, a group of partitions' operations as one (where its first is)."""
        def read() -> list[dict[str, Any]]:
            self._target.views()
            rows = {row.key: row for row in self._target.operation_rows()}
            hidden = {k for members in self._groups.values() for k in members[1:]}
            return [self._view(key, rows) for key in rows if key not in hidden]
        return self._call(read)

    def operation(self, key: int) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            self._target.views()
            rows = {k: row for k in self._members(key)
                    if (row := self._target.operation_row(k)) is not None}
            if key not in rows:
                raise CliError("ID", f"no batch operation with key {key}")
            return self._view(key, rows)
        return self._call(read)

    def _view(self, key: int, rows: dict[int, OperationRow]) -> dict[str, Any]:
        """An operation's row; a group's rows summed (`Cluster`'s sum), each partition's
        operation under `operations`."""
        members = [rows[k] for k in self._members(key) if k in rows]
        view = members[0].as_dict()
        running = any(self._is_running(row) for row in members)
        if len(members) > 1:
            view.update(summed(members))
            view["failures"] = {k: v for row in members for k, v in row.failures.items()}
            view["ignoredKeys"] = [k for row in members for k in row.ignored_keys]
            view["startDate"] = min(row.start_time for row in members)
            ends = [row.end_time for row in members]
            view["endDate"] = max(ends) if view["state"] == "COMPLETED" and all(ends) else None
            view["partitions"] = [{"key": row.key, "partition": partition_of(row.key),
                                   "done": row.completed + row.failed, "total": row.total}
                                  for row in members]
        view["running"] = running
        view["done"] = view["completed"] + view["failed"]
        return view

    def _is_running(self, row: OperationRow) -> bool:
        return row.key in self._running or (row.key in self._delegated and row.state == "ACTIVE")

    # -- one instance -------------------------------------------------------------------------
    def instance(self, key: int) -> dict[str, Any]:
        return self._call(self._instance, key)

    def _instance(self, key: int) -> dict[str, Any]:
        engine = self._target.engine_of(key)
        records = sorted(stored_records(engine, key), key=lambda r: r["position"])
        row = self._target.views().get(key)
        if not records or row is None:
            raise CliError("KEY", f"no process instance with key {key}")
        state = engine.instance(key)
        variables: list[tuple[str, str, Any]] = []
        incidents: list[dict[str, Any]] = []
        if state is not None:
            scopes = {k: e.element_id for k, e in state.elements.items()}
            for scope_key, names in sorted(state.variables.items()):
                scope = "process" if scope_key == key else scopes.get(scope_key, str(scope_key))
                variables += [(name, scope, var.value) for name, var in sorted(names.items())]
            incidents = [{"key": i.key, "element": i.element_id, "type": i.error_type,
                          "message": i.error_message} for i in state.incidents.values()]
        shown = [{"position": r["position"], "timestamp": r["timestamp"],
                  "valueType": r["valueType"], "intent": r["intent"],
                  "elementId": r.get("elementId", ""), "key": r["key"], "details": details(r)}
                 for r in records]
        return {"row": _row_dict(row), "records": shown, "variables": variables,
                "incidents": incidents, "migrations": migrations_of(engine, key)}


def _definition_of(deployed: DeployedProcess) -> Definition:
    model = deployed.model
    elements = tuple((e.id, e.type.value, e.name or "", e.event_type.value)
                     for e in model.elements.values() if e.type is not ElementType.PROCESS)
    return Definition(deployed.key, deployed.process_id, deployed.version, model.name or "",
                      elements)


def _row_dict(row: Any) -> dict[str, Any]:
    data: dict[str, Any] = row.as_dict()
    data["running"] = row.running
    return data

"""Everything the web view asks of the engine, in one place: the store session, the list and
operations views, the catalog and the deployed XML, Operate (preview, batch, revert) and an
instance's state and history.

The server is the store's single writer while it runs (from its first write it holds the
writer lease, persistence/lease.py): one worker thread owns the `engine_sim.app.EngineApp`
(the composition root), opened by the CLI's `session()`, and runs every call that touches
it, reads and writes alike, one at a time; views are caught up before each read.
A batch operation runs one chunk per call, so pages stay responsive while it runs. Bad
input raises the CLI's own `CliError`, built by the CLI's own checks, so the web and the
command line say the same thing.

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

from engine_sim.app import EngineApp
from engine_sim.cli.arguments import DEFAULT_WAIT, CliError, parse_mapping
from engine_sim.cli.common import claim_store, definition, session
from engine_sim.cli.history import details
from engine_sim.cli.instances import check_element
from engine_sim.cli.migrate import check_mapping, select
from engine_sim.engine import DeployedProcess
from engine_sim.model import ElementType
from engine_sim.projections import ListFilter
from engine_sim.web.diagram import Diagram, build_diagram
from migration.history import migrations_of, stored_records
from migration.operate import CHUNK_SIZE, Selection
from migration.plan import auto_mapped_pairs

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
                 wait: float = DEFAULT_WAIT) -> None:
        self.store_url = store_url
        self.chunk_size = chunk_size
        self.lease_wait = wait  # for another writer's lease (the server holds it while it runs)
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="engine-sim-store")
        self._stack = ExitStack()
        self._diagrams: dict[int, Diagram] = {}
        self._running: set[int] = set()  # operations whose chunks are scheduled
        self._closing = False
        self._session: EngineApp = self._call(self._open)

    # -- the worker thread --------------------------------------------------------------
    def _open(self) -> EngineApp:
        return self._stack.enter_context(session(self.store_url, wait=self.lease_wait,
                                                 lease_on_first_write=True))

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        return self._worker.submit(fn, *args).result()

    def close(self) -> None:
        """Stop between chunks (a running operation stays ACTIVE, resumable), then close."""
        self._closing = True
        self._worker.submit(self._stack.close).result()
        self._worker.shutdown(wait=True, cancel_futures=True)

    @property
    def _s(self) -> EngineApp:
        return self._session

    # -- definitions ----------------------------------------------------------------------
    def catalog(self) -> dict[str, list[int]]:
        """Every deployed bpmnProcessId and its versions."""
        return self._call(lambda: {
            pid: [d.version for d in versions]
            for pid, versions in sorted(self._s.engine.catalog.versions.items())
        })

    def definition(self, process: str, version: int | None, process_field: str = "--process",
                   version_field: str = "--version") -> Definition:
        return self._call(lambda: _definition_of(
            definition(self._s.engine, process, version, process_field, version_field)))

    def diagram(self, definition_key: int) -> Diagram:
        cached = self._diagrams.get(definition_key)
        if cached is None:
            process_id, xml = self._call(self._xml_of, definition_key)
            cached = self._diagrams[definition_key] = build_diagram(xml, process_id)
        return cached

    def _xml_of(self, definition_key: int) -> tuple[str, bytes]:
        engine = self._s.engine
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
        engine = self._s.engine
        if flt.process is not None:
            definition(engine, flt.process, flt.version)
        elif flt.version is not None and not any(d.version == flt.version
                                                 for d in engine.catalog.by_key.values()):
            raise CliError("--version", f"no deployed process has version {flt.version}")
        if flt.element is not None:
            check_element(engine, flt.process, flt.version, flt.element)
        if flt.operation is not None:
            self._s.views()
            if self._s.operate.operations.get(flt.operation) is None:
                raise CliError("operation", f"no batch operation with key {flt.operation}")

    def instances(self, flt: Filter) -> list[dict[str, Any]]:
        """Every row matching `flt` (checked first), as plain dicts."""
        return self._call(self._instances, flt)

    def _instances(self, flt: Filter) -> list[dict[str, Any]]:
        self._check_filter(flt)
        view = self._s.views()
        rows = view.query(ListFilter(process=flt.process, version=flt.version,
                                     states=flt.states, element=flt.element))
        if flt.operation is not None:
            keys = self._operation_keys(flt.operation)
            rows = [row for row in rows if row.key in keys]
        return [_row_dict(row) for row in rows]

    def _operation_keys(self, operation: int) -> set[int]:
        batch = self._s.operate.batch(operation)
        return set(batch.items) | set(batch.ignored)

    def statistics(self, definition_key: int) -> dict[str, tuple[int, int]]:
        """Per element: running instances with a token there, and with an incident there."""
        def read() -> dict[str, tuple[int, int]]:
            stats = self._s.views().element_statistics(definition_key)
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
        catalog = self._s.engine.catalog
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
            catalog = self._s.engine.catalog
            smodel, tmodel = catalog.model(source.key), catalog.model(target.key)
            return tuple((f, f) for f in smodel.flows if f in tmodel.flows)
        return self._call(read)

    def parse_pairs(self, items: list[str], source: Definition, target: Definition) -> Pairs:
        """The `--map` parsing and checks of `engine-sim migrate` (same messages)."""
        pairs = parse_mapping(items)

        def check() -> None:
            catalog = self._s.engine.catalog
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
        deployed = self._s.engine.catalog.by_key[source.key]
        return select(self._s, deployed, list(chosen.keys))

    def selected(self, selection: Selection) -> dict[str, Any]:
        """What a selection holds: running instances per element, and the ignored ones."""
        def read() -> dict[str, Any]:
            keys = self._s.operate.select(selection)
            rows = self._s.list_view.get_many(keys)
            running = [rows[k] for k in keys if k in rows and rows[k].running]
            counts: dict[str, int] = {}
            for row in running:
                for element_id in set(row.active_elements()):
                    counts[element_id] = counts.get(element_id, 0) + 1
            return {"total": len(running), "counts": counts, "ignored": len(keys) - len(running)}
        return self._call(read)

    def preview(self, selection: Selection, target: Definition, pairs: Pairs) -> dict[str, Any]:
        return self._call(lambda: self._s.operate.preview(
            selection, target.process_id, target.version, pairs, False))

    def migrate(self, selection: Selection, target: Definition, pairs: Pairs) -> int:
        """Create the batch operation and start running it; its key."""
        def create() -> int:
            claim_store(self._s.engine)
            outcome, operation = self._s.operate.migrate(
                selection, target.process_id, target.version, pairs, False, run=False)
            if operation is None:
                reason = (outcome.rejection or {}).get("rejectionReason", "rejected")
                raise CliError("--map", str(reason))
            return operation
        operation = self._call(create)
        self.run(operation)
        return operation

    def revert(self, operation: int) -> int:
        def create() -> int:
            self._s.views()
            if self._s.operate.operations.get(operation) is None:
                raise CliError("ID", f"no batch operation with key {operation}")
            claim_store(self._s.engine)
            outcome, created = self._s.operate.revert(operation, run=False)
            if created is None:
                reason = (outcome.rejection or {}).get("rejectionReason", "rejected")
                raise CliError("revert", str(reason))
            return created
        created = self._call(create)
        self.run(created)
        return created

    def run(self, operation: int) -> None:
        """Run the pending items of `operation`, one chunk per worker call (so reads run
        between chunks). `_running` is only touched on the worker thread."""
        self._worker.submit(self._start, operation)

    def _start(self, operation: int) -> None:
        if operation not in self._running:
            self._running.add(operation)
            self._step(operation)

    def _step(self, operation: int) -> None:
        if self._closing:
            self._running.discard(operation)
            return
        operate = self._s.operate
        try:
            operate.run_chunk(operation, self.chunk_size)  # one of what `run_operations` loops over
            self._s.follower.catch_up()
        except Exception:  # the chunk was not saved: the operation stays ACTIVE, resumable
            self._running.discard(operation)
            LOG.exception("operation %s stopped; resume it from its page", operation)
            return
        if self._s.operate.batch(operation).pending_count:
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

    # -- the operations view ----------------------------------------------------------------
    def operations(self) -> list[dict[str, Any]]:
        def read() -> list[dict[str, Any]]:
            self._s.views()
            return [self._with_running(row.as_dict()) for row in self._s.operate.operations.all()]
        return self._call(read)

    def operation(self, key: int) -> dict[str, Any]:
        def read() -> dict[str, Any]:
            self._s.views()
            row = self._s.operate.operations.get(key)
            if row is None:
                raise CliError("ID", f"no batch operation with key {key}")
            return self._with_running(row.as_dict())
        return self._call(read)

    def _with_running(self, view: dict[str, Any]) -> dict[str, Any]:
        view["running"] = view["key"] in self._running
        view["done"] = view["completed"] + view["failed"]
        return view

    # -- one instance -------------------------------------------------------------------------
    def instance(self, key: int) -> dict[str, Any]:
        return self._call(self._instance, key)

    def _instance(self, key: int) -> dict[str, Any]:
        engine = self._s.engine
        records = sorted(stored_records(engine, key), key=lambda r: r["position"])
        row = self._s.views().get(key)
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

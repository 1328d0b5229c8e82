"""What every `engine-sim` command shares: the store session, input errors, parsing helpers.

Bad input is found before anything is written: a command checks its arguments (and, where it
needs them, the deployed definitions and the instance it names) and raises `CliError`, which
`main` prints as one line naming the argument and the offending value, with exit status 2.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.table import Table

from engine_sim.app import EngineApp
from engine_sim.cli.arguments import CliError
from engine_sim.engine import DeployedProcess, Engine, clock_control, partition_of
from engine_sim.engine.clock_control import STORE_EPOCH, start_store_clock
from engine_sim.partitions import Cluster
from engine_sim.partitions.cluster import DEFAULT_TIMEOUT
from engine_sim.persistence import Store, StoreURLError, check_postgres, parse_store_url
from engine_sim.persistence.lease import DEFAULT_WAIT, StoreBusy, StoreReadOnly
from engine_sim.persistence.partitions import partition_count
from engine_sim.persistence.stores import schema_lock


def console(json_output: bool = False) -> Console:
    """Rich output on stdout; wide enough for keys and reasons when it is not a terminal. With
    `--json`, stdout holds the JSON document only: what is said for people goes to stderr."""
    out = Console(stderr=json_output)
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out = Console(width=160, stderr=json_output)
    return out


def print_json(document: Any) -> None:
    """The `--json` output: one JSON document on stdout (field names: docs/cli.md)."""
    sys.stdout.write(json.dumps(document, ensure_ascii=False, default=str) + "\n")


# -- the store ------------------------------------------------------------------------------
def _store_errors() -> tuple[type[BaseException], ...]:
    """What opening a store raises when it cannot be used: an input error, not a traceback."""
    errors: list[type[BaseException]] = [PersistenceError, sqlite3.Error, OSError]
    try:
        import psycopg
    except ImportError:  # the PostgreSQL extra is not installed
        return tuple(errors)
    return (*errors, psycopg.Error)


@contextmanager
def session(store_url: str, read_only: bool = False, wait: float = DEFAULT_WAIT,
            lease_on_first_write: bool = False, whole_store: bool = False,
            key: int | None = None) -> Iterator[EngineApp]:
    """The engine on `store_url` (the composition root, `EngineApp`), on the store's simulated
    clock. A command that writes takes the store's writer lease at once, waiting up to `wait`
    seconds (its `--wait`) for another writer (`StoreBusy`: exit 3); a `read_only` command
    never takes it, and never creates a folder or an empty database. The web server takes
    it on its first write instead (`lease_on_first_write`), so that while it only shows
    pages the other commands can write.

    On a partitioned PostgreSQL store (docs/scaling.md) a reader about one instance (`key`)
    reads that instance's partition; a command that reads the views (`whole_store`) folds
    every partition's log into them first; the others refuse it (the commands that write go
    through `writer`)."""
    store = open_store(store_url, read_only)
    try:
        partitions = partition_count(store)
        if partitions > 1 and key is not None and read_only:
            store = store.of_partition(key_partition(key, partitions))
        elif partitions > 1 and not whole_store:
            # every command routes a partitioned store through `writer`/`reader` before this
            raise CliError("--store", f"the store '{store_url}' has {partitions} partitions: "
                           "this command does not route to them (docs/scaling.md)")
        with schema_lock(store):
            opened = EngineApp(store, start_time=STORE_EPOCH)
        for partition in range(2, partitions + 1 if whole_store else 2):
            fold_partition(store.of_partition(partition))
    except StoreURLError as error:
        raise CliError("--store", str(error)) from None
    except _store_errors() as error:  # an unreachable server, an unwritable file
        reason = " ".join(str(error).split())  # one line (psycopg's messages have several)
        raise CliError("--store", f"cannot open '{store_url}': {reason}") from None
    try:
        clock_control.install(opened.engine)  # the store keeps a simulated clock (docs/cli.md)
        if not read_only:
            lease = opened.engine.writer_lease
            lease.wait = wait
            lease.on_wait = lambda holder: print(
                f"engine-sim: waiting up to {wait:g} s (--wait) for the store, which another "
                f"writer holds: {holder}", file=sys.stderr)
            if not lease_on_first_write:
                take_lease(opened.engine)  # first: it reloads what another writer wrote
        start_store_clock(opened.engine)
        yield opened
    finally:
        opened.close()


def key_partition(key: int, partitions: int, argument: str = "KEY") -> int:
    """The partition a key names, which the store must have."""
    partition = partition_of(key)
    if not 1 <= partition <= partitions:
        raise CliError(argument, f"{key} is no key of this store: it names partition "
                       f"{partition}, and the store has {partitions}")
    return partition


def store_partitions(store_url: str, read_only: bool = False) -> int:
    """How many partitions the store has (1 unless it is a partitioned PostgreSQL store);
    `read_only`: as a reader opens it (`open_store`)."""
    store = open_store(store_url, read_only)
    try:
        return partition_count(store)
    except StoreURLError as error:
        raise CliError("--store", str(error)) from None


@contextmanager
def writer(store_url: str, wait: float = DEFAULT_WAIT, timeout: float = DEFAULT_TIMEOUT,
           key: int | None = None, key_argument: str = "KEY") -> Iterator[Engine | Cluster]:
    """What a writing command runs on: the engine of a one-partition store (the `session`),
    or a `Cluster` over a partitioned store's partitions, which routes each command: to a
    partition's worker when one runs it (waiting `timeout` seconds for its answer), else in
    this process. Both read an instance (`instance`, the Cluster's read again from the
    store, so it shows what a worker wrote) and run a command (`execute`). A command about
    one instance, incident or operation names its `key`, which a partitioned store must have
    a partition for (else a CliError naming `key_argument`)."""
    store = open_store(store_url, read_only=False)
    partitions = store_partitions(store_url)
    if partitions == 1:
        with session(store_url, wait=wait) as opened:
            yield opened.engine
        return
    if key is not None:
        key_partition(key, partitions, key_argument)
    with cluster_of(store, store_url, timeout, wait) as cluster:
        yield cluster


@contextmanager
def reader(store_url: str) -> Iterator[Engine | Cluster]:
    """What a reading command runs on: a read-only `session`'s engine, or a `Cluster` over a
    partitioned store's partitions (it writes nothing, so it takes no partition's lease)."""
    if store_partitions(store_url, read_only=True) == 1:
        with session(store_url, read_only=True) as opened:
            yield opened.engine
        return
    with cluster_of(open_store(store_url, read_only=True), store_url) as cluster:
        yield cluster


@contextmanager
def cluster_of(store: Store, store_url: str, timeout: float = DEFAULT_TIMEOUT,
               wait: float = 0.0) -> Iterator[Cluster]:
    """A `Cluster` over a partitioned store, each partition on the store's clock; `wait`:
    the command's `--wait` for a partition another command runs in its own process."""
    try:
        cluster = Cluster(store, start_time=STORE_EPOCH, timeout=timeout, wait=wait)
    except _store_errors() as error:
        reason = " ".join(str(error).split())
        raise CliError("--store", f"cannot open '{store_url}': {reason}") from None
    try:
        for app in cluster.apps:
            clock_control.install(app.engine)
            start_store_clock(app.engine)
        yield cluster
    finally:
        cluster.close()


def fold_partition(store: Store) -> None:
    """Fold another partition's log into the shared views (its own tracking rows)."""
    with schema_lock(store):
        other = EngineApp(store, start_time=STORE_EPOCH)
    try:  # the views take the schema lock themselves to create their tables
        other.views()
    finally:
        other.close()


def open_store(store_url: str, read_only: bool) -> Store:
    """The store, checked to be usable before the engine opens it: a reader's SQLite file
    must exist (a reader creates nothing); a PostgreSQL server must answer (its failure says
    why, within the connect timeout)."""
    try:
        store = parse_store_url(store_url, create_folder=not read_only)
        if store.kind == "postgres":
            check_postgres(store)
    except StoreURLError as error:
        raise CliError("--store", str(error)) from None
    path = store.path
    if store.kind == "sqlite" and read_only and path is not None and not path.exists():
        why = (f"the folder '{path.parent}' does not exist" if not path.parent.is_dir()
               else "nothing has been deployed or created there yet")
        raise CliError("--store", f"there is no store at '{store_url}': {why}; run `engine-sim "
                       "deploy FILE` first, or name another with --store")
    return store


def take_lease(engine: Engine) -> None:
    try:
        engine.take_writer_lease()
    except StoreReadOnly as error:
        raise CliError("--store", str(error)) from None


def claim_store(engine: Engine) -> None:
    """The web server's lease, taken before its first write: a store another writer holds
    past `--wait`, or one that may not be written, is an error naming --store (the page shows
    it; the command line's exit 3 has no place there)."""
    try:
        engine.take_writer_lease()
    except (StoreBusy, StoreReadOnly) as error:
        raise CliError("--store", str(error)) from None


# -- deployed definitions -------------------------------------------------------------------
def definition(engine: Engine | Cluster, process: str, version: int | None,
               process_option: str = "--process", version_option: str = "--version") -> DeployedProcess:
    """The deployed definition of `process` (latest unless `version`), or a CliError."""
    versions = engine.catalog.versions.get(process)
    if not versions:
        known = ", ".join(sorted(engine.catalog.versions)) or "none"
        raise CliError(process_option, f"no deployed process '{process}' (deployed: {known})")
    if version is None:
        return versions[-1]
    deployed = engine.catalog.get(process, version)
    if deployed is None:
        known = ", ".join(str(d.version) for d in versions)
        raise CliError(version_option, f"process '{process}' has no version {version} (versions: {known})")
    return deployed


# -- output ---------------------------------------------------------------------------------
FINISHED = {"COMPLETED": "COMPLETED", "TERMINATED": "CANCELED"}  # lifecycle -> list-view state
WIDE = 120  # below this many columns, tables drop their date columns so keys stay whole


def key_column(table: Table, title: str = "key") -> None:
    """A column of keys: never wrapped nor cut (other columns wrap first)."""
    table.add_column(title, no_wrap=True, min_width=len(title), overflow="ignore")


def text_column(table: Table, title: str, **kw: Any) -> None:
    """A column that wraps (folding long ids) when the terminal is narrow."""
    table.add_column(title, overflow="fold", **kw)


def instance_status(engine: Engine | Cluster, key: int) -> dict[str, Any]:
    """Where an instance stands after a command: the `--json` `instance` object (a
    `Cluster` reads it from the store, as the partition's worker wrote it)."""
    state = engine.instance(key)
    assert state is not None
    return {"processInstanceKey": key, "bpmnProcessId": state.process_id,
            "version": state.version,
            "state": FINISHED.get(state.lifecycle, "INCIDENT" if state.incidents else "ACTIVE"),
            "activeElements": list(state.active_element_ids()), "incidents": len(state.incidents)}


def status_line(status: dict[str, Any]) -> str:
    where = ", ".join(status["activeElements"]) or "-"
    incidents = f", {status['incidents']} open incident(s)" if status["incidents"] else ""
    running = status["state"] in ("ACTIVE", "INCIDENT")
    return (f"instance {status['processInstanceKey']} is "
            f"{'running' if running else status['state'].lower()}, active elements: {where}{incidents}")

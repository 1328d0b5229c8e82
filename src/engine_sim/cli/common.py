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
from pathlib import Path
from typing import Any

from eventsourcing.persistence import PersistenceError
from rich.console import Console
from rich.table import Table

from engine_sim.app import EngineApp
from engine_sim.cli.arguments import (  # noqa: F401 - re-exported to the command modules
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_OK,
    CliError,
    parse_mapping,
    parse_value,
    parse_variables,
    safe,
)
from engine_sim.engine import DeployedProcess, Engine, clock_control
from engine_sim.engine.clock_control import STORE_EPOCH, start_store_clock
from engine_sim.persistence import StoreURLError, parse_store_url


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
def session(store_url: str, read_only: bool = False) -> Iterator[EngineApp]:
    """The engine on `store_url` (the composition root, `EngineApp`). A read-only command
    refuses a SQLite store that does not exist yet rather than create an empty one."""
    if read_only:
        refuse_missing_store(store_url)
    try:
        store = parse_store_url(store_url)
    except StoreURLError as error:
        raise CliError("--store", str(error)) from None
    try:
        opened = EngineApp(store, start_time=STORE_EPOCH)
        clock_control.install(opened.engine)  # the store keeps a simulated clock (docs/cli.md)
        start_store_clock(opened.engine)
    except _store_errors() as error:  # an unreachable server, an unwritable file
        reason = " ".join(str(error).split())  # one line (psycopg's messages have several)
        raise CliError("--store", f"cannot open '{store_url}': {reason}") from None
    try:
        yield opened
    finally:
        opened.close()


def refuse_missing_store(store_url: str) -> None:
    if not store_url.startswith("sqlite:///") or len(store_url) <= len("sqlite:///"):
        return
    raw = store_url[len("sqlite:///"):]
    path = Path(raw) if raw.startswith("/") else Path.cwd() / raw
    if not path.exists():
        raise CliError("--store", f"there is no store at '{path}' (nothing was deployed there "
                       "yet): run `engine-sim deploy FILE` first, or name another with --store")


# -- deployed definitions -------------------------------------------------------------------
def definition(engine: Engine, process: str, version: int | None,
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


def instance_status(engine: Engine, key: int) -> dict[str, Any]:
    """Where an instance stands after a command: the `--json` `instance` object."""
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

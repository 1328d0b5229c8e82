"""What every `engine-sim` command shares: the store session, input errors, parsing helpers.

Bad input is found before anything is written: a command checks its arguments (and, where it
needs them, the deployed definitions and the instance it names) and raises `CliError`, which
`main` prints as one line naming the argument and the offending value, with exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import PersistenceError
from rich.console import Console

from engine_sim.app import EngineApp
from engine_sim.engine import DeployedProcess, Engine
from engine_sim.persistence import DEFAULT_CLI_STORE, StoreURLError, parse_store_url

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


class CliError(Exception):
    """Invalid input: `argument` names what the user typed wrong, `message` says why."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument
        self.message = message


class Parser(argparse.ArgumentParser):
    """argparse, with its usage errors on one line (exit status 2, as for any bad input)."""

    def error(self, message: str) -> Any:  # type: ignore[override]
        self.exit(EXIT_INVALID, f"{self.prog}: {message} (see {self.prog} --help)\n")


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store", default=DEFAULT_CLI_STORE, metavar="URL",
        help=f"sqlite:///path.db, postgresql://USER@HOST:PORT/DB or memory: (default {DEFAULT_CLI_STORE}, "
        "under the current folder)",
    )


def console() -> Console:
    """Rich output on stdout; wide enough for keys and reasons when it is not a terminal."""
    out = Console()
    if not out.is_terminal and "COLUMNS" not in os.environ:
        out = Console(width=160)
    return out


# -- parsing arguments ----------------------------------------------------------------------
def parse_value(text: str) -> Any:
    """A `--var` value: JSON when it parses as JSON, else the text itself."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_variables(items: list[str] | None, option: str = "--var") -> dict[str, Any]:
    variables: dict[str, Any] = {}
    for item in items or ():
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CliError(option, f"'{item}' is not NAME=VALUE")
        variables[name.strip()] = parse_value(value)
    return variables


def parse_mapping(items: list[str] | None) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in items or ():
        source, sep, target = item.partition("=")
        if not sep or not source.strip() or not target.strip() or "=" in target:
            raise CliError("--map", f"'{item}' is not SOURCE=TARGET (two element ids)")
        pairs.append((source.strip(), target.strip()))
    return tuple(pairs)


def positive(option: str, value: int | None, allow_zero: bool = False) -> None:
    if value is not None and (value < 0 or (value == 0 and not allow_zero)):
        raise CliError(option, f"'{value}' must be {'0 or more' if allow_zero else 'at least 1'}")


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
def session(store_url: str) -> Iterator[EngineApp]:
    try:
        store = parse_store_url(store_url)
    except StoreURLError as error:
        raise CliError("--store", str(error)) from None
    try:
        opened = EngineApp(store, wall_clock=True)
    except _store_errors() as error:  # an unreachable server, an unwritable file
        reason = " ".join(str(error).split())  # one line (psycopg's messages have several)
        raise CliError("--store", f"cannot open '{store_url}': {reason}") from None
    try:
        yield opened
    finally:
        opened.close()


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


def print_error(command: str, error: CliError) -> None:
    print(f"engine-sim {command}: {error.argument}: {error.message}", file=sys.stderr)

"""`engine-sim replay PATH... [--records OUT.jsonl] [--store URL]` (docs/scenarios.md).

The closing line is `N passed, N failed, N invalid`. With `--records`, every record of every
scenario is written in log order, one JSON object a line, each marked with the scenario it
belongs to by a first field `scenario` (the scenario's name); the rest of the line is the
record exactly as the engine wrote it (`records_line`, `strip_marker`).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path
from typing import IO

import msgspec
from eventsourcing.persistence import PersistenceError

from engine_sim.persistence import Store, StoreURLError, parse_store_url
from engine_sim.scenarios.document import ScenarioInputError, load_scenario
from engine_sim.scenarios.runner import ScenarioRun

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2


def scenario_files(paths: list[str]) -> list[tuple[Path, str]]:
    """Each PATH, or every *.yaml / *.yml below a folder, sorted by path."""
    files: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
            files.extend((p, str(p)) for p in found)
        else:
            files.append((path, raw))
    return files


MARKER = b'{"scenario":'


def records_line(scenario: str, encoded: bytes) -> bytes:
    """`{"scenario":NAME,` + the record's own encoding without its opening brace."""
    name = json.dumps(scenario, ensure_ascii=False).encode()
    return MARKER + name + b"," + encoded[1:] + b"\n"


def strip_marker(line: bytes) -> bytes:
    """The record as the engine wrote it: `records_line` undone (raises on a line without)."""
    if not line.startswith(MARKER):
        raise ValueError(f"no scenario marker at the start of {line[:40]!r}")
    text = line.decode()
    _, end = json.JSONDecoder().raw_decode(text, len(MARKER.decode()))
    if text[end] != ",":
        raise ValueError(f"the scenario marker is not followed by a field: {line[:40]!r}")
    return b"{" + text[end + 1:].encode()


def _store_errors() -> tuple[type[BaseException], ...]:
    """What opening a store raises when it cannot be used (never a traceback: exit 2)."""
    errors: list[type[BaseException]] = [PersistenceError, sqlite3.Error, OSError]
    try:
        import psycopg
    except ImportError:  # the PostgreSQL extra is not installed
        return tuple(errors)
    return (*errors, psycopg.Error)


def run(args: argparse.Namespace) -> int:
    try:
        store = parse_store_url(args.store)
    except StoreURLError as error:
        print(f"engine-sim: --store: {error}", file=sys.stderr)
        return EXIT_INVALID
    return replay(args.paths, store, args.records, sys.stdout)


def replay(paths: list[str], store: Store, records_out: str | None, out: IO[str]) -> int:
    passed = failed = invalid_files = 0
    invalid = False
    files = scenario_files(paths)
    if not files:
        print(f"engine-sim replay: PATH: no scenario file (*.yaml, *.yml) in "
              f"{', '.join(repr(p) for p in paths)}", file=sys.stderr)
        return EXIT_INVALID
    encoder = msgspec.json.Encoder()
    try:
        records_file = open(records_out, "wb") if records_out else None  # noqa: SIM115
    except OSError as error:
        print(f"engine-sim: --records: cannot write '{records_out}': {error.strerror or error}",
              file=sys.stderr)
        return EXIT_INVALID
    try:
        for path, display in files:
            try:
                scenario = load_scenario(path, display)
            except ScenarioInputError as error:
                invalid = True
                invalid_files += 1
                print(str(error), file=sys.stderr)
                print(f"INVALID {display}", file=out)
                continue
            try:
                run = ScenarioRun(scenario, store)
            except _store_errors() as error:  # an unreachable server, an unwritable file
                reason = " ".join(str(error).split())  # one line (psycopg's has several)
                print(f"engine-sim: --store: cannot open '{store.url}': {reason}", file=sys.stderr)
                invalid = True
                break
            try:
                result = run.run()
            finally:
                run.close()
            if result.passed:
                passed += 1
                print(f"PASS {result.name}", file=out)
            else:
                failed += 1
                print(f"FAIL {result.name}", file=out)
                print(result.message, file=out)
            if records_file is not None:
                for record in result.records or ():
                    records_file.write(records_line(result.name, encoder.encode(record)))
    finally:
        if records_file is not None:
            records_file.close()
    print(f"{passed} passed, {failed} failed, {invalid_files} invalid", file=out)
    if invalid:
        return EXIT_INVALID
    return EXIT_FAILED if failed else EXIT_OK

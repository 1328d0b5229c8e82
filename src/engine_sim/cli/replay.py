"""`engine-sim replay PATH... [--records OUT.jsonl] [--store URL]` (docs/scenarios.md).

The closing line is `N passed, N failed, N invalid`. With `--records`, every record of every
scenario is written in log order, one JSON object a line, each marked with the scenario it
belongs to by a first field `scenario` (the scenario's name); the rest of the line is the
record exactly as the engine wrote it (`records_line`, `strip_marker`). On a partitioned
store the records come partition by partition, each line marked after the scenario with its
`partitionId` (as `Engine.export_records` marks them).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from dataclasses import replace
from pathlib import Path
from typing import IO

import msgspec
from eventsourcing.persistence import PersistenceError

from engine_sim.persistence import Store, StoreURLError, check_postgres, parse_store_url
from engine_sim.persistence.lease import StoreBusy, StoreReadOnly, writer_lease
from engine_sim.persistence.partitions import partition_count
from engine_sim.records.lines import SCENARIO_MARK, marked
from engine_sim.scenarios.document import ScenarioInputError, load_scenario
from engine_sim.scenarios.runner import ScenarioResult, ScenarioRun

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_BUSY = 0, 1, 2, 3


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


MARKER = SCENARIO_MARK


def records_line(scenario: str, encoded: bytes, partition: int | None = None) -> bytes:
    """`{"scenario":NAME,` (then `"partitionId":N,` for a partitioned store's record) + the
    record's own encoding without its opening brace (`records.lines.marked`)."""
    return marked(encoded, scenario, partition) + b"\n"


def result_lines(result: ScenarioResult, encoder: msgspec.json.Encoder) -> list[bytes]:
    """A scenario's `--records` lines: its log, or each partition's log in turn."""
    if result.partition_logs is not None:
        return [records_line(result.name, encoder.encode(record), partition)
                for partition, records in result.partition_logs for record in records]
    return [records_line(result.name, encoder.encode(record)) for record in result.records or ()]


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


SQLITE_HEADER = b"SQLite format 3\x00"


def check_replay_store(store: Store) -> None:
    """Replay empties its store before each scenario: refuse a store that is not one of
    ours (an existing file that is not an engine-sim database), and name why a PostgreSQL
    server cannot be used."""
    if store.kind == "postgres":
        check_postgres(store)
    if store.kind != "sqlite" or store.path is None or not store.path.exists():
        return
    if not is_engine_sim_database(store.path):
        raise StoreURLError(
            f"'{store.path}' exists and is not an engine-sim store: replay empties its store "
            "before each scenario, so it will not replace this file (choose another path)")


def is_engine_sim_database(path: Path) -> bool:
    """An empty file, or a SQLite database holding the event store's table and no table
    but ours."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        if not header:
            return True
        if header != SQLITE_HEADER:
            return False
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {name for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except (OSError, sqlite3.Error):
        return False
    ours = {t for t in tables if t == "stored_events" or t.startswith(("engine_sim_", "sqlite_"))}
    return not tables or ("stored_events" in tables and ours == tables)


def store_in_use(store: Store) -> tuple[int, str] | None:
    """Replay empties its store: refuse one that another writer holds (any partition's, a
    worker's), or that may not be written (exit status and message). Each scenario's
    engines then take the leases themselves."""
    try:
        partitions = _partitions(store)
    except StoreURLError as error:
        return EXIT_INVALID, str(error)
    for partition in range(1, partitions + 1):
        lease = writer_lease(store.of_partition(partition))
        lease.wait = 0
        try:
            lease.acquire()
        except StoreBusy as error:
            return EXIT_BUSY, str(error)
        except StoreReadOnly as error:
            return EXIT_INVALID, str(error)
        finally:
            lease.release()
    return None


def _partitions(store: Store) -> int:
    """The partitions whose leases matter: the store's (as it stands) or the URL's count,
    whichever is more (replay empties the store, and then makes the URL's)."""
    return max(store.partitions or 1, partition_count(replace(store, partitions=None)))


def run(args: argparse.Namespace) -> int:
    try:
        store = parse_store_url(args.store)
        check_replay_store(store)
    except StoreURLError as error:
        print(f"engine-sim: --store: {error}", file=sys.stderr)
        return EXIT_INVALID
    return replay(args.paths, store, args.records, sys.stdout)


def replay(paths: list[str], store: Store, records_out: str | None, out: IO[str]) -> int:
    refused = store_in_use(store)
    if refused is not None:
        print(f"engine-sim: --store: {refused[1]}", file=sys.stderr)
        return refused[0]
    passed = failed = invalid_files = 0
    invalid = busy = False
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
            except StoreURLError as error:  # the server went away since the check
                print(f"engine-sim: --store: {error}", file=sys.stderr)
                invalid = True
                break
            except StoreBusy as error:  # a worker started on a partition since the check
                print(f"engine-sim: --store: {error}", file=sys.stderr)
                busy = True
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
                records_file.writelines(result_lines(result, encoder))
    finally:
        if records_file is not None:
            records_file.close()
    print(f"{passed} passed, {failed} failed, {invalid_files} invalid", file=out)
    if invalid:
        return EXIT_INVALID
    if busy:
        return EXIT_BUSY
    return EXIT_FAILED if failed else EXIT_OK

"""The `engine-sim` command line (reference: docs/cli.md).

`replay` runs scenario files (docs/scenarios.md) and `schema` prints their JSON Schema. The
other commands work on a store that lasts, by default the SQLite file `.engine-sim/engine.db`
under the current folder, one module per command group (`serve` runs the web view). `arguments` parses and checks every
argument with the standard library only, and the command's module is imported only once its
arguments are valid, so `--help` and `--version` answer at once. Invalid input exits with
status 2 and a one-line message naming the argument, before anything is written; a store
another writer held for longer than `--wait` exits with status 3 (persistence/lease.py), and
on a partitioned store a partition's worker that did not answer within `--timeout` with
status 4 (the request stays queued for it; docs/scaling.md).
"""

from __future__ import annotations

import gc
import importlib
import sys

from engine_sim.cli.arguments import (
    EXIT_BUSY,
    EXIT_FAILED,
    EXIT_INVALID,
    EXIT_NO_ANSWER,
    CliError,
    build_parser,
    check_text_arguments,
    safe,
)

# Every command allocates many small, short-lived dicts (records) while instance state stays
# in memory: with CPython's default gen-0 threshold (700) the collector walks the growing
# heap so often that a batch migration loses ~30% of its throughput (benchmarks/run.py).
GC_THRESHOLDS = (50_000, 20, 100)


def print_error(command: str | None, error: CliError) -> None:
    prefix = f"engine-sim {command}" if command else "engine-sim"
    print(safe(f"{prefix}: {error.argument}: {error.message}"), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        check_text_arguments(argv)
    except CliError as error:
        print_error(None, error)
        return EXIT_INVALID
    args = build_parser().parse_args(argv)
    module, function = args.handler.split(":")
    handler = getattr(importlib.import_module(module), function)
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        return int(handler(args))
    except CliError as error:
        print_error(args.command, error)
        return EXIT_INVALID
    except Exception as error:
        status = store_failure(args.command, getattr(args, "store", ""), error)
        if status is None:
            raise
        return status


def store_failure(command: str, store_url: str, error: Exception) -> int | None:
    """The exit status of a store that turned out unusable while the command ran, or of a
    partition's worker that did not answer or failed (printed as one line naming the option),
    or None for any other error. Imported here, not at the top, so
    that --help and --version never load the persistence layer."""
    from engine_sim.partitions import WorkerFailed, WorkerTimeout
    from engine_sim.persistence.lease import StoreBusy, StoreReadOnly
    from engine_sim.persistence.mapper import CorruptStoredEvent

    if isinstance(error, StoreBusy):  # another writer held it for longer than --wait
        print_error(command, CliError("--store", str(error)))
        return EXIT_BUSY
    if isinstance(error, WorkerTimeout):  # the request may still run: not "nothing written"
        print_error(command, CliError("--timeout", str(error)))
        return EXIT_NO_ANSWER
    if isinstance(error, WorkerFailed):  # the worker rolled the command back
        print_error(command, CliError("--store", " ".join(str(error).split())))
        return EXIT_FAILED
    if isinstance(error, StoreReadOnly):  # found on the first write
        print_error(command, CliError("--store", str(error)))
        return EXIT_INVALID
    if isinstance(error, CorruptStoredEvent):
        print_error(command, CliError("--store", f"the store '{store_url}' is damaged: {error}"))
        return EXIT_INVALID
    return None


if __name__ == "__main__":
    sys.exit(main())

"""The `engine-sim` command line (reference: docs/cli.md).

`replay` runs scenario files (docs/scenarios.md) and `schema` prints their JSON Schema. The
other commands work on a store that lasts, by default the SQLite file `.engine-sim/engine.db`
under the current folder, one module per command group (`serve` runs the web view). `arguments` parses and checks every
argument with the standard library only, and the command's module is imported only once its
arguments are valid, so `--help` and `--version` answer at once. Invalid input exits with
status 2 and a one-line message naming the argument, before anything is written.
"""

from __future__ import annotations

import gc
import importlib
import sys

from engine_sim.cli.arguments import (
    EXIT_INVALID,
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


if __name__ == "__main__":
    sys.exit(main())

"""The `engine-sim` command line.

`replay` runs scenario files (the spec's contract, `replay.py`). The other commands work on a
store that lasts, by default the SQLite file `.engine-sim/engine.db` under the current
folder, one module per command group: `deploy`, `create`, `instances`, `jobs`, `migrate`,
`operations`, `history`, and `serve` (the web view). Their engine follows real time.
Invalid input exits with status 2 and a one-line message naming the argument, before
anything is written.
"""

from __future__ import annotations

import argparse
import gc
import sys

from engine_sim.cli import create, deploy, history, instances, jobs, migrate, operations, serve
from engine_sim.cli.common import CliError, Parser, print_error
from engine_sim.cli.replay import EXIT_INVALID, replay
from engine_sim.persistence import StoreURLError, parse_store_url

COMMAND_GROUPS = (deploy, create, instances, jobs, migrate, operations, history, serve)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="engine-sim",
        description="An event-sourced simulator of a Zeebe-like BPMN engine with instance migration.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    replay_cmd = commands.add_parser("replay", help="replay scenario files and check their expectations")
    replay_cmd.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    replay_cmd.add_argument("--records", metavar="OUT.jsonl", help="write every record, one JSON object a line")
    replay_cmd.add_argument("--store", default="memory:", metavar="URL",
                            help="memory:, sqlite:///path.db or postgresql://USER@HOST:PORT/DB (default memory:)")
    for group in COMMAND_GROUPS:
        group.register(commands)
    return parser


# Every command allocates many small, short-lived dicts (records) while instance state stays
# in memory: with CPython's default gen-0 threshold (700) the collector walks the growing
# heap so often that a batch migration loses ~30% of its throughput (benchmarks/run.py).
GC_THRESHOLDS = (50_000, 20, 100)


def main(argv: list[str] | None = None) -> int:
    gc.set_threshold(*GC_THRESHOLDS)
    args = build_parser().parse_args(argv)
    if args.command == "replay":
        try:
            store = parse_store_url(args.store)
        except StoreURLError as error:
            print(f"engine-sim: --store: {error}", file=sys.stderr)
            return EXIT_INVALID
        return replay(args.paths, store, args.records, sys.stdout)
    try:
        return int(args.handler(args))
    except CliError as error:
        print_error(args.command, error)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())

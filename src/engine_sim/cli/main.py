"""The `engine-sim` command line."""

from __future__ import annotations

import argparse
import sys

from engine_sim.cli.replay import EXIT_INVALID, replay
from engine_sim.persistence import StoreURLError, parse_store_url


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="engine-sim",
        description="An event-sourced simulator of a Zeebe-like BPMN engine with instance migration.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    replay_cmd = commands.add_parser("replay", help="replay scenario files and check their expectations")
    replay_cmd.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders")
    replay_cmd.add_argument("--records", metavar="OUT.jsonl", help="write every record, one JSON object a line")
    replay_cmd.add_argument("--store", default="memory:", metavar="URL",
                            help="memory:, sqlite:///path.db or postgresql://USER@HOST:PORT/DB (default memory:)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "replay":
        try:
            store = parse_store_url(args.store)
        except StoreURLError as error:
            print(f"engine-sim: --store: {error}", file=sys.stderr)
            return EXIT_INVALID
        return replay(args.paths, store, args.records, sys.stdout)
    return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())

"""`engine-sim create PROCESS [--version V] [--count N] [--var k=v ...]`: start instances."""

from __future__ import annotations

import argparse

from rich.text import Text

from engine_sim.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    CliError,
    add_store_option,
    console,
    definition,
    parse_variables,
    positive,
    session,
)
from engine_sim.engine import commands

SHOWN_KEYS = 20


def register(commands_: argparse._SubParsersAction) -> None:
    parser = commands_.add_parser("create", help="start process instances",
                                  description="Start instances of a deployed process at its none start event.")
    parser.add_argument("process", metavar="PROCESS", help="the bpmnProcessId")
    parser.add_argument("--version", type=int, help="the version (default: the latest)")
    parser.add_argument("--count", type=int, default=1, help="how many instances (default 1)")
    parser.add_argument("--var", action="append", metavar="NAME=VALUE",
                        help="a process variable; VALUE is JSON when it parses as JSON, else a string")
    add_store_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    variables = parse_variables(args.var)
    positive("--count", args.count)
    out = console()
    with session(args.store) as s:
        deployed = definition(s.engine, args.process, args.version, "PROCESS")
        if deployed.model.none_start_event(deployed.process_id) is None:
            raise CliError("PROCESS", f"'{args.process}' version {deployed.version} has no none start "
                           "event: it cannot be started by a command")
        keys = []
        with s.engine.group_commit():  # many creations, few transactions
            for _ in range(args.count):
                outcome = commands.create_instance(s.engine, deployed.process_id,
                                                   deployed.version, variables)
                if outcome.rejection is not None:
                    out.print(Text(f"rejected: {outcome.rejection['rejectionReason']}", style="red"))
                    return EXIT_FAILED
                keys.append(outcome.result)
    out.print(f"Created {len(keys)} instance{'s' if len(keys) != 1 else ''} of "
              f"{deployed.process_id} version {deployed.version}:")
    shown = keys if len(keys) <= SHOWN_KEYS else [keys[0], "...", keys[-1]]
    for key in shown:
        out.print(str(key))
    return EXIT_OK

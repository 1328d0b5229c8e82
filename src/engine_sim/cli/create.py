"""`engine-sim create PROCESS [--version V] [--count N] [--var k=v ...]`: start instances."""

from __future__ import annotations

import argparse
from typing import Any

from rich.text import Text

from engine_sim.cli.arguments import EXIT_FAILED, EXIT_OK, CliError, parse_variables
from engine_sim.cli.common import console, definition, print_json, writer
from engine_sim.engine import Engine, commands
from engine_sim.partitions import Cluster

SHOWN_KEYS = 20


def create(engine: Engine | Cluster, process_id: str, version: int, variables: dict[str, Any],
           count: int) -> tuple[list[int], str | None]:
    """`count` instances: their keys, and the first rejection's reason if one was refused."""
    if isinstance(engine, Cluster):  # each partition's share at once (workers: in parallel)
        keys, refused = engine.create_many(process_id, version, variables, count)
        return keys, refused.rejection["rejectionReason"] if refused and refused.rejection else None
    keys = []
    with engine.group_commit():  # many creations, few transactions
        for _ in range(count):
            outcome = commands.create_instance(engine, process_id, version, variables)
            if outcome.rejection is not None:
                return keys, str(outcome.rejection["rejectionReason"])
            keys.append(outcome.result)
    return keys, None


def run(args: argparse.Namespace) -> int:
    variables = parse_variables(args.var)
    out = console(args.json)
    with writer(args.store, args.wait, args.timeout) as engine:
        deployed = definition(engine, args.process, args.version, "PROCESS")
        if deployed.model.none_start_event(deployed.process_id) is None:
            raise CliError("PROCESS", f"'{args.process}' version {deployed.version} has no none start "
                           "event: it cannot be started by a command")
        keys, rejected = create(engine, deployed.process_id, deployed.version, variables,
                                args.count)
        if rejected is not None:
            out.print(Text(f"rejected: {rejected}", style="red"))
            return EXIT_FAILED
    if args.json:
        print_json({"bpmnProcessId": deployed.process_id, "version": deployed.version,
                    "processDefinitionKey": deployed.key, "processInstanceKeys": keys})
        return EXIT_OK
    out.print(f"Created {len(keys)} instance{'s' if len(keys) != 1 else ''} of "
              f"{deployed.process_id} version {deployed.version}:")
    shown = keys if len(keys) <= SHOWN_KEYS else [keys[0], "...", keys[-1]]
    for key in shown:
        out.print(str(key))
    return EXIT_OK

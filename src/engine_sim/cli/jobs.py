"""`engine-sim jobs complete KEY ELEMENT [--var k=v]` and
`engine-sim jobs fail KEY ELEMENT --retries N [--message M]`: act as a job worker.

Like every command on one instance, they run on `writer`'s engine, or on a partitioned store
its `Cluster`, which sends the command to the instance's partition (its worker, when one
runs it) and reads the instance there. `report` (shared by the other commands on one
instance) prints what was done and where the instance stands, or with `--json` the same as
one document."""

from __future__ import annotations

import argparse
from typing import Any

from rich.text import Text

from engine_sim.cli.arguments import EXIT_FAILED, EXIT_OK, CliError, parse_variables
from engine_sim.cli.common import console, instance_status, print_json, status_line, writer
from engine_sim.engine import commands
from engine_sim.engine.engine import Engine
from engine_sim.engine.state import InstanceState, Job
from engine_sim.partitions import Cluster


def open_job(engine: Engine | Cluster, key: int, element: str) -> tuple[InstanceState, Job]:
    """The instance's oldest open job at `element`, or a CliError saying what is missing."""
    state = engine.instance(key)
    if state is None:
        raise CliError("KEY", f"no process instance with key {key}")
    if not state.is_running:
        raise CliError("KEY", f"process instance {key} is not running (it is {state.lifecycle.lower()})")
    if element not in state.model.elements:
        raise CliError("ELEMENT", f"no element '{element}' in {state.process_id} version {state.version}")
    jobs = state.open_jobs_of(element)
    if not jobs:
        active = ", ".join(state.active_element_ids()) or "none"
        raise CliError("ELEMENT", f"no open job at '{element}' in process instance {key} "
                       f"(active elements: {active})")
    job = jobs[0]
    if job.state != "ACTIVATABLE":
        raise CliError("ELEMENT", f"the job of '{element}' in process instance {key} is {job.state}: "
                       "resolve its incident first")
    return state, job


def describe(job: Job) -> str:
    """The job's type, and which execution listener it runs, if it does."""
    return job.type if job.listener is None else f"{job.type}, {job.listener.lower()} execution listener"


def report(args: argparse.Namespace, engine: Engine | Cluster, done: str,
           fields: dict[str, Any]) -> None:
    """What a command on one instance did, and where the instance stands now."""
    status = instance_status(engine, args.key)
    if args.json:
        print_json({**fields, "instance": status})
    else:
        console().print(Text(f"{done}; {status_line(status)}"))


def run_complete(args: argparse.Namespace) -> int:
    variables = parse_variables(args.var)
    with writer(args.store, args.wait, args.timeout, args.key) as engine:
        _, job = open_job(engine, args.key, args.element)
        outcome = engine.execute(commands.CompleteJob(args.key, args.element, variables))
        if outcome.rejection is not None:
            console(args.json).print(Text(f"rejected: {outcome.rejection['rejectionReason']}",
                                          style="red"))
            return EXIT_FAILED
        report(args, engine, f"Completed job {job.key} ({describe(job)}) of '{args.element}'",
               {"jobKey": job.key, "type": job.type, "elementId": args.element})
    return EXIT_OK


def run_fail(args: argparse.Namespace) -> int:
    with writer(args.store, args.wait, args.timeout, args.key) as engine:
        _, job = open_job(engine, args.key, args.element)
        outcome = engine.execute(commands.FailJob(args.key, args.element, args.retries,
                                                  args.message))
        if outcome.rejection is not None:
            console(args.json).print(Text(f"rejected: {outcome.rejection['rejectionReason']}",
                                          style="red"))
            return EXIT_FAILED
        report(args, engine, f"Failed job {job.key} ({describe(job)}) of '{args.element}', "
               f"{args.retries} retries left",
               {"jobKey": job.key, "type": job.type, "elementId": args.element,
                "retries": args.retries})
    return EXIT_OK

"""`engine-sim jobs complete KEY ELEMENT [--var k=v]` and
`engine-sim jobs fail KEY ELEMENT --retries N [--message M]`: act as a job worker."""

from __future__ import annotations

import argparse

from rich.text import Text

from engine_sim.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    CliError,
    add_store_option,
    console,
    parse_variables,
    positive,
    session,
)
from engine_sim.engine import commands
from engine_sim.engine.engine import Engine
from engine_sim.engine.state import InstanceState, Job


def register(commands_: argparse._SubParsersAction) -> None:
    parser = commands_.add_parser("jobs", help="complete or fail the job of an element",
                                  description="Act as a job worker on one instance's element.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="{complete,fail}")
    complete = actions.add_parser("complete", help="complete the element's open job")
    fail = actions.add_parser("fail", help="fail the element's open job (retries 0 raises an incident)")
    for sub in (complete, fail):
        sub.add_argument("key", type=int, metavar="KEY", help="the process instance key")
        sub.add_argument("element", metavar="ELEMENT", help="the element id of the job")
    complete.add_argument("--var", action="append", metavar="NAME=VALUE",
                          help="a variable to complete with; VALUE is JSON when it parses, else a string")
    fail.add_argument("--retries", type=int, required=True, help="the retries left (0 raises an incident)")
    fail.add_argument("--message", help="the error message")
    for sub in (complete, fail):
        add_store_option(sub, writer=True)
    complete.set_defaults(handler=run_complete)
    fail.set_defaults(handler=run_fail)


def open_job(engine: Engine, key: int, element: str) -> tuple[InstanceState, Job]:
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


def _report(engine: Engine, key: int, done: str) -> None:
    state = engine.instance(key)
    assert state is not None
    where = ", ".join(state.active_element_ids()) or "-"
    lifecycle = "running" if state.is_running else state.lifecycle.lower()
    incidents = f", {len(state.incidents)} open incident(s)" if state.incidents else ""
    console().print(Text(f"{done}; instance {key} is {lifecycle}, active elements: {where}{incidents}"))


def run_complete(args: argparse.Namespace) -> int:
    variables = parse_variables(args.var)
    with session(args.store, args.wait) as s:
        _, job = open_job(s.engine, args.key, args.element)
        outcome = commands.complete_job(s.engine, args.key, args.element, variables)
        if outcome.rejection is not None:
            console().print(Text(f"rejected: {outcome.rejection['rejectionReason']}", style="red"))
            return EXIT_FAILED
        _report(s.engine, args.key, f"Completed job {job.key} ({job.type}) of '{args.element}'")
    return EXIT_OK


def run_fail(args: argparse.Namespace) -> int:
    positive("--retries", args.retries, allow_zero=True)
    with session(args.store, args.wait) as s:
        _, job = open_job(s.engine, args.key, args.element)
        outcome = commands.fail_job(s.engine, args.key, args.element, args.retries, args.message)
        if outcome.rejection is not None:
            console().print(Text(f"rejected: {outcome.rejection['rejectionReason']}", style="red"))
            return EXIT_FAILED
        _report(s.engine, args.key, f"Failed job {job.key} ({job.type}) of '{args.element}', "
                f"{args.retries} retries left")
    return EXIT_OK

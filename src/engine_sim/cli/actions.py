"""What a scenario step can do to running instances, from the command line (docs/cli.md):

`user-tasks complete KEY ELEMENT`, `messages publish NAME --key K`, `signals broadcast NAME`,
`cancel KEY` and `variables set KEY --var ...`. Each checks what it names before it runs the
engine's command (unknown or finished instance, unknown element: exit 2, nothing written); a
rejection by the engine is printed with its reason (exit 1), as `jobs` does.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.text import Text

from engine_sim.cli.arguments import EXIT_FAILED, EXIT_OK, CliError, parse_variables
from engine_sim.cli.common import console, print_json, writer
from engine_sim.cli.jobs import report
from engine_sim.engine import Engine, InstanceState, Outcome, commands
from engine_sim.partitions import Cluster
from engine_sim.timeutil import parse_duration


def running(engine: Engine | Cluster, key: int, element: str | None = None) -> InstanceState:
    """The running instance `key` (and its element `element`), or a CliError."""
    state = engine.instance(key)
    if state is None:
        raise CliError("KEY", f"no process instance with key {key}")
    if not state.is_running:
        lifecycle = "canceled" if state.lifecycle == "TERMINATED" else state.lifecycle.lower()
        raise CliError("KEY", f"process instance {key} is not running (it is {lifecycle})")
    if element is not None and element not in state.model.elements:
        raise CliError("ELEMENT",
                       f"no element '{element}' in {state.process_id} version {state.version}")
    return state


def rejected(args: argparse.Namespace, outcome: Outcome) -> bool:
    if outcome.rejection is None:
        return False
    console(args.json).print(Text(f"rejected: {outcome.rejection['rejectionReason']}", style="red"))
    return True


def run_complete_user_task(args: argparse.Namespace) -> int:
    variables = parse_variables(args.var)
    with writer(args.store, args.wait, args.timeout, args.key) as engine:
        state = running(engine, args.key, args.element)
        if args.element not in state.active_element_ids():
            active = ", ".join(state.active_element_ids()) or "none"
            raise CliError("ELEMENT", f"no user task waits at '{args.element}' in process instance "
                           f"{args.key} (active elements: {active})")
        outcome = engine.execute(commands.CompleteUserTask(args.key, args.element, variables))
        if rejected(args, outcome):
            return EXIT_FAILED
        task = next((r for r in outcome.records if r["intent"] == "COMPLETED"
                     and r["valueType"] in ("USER_TASK", "JOB")), None)
        fields = {"elementId": args.element, "userTaskKey": task["key"] if task else None,
                  "implementation": "zeebe:userTask" if task and task["valueType"] == "USER_TASK"
                  else "job worker"}
        report(args, engine, f"Completed the user task of '{args.element}'", fields)
    return EXIT_OK


def run_cancel(args: argparse.Namespace) -> int:
    with writer(args.store, args.wait, args.timeout, args.key) as engine:
        running(engine, args.key)
        outcome = engine.execute(commands.CancelProcessInstance(args.key))
        if rejected(args, outcome):
            return EXIT_FAILED
        report(args, engine, f"Canceled process instance {args.key}", {})
    return EXIT_OK


def run_set_variables(args: argparse.Namespace) -> int:
    variables = parse_variables(args.var)
    if not variables:
        raise CliError("--var", "give at least one NAME=VALUE to set")
    with writer(args.store, args.wait, args.timeout, args.key) as engine:
        state = running(engine, args.key)
        if args.element is not None:
            if args.element not in state.model.elements:
                raise CliError("--element", f"no element '{args.element}' in {state.process_id} "
                               f"version {state.version}")
            if args.element not in {ei.element_id for ei in state.elements.values()}:
                raise CliError("--element", f"element '{args.element}' of process instance "
                               f"{args.key} is not active: it has no variable scope now")
        outcome = engine.execute(commands.SetVariables(args.key, variables, args.element))
        if rejected(args, outcome):
            return EXIT_FAILED
        scope = args.element or "the process"
        report(args, engine, f"Set {', '.join(variables)} in {scope}",
               {"variables": variables, "elementId": args.element})
    return EXIT_OK


def _triggered(outcomes: list[Outcome]) -> dict[str, list[int]]:
    """The instances an event reached: correlated or triggered, and started."""
    correlated: set[int] = set()
    started: set[int] = set()
    for outcome in outcomes:
        for record in outcome.records:
            key = record.get("processInstanceKey")
            if key is None or key < 0:
                continue
            if (record["valueType"], record["intent"]) in (
                    ("PROCESS_MESSAGE_SUBSCRIPTION", "CORRELATED"),
                    ("SIGNAL_SUBSCRIPTION", "DELETED"),
                    ("TIMER", "TRIGGERED")):
                correlated.add(key)
            elif (record["valueType"], record["intent"], record.get("bpmnElementType")) == (
                    "PROCESS_INSTANCE", "ELEMENT_ACTIVATED", "PROCESS"):
                started.add(key)
    return {"triggered": sorted(correlated - started), "started": sorted(started)}


def event_report(args: argparse.Namespace, what: str, outcomes: list[Outcome],
                 fields: dict[str, Any]) -> None:
    reached = _triggered(outcomes)
    if args.json:
        print_json({**fields, "triggeredProcessInstanceKeys": reached["triggered"],
                    "startedProcessInstanceKeys": reached["started"]})
        return
    out = console()
    out.print(f"{what}: {len(reached['triggered'])} waiting instance(s) reached, "
              f"{len(reached['started'])} started")
    for label, keys in (("reached", reached["triggered"]), ("started", reached["started"])):
        if keys:
            out.print(f"{label}: " + ", ".join(map(str, keys)))


def run_publish(args: argparse.Namespace) -> int:
    variables = parse_variables(args.var)
    try:
        ttl = parse_duration(args.ttl)
    except ValueError as error:
        raise CliError("--ttl", str(error)) from None
    with writer(args.store, args.wait, args.timeout) as engine:
        outcome = engine.execute(commands.PublishMessage(args.name, args.correlation_key,
                                                         variables, ttl))
        if rejected(args, outcome):
            return EXIT_FAILED
        published = next((r for r in outcome.records if r["valueType"] == "MESSAGE"), None)
        event_report(args, f"Published message '{args.name}' ({args.correlation_key})", [outcome],
                     {"messageKey": published["key"] if published else None,
                      "messageName": args.name, "correlationKey": args.correlation_key,
                      "timeToLive": args.ttl})
    return EXIT_OK


def run_broadcast(args: argparse.Namespace) -> int:
    variables = parse_variables(args.var)
    with writer(args.store, args.wait, args.timeout) as engine:
        outcome = engine.execute(commands.BroadcastSignal(args.name, variables))
        if rejected(args, outcome):
            return EXIT_FAILED
        signal = next((r for r in outcome.records if r["valueType"] == "SIGNAL"), None)
        event_report(args, f"Broadcast signal '{args.name}'", [outcome],
                     {"signalKey": signal["key"] if signal else None, "signalName": args.name})
    return EXIT_OK

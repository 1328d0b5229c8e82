"""`engine-sim clock show` and `engine-sim clock advance DURATION`: the store's clock.

A store keeps a simulated clock (`engine.clock_control`): it starts at the real time when the
store is first used and moves only with `clock advance`, which fires every timer due by the
new time, in due-date order (then key order), as a scenario's `advance_clock` step does.
Every record is stamped with this clock; nothing fires by itself while no command runs.
"""

from __future__ import annotations

import argparse
from typing import Any

from rich.table import Table

from engine_sim.cli.arguments import EXIT_OK, CliError
from engine_sim.cli.common import console, key_column, print_json, reader, writer
from engine_sim.engine import Engine
from engine_sim.engine.clock_control import advance, due_timers
from engine_sim.partitions import Cluster
from engine_sim.timeutil import format_timestamp, parse_duration

SHOWN_TIMERS = 20


def partition_engines(target: Engine | Cluster) -> list[Engine]:
    """The engine, or every partition's, caught up with what its writer wrote."""
    if isinstance(target, Engine):
        return [target]
    for app in target.apps:
        app.engine.refresh()
    return [app.engine for app in target.apps]


def clocks(target: Engine | Cluster) -> list[str]:
    """Each partition's time (one, on a one-partition store)."""
    return [format_timestamp(engine.clock.now) for engine in partition_engines(target)]


def timers_json(target: Engine | Cluster) -> list[dict[str, Any]]:
    """The next open timers of every partition, earliest due first (then by key)."""
    timers = sorted((timer for engine in partition_engines(target)
                     for timer in due_timers(engine, SHOWN_TIMERS)),
                    key=lambda timer: (timer.due, timer.key))[:SHOWN_TIMERS]
    return [{"timerKey": timer.key, "dueDate": format_timestamp(timer.due),
             "processInstanceKey": timer.instance_key if timer.instance_key != -1 else None,
             "elementId": timer.element_id} for timer in timers]


def timers_table(timers: list[dict[str, Any]]) -> Table:
    table = Table(title="Next timers")
    key_column(table, "timer")
    table.add_column("due", no_wrap=True)
    key_column(table, "instance")
    table.add_column("element", overflow="fold")
    for timer in timers:
        instance = timer["processInstanceKey"]
        table.add_row(str(timer["timerKey"]), timer["dueDate"],
                      "start event" if instance is None else str(instance), timer["elementId"])
    return table


def run_show(args: argparse.Namespace) -> int:
    out = console(args.json)
    with reader(args.store) as target:
        times, timers = clocks(target), timers_json(target)
    if args.json:
        print_json({"time": times[0], "timers": timers, **partitions_json(times)})
        return EXIT_OK
    out.print(f"The store's clock: {times[0]}" if len(times) == 1 else
              "The partitions' clocks: " + ", ".join(
                  f"{n}: {time}" for n, time in enumerate(times, start=1)))
    out.print(timers_table(timers) if timers else "No open timer.")
    return EXIT_OK


def partitions_json(times: list[str], before: list[str] | None = None) -> dict[str, Any]:
    """On a partitioned store, each partition's clock (`--json` `partitions`)."""
    if len(times) == 1:
        return {}
    return {"partitions": [{"partition": n, "time": time, **({"from": before[n - 1]} if before
                                                             else {})}
                           for n, time in enumerate(times, start=1)]}


def run_advance(args: argparse.Namespace) -> int:
    try:
        duration = parse_duration(args.duration)
    except ValueError as error:
        raise CliError("DURATION", str(error)) from None
    out = console(args.json)
    with writer(args.store, args.wait, args.timeout) as target:
        before = clocks(target)
        fired = (target.advance_clock(duration, pin=True) if isinstance(target, Cluster)
                 else advance(target, duration)[0])
        times, timers = clocks(target), timers_json(target)
    triggered = [{"timerKey": r["key"], "processInstanceKey": r.get("processInstanceKey"),
                  "elementId": r.get("elementId"), "dueDate": r.get("dueDate")}
                 for outcome in fired for r in outcome.records
                 if r["valueType"] == "TIMER" and r["intent"] == "TRIGGERED"]
    if args.json:
        print_json({"from": before[0], "time": times[0], "triggered": triggered,
                    "timers": timers, **partitions_json(times, before)})
        return EXIT_OK
    moved = (f"The store's clock moved from {before[0]} to {times[0]}" if len(times) == 1 else
             f"Every partition's clock moved by {args.duration} (" + ", ".join(
                 f"{n}: {time}" for n, time in enumerate(times, start=1)) + ")")
    out.print(f"{moved}; {len(triggered)} timer(s) fired.")
    for timer in triggered:
        out.print(f"fired timer {timer['timerKey']} of '{timer['elementId']}' in instance "
                  f"{timer['processInstanceKey']}")
    return EXIT_OK

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

from engine_sim.cli.common import EXIT_OK, CliError, console, key_column, print_json, session
from engine_sim.engine import Engine
from engine_sim.engine.clock_control import advance, due_timers
from engine_sim.timeutil import format_timestamp, parse_duration

SHOWN_TIMERS = 20


def timers_json(engine: Engine) -> list[dict[str, Any]]:
    return [{"timerKey": timer.key, "dueDate": format_timestamp(timer.due),
             "processInstanceKey": timer.instance_key if timer.instance_key != -1 else None,
             "elementId": timer.element_id} for timer in due_timers(engine, SHOWN_TIMERS)]


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
    with session(args.store, read_only=True) as s:
        now, timers = format_timestamp(s.engine.clock.now), timers_json(s.engine)
    if args.json:
        print_json({"time": now, "timers": timers})
        return EXIT_OK
    out.print(f"The store's clock: {now}")
    out.print(timers_table(timers) if timers else "No open timer.")
    return EXIT_OK


def run_advance(args: argparse.Namespace) -> int:
    try:
        duration = parse_duration(args.duration)
    except ValueError as error:
        raise CliError("DURATION", str(error)) from None
    out = console(args.json)
    with session(args.store) as s:
        before = format_timestamp(s.engine.clock.now)
        fired, _ = advance(s.engine, duration)
        now, timers = format_timestamp(s.engine.clock.now), timers_json(s.engine)
    triggered = [{"timerKey": r["key"], "processInstanceKey": r.get("processInstanceKey"),
                  "elementId": r.get("elementId"), "dueDate": r.get("dueDate")}
                 for outcome in fired for r in outcome.records
                 if r["valueType"] == "TIMER" and r["intent"] == "TRIGGERED"]
    if args.json:
        print_json({"from": before, "time": now, "triggered": triggered, "timers": timers})
        return EXIT_OK
    out.print(f"The store's clock moved from {before} to {now}; "
              f"{len(triggered)} timer(s) fired.")
    for timer in triggered:
        out.print(f"fired timer {timer['timerKey']} of '{timer['elementId']}' in instance "
                  f"{timer['processInstanceKey']}")
    return EXIT_OK

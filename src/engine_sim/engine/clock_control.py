"""The simulated clock of a lasting store (what the CLI runs on), as Zeebe's clock control.

A store keeps its own time: a fresh store starts at the real time of its first use, and the
clock then moves only when `advance` moves it; every record is stamped with it. An advance
fires every timer (and expires every buffered message) due at or before the new time, each in
its own command (`Engine.advance_clock`), then runs `PinClock`, which writes one
`CLOCK PINNED` record whose `time` is the new time in epoch milliseconds (Zeebe's
`ClockIntent.PINNED`). Reopening a store resumes the clock from its last record, so that
record keeps an advance that fired nothing. `install` registers the command's processor
with an engine (the scenario runner never needs it: its clock starts afresh per scenario).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from engine_sim.engine.commands import Command
from engine_sim.engine.context import CommandContext
from engine_sim.records import NO_KEY, Intent, ValueType

if TYPE_CHECKING:
    from engine_sim.engine.engine import Engine, Outcome
    from engine_sim.engine.event_entries import TimerEntry
    from engine_sim.timeutil import Duration

# Where a reopened store's clock starts before it resumes from the store's last record.
STORE_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class PinClock(Command):
    """Keep the clock at `time` (epoch milliseconds) in the store."""

    VALUE_TYPE = ValueType.CLOCK
    INTENT = Intent.PIN
    time: int


def pin_clock(ctx: CommandContext, command: PinClock) -> None:
    ctx.write(None, ValueType.CLOCK, Intent.PINNED, NO_KEY, time=command.time)


def install(engine: Engine) -> None:
    engine.register(PinClock, pin_clock)


def start_store_clock(engine: Engine) -> None:
    """A store with no record yet starts at the real time (whole milliseconds)."""
    if not engine.app.recorder.max_notification_id():
        now = datetime.now(UTC)
        engine.clock.advance_to(now.replace(microsecond=now.microsecond // 1000 * 1000))


def epoch_millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def advance(engine: Engine, duration: Duration) -> tuple[list[Outcome], Outcome]:
    """Fire what falls due within `duration`, then pin the clock at the new time."""
    until = duration.add_to(engine.clock.now)
    fired = engine.advance_clock(duration)
    engine.clock.advance_to(until)
    return fired, engine.execute(PinClock(epoch_millis(until)))


def advance_by(engine: Engine, duration: Duration, pin: bool) -> list[Outcome]:
    """`Engine.advance_clock`; with `pin`, as `advance` (a lasting store's clock): the fired
    outcomes, then the pin's."""
    if not pin:
        return engine.advance_clock(duration)
    install(engine)
    fired, pinned = advance(engine, duration)
    return [*fired, pinned]


def due_timers(engine: Engine, limit: int) -> list[TimerEntry]:
    """The open timers, earliest due first (then by key)."""
    timers = engine.event_index.timers.values()
    return sorted(timers, key=lambda timer: (timer.due, timer.key))[:limit]

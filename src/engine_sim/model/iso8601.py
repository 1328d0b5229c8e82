"""Static checks of timer values, so a bad constant timer is refused at deploy time.

The one reader of ISO-8601 values is `engine_sim.timeutil`, which the engine's timers use at
run time: these checks only ask it, so a value deploys exactly when the engine can run it.
The forms are the ones Zeebe accepts for timers (see `timeutil`): a duration
`PnYnMnWnDTnHnMnS`, a date-time with an offset (`Z` or `+hh:mm`, optionally followed by a zone
id in brackets), and a repeating interval `R[n]/[<start>/]<duration>` whose duration is not
zero. Cron cycles are not accepted (the engine does not run them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine_sim.timeutil import parse_cycle, parse_datetime, parse_duration


def _parses(parse: Callable[[str], Any], text: str) -> bool:
    try:
        parse(text.strip())
    except ValueError:
        return False
    return True


def is_duration(text: str) -> bool:
    return _parses(parse_duration, text)


def is_date_time(text: str) -> bool:
    return _parses(parse_datetime, text)


def is_cycle(text: str) -> bool:
    return _parses(parse_cycle, text)


TIMER_FORMS = {
    "timeDuration": (is_duration, "an ISO-8601 duration such as PT10M"),
    "timeDate": (is_date_time, "an ISO-8601 date-time with an offset such as 2026-01-01T10:00:00Z"),
    "timeCycle": (is_cycle, "an ISO-8601 repeating interval R[n]/[<start>/]<duration> with a "
                  "duration that is not zero, such as R3/PT1H"),
}

"""Static checks of timer values, so a bad constant timer is refused at deploy time.

The accepted forms are the ones Zeebe accepts for constant timers:
- duration: `PnYnMnWnDTnHnMnS` (Zeebe's `Interval.parse`: a period part and a time part;
  seconds may have a fraction), at least one component;
- date: a date-time with an offset, `2026-01-01T10:00:00Z`, `...+02:00`, optionally followed
  by a zone id in brackets (Java's `ZonedDateTime.parse`);
- cycle: a repeating interval `R[n]/<duration>` (`R/` repeats forever).
Cron cycles and `R[n]/<start>/<duration>` are not accepted (the engine does not run them).
"""

from __future__ import annotations

import re
from datetime import datetime

_DURATION = re.compile(
    r"P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?"
    r"(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:[.,]\d+)?S)?)?"
)
_DATE_TIME = re.compile(
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))"
    r"(?:\[[A-Za-z0-9_+\-/]+\])?"
)
_CYCLE = re.compile(r"R(\d*)/(.+)")


def is_duration(text: str) -> bool:
    return _DURATION.fullmatch(text.strip()) is not None


def is_date_time(text: str) -> bool:
    match = _DATE_TIME.fullmatch(text.strip())
    if match is None:
        return False
    try:
        datetime.fromisoformat(match.group(1).replace(",", ".").replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def is_cycle(text: str) -> bool:
    match = _CYCLE.fullmatch(text.strip())
    return match is not None and is_duration(match.group(2))


TIMER_FORMS = {
    "timeDuration": (is_duration, "an ISO-8601 duration such as PT10M"),
    "timeDate": (is_date_time, "an ISO-8601 date-time with an offset such as 2026-01-01T10:00:00Z"),
    "timeCycle": (is_cycle, "an ISO-8601 repeating interval R[n]/<duration> such as R3/PT1H"),
}

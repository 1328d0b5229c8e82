"""ISO-8601 time values: the one reader for scenario files, the engine's timers at run time
and the deploy-time checks of constant timers (`model.iso8601` asks these functions), so a
timer deploys exactly when the engine can run it.

Zeebe reads timer definitions with `java.time`: a duration is a `Period` (years, months, weeks,
days: calendar-aware) plus a `Duration` (hours, minutes, seconds: fixed length), a cycle is
`R[n]/[start/]duration`, and a date is an offset date-time. We follow the same split so that
`P1M` added to January 31st lands on the last day of February, as it does in Zeebe.

Records carry timestamps as UTC text with millisecond precision (Zeebe's exporters write epoch
milliseconds), which is what `format_timestamp` produces.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

__all__ = [
    "Cycle",
    "Duration",
    "format_timestamp",
    "parse_cycle",
    "parse_datetime",
    "parse_duration",
]

_DURATION_RE = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?P<time>(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?))?",
    re.IGNORECASE,
)
# The offset is `Z` or `+hh:mm` (Java's ISO_ZONED_DATE_TIME, which Zeebe's timers use: it
# refuses `+0200` and `+02`); a missing offset is matched so that it can be named.
_DATETIME_RE = re.compile(
    r"(?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
    r"(?:Z|[+-]\d{2}:\d{2})?)"
    r"(?:\[[A-Za-z0-9_+\-/]+\])?"  # a zone id after the offset, as Java's ZonedDateTime has
)
_CYCLE_RE = re.compile(r"R(?P<count>\d*)/(?:(?P<start>[^/]+)/)?(?P<duration>[^/]+)")
# A calendar part beyond this could never be added to a `datetime` (years 1..9999).
_MAX_MONTHS = 9999 * 12


@dataclass(frozen=True, slots=True)
class Duration:
    """An ISO-8601 duration, kept component-wise (so `PT60S` and `PT1M` stay distinct).

    Years and months have no fixed length, which is why `add_to` is the way to apply one and
    `as_timedelta` refuses them.
    """

    years: int = 0
    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0
    minutes: int = 0
    seconds: Decimal = Decimal(0)

    @property
    def has_calendar_part(self) -> bool:
        return bool(self.years or self.months)

    @property
    def is_zero(self) -> bool:
        return not self.has_calendar_part and self.as_timedelta() == timedelta(0)

    def as_timedelta(self) -> timedelta:
        """The fixed-length part; a year or month has no fixed length, hence the ValueError."""
        if self.has_calendar_part:
            raise ValueError(f"duration '{self.isoformat()}' has years or months")
        return self._fixed_part()

    def add_to(self, dt: datetime) -> datetime:
        """`dt` plus this duration: months first (clamping the day, as `Period` does), then the
        fixed part. Raises OverflowError when the result leaves `datetime`'s range."""
        total_months = dt.month - 1 + self.years * 12 + self.months
        year, month0 = divmod(total_months, 12)
        year += dt.year
        if not 1 <= year <= 9999:
            raise OverflowError(f"date out of range after adding '{self.isoformat()}'")
        day = min(dt.day, calendar.monthrange(year, month0 + 1)[1])
        return dt.replace(year=year, month=month0 + 1, day=day) + self._fixed_part()

    def isoformat(self) -> str:
        """The canonical text (`PT0S` for zero), accepted back by `parse_duration`."""
        date = "".join(
            f"{value}{unit}"
            for value, unit in ((self.years, "Y"), (self.months, "M"), (self.weeks, "W"),
                                (self.days, "D"))
            if value
        )
        seconds = format(self.seconds.normalize(), "f") if self.seconds else ""
        time = "".join(
            f"{value}{unit}"
            for value, unit in ((self.hours, "H"), (self.minutes, "M"), (seconds, "S"))
            if value
        )
        if not date and not time:
            return "PT0S"
        return f"P{date}" + (f"T{time}" if time else "")

    def __str__(self) -> str:
        return self.isoformat()

    def _fixed_part(self) -> timedelta:
        whole = int(self.seconds)
        micros = int((self.seconds - whole) * 1_000_000)
        return timedelta(weeks=self.weeks, days=self.days, hours=self.hours,
                         minutes=self.minutes, seconds=whole, microseconds=micros)


@dataclass(frozen=True, slots=True)
class Cycle:
    """`R[n]/[start/]duration`: `repetitions` None means unbounded (`R/...`)."""

    repetitions: int | None
    duration: Duration
    start: datetime | None = None


def parse_duration(text: str) -> Duration:
    """Parse `PnYnMnWnDTnHnMnS` (fraction on seconds only; no sign, as in Zeebe's timers)."""
    match = _DURATION_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None or text.upper() in ("P", "PT") or match["time"] == "":
        raise ValueError(f"invalid ISO-8601 duration {_quote(text)}")
    try:
        parts = {name: int(match[name] or 0)
                 for name in ("years", "months", "weeks", "days", "hours", "minutes")}
        seconds = Decimal((match["seconds"] or "0").replace(",", "."))
    except (ValueError, InvalidOperation):  # digits beyond int()'s string limit
        raise ValueError(f"ISO-8601 duration {_quote(text)} is out of range") from None
    duration = Duration(seconds=seconds, **parts)
    _check_range(duration, text)
    return duration


def parse_datetime(text: str) -> datetime:
    """Parse an ISO-8601 date-time with an offset or `Z`, returned in UTC.

    A date-time without an offset is refused: the simulated clock is UTC and guessing a zone
    would make a scenario's result depend on the machine that runs it. A zone id in brackets
    after the offset (`...+01:00[Europe/Paris]`, which Zeebe's timers accept) is ignored: the
    offset alone fixes the instant."""
    match = _DATETIME_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"invalid ISO-8601 date-time {_quote(text)}")
    try:
        value = datetime.fromisoformat(match["datetime"].replace(",", "."))
    except ValueError:
        raise ValueError(f"invalid ISO-8601 date-time {_quote(text)}") from None
    if value.tzinfo is None:
        raise ValueError(f"ISO-8601 date-time {_quote(text)} has no UTC offset")
    return value.astimezone(UTC)


def parse_cycle(text: str) -> Cycle:
    """Parse `R/<duration>`, `R<n>/<duration>` or `R<n>/<start>/<duration>`.

    A zero duration is refused: an unbounded cycle of it would fire forever at one instant."""
    match = _CYCLE_RE.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"invalid ISO-8601 cycle {_quote(text)}")
    try:
        duration = parse_duration(match["duration"])
        start = parse_datetime(match["start"]) if match["start"] is not None else None
    except ValueError as err:
        raise ValueError(f"invalid ISO-8601 cycle {_quote(text)}: {err}") from None
    if duration.is_zero:
        raise ValueError(f"invalid ISO-8601 cycle {_quote(text)}: its duration is zero")
    repetitions = int(match["count"]) if match["count"] else None
    return Cycle(repetitions=repetitions, duration=duration, start=start)


def format_timestamp(dt: datetime) -> str:
    """UTC `2026-01-01T00:10:00Z`, with `.123` only when the milliseconds are not zero.

    Sub-millisecond digits are dropped (not rounded), as Zeebe's epoch-millisecond timestamps
    drop them; rounding could carry into the seconds."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"timestamp {dt.isoformat()} has no UTC offset")
    utc = dt.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    millis = utc.microsecond // 1000
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


def _check_range(duration: Duration, text: str) -> None:
    """Refuse durations no `datetime` arithmetic could use, so callers need not guard."""
    if duration.years * 12 + duration.months > _MAX_MONTHS:
        raise ValueError(f"ISO-8601 duration {_quote(text)} is out of range")
    try:
        duration._fixed_part()
    except OverflowError:
        raise ValueError(f"ISO-8601 duration {_quote(text)} is out of range") from None


def _quote(value: object) -> str:
    """Quote the offending text in a message, cut short so a huge input stays readable."""
    if not isinstance(value, str):
        return repr(value)
    text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in value)
    return f"'{text}'" if len(text) <= 60 else f"'{text[:57]}...'"

"""FEEL's temporal values on Python's `datetime` types: parsing, formatting, arithmetic.

- date: `datetime.date`; time: `datetime.time` (local, or with a fixed UTC offset);
- date and time: `datetime.datetime` (local, with an offset, or with a zone id via zoneinfo);
- days and time duration: `datetime.timedelta`; years and months duration: `YearsMonths`.

Differences from FEEL-Scala: a time of day with a zone id (`10:00@Europe/Paris`) is null (a
zone's offset depends on the date); years beyond 1..9999 are null; fractions of a second are
kept to the microsecond.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True, slots=True, order=True)
class YearsMonths:
    """A years and months duration, kept as a signed number of months (as Java's Period)."""

    months: int

    @property
    def years_part(self) -> int:
        return int(self.months / 12)

    @property
    def months_part(self) -> int:
        return self.months - 12 * self.years_part


TEMPORAL_TYPES = frozenset({date, time, datetime, timedelta, YearsMonths})

_DATE = r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
_TIME = r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,9}))?)?"
_ZONE = r"(?:(?P<offset>Z|[+-]\d{2}:\d{2})|@(?P<zone>[A-Za-z][A-Za-z0-9_+\-/]*))?"
_DATE_RE = re.compile(_DATE)
_TIME_RE = re.compile(_TIME + _ZONE)
_DATE_TIME_RE = re.compile(_DATE + "T" + _TIME + _ZONE)
_DAY_TIME_RE = re.compile(
    r"(?P<sign>-)?P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:\.\d{1,9})?)S)?)?"
)
_YEAR_MONTH_RE = re.compile(r"(?P<sign>-)?P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?")
_MAX_DIGITS = 12  # more than any representable date or duration needs; keeps int() cheap


# -- parsing (None for text that is not a valid literal) ------------------------------------
def parse_date(text: str) -> date | None:
    match = _DATE_RE.fullmatch(text)
    if match is None:
        return None
    day: date | None = _safe(date, int(match["year"]), int(match["month"]), int(match["day"]))
    return day


def parse_time(text: str) -> time | None:
    match = _TIME_RE.fullmatch(text)
    if match is None or match["zone"]:
        return None
    zone = _zone(match)
    return _safe(time, *_clock(match), tzinfo=zone) if zone is not False else None


def parse_date_time(text: str) -> datetime | None:
    """A date and time; a plain date is that day's midnight, as in FEEL-Scala."""
    match = _DATE_TIME_RE.fullmatch(text)
    if match is None:
        day = parse_date(text)
        return None if day is None else datetime(day.year, day.month, day.day)
    zone = _zone(match)
    if zone is False:
        return None
    ymd = (int(match["year"]), int(match["month"]), int(match["day"]))
    moment: datetime | None = _safe(datetime, *ymd, *_clock(match), tzinfo=zone)
    return moment


def parse_duration(text: str) -> timedelta | YearsMonths | None:
    """`P1DT2H` (days and time) or `P1Y2M` (years and months); mixing both kinds is null."""
    if len(text) > 64:
        return None
    match = _YEAR_MONTH_RE.fullmatch(text)
    if match is not None and (match["years"] or match["months"]):
        months = int(match["years"] or 0) * 12 + int(match["months"] or 0)
        return YearsMonths(-months if match["sign"] else months)
    match = _DAY_TIME_RE.fullmatch(text)
    if match is None or text.endswith(("P", "T")):
        return None
    parts = {k: float(match[k] or 0) for k in ("weeks", "days", "hours", "minutes", "seconds")}
    try:
        value = timedelta(**parts)
    except OverflowError:
        return None
    return -value if match["sign"] else value


def _clock(match: re.Match[str]) -> tuple[int, int, int, int]:
    fraction = (match["fraction"] or "").ljust(6, "0")[:6]
    return int(match["hour"]), int(match["minute"]), int(match["second"] or 0), int(fraction)


def _zone(match: re.Match[str]) -> tzinfo | None | bool:
    """The offset or zone of a literal; None when local, False when unknown."""
    if match["offset"]:
        if match["offset"] == "Z":
            return UTC
        sign = -1 if match["offset"][0] == "-" else 1
        hours, minutes = int(match["offset"][1:3]), int(match["offset"][4:6])
        return _safe(timezone, sign * timedelta(hours=hours, minutes=minutes)) or False
    if match["zone"]:
        return zone_named(match["zone"]) or False
    return None


def zone_named(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _safe(factory: Any, *args: Any, **kwargs: Any) -> Any:  # None where the value is invalid
    try:
        return factory(*args, **kwargs)
    except (ValueError, OverflowError, TypeError):
        return None


# -- formatting -----------------------------------------------------------------------------
def _fraction(micros: int) -> str:
    return f".{micros:06d}".rstrip("0") if micros else ""


def _offset(value: datetime | time) -> str:
    offset = value.utcoffset()
    if offset is None:
        return ""
    if offset == timedelta(0) and not isinstance(value.tzinfo, ZoneInfo):
        return "Z"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _clock_text(value: datetime | time, always_seconds: bool = True) -> str:
    text = f"{value.hour:02d}:{value.minute:02d}"
    if always_seconds or value.second or value.microsecond:
        text += f":{value.second:02d}{_fraction(value.microsecond)}"
    return text


def format_duration(value: timedelta | YearsMonths) -> str:
    """FEEL-Scala's spelling: `P1DT2H`, `-PT5M`, `P0D`; `P1Y2M`, `P0Y` (whole seconds only)."""
    if isinstance(value, YearsMonths):
        if value.months == 0:
            return "P0Y"
        sign, months = ("-", -value.months) if value.months < 0 else ("", value.months)
        years, rest = divmod(months, 12)
        return sign + "P" + (f"{years}Y" if years else "") + (f"{rest}M" if rest else "")
    seconds = int(value.total_seconds())
    if seconds == 0:
        return "P0D"
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    clock = "".join(f"{n}{u}" for n, u in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return sign + "P" + (f"{days}D" if days else "") + ("T" + clock if clock else "")


def format_temporal(value: Any) -> str:
    """FEEL's `string(value)`: `2024-01-31`, `10:30:00`, `2024-01-31T10:30:00+01:00`,
    `2024-01-31T10:30:00@Europe/Paris`, `P1DT2H`."""
    if type(value) is date:
        return value.isoformat()
    if type(value) is time:
        return _clock_text(value) + _offset(value)
    if type(value) is datetime:
        text = f"{value.date().isoformat()}T{_clock_text(value)}"
        if isinstance(value.tzinfo, ZoneInfo):
            return f"{text}@{value.tzinfo.key}"
        return text + _offset(value)
    return format_duration(value)


def variable_text(value: Any) -> str:
    """How Zeebe stores a temporal result in a variable: ISO text, a date-time with its offset
    (never its zone id) and a local time without zero seconds (Java's `LocalTime.toString`)."""
    if type(value) is datetime:
        return f"{value.date().isoformat()}T{_clock_text(value)}{_offset_only(value)}"
    if type(value) is time and value.tzinfo is None:
        return _clock_text(value, always_seconds=False)
    return format_temporal(value)


def _offset_only(value: datetime) -> str:
    offset = value.utcoffset()
    if offset is None:
        return ""
    if offset == timedelta(0):
        return "Z"
    return _offset(value.replace(tzinfo=timezone(offset)))


def literal(value: Any) -> str:
    """FEEL source text evaluating to `value`: `date("2024-01-31")`, `duration("P1D")`..."""
    function = {date: "date", time: "time", datetime: "date and time"}.get(type(value), "duration")
    return f'{function}("{format_temporal(value)}")'


# -- arithmetic and comparison --------------------------------------------------------------
def comparable(a: Any, b: Any) -> bool:
    """Two temporal values of one type; times and date-times must agree on having a zone."""
    ta = type(a)
    if ta is not type(b) or ta not in TEMPORAL_TYPES:
        return False
    if ta is datetime or ta is time:
        return (a.utcoffset() is None) == (b.utcoffset() is None)
    return True


def add(a: Any, b: Any) -> Any:
    """`a + b` for temporal operands (either order for a duration); None when undefined."""
    ta, tb = type(a), type(b)
    if ta in (timedelta, YearsMonths) and tb not in (timedelta, YearsMonths):
        a, b, ta, tb = b, a, tb, ta
    try:
        if tb is timedelta:
            return _add_day_time(a, ta, b)
        if tb is YearsMonths:
            return _add_months(a, ta, b.months)
    except (OverflowError, ValueError):
        return None
    return None


def _add_day_time(a: Any, ta: type, b: timedelta) -> Any:
    if ta is timedelta or ta is datetime:
        return a + b
    if ta is date:
        return (datetime(a.year, a.month, a.day) + b).date()
    if ta is time:
        moment = datetime.combine(date(2000, 1, 1), a.replace(tzinfo=None)) + b
        return moment.time().replace(tzinfo=a.tzinfo)
    return None


def _add_months(a: Any, ta: type, months: int) -> Any:
    if ta is YearsMonths:
        return YearsMonths(a.months + months)
    if ta is not date and ta is not datetime:
        return None
    year, month0 = divmod(a.month - 1 + months, 12)
    year += a.year
    day = min(a.day, _days_in_month(year, month0 + 1))
    return a.replace(year=year, month=month0 + 1, day=day)


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def subtract(a: Any, b: Any) -> Any:
    """`a - b`: a duration between two values of one type, or a value moved back."""
    ta, tb = type(a), type(b)
    if tb is timedelta or tb is YearsMonths:
        if ta is not timedelta and ta is not YearsMonths or ta is tb:
            return add(a, negate(b))
        return None
    if not comparable(a, b):
        return None
    if ta is date or ta is datetime:
        return _safe_sub(a, b)
    if ta is time:
        day = date(2000, 1, 1)
        return datetime.combine(day, a) - datetime.combine(day, b)
    return None


def _safe_sub(a: Any, b: Any) -> Any:
    try:
        return a - b
    except OverflowError:
        return None


def negate(a: Any) -> Any:
    if type(a) is timedelta:
        return -a
    if type(a) is YearsMonths:
        return YearsMonths(-a.months)
    return None


def multiply(a: Any, b: Any) -> Any:
    """A duration times a number (either order)."""
    if type(a) in (int, float):
        a, b = b, a
    if type(b) not in (int, float):
        return None
    try:
        if type(a) is timedelta:
            return a * b
        if type(a) is YearsMonths:
            return YearsMonths(int(a.months * b))
    except (OverflowError, ValueError):
        return None
    return None


def divide(a: Any, b: Any) -> Any:
    """A duration divided by a number (a duration) or by a duration of its kind (a number)."""
    ta, tb = type(a), type(b)
    if ta not in (timedelta, YearsMonths) or not b:
        return None
    if tb in (int, float):
        try:
            return a / b if ta is timedelta else YearsMonths(int(a.months / b))
        except (OverflowError, ValueError):
            return None
    if tb is ta:
        quotient = a / b if ta is timedelta else a.months / b.months
        return int(quotient) if float(quotient).is_integer() else quotient
    return None


# -- properties (`d.year`, `t.hour`, `p.days`) ----------------------------------------------
def _offset_duration(value: datetime | time) -> timedelta | None:
    return value.utcoffset()


def _zone_name(value: datetime | time) -> str | None:
    return value.tzinfo.key if isinstance(value.tzinfo, ZoneInfo) else None


_DATE_PROPERTIES = {
    "year": lambda v: v.year,
    "month": lambda v: v.month,
    "day": lambda v: v.day,
    "weekday": lambda v: v.isoweekday(),
}
_TIME_PROPERTIES = {
    "hour": lambda v: v.hour,
    "minute": lambda v: v.minute,
    "second": lambda v: v.second,
    "time offset": _offset_duration,
    "timezone": _zone_name,
}
_PROPERTIES: dict[type, dict[str, Any]] = {
    date: _DATE_PROPERTIES,
    time: _TIME_PROPERTIES,
    datetime: _DATE_PROPERTIES | _TIME_PROPERTIES,
    timedelta: {
        "days": lambda v: _whole(v) // 86_400 if v >= timedelta(0) else -(-_whole(v) // 86_400),
        "hours": lambda v: _part(v, 3600, 24),
        "minutes": lambda v: _part(v, 60, 60),
        "seconds": lambda v: _part(v, 1, 60),
    },
    YearsMonths: {"years": lambda v: v.years_part, "months": lambda v: v.months_part},
}


def _whole(value: timedelta) -> int:
    return int(value.total_seconds())


def _part(value: timedelta, unit: int, modulo: int) -> int:
    """Java's `toHours() % 24` and the like: truncated towards zero, sign kept."""
    seconds = _whole(value)
    magnitude = (abs(seconds) // unit) % modulo
    return -magnitude if seconds < 0 else magnitude


def property_of(value: Any, name: str) -> Any:
    """A temporal value's property, null when it has none by that name."""
    getter = _PROPERTIES.get(type(value), {}).get(name)
    return None if getter is None else getter(value)

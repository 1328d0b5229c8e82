"""Temporal functions: `date`, `time`, `date and time`, `duration`, `years and months
duration`, `now`, `today`, `day of week`, `month of year` (null for invalid arguments)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from engine_sim.feel import temporal
from engine_sim.feel.builtin import Builtin
from engine_sim.feel.clock import current_time
from engine_sim.feel.temporal import YearsMonths

_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


def _ints(values: Sequence[Any]) -> list[int] | None:
    """Integral FEEL numbers as ints; None when any is not one."""
    out = []
    for value in values:
        if type(value) is float and value.is_integer():
            value = int(value)
        if type(value) is not int:
            return None
        out.append(value)
    return out


def _build(factory: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return factory(*args, **kwargs)
    except (ValueError, OverflowError, TypeError):
        return None


def _date(args: Sequence[Any]) -> Any:
    """`date("2024-01-31")`, `date(2024, 1, 31)`, `date(<date and time>)`."""
    if len(args) == 3:
        parts = _ints(args)
        return None if parts is None else _build(date, *parts)
    value = args[0]
    if type(value) is str:
        return temporal.parse_date(value)
    if type(value) is datetime:
        return value.date()
    return value if type(value) is date else None


def _time(args: Sequence[Any]) -> Any:
    """`time("10:30:00")`, `time(10, 30, 0)`, `time(10, 30, 0, duration("PT1H"))` (an offset),
    `time(<date and time>)`."""
    if len(args) >= 3:
        parts = _ints(args[:3])
        offset = args[3] if len(args) == 4 else None
        if parts is None or (offset is not None and type(offset) is not timedelta):
            return None
        zone = None if offset is None else _build(timezone, offset)
        if offset is not None and zone is None:
            return None
        return _build(time, *parts, tzinfo=zone)
    value = args[0]
    if type(value) is str:
        return temporal.parse_time(value)
    if type(value) is datetime:
        offset = value.utcoffset()
        if offset is None:
            return value.time()
        return value.time().replace(tzinfo=timezone(offset))  # a zone's offset on that day
    return value if type(value) is time else None


def _date_and_time(args: Sequence[Any]) -> Any:
    """`date and time("2024-01-31T10:30:00Z")`, `date and time(<date>, <time>)`."""
    if len(args) == 2:
        day, clock = args
        if type(day) not in (date, datetime) or type(clock) is not time:
            return None
        return datetime.combine(day if type(day) is date else day.date(), clock)
    value = args[0]
    if type(value) is str:
        return temporal.parse_date_time(value)
    return value if type(value) is datetime else None


def _duration(args: Sequence[Any]) -> Any:
    """`duration("P1DT2H")` (days and time) or `duration("P1Y2M")` (years and months)."""
    return temporal.parse_duration(args[0]) if type(args[0]) is str else None


def _years_and_months_duration(args: Sequence[Any]) -> Any:
    """The whole months from one date (or date and time) to another."""
    start, end = args
    if type(start) not in (date, datetime) or type(end) not in (date, datetime):
        return None
    start_day = start if type(start) is date else start.date()
    end_day = end if type(end) is date else end.date()
    months = (end_day.year - start_day.year) * 12 + end_day.month - start_day.month
    if months > 0 and end_day.day < start_day.day:
        months -= 1
    elif months < 0 and end_day.day > start_day.day:
        months += 1
    return YearsMonths(months)


def _now(args: Sequence[Any]) -> datetime:
    return current_time()


def _today(args: Sequence[Any]) -> date:
    return current_time().date()


def _day_of_week(args: Sequence[Any]) -> Any:
    value = args[0]
    return _DAYS[value.weekday()] if type(value) in (date, datetime) else None


def _month_of_year(args: Sequence[Any]) -> Any:
    value = args[0]
    return _MONTHS[value.month - 1] if type(value) in (date, datetime) else None


TEMPORAL_FUNCTIONS = (
    Builtin("date", 1, 3, _date, counts=(1, 3)),
    Builtin("time", 1, 4, _time, counts=(1, 3, 4)),
    Builtin("date and time", 1, 2, _date_and_time),
    Builtin("duration", 1, 1, _duration),
    Builtin("years and months duration", 2, 2, _years_and_months_duration),
    Builtin("now", 0, 0, _now),
    Builtin("today", 0, 0, _today),
    Builtin("day of week", 1, 1, _day_of_week),
    Builtin("month of year", 1, 1, _month_of_year),
)


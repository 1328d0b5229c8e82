"""Temporal values and functions: table-driven, against Camunda 8's documented results."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine_sim.feel import clock, compile_expression
from engine_sim.feel.temporal import YearsMonths


def ev(text: str, variables: dict[str, Any] | None = None) -> Any:
    return compile_expression(text).evaluate(variables or {})


PLUS2 = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=date("2024-01-31")', date(2024, 1, 31)),
        ("=date(2024, 1, 31)", date(2024, 1, 31)),
        ('=date(date and time("2024-01-31T10:00:00Z"))', date(2024, 1, 31)),
        ('=date("2024-02-30")', None),
        ('=date("31.01.2024")', None),
        ("=date(2024, 13, 1)", None),
        ("=date(1)", None),
        ('=time("10:30:00")', time(10, 30)),
        ('=time("10:30")', time(10, 30)),
        ('=time("10:30:15.5")', time(10, 30, 15, 500_000)),
        ('=time("10:30:00+02:00")', time(10, 30, tzinfo=PLUS2)),
        ('=time("10:30:00Z")', time(10, 30, tzinfo=UTC)),
        ("=time(10, 30, 0)", time(10, 30)),
        ('=time(10, 30, 0, duration("PT2H"))', time(10, 30, tzinfo=PLUS2)),
        ('=time(date and time("2024-01-31T10:30:00+02:00"))', time(10, 30, tzinfo=PLUS2)),
        ('=time("25:00:00")', None),
        ('=time(date and time("2024-07-01T10:30:00@Europe/Berlin"))', time(10, 30, tzinfo=PLUS2)),
        ('=date and time("2024-01-31T10:30:00")', datetime(2024, 1, 31, 10, 30)),
        ('=date and time("2024-01-31T10:30:00Z")', datetime(2024, 1, 31, 10, 30, tzinfo=UTC)),
        ('=date and time("2024-01-31T10:30:00+02:00")',
         datetime(2024, 1, 31, 10, 30, tzinfo=PLUS2)),
        ('=date and time("2024-01-31T10:30:00@Europe/Berlin")',
         datetime(2024, 1, 31, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))),
        ('=date and time("2024-01-31T10:30:00@No/Where")', None),
        ('=date and time(date("2024-01-31"), time("10:30:00"))', datetime(2024, 1, 31, 10, 30)),
        ('=date and time("2024-01-31")', datetime(2024, 1, 31)),
        ('=date and time("yesterday")', None),
        ('=duration("P1DT2H30M")', timedelta(days=1, hours=2, minutes=30)),
        ('=duration("PT90S")', timedelta(seconds=90)),
        ('=duration("P2W")', timedelta(days=14)),
        ('=duration("-PT5M")', timedelta(minutes=-5)),
        ('=duration("P1Y2M")', YearsMonths(14)),
        ('=duration("P1Y2D")', None),
        ('=duration("P")', None),
        ('=duration("PT")', None),
        ("=duration(5)", None),
        ('=years and months duration(date("2011-12-22"), date("2013-08-24"))', YearsMonths(20)),
        ('=years and months duration(date("2013-08-24"), date("2011-12-22"))', YearsMonths(-20)),
        ('=day of week(date("2024-01-31"))', "Wednesday"),
        ('=month of year(date("2024-01-31"))', "January"),
    ],
)
def test_constructors(text: str, expected: Any) -> None:
    result = ev(text)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # arithmetic
        ('=date("2024-01-31") + duration("P1D")', date(2024, 2, 1)),
        ('=duration("P1D") + date("2024-01-31")', date(2024, 2, 1)),
        ('=date("2024-01-31") + duration("P1M")', date(2024, 2, 29)),
        ('=date("2024-03-01") - duration("P1Y")', date(2023, 3, 1)),
        ('=date("2024-03-01") - date("2024-01-01")', timedelta(days=60)),
        ('=date and time("2024-01-31T23:00:00Z") + duration("PT2H")',
         datetime(2024, 2, 1, 1, tzinfo=UTC)),
        ('=date and time("2024-01-02T00:00:00Z") - date and time("2024-01-01T12:00:00Z")',
         timedelta(hours=12)),
        ('=date and time("2024-01-02T00:00:00Z") - date and time("2024-01-01T12:00:00")', None),
        ('=time("23:30:00") + duration("PT1H")', time(0, 30)),
        ('=time("10:30:00") - time("09:00:00")', timedelta(minutes=90)),
        ('=duration("PT1H") + duration("PT30M")', timedelta(minutes=90)),
        ('=duration("P1Y") + duration("P2M")', YearsMonths(14)),
        ('=duration("P1Y") + duration("P2D")', None),
        ('=duration("PT1H") * 3', timedelta(hours=3)),
        ('=2 * duration("P1M")', YearsMonths(2)),
        ('=duration("PT1H") / 4', timedelta(minutes=15)),
        ('=duration("P1D") / duration("PT1H")', 24),
        ('=-duration("PT1H")', timedelta(hours=-1)),
        ('=date("2024-01-31") + 1', None),
        ('=date("2024-01-31") * 2', None),
        ('=date("9999-12-31") + duration("P1D")', None),
        # comparisons
        ('=date("2024-01-31") < date("2024-02-01")', True),
        ('=date("2024-01-31") = date("2024-01-31")', True),
        ('=date("2024-01-31") = "2024-01-31"', False),
        ('=date("2024-01-31") > "2024-01-01"', False),
        ('=time("10:30:00+02:00") = time("08:30:00Z")', True),
        ('=date and time("2024-01-31T10:00:00Z") < date and time("2024-01-31T11:00:00+02:00")',
         False),
        ('=duration("PT1H") > duration("PT59M")', True),
        ('=duration("P1Y") > duration("P11M")', True),
        ('=date("2024-01-15") between date("2024-01-01") and date("2024-01-31")', True),
        ('=date("2024-01-15") in [date("2024-01-01")..date("2024-01-31")]', True),
        ('=max([date("2024-01-31"), date("2023-01-31")])', date(2024, 1, 31)),
        # properties
        ('=date("2024-01-31").year', 2024),
        ('=date("2024-01-31").month', 1),
        ('=date("2024-01-31").day', 31),
        ('=date("2024-01-31").weekday', 3),
        ('=date and time("2024-01-31T10:30:15@Europe/Berlin").timezone', "Europe/Berlin"),
        ('=date and time("2024-01-31T10:30:15Z").hour', 10),
        ('=time("10:30:15").second', 15),
        ('=duration("P1DT2H3M4S").days', 1),
        ('=duration("P1DT2H3M4S").hours', 2),
        ('=duration("P1DT2H3M4S").minutes', 3),
        ('=duration("P1DT2H3M4S").seconds', 4),
        ('=duration("P1Y2M").years', 1),
        ('=duration("P1Y2M").months', 2),
        ('=date("2024-01-31").hour', None),
        # string()
        ('=string(date("2024-01-31"))', "2024-01-31"),
        ('=string(time("10:30"))', "10:30:00"),
        ('=string(date and time("2024-01-31T10:30:00.250+02:00"))',
         "2024-01-31T10:30:00.25+02:00"),
        ('=string(date and time("2024-01-31T10:30:00@Europe/Berlin"))',
         "2024-01-31T10:30:00@Europe/Berlin"),
        ('=string(duration("PT36H"))', "P1DT12H"),
        ('=string(duration("PT0S"))', "P0D"),
        ('=string(-duration("PT90M"))', "-PT1H30M"),
        ('=string(duration("P14M"))', "P1Y2M"),
        ('=string(duration("P0Y"))', "P0Y"),
    ],
)
def test_operations(text: str, expected: Any) -> None:
    result = ev(text)
    assert result == expected
    assert type(result) is type(expected)


def test_now_and_today_read_the_clock_they_are_given() -> None:
    moment = datetime(2030, 5, 17, 23, 30, tzinfo=UTC)
    with clock(lambda: moment):
        assert ev("=now()") == moment
        assert ev("=today()") == date(2030, 5, 17)
        assert ev('=now() > date and time("2030-01-01T00:00:00Z")') is True


def test_now_without_a_clock_is_the_real_utc_time() -> None:
    before = datetime.now(UTC)
    result = ev("=now()")
    assert before <= result <= datetime.now(UTC)
    assert result.tzinfo is not None


def test_date_and_time_is_one_function_name_only_before_a_parenthesis() -> None:
    assert ev("=date and time", {"date": True, "time": True}) is True
    assert ev("=date and time(x)", {"x": "2024-01-31T00:00:00Z"}) == datetime(
        2024, 1, 31, tzinfo=UTC)
    assert ev("=date  and\ntime ( x )", {"x": "2024-01-31T00:00:00"}) == datetime(2024, 1, 31)
    assert ev("=date and timer", {"date": True, "timer": False}) is False

"""Property tests for temporal values: text round trips, arithmetic agreeing with Python's
datetime, and the ordering of durations."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine_sim.feel import compile_expression, to_variable_value
from engine_sim.feel.temporal import YearsMonths
from engine_sim.feel.values import to_literal

no_deadline = settings(deadline=None)

dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
zones = st.one_of(st.none(), st.just(UTC), offsets)
times = st.times().flatmap(lambda t: zones.map(lambda z: t.replace(tzinfo=z)))
date_times = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)).flatmap(
    lambda d: zones.map(lambda z: d.replace(tzinfo=z)))
whole_seconds = st.integers(-10**9, 10**9).map(lambda s: timedelta(seconds=s))
years_months = st.integers(-10_000, 10_000).map(YearsMonths)
temporals = st.one_of(dates, times, date_times, whole_seconds, years_months)


def ev(text: str, variables: dict[str, Any] | None = None) -> Any:
    return compile_expression(text).evaluate(variables or {})


@no_deadline
@given(temporals)
def test_the_literal_of_a_value_evaluates_back_to_it(value: Any) -> None:
    result = ev("=" + to_literal(value))
    assert result == value and type(result) is type(value)
    if isinstance(value, (time, datetime)):
        assert result.utcoffset() == value.utcoffset()


@no_deadline
@given(temporals)
def test_string_parses_back_with_the_matching_function(value: Any) -> None:
    function = {date: "date", time: "time", datetime: "date and time"}.get(
        type(value), "duration")
    assert ev(f"={function}(string(v))", {"v": value}) == value


@no_deadline
@given(st.one_of(dates, date_times))
def test_a_stored_date_reads_back_as_the_same_value(value: Any) -> None:
    """A variable holds ISO text; `date(x)` / `date and time(x)` restores the value (an
    offset instead of a zone id keeps the instant)."""
    text = to_variable_value(value, "x")
    function = "date" if type(value) is date else "date and time"
    assert ev(f"={function}(t)", {"t": text}) == value


@no_deadline
@given(dates, st.integers(-3000, 3000))
def test_adding_days_agrees_with_python(day: date, days: int) -> None:
    try:
        expected: date | None = day + timedelta(days=days)
    except OverflowError:
        expected = None
    result = ev("=d + duration(p)", {"d": day, "p": f"{'-' if days < 0 else ''}P{abs(days)}D"})
    assert result == expected
    if expected is not None:
        assert ev("=a - b", {"a": expected, "b": day}) == timedelta(days=days)


@no_deadline
@given(whole_seconds, whole_seconds)
def test_durations_order_and_add_like_timedelta(a: timedelta, b: timedelta) -> None:
    variables = {"a": a, "b": b}
    assert ev("=a < b", variables) is (a < b)
    assert ev("=a + b", variables) == a + b
    assert ev("=duration(string(a))", variables) == a

"""engine_sim.timeutil: ISO-8601 durations, date-times, cycles and record timestamps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine_sim.timeutil import (
    Cycle,
    Duration,
    format_timestamp,
    parse_cycle,
    parse_datetime,
    parse_duration,
)

# --- durations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PT10M", Duration(minutes=10)),
        ("PT0S", Duration()),
        ("P1Y2M3W4DT5H6M7.5S", Duration(1, 2, 3, 4, 5, 6, Decimal("7.5"))),
        ("P1D", Duration(days=1)),
        ("PT0.001S", Duration(seconds=Decimal("0.001"))),
        ("PT1,5S", Duration(seconds=Decimal("1.5"))),
        ("P2W", Duration(weeks=2)),
        ("pt1h", Duration(hours=1)),
    ],
)
def test_parse_duration(text: str, expected: Duration) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text", ["", "P", "PT", "P1DT", "-PT1M", "PT1.5M", "1M", "PT1M ", "P1S", "xyz", "PT-1S"]
)
def test_parse_duration_rejects_invalid_text(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_duration(text)
    assert str(caught.value) == f"invalid ISO-8601 duration '{text}'"


def test_parse_duration_rejects_what_no_datetime_could_use() -> None:
    with pytest.raises(ValueError, match="is out of range"):
        parse_duration("PT99999999999999999999S")
    with pytest.raises(ValueError, match="is out of range"):
        parse_duration("P99999Y")


def test_as_timedelta() -> None:
    assert parse_duration("P1W2DT3H4M5.25S").as_timedelta() == timedelta(
        weeks=1, days=2, hours=3, minutes=4, seconds=5.25
    )


@pytest.mark.parametrize("text", ["P1Y", "P1M", "P1MT1S"])
def test_as_timedelta_refuses_calendar_parts(text: str) -> None:
    with pytest.raises(ValueError, match="has years or months"):
        parse_duration(text).as_timedelta()


@pytest.mark.parametrize(
    ("start", "text", "expected"),
    [
        (datetime(2024, 1, 31, tzinfo=UTC), "P1M", datetime(2024, 2, 29, tzinfo=UTC)),
        (datetime(2023, 1, 31, tzinfo=UTC), "P1M", datetime(2023, 2, 28, tzinfo=UTC)),
        (datetime(2024, 2, 29, tzinfo=UTC), "P1Y", datetime(2025, 2, 28, tzinfo=UTC)),
        (datetime(2026, 11, 30, tzinfo=UTC), "P3M", datetime(2027, 2, 28, tzinfo=UTC)),
        (datetime(2026, 1, 31, tzinfo=UTC), "P1MT1H", datetime(2026, 2, 28, 1, tzinfo=UTC)),
        (datetime(2026, 1, 1, tzinfo=UTC), "PT10M", datetime(2026, 1, 1, 0, 10, tzinfo=UTC)),
    ],
)
def test_add_to_is_calendar_aware(start: datetime, text: str, expected: datetime) -> None:
    assert parse_duration(text).add_to(start) == expected


@pytest.mark.parametrize("text", ["PT0S", "PT10M", "P1Y2M3W4DT5H6M7.5S", "PT0.001S", "P1D"])
def test_isoformat_round_trips(text: str) -> None:
    assert parse_duration(text).isoformat() == text
    assert str(parse_duration(text)) == text


# --- date-times and timestamps -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T00:00:00Z", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T01:30:00+01:00", datetime(2026, 1, 1, 0, 30, tzinfo=UTC)),
        ("2026-01-01T00:00:00.250Z", datetime(2026, 1, 1, 0, 0, 0, 250_000, tzinfo=UTC)),
        ("2026-01-01T00:00Z", datetime(2026, 1, 1, tzinfo=UTC)),
        ("2026-01-01T01:00:00+01:00[Europe/Paris]", datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_parse_datetime(text: str, expected: datetime) -> None:
    value = parse_datetime(text)
    assert value == expected
    assert value.tzinfo is UTC


def test_parse_datetime_rejects_naive_input() -> None:
    with pytest.raises(ValueError) as caught:
        parse_datetime("2026-01-01T00:00:00")
    assert str(caught.value) == "ISO-8601 date-time '2026-01-01T00:00:00' has no UTC offset"


@pytest.mark.parametrize("text", ["2026-01-01", "2026-13-01T00:00:00Z", "yesterday", ""])
def test_parse_datetime_rejects_invalid_text(text: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_datetime(text)
    assert str(caught.value) == f"invalid ISO-8601 date-time '{text}'"


def test_format_timestamp() -> None:
    assert format_timestamp(datetime(2026, 1, 1, 0, 10, tzinfo=UTC)) == "2026-01-01T00:10:00Z"
    with_ms = datetime(2026, 1, 1, 0, 10, 0, 123_999, tzinfo=UTC)
    assert format_timestamp(with_ms) == "2026-01-01T00:10:00.123Z"
    other_zone = datetime(2026, 1, 1, 1, 10, tzinfo=timezone(timedelta(hours=1)))
    assert format_timestamp(other_zone) == "2026-01-01T00:10:00Z"


def test_format_timestamp_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        format_timestamp(datetime(2026, 1, 1))


# --- cycles --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("R/PT1M", Cycle(None, Duration(minutes=1))),
        ("R5/PT1M", Cycle(5, Duration(minutes=1))),
        (
            "R3/2026-01-01T00:00:00Z/P1D",
            Cycle(3, Duration(days=1), datetime(2026, 1, 1, tzinfo=UTC)),
        ),
    ],
)
def test_parse_cycle(text: str, expected: Cycle) -> None:
    assert parse_cycle(text) == expected


@pytest.mark.parametrize("text", ["PT1M", "R5PT1M", "Rx/PT1M", "R5/", "R5/a/b/c"])
def test_parse_cycle_rejects_invalid_text(text: str) -> None:
    with pytest.raises(ValueError, match=f"^invalid ISO-8601 cycle '{text}'"):
        parse_cycle(text)


def test_parse_cycle_rejects_a_zero_duration_that_would_fire_forever() -> None:
    with pytest.raises(ValueError) as caught:
        parse_cycle("R/PT0S")
    assert str(caught.value) == "invalid ISO-8601 cycle 'R/PT0S': its duration is zero"


def test_parse_cycle_names_the_bad_part() -> None:
    with pytest.raises(ValueError) as caught:
        parse_cycle("R5/2026-01-01T00:00:00/PT1M")
    assert str(caught.value) == (
        "invalid ISO-8601 cycle 'R5/2026-01-01T00:00:00/PT1M': "
        "ISO-8601 date-time '2026-01-01T00:00:00' has no UTC offset"
    )


# --- properties ----------------------------------------------------------------------------------

aware_datetimes = st.datetimes(
    min_value=datetime(1970, 1, 1), max_value=datetime(2400, 12, 31), timezones=st.just(UTC)
)
millisecond_datetimes = aware_datetimes.map(
    lambda dt: dt.replace(microsecond=dt.microsecond // 1000 * 1000)
)
durations = st.builds(
    Duration,
    years=st.integers(0, 50),
    months=st.integers(0, 30),
    weeks=st.integers(0, 100),
    days=st.integers(0, 1000),
    hours=st.integers(0, 100),
    minutes=st.integers(0, 1000),
    seconds=st.decimals(0, 100_000, places=3),
)


@given(millisecond_datetimes)
def test_format_then_parse_is_identity_at_millisecond_precision(dt: datetime) -> None:
    assert parse_datetime(format_timestamp(dt)) == dt


@given(aware_datetimes)
def test_format_drops_sub_millisecond_digits(dt: datetime) -> None:
    parsed = parse_datetime(format_timestamp(dt))
    assert timedelta(0) <= dt - parsed < timedelta(milliseconds=1)


@given(durations)
def test_duration_text_round_trips(duration: Duration) -> None:
    assert parse_duration(duration.isoformat()) == duration


@given(durations, aware_datetimes)
def test_adding_a_duration_never_goes_back(duration: Duration, dt: datetime) -> None:
    assert duration.add_to(dt) >= dt


@given(durations, aware_datetimes, aware_datetimes)
def test_adding_a_duration_is_monotonic(duration: Duration, a: datetime, b: datetime) -> None:
    early, late = min(a, b), max(a, b)
    assert duration.add_to(early) <= duration.add_to(late)


@given(durations, aware_datetimes)
def test_a_fixed_duration_adds_as_its_timedelta(duration: Duration, dt: datetime) -> None:
    fixed = Duration(weeks=duration.weeks, days=duration.days, hours=duration.hours,
                     minutes=duration.minutes, seconds=duration.seconds)
    assert fixed.add_to(dt) == dt + fixed.as_timedelta()

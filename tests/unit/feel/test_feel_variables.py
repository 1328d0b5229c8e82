"""How FEEL results become variable values (as Zeebe writes them into MessagePack)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine_sim.feel import FeelEvaluationError, compile_expression, to_variable_value
from engine_sim.feel.temporal import YearsMonths


def stored(text: str, variables: dict[str, Any] | None = None) -> Any:
    expr = compile_expression(text)
    return to_variable_value(expr.evaluate(variables or {}), expr.body)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2024, 1, 31), "2024-01-31"),
        (time(10, 30), "10:30"),  # Java's LocalTime.toString drops zero seconds
        (time(10, 30, 5, 250_000), "10:30:05.25"),
        (time(10, 30, tzinfo=timezone(timedelta(hours=2))), "10:30:00+02:00"),
        (datetime(2024, 1, 31, 10, 30), "2024-01-31T10:30:00"),
        (datetime(2024, 1, 31, 10, 30, tzinfo=UTC), "2024-01-31T10:30:00Z"),
        (datetime(2024, 1, 31, 10, 30, tzinfo=ZoneInfo("Europe/Berlin")),
         "2024-01-31T10:30:00+01:00"),  # ISO_OFFSET_DATE_TIME: the offset, not the zone id
        (timedelta(days=1, hours=2), "P1DT2H"),
        (timedelta(0), "P0D"),
        (YearsMonths(14), "P1Y2M"),
        (YearsMonths(-3), "-P3M"),
        ([date(2024, 1, 1), {"d": [timedelta(hours=1)]}], ["2024-01-01", {"d": ["PT1H"]}]),
        (2**63 - 1, 2**63 - 1),
        (-(2**63), -(2**63)),
        ([1, "a", None, 2.5, True], [1, "a", None, 2.5, True]),
    ],
)
def test_values_as_variables_hold_them(value: Any, expected: Any) -> None:
    assert to_variable_value(value, "x") == expected


def test_a_function_value_is_stored_as_null() -> None:
    assert stored("=function(a) a") is None
    assert stored("={f: function(a) a, n: 1}") == {"f": None, "n": 1}


@pytest.mark.parametrize(
    "text", ["=2 ** 100", "=-(2 ** 63) - 1", "=2 ** 63", "=[1, {a: 2 ** 64}]", "=x * x"]
)
def test_integers_beyond_64_bits_fail_naming_the_expression(text: str) -> None:
    with pytest.raises(FeelEvaluationError) as info:
        stored(text, {"x": 2**40})
    message = str(info.value)
    assert message.startswith(f"failed to evaluate expression '{text[1:]}': the result ")
    assert "outside the range of a 64-bit integer" in message


def test_a_huge_integer_is_named_by_its_first_digits() -> None:
    with pytest.raises(FeelEvaluationError) as info:
        stored("=10 ** 1000")
    assert "10000000000000000000... (1001 digits)" in str(info.value)


def test_plain_values_are_returned_as_they_are() -> None:
    value = {"a": [1, 2, {"b": "c"}]}
    assert to_variable_value(value, "x") is value


def test_deeply_nested_values_convert_without_recursion() -> None:
    deep: Any = [date(2024, 1, 1)]
    for _ in range(5_000):
        deep = [deep]
    result = to_variable_value(deep, "x")
    for _ in range(5_000):
        result = result[0]
    assert result == ["2024-01-01"]

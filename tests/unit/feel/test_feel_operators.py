"""Operators: comparison, boolean logic, arithmetic, between, in, if-then-else."""

from __future__ import annotations

from typing import Any

import pytest

from engine_sim.feel import compile_expression


def ev(text: str, **variables: Any) -> Any:
    return compile_expression(text).evaluate(variables)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1 = 1", True),
        ("=1 = 1.0", True),
        ("=1 != 2", True),
        ('="a" = "a"', True),
        ('="a" != "a"', False),
        ("=[1, [2]] = [1, [2]]", True),
        ("=[1, 2] = [2, 1]", False),
        ("={a: 1, b: [2]} = {b: [2], a: 1}", True),
        ("={a: 1} = {a: 1, b: 2}", False),
        ("=null = null", True),
        ("=x = null", True),
        ("=null != 1", True),
        ("=1 = null", False),
        ('=1 = "1"', False),
        ("=true = 1", False),
        ("=[true] = [1]", False),
        ("=false = 0", False),
        ("=true != false", True),
    ],
)
def test_equality(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1 < 2", True),
        ("=2 < 1", False),
        ("=2 <= 2", True),
        ("=3 > 2.5", True),
        ("=2.5 >= 3", False),
        ("=2 >= 2.0", True),
        ('="apple" < "banana"', True),
        ('="b" > "a"', True),
        ('="B" < "a"', True),
        ('="a" <= "a"', True),
    ],
)
def test_ordering(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "=null < 1",
        "=1 < null",
        "=null <= null",
        "=x > 5",
        "=x >= 5",
        '=1 < "2"',
        '="1" > 0',
        "=true > false",
        "=[1] < [2]",
        "={} >= {}",
    ],
)
def test_ordering_with_null_or_mixed_types_is_false(text: str) -> None:
    """Our documented simplification: FEEL yields null here, we yield false."""
    assert ev(text) is False


@pytest.mark.parametrize(
    ("a", "b", "and_", "or_"),
    [
        ("true", "true", True, True),
        ("true", "false", False, True),
        ("false", "true", False, True),
        ("false", "false", False, False),
        ("false", "null", False, None),
        ("null", "false", False, None),
        ("true", "null", None, True),
        ("null", "true", None, True),
        ("null", "null", None, None),
        ("1", "true", None, True),
        ('"x"', "false", False, None),
    ],
)
def test_three_valued_logic(a: str, b: str, and_: bool | None, or_: bool | None) -> None:
    assert ev(f"={a} and {b}") is and_
    assert ev(f"={a} or {b}") is or_


def test_boolean_chains_and_precedence() -> None:
    assert ev("=true and true and false") is False
    assert ev("=false or false or true") is True
    assert ev("=true or false and false") is True
    assert ev("=(true or false) and false") is False
    assert ev("=x > 1 and x < 5", x=3) is True
    assert ev("=a and b", a=True, b=True) is True
    assert ev("=a or b") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=not(true)", False),
        ("=not(false)", True),
        ("=not(null)", None),
        ("=not(1)", None),
        ("=not(x > 1)", True),
    ],
)
def test_not(text: str, expected: bool | None) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1 + 2", 3),
        ("=5 - 7", -2),
        ("=3 * 4", 12),
        ("=6 / 3", 2),
        ("=7 / 2", 3.5),
        ("=-7 / 2", -3.5),
        ("=2 ** 10", 1024),
        ("=2 ** -1", 0.5),
        ("=1.5 + 1.5", 3.0),
        ("=1 + 0.5", 1.5),
        ("=0.5 * 4", 2.0),
        ("=1 + 2 * 3", 7),
        ("=(1 + 2) * 3", 9),
        ("=10 - 2 - 3", 5),
        ("=2 * 3 / 4", 1.5),
        ("=2 ** 3 ** 2", 64),
        ("=-2 ** 2", 4),
        ("=-(2 ** 2)", -4),
        ("=2 * -3", -6),
        ("=1 - -1", 2),
        ("=--3", 3),
        ('="ab" + "cd"', "abcd"),
        ("=x * 2 + 1", 7),
        ("=10 ** 30", 10**30),
    ],
)
def test_arithmetic(text: str, expected: Any) -> None:
    result = ev(text, x=3)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "text",
    [
        "=1 + null",
        "=null - 1",
        "=x * 2",
        '=1 + "a"',
        '="a" - "b"',
        '="a" * 2',
        "=true + 1",
        "=[1] + [2]",
        "={} + {}",
        "=1 / 0",
        "=1.5 / 0.0",
        "=0 ** -1",
        "=(-8) ** 0.5",
        "=-null",
        '=-"a"',
        '=--"a"',
        "=-true",
        "=10.0 ** 400",
        "=1e300 * 1e300",
        "=10 ** (10 ** 10)",
        "=2 ** 5000",
    ],
)
def test_arithmetic_null_results(text: str) -> None:
    assert ev(text) is None


def test_int_division_that_is_exact_stays_int_even_when_large() -> None:
    assert ev("=(10 ** 40) / (10 ** 20)") == 10**20
    assert type(ev("=(10 ** 40) / (10 ** 20)")) is int


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=5 between 1 and 10", True),
        ("=1 between 1 and 10", True),
        ("=10 between 1 and 10", True),
        ("=11 between 1 and 10", False),
        ('="b" between "a" and "c"', True),
        ("=x between 1 and 10", False),
        ("=5 between null and 10", False),
        ("=5 between 1 + 1 and 2 * 5 and true", True),
    ],
)
def test_between(text: str, expected: bool) -> None:
    assert ev(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=2 in [1, 2, 3]", True),
        ("=4 in [1, 2, 3]", False),
        ('="a" in ["a"]', True),
        ("=null in [1, null]", True),
        ("=x in xs", True),
        ("=x in 3", True),
        ("=x in 4", False),
        ("=[1] in [[1], [2]]", True),
        ("=3 in (1..5)", True),
        ("=1 in (1..5)", False),
        ("=5 in (1..5)", False),
        ("=1 in [1..5]", True),
        ("=5 in [1..5]", True),
        ("=5 in [1..5)", False),
        ("=1 in (1..5]", False),
        ("=5 in (1..5]", True),
        ('="b" in ["a".."c"]', True),
        ("=null in [1..5]", False),
        ("=x in [x - 1..x + 1]", True),
        ("=2 in [1, 2] + [3]", False),
        ("=2 in (xs)", True),
        ("=2 in [1, 2][2]", True),
        ("=2 in [1, 2] and true", True),
    ],
)
def test_in(text: str, expected: bool) -> None:
    assert ev(text, x=3, xs=[2, 3]) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=if x > 1 then "big" else "small"', "big"),
        ('=if x > 5 then "big" else "small"', "small"),
        ("=if null then 1 else 2", 2),
        ("=if 1 then 1 else 2", 2),
        ('=if "true" then 1 else 2', 2),
        ("=if true then 1 else 2", 1),
        ("=if false then 1 else 2 + 3", 5),
        ("=1 + if x = 3 then 10 else 20", 11),
        ("=if x = 3 then if x > 2 then 1 else 2 else 3", 1),
        ("=if missing then 1 else missing", None),
    ],
)
def test_if_then_else(text: str, expected: Any) -> None:
    assert ev(text, x=3) == expected


def test_operator_precedence_of_comparison_over_logic_and_arithmetic() -> None:
    assert ev("=1 + 1 = 2 and 2 * 2 = 4") is True
    assert ev("=x + 1 > 3 or x < 0", x=3) is True
    assert ev("=not(x = 3) or x * 2 = 6", x=3) is True


def test_large_int_powers_stay_exact() -> None:
    assert ev("=2 ** 1000") == 2**1000
    assert ev("=(-1) ** 12345678901") == -1
    assert ev("=1 ** (10 ** 12)") == 1

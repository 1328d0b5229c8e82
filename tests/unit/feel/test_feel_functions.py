"""Builtin functions: results, and null for arguments of the wrong type."""

from __future__ import annotations

from typing import Any

import pytest

from engine_sim.feel import compile_expression


def ev(text: str, **variables: Any) -> Any:
    return compile_expression(text).evaluate(variables)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=is defined(x)", True),
        ("=is defined(missing)", False),
        ("=is defined(null)", False),
        ("=is defined(order.total)", True),
        ("=is defined(order.nothing)", False),
        ("=is  defined(x)", True),
        ("=count([1, 2, 3])", 3),
        ("=count([])", 0),
        ("=count(x)", None),
        ("=sum([1, 2, 3])", 6),
        ("=sum([1, 2.5])", 3.5),
        ("=sum(1, 2, 3)", 6),
        ("=sum([])", None),
        ('=sum([1, "a"])', None),
        ("=sum([1, null])", None),
        ("=sum(x)", 3),
        ("=sum(null)", None),
        ("=min([3, 1, 2])", 1),
        ("=max([3, 1, 2])", 3),
        ("=min(3, 1.5)", 1.5),
        ("=max(1, 2, 3)", 3),
        ('=min(["b", "a"])', "a"),
        ('=max(["b", "a"])', "b"),
        ("=min([])", None),
        ('=max([1, "a"])', None),
        ("=max([1, null])", None),
        ("=max(x)", 3),
        ("=min(null)", None),
    ],
)
def test_aggregates_and_is_defined(text: str, expected: Any) -> None:
    result = ev(text, x=3, order={"total": 1})
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=string(1)", "1"),
        ("=string(-1.5)", "-1.5"),
        ("=string(1e20)", "100000000000000000000.0"),
        ("=string(2.0)", "2.0"),
        ("=string(1e-7)", "0.0000001"),
        ("=string(true)", "true"),
        ('=string("s")', "s"),
        ("=string(null)", None),
        ('=string([1, "a", null])', '[1, "a", null]'),
        ('=string({a: 1, "b c": [true]})', '{a: 1, "b c": [true]}'),
        ('=number("12")', 12),
        ('=number("-3.5")', -3.5),
        ('=number("+7")', 7),
        ('=number("1e3")', 1000.0),
        ('=number("abc")', None),
        ('=number("")', None),
        ('=number(" 1")', None),
        ('=number("1_000")', None),
        ('=number("inf")', None),
        ('=number("1e999")', None),
        ("=number(5)", None),
        ('=string length("héllo")', 5),
        ("=string length(5)", None),
        ('=upper case("aBc")', "ABC"),
        ('=lower case("aBc")', "abc"),
        ("=upper case(null)", None),
        ('=contains("foobar", "oba")', True),
        ('=contains("foobar", "x")', False),
        ('=contains("foobar", null)', None),
        ('=starts with("foobar", "foo")', True),
        ('=starts with("foobar", "bar")', False),
        ('=ends with("foobar", "bar")', True),
        ("=ends with(1, 1)", None),
        ("=list contains([1, 2], 2)", True),
        ("=list contains([1, 2], 3)", False),
        ("=list contains([1, null], null)", True),
        ("=list contains([[1]], [1])", True),
        ("=list contains([1], true)", False),
        ('=list contains("abc", "a")', None),
        ("=append([1], 2)", [1, 2]),
        ("=append([1], 2, [3])", [1, 2, [3]]),
        ("=append([])", []),
        ("=append(1, 2)", None),
        ("=concatenate([1], [2, 3], [])", [1, 2, 3]),
        ("=concatenate()", []),
        ("=concatenate([1], 2)", None),
        ("=abs(-3)", 3),
        ("=abs(-2.5)", 2.5),
        ('=abs("a")', None),
        ("=floor(1.5)", 1),
        ("=floor(-1.5)", -2),
        ("=floor(4)", 4),
        ("=ceiling(1.2)", 2),
        ("=ceiling(-1.2)", -1),
        ("=ceiling(null)", None),
    ],
)
def test_string_list_and_number_functions(text: str, expected: Any) -> None:
    result = ev(text)
    assert result == expected
    assert type(result) is type(expected)


def test_functions_compose() -> None:
    assert ev('=upper case(string(count(xs))) + "!"', xs=[1, 2]) == "2!"
    assert ev("=count(append(xs, 3)) = 3 and not(list contains(xs, 3))", xs=[1, 2]) is True


def test_append_does_not_mutate_its_argument() -> None:
    xs = [1]
    assert ev("=append(xs, 2)", xs=xs) == [1, 2]
    assert xs == [1]


def test_space_before_the_parenthesis_is_allowed() -> None:
    assert ev("=count ([1])") == 1
    assert ev("=string length (x)", x="ab") == 2
    assert ev("=count /* c */ ([1])") == 1


def test_a_variable_named_like_a_function_is_still_a_variable() -> None:
    assert ev("=count + 1", count=1) == 2
    assert ev("=string", string="s") == "s"

"""Literals: numbers, strings and their escapes, booleans, null, lists and contexts."""

from __future__ import annotations

from typing import Any

import pytest

from engine_sim.feel import compile_expression


def ev(text: str, **variables: Any) -> Any:
    return compile_expression(text).evaluate(variables)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("=1", 1),
        ("=0", 0),
        ("=-2", -2),
        ("=-2.5", -2.5),
        ("=.5", 0.5),
        ("=1.25", 1.25),
        ("=007", 7),
        ("=1e3", 1000.0),
        ("=2.5E-1", 0.25),
        ("=12345678901234567890123", 12345678901234567890123),
    ],
)
def test_numbers(text: str, value: Any) -> None:
    result = ev(text)
    assert result == value
    assert type(result) is type(value)


def test_integer_literal_stays_int_and_decimal_literal_is_float() -> None:
    assert type(ev("=3")) is int
    assert type(ev("=3.0")) is float


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('=""', ""),
        ('="abc"', "abc"),
        ('="a b"', "a b"),
        (r'="say \"hi\""', 'say "hi"'),
        (r'="back\\slash"', "back\\slash"),
        (r'="line\nbreak"', "line\nbreak"),
        (r'="tab\there"', "tab\there"),
        (r'="cr\r"', "cr\r"),
        (r'="\u00e9t\u00E9"', "été"),
        (r'="\ud83d\ude00"', "\U0001f600"),
        (r'="\d+"', "\\d+"),
        ('="raw\nnewline"', "raw\nnewline"),
        ('="ünïcode ✓"', "ünïcode ✓"),
        ('="// not a comment"', "// not a comment"),
    ],
)
def test_strings(text: str, value: str) -> None:
    assert ev(text) == value


def test_boolean_and_null_literals() -> None:
    assert ev("=true") is True
    assert ev("=false") is False
    assert ev("=null") is None


def test_lists() -> None:
    assert ev("=[]") == []
    assert ev('=[1, "a", x]', x=True) == [1, "a", True]
    assert ev("=[[1], [2, [3]]]") == [[1], [2, [3]]]
    assert ev("=[null, missing]") == [None, None]


def test_contexts() -> None:
    assert ev("={}") == {}
    assert ev('={a: 1, "b c": 2, d: {e: x}}', x=5) == {"a": 1, "b c": 2, "d": {"e": 5}}
    assert ev("={if: 1, then: 2}") == {"if": 1, "then": 2}
    assert ev("={a: 1, a: 2}") == {"a": 2}


def test_context_entries_may_read_earlier_entries() -> None:
    assert ev("={a: 1, b: a + 1, c: b * 10}") == {"a": 1, "b": 2, "c": 20}
    assert ev("={a: x, b: a}", x=3) == {"a": 3, "b": 3}


def test_context_entry_shadows_variable_only_after_it_is_defined() -> None:
    assert ev("={b: a, a: 1}", a="outer") == {"b": "outer", "a": 1}


def test_names_allow_underscore_dollar_and_digits() -> None:
    assert ev("=_a$1 + $b", _a_1=0, **{"_a$1": 1, "$b": 2}) == 3


def test_whitespace_and_comments() -> None:
    assert ev("=\n  1 +\t2 // trailing comment\n") == 3
    assert ev("=1 /* inline */ + /* another\nline */ 2") == 3
    assert ev("=  x  .  y  ", x={"y": 4}) == 4

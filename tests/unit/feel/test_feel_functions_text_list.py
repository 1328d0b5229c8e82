"""String, list and context functions: table-driven, against Camunda 8's documented results
(null for arguments of the wrong type)."""

from __future__ import annotations

from typing import Any

import pytest

from engine_sim.feel import FeelSyntaxError, compile_expression


def ev(text: str, variables: dict[str, Any] | None = None) -> Any:
    return compile_expression(text).evaluate(variables or {})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=substring("foobar", 3)', "obar"),
        ('=substring("foobar", -2)', "ar"),
        ('=substring("foobar", 3, 3)', "oba"),
        ('=substring("foobar", -3, 2)', "ba"),
        ('=substring("foobar", 3, 10)', "obar"),
        ('=substring("foobar", 1.0, 2)', "fo"),
        ('=substring("foobar", 0)', None),
        ('=substring("foobar", -7)', None),
        ('=substring("foobar", 1, -1)', None),
        ('=substring("foobar", 1.5)', None),
        ("=substring(123, 1)", None),
        ('=substring("a😀b", 2, 1)', "😀"),
        ('=string length("foo")', 3),
        ("=string length(1)", None),
        ('=upper case("aBc4")', "ABC4"),
        ('=lower case("aBc4")', "abc4"),
        ("=upper case(null)", None),
        ('=contains("foobar", "of")', False),
        ('=contains("foobar", "ob")', True),
        ('=contains("foobar", 1)', None),
        ('=starts with("foobar", "fo")', True),
        ('=ends with("foobar", "r")', True),
        ('=ends with(null, "r")', None),
        ('=substring before("foobar", "bar")', "foo"),
        ('=substring before("foobar", "xyz")', ""),
        ('=substring after("foobar", "ob")', "ar"),
        ('=substring after("foobar", "")', "foobar"),
        ('=matches("foobar", "^fo*bar")', True),
        ('=matches("foobar", "oba")', True),
        ('=matches("FooBar", "foo")', False),
        ('=matches("FooBar", "foo", "i")', True),
        ('=matches("a\nb", "a.b", "s")', True),
        ('=matches("foobar", "(")', None),
        ('=matches("foobar", "foo", "q")', None),
        ('=matches(1, "1")', None),
        ('=replace("abcd", "(ab)|(a)", "[1=$1][2=$2]")', "[1=ab][2=]cd"),
        ('=replace("0123456789", "(\\d{3})(\\d{3})(\\d{4})", "($1) $2-$3")', "(012) 345-6789"),
        ('=replace("How do you feel?", "Feel", "FEEL", "i")', "How do you FEEL?"),
        ('=replace("a.b", "\\.", "\\$")', "a$b"),
        ('=replace("ab", "(?<x>a)", "${x}${x}")', "aab"),
        ('=replace("ab", "a", "$2")', None),
        ('=replace("ab", "a", "$")', None),
        ("=replace(1, \"a\", \"b\")", None),
        ('=split("John Doe", "\\s")', ["John", "Doe"]),
        ('=split("a;b;c;;", ";")', ["a", "b", "c", "", ""]),
        ('=split("a1b2c", "(\\d)")', ["a", "b", "c"]),
        ('=split("", ",")', [""]),
        ('=split("abc", "")', ["a", "b", "c", ""]),  # as Java's split(regex, -1)
        ('=split("a", 1)', None),
        ('=string join(["a", "b", "c"])', "abc"),
        ('=string join(["a"], "X")', "a"),
        ('=string join(["a", "b", "c"], ", ")', "a, b, c"),
        ('=string join(["a", "b", "c"], ", ", "[", "]")', "[a, b, c]"),
        ('=string join(["a", null, "c"])', "ac"),
        ("=string join([])", ""),
        ('=string join(["a", 1])', None),
        ('=string join("a")', None),
        ('=trim("  hello world  ")', "hello world"),
    ],
)
def test_string_functions(text: str, expected: Any) -> None:
    assert ev(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=count([1, 2, 3])", 3),
        ('=count("abc")', None),
        ("=sum([1, 2, 3])", 6),
        ("=sum(1, 2, 3)", 6),
        ('=sum([1, "a"])', None),
        ("=min([3, 1, 2])", 1),
        ("=max(3, 1, 2)", 3),
        ('=max(["a", "c", "b"])', "c"),
        ('=min([1, "a"])', None),
        ("=min([])", None),
        ("=append([1], 2, 3)", [1, 2, 3]),
        ("=append(1, 2)", None),
        ("=concatenate([1, 2], [3])", [1, 2, 3]),
        ("=list contains([1, 2, 3], 2)", True),
        ("=list contains([1, 2, 3], 2.0)", True),
        ("=list contains([1, null], null)", True),
        ("=flatten([[1, 2], [[3]], 4])", [1, 2, 3, 4]),
        ("=flatten([])", []),
        ("=flatten(1)", None),
        ("=distinct values([1, 2, 3, 2, 1])", [1, 2, 3]),
        ("=distinct values([1, 1.0, true, \"1\", null, null])", [1, True, "1", None]),
        ("=distinct values([{a: 1}, {a: 1}, [1], [1], {a: 2}])", [{"a": 1}, [1], {"a": 2}]),
        ("=distinct values(\"a\")", None),
        ("=sort([3, 1, 4, 5, 2], function(x, y) x < y)", [1, 2, 3, 4, 5]),
        ("=sort([3, 1, 4, 5, 2], function(x, y) x > y)", [5, 4, 3, 2, 1]),
        ('=sort(["b", "a"], function(x, y) x < y)', ["a", "b"]),
        ("=sort([{n: 2, k: 1}, {n: 1, k: 2}, {n: 2, k: 3}], function(x, y) x.n < y.n)",
         [{"n": 1, "k": 2}, {"n": 2, "k": 1}, {"n": 2, "k": 3}]),
        ("=sort([3, 1], function(x, y) x)", None),
        ("=sort([3, 1], function(x) x)", None),
        ("=sort([3, 1], 1)", None),
        ("=sort(3, function(x, y) x < y)", None),
        ("=reverse([1, 2, 3])", [3, 2, 1]),
        ("=index of([1, 2, 3, 2], 2)", [2, 4]),
        ('=get value({foo: 123}, "foo")', 123),
        ('=get value({a: 1}, "b")', None),
        ('=get value({x: 1, y: {z: 0}}, ["y", "z"])', 0),
        ('=get value({x: {y: {z: 0}}}, ["x", "y"])', {"z": 0}),
        ('=get value({a: {b: 3}}, ["b"])', None),
        ("=get value({a: 1}, [])", None),
        ('=get value(1, "a")', None),
        ('=context put({x: 1}, "y", 2)', {"x": 1, "y": 2}),
        ('=context put({x: 1}, "x", 2)', {"x": 2}),
        ('=context put({x: 1}, ["y"], 2)', {"x": 1, "y": 2}),
        ('=context put({x: 1, y: {z: 0}}, ["y", "z"], 2)', {"x": 1, "y": {"z": 2}}),
        ('=context put({x: 1}, ["y", "z"], 2)', {"x": 1, "y": {"z": 2}}),
        ("=context put({x: 1}, [], 2)", None),
        ('=context put(1, "x", 2)', None),
        ("=context merge([{x: 1}, {y: 2}])", {"x": 1, "y": 2}),
        ("=context merge([{x: 1, y: 0}, {y: 2}])", {"x": 1, "y": 2}),
    ],
)
def test_list_and_context_functions(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_context_put_leaves_its_argument_unchanged() -> None:
    original = {"y": {"z": 0}}
    assert ev('=context put(c, ["y", "z"], 2)', {"c": original}) == {"y": {"z": 2}}
    assert original == {"y": {"z": 0}}


def test_flatten_and_distinct_values_take_deep_input_without_recursion() -> None:
    deep: Any = [1]
    for _ in range(5_000):
        deep = [deep]
    assert ev("=flatten(x)", {"x": deep}) == [1]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('=substring("a")', "function 'substring' expects 2 to 3 arguments but got 1"),
        ("=date(1, 2)", "function 'date' expects 1 or 3 arguments but got 2"),
        ("=sort([1])", "function 'sort' expects 2 arguments but got 1"),
        ("=now(1)", "function 'now' expects 0 arguments but got 1"),
    ],
)
def test_wrong_argument_counts_are_syntax_errors(text: str, reason: str) -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression(text)
    assert info.value.reason == reason

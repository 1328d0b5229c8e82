"""Property tests: arithmetic agrees with Python, literals round-trip, the parser fails cleanly."""

from __future__ import annotations

import contextlib
import json
import math
import string
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from engine_sim.feel import (
    FeelEvaluationError,
    FeelSyntaxError,
    compile_expression,
    to_variable_value,
)

KEYWORDS = {"true", "false", "null", "if", "then", "else", "and", "or", "between", "in"}
KEYWORDS |= {"for", "some", "every", "return", "satisfies", "function", "instance", "of"}

# Timing varies too much on shared CI machines for Hypothesis's per-example deadline.
no_deadline = settings(deadline=None)

ints = st.integers(min_value=-(10**12), max_value=10**12)
finite_floats = st.floats(allow_nan=False, allow_infinity=False)
identifiers = st.from_regex(r"[A-Za-z_$][A-Za-z0-9_$]{0,8}", fullmatch=True).filter(
    lambda name: name not in KEYWORDS
)


def ev(text: str, variables: dict[str, Any] | None = None) -> Any:
    return compile_expression(text).evaluate(variables or {})


# --- arithmetic ---------------------------------------------------------------------------

Tree = Any  # int | ("neg", Tree) | (op, Tree, Tree)

int_trees = st.recursive(
    ints,
    lambda children: st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*"]), children, children),
        st.tuples(st.just("neg"), children),
    ),
    max_leaves=30,
)


def render(tree: Tree) -> str:
    if isinstance(tree, int):
        return str(tree)
    if tree[0] == "neg":
        return f"-({render(tree[1])})"
    op, left, right = tree
    return f"({render(left)} {op} {render(right)})"


def python_value(tree: Tree) -> int:
    if isinstance(tree, int):
        return tree
    if tree[0] == "neg":
        return -python_value(tree[1])
    op, left, right = tree
    a, b = python_value(left), python_value(right)
    return a + b if op == "+" else a - b if op == "-" else a * b


@no_deadline
@given(int_trees)
def test_integer_arithmetic_agrees_with_python(tree: Tree) -> None:
    result = ev("=" + render(tree))
    assert result == python_value(tree)
    assert type(result) is int


@no_deadline
@given(ints, ints)
def test_division_is_int_when_exact_else_float(a: int, b: int) -> None:
    result = ev("=a / b", {"a": a, "b": b})
    if b == 0:
        assert result is None
    elif a % b == 0:
        assert result == a // b and type(result) is int
    else:
        assert result == a / b and type(result) is float


@no_deadline
@given(st.integers(-50, 50), st.integers(0, 40))
def test_integer_power_agrees_with_python(a: int, b: int) -> None:
    result = ev("=a ** b", {"a": a, "b": b})
    assert result == a**b and type(result) is int


@no_deadline
@given(st.one_of(ints, finite_floats), st.one_of(ints, finite_floats))
def test_number_comparisons_agree_with_python(a: float, b: float) -> None:
    variables = {"a": a, "b": b}
    for op, expected in [("<", a < b), ("<=", a <= b), (">", a > b), (">=", a >= b)]:
        assert ev(f"=a {op} b", variables) is expected
    assert ev("=a = b", variables) is (a == b)
    assert ev("=a != b", variables) is (a != b)


@no_deadline
@given(st.text(), st.text())
def test_string_comparisons_agree_with_python(a: str, b: str) -> None:
    variables = {"a": a, "b": b}
    assert ev("=a < b", variables) is (a < b)
    assert ev("=a = b", variables) is (a == b)
    assert ev("=a + b", variables) == a + b


@no_deadline
@given(st.one_of(ints, finite_floats))
def test_number_of_string_round_trips(n: float) -> None:
    assert ev("=number(string(n))", {"n": n}) == n


# --- literals -----------------------------------------------------------------------------

scalars = st.one_of(st.none(), st.booleans(), ints, st.integers(), finite_floats, st.text())
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.one_of(st.text(), identifiers), children, max_size=5),
    ),
    max_leaves=25,
)


def literal(value: Any, draw_bool: bool) -> str:
    """FEEL source for `value`, written independently of the module's own formatter."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=draw_bool)
    if isinstance(value, list):
        return "[" + ", ".join(literal(item, draw_bool) for item in value) + "]"
    entries = []
    for key, item in value.items():
        bare = key and key[0] in string.ascii_letters + "_$" and key not in KEYWORDS
        bare = bare and all(c in string.ascii_letters + string.digits + "_$" for c in key)
        written_key = key if bare else json.dumps(key, ensure_ascii=draw_bool)
        entries.append(f"{written_key}: {literal(item, draw_bool)}")
    return "{" + ",\n ".join(entries) + "}"


def same(a: Any, b: Any) -> bool:
    """Equality that also distinguishes bool, int and float."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b


@no_deadline
@given(values, st.booleans())
def test_literals_round_trip(value: Any, ascii_only: bool) -> None:
    assert same(ev("=" + literal(value, ascii_only)), value)


@no_deadline
@given(values)
def test_literal_equals_itself_and_the_variable(value: Any) -> None:
    text = literal(value, True)
    assert ev(f"={text} = {text}") is True
    assert ev(f"=v = {text}", {"v": value}) is True


@no_deadline
@given(values)
def test_string_function_output_parses_back(value: Any) -> None:
    """`string(x)` of a list or context is FEEL literal syntax (strings are unquoted)."""
    if isinstance(value, (list, dict)):
        assert same(ev("=" + ev("=string(v)", {"v": value})), value)


@no_deadline
@given(st.text().filter(lambda text: not text.lstrip().startswith("=")))
def test_static_text_is_returned_unchanged(text: str) -> None:
    expr = compile_expression(text)
    assert expr.is_static and expr.evaluate({}) == text


# --- robustness ---------------------------------------------------------------------------

# Fragments of FEEL (some with spaces or newlines), joined at random.
# fmt: off
TOKENS = [
    "x", "y.z", "item", "1", "-", "2.5", '"s"', "(", ")", "[", "]", "{", "}", ",", ":", ".",
    "..", "+", "*", "/", "**", "=", "!=", "<", "<=", ">", ">=", "and", "or", "not(", "if",
    "then", "else", "between", "in", "true", "null", "count(", "is defined(", "sum(",
    "string length(", "a:", "//", "/*", "*/", '"', "\\", "foo(", "for", "\n",
    "return", "some", "every", "satisfies", "function", "date and time(", "date(", "time(",
    "duration(", '"P1D"', '"2024-01-31"', '"10:00:00Z"', "now()", "today()", "sort(",
    "substring(", "split(", "replace(", "matches(", "string join(", "flatten(", "get value(",
    "context put(", "distinct values(", ".year", ".days",
]
# fmt: on


def _check_compiles_or_fails_cleanly(text: str) -> None:
    try:
        expr = compile_expression(text)
    except FeelSyntaxError as error:
        assert str(error).startswith("failed to parse expression '")
        return
    for variables in ({}, {"x": [1, {"a": 2}], "y": {"z": "q"}, "item": 3}):
        with contextlib.suppress(FeelEvaluationError):
            to_variable_value(expr.evaluate(variables), expr.body)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_random_text_only_raises_syntax_errors(text: str) -> None:
    _check_compiles_or_fails_cleanly("=" + text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_random_token_soup_only_raises_syntax_errors(tokens: list[str]) -> None:
    _check_compiles_or_fails_cleanly("=" + " ".join(tokens))
    _check_compiles_or_fails_cleanly("=" + "".join(tokens))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=40), st.dictionaries(identifiers, values))
def test_compiled_expressions_never_crash_on_random_variables(
    tokens: list[str], variables: dict[str, Any]
) -> None:
    variables = {"x": variables, "y": list(variables.values()), **variables}
    try:
        expr = compile_expression("=" + " ".join(tokens))
    except FeelSyntaxError:
        return
    with contextlib.suppress(FeelEvaluationError):
        expr.evaluate(variables)


def test_number_formatting_helpers_cover_huge_values() -> None:
    assert ev("=string(10 ** 40)") == "1" + "0" * 40
    assert math.isclose(ev('=number("1e300")'), 1e300)

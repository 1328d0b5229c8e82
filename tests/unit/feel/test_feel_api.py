"""The public API of engine_sim.feel: static values, Expression, evaluate_boolean, type names."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from engine_sim import feel
from engine_sim.feel import (
    Expression,
    FeelError,
    FeelEvaluationError,
    FeelSyntaxError,
    compile_expression,
    evaluate_boolean,
    feel_type_name,
)


class LookupOnly(Mapping[str, Any]):
    """A scope that only supports `[]`, like a Mapping over nested scopes might."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.lookups: list[str] = []

    def __getitem__(self, name: str) -> Any:
        self.lookups.append(name)
        return self.values[name]

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("the evaluator must not iterate the variables")

    def __len__(self) -> int:
        raise AssertionError("the evaluator must not take the length of the variables")


def test_all_lists_the_public_api() -> None:
    assert set(feel.__all__) == {
        "MAX_EXPRESSION_LENGTH",
        "Expression",
        "FeelError",
        "FeelEvaluationError",
        "FeelSyntaxError",
        "clock",
        "compile_expression",
        "evaluate_boolean",
        "feel_type_name",
        "to_variable_value",
    }


def test_error_hierarchy() -> None:
    assert issubclass(FeelSyntaxError, FeelError)
    assert issubclass(FeelEvaluationError, FeelError)
    assert issubclass(FeelError, Exception)


@pytest.mark.parametrize("text", ["check-payment", "3", "", "  spaced  ", "a = b", "x=1"])
def test_text_without_leading_equals_is_a_static_string(text: str) -> None:
    expr = compile_expression(text)
    assert expr.is_static
    assert expr.text == text
    assert expr.evaluate({}) == text
    assert expr.evaluate({"check-payment": 1}) == text
    assert expr.variable_names() == frozenset()


@pytest.mark.parametrize("text", ["=1", "= 1", "  =1", "\n\t= 1 "])
def test_leading_equals_after_optional_whitespace_is_an_expression(text: str) -> None:
    expr = compile_expression(text)
    assert not expr.is_static
    assert expr.text == text
    assert expr.evaluate({}) == 1


def test_expression_is_immutable() -> None:
    expr = compile_expression("=x")
    with pytest.raises(AttributeError):
        expr.text = "=y"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        expr.is_static = True  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del expr.text


def test_expressions_with_equal_text_are_equal() -> None:
    assert compile_expression("=x + 1") == compile_expression("=x + 1")
    assert compile_expression("=x + 1") != compile_expression("= x + 1")
    assert compile_expression("a") != "a"
    assert len({compile_expression("=x"), compile_expression("=x")}) == 1
    assert repr(compile_expression("=x")) == "Expression('=x')"


@pytest.mark.parametrize("text", ["=x + 1", "static"])
def test_expression_pickles_and_copies_by_text(text: str) -> None:
    expr = compile_expression(text)
    for clone in (pickle.loads(pickle.dumps(expr)), copy.deepcopy(expr), copy.copy(expr)):
        assert clone == expr
        assert clone.is_static == expr.is_static
        assert clone.evaluate({"x": 1}) == expr.evaluate({"x": 1})


def test_expression_is_reusable_across_evaluations() -> None:
    expr = compile_expression("=x * 2")
    assert [expr.evaluate({"x": n}) for n in range(5)] == [0, 2, 4, 6, 8]


def test_missing_variable_is_null() -> None:
    assert compile_expression("=x").evaluate({}) is None


def test_variables_are_read_by_lookup_only() -> None:
    scope = LookupOnly({"x": 2, "order": {"total": 10}})
    expr = compile_expression("=x + order.total + count([missing])")
    assert expr.evaluate(scope) == 13
    assert set(scope.lookups) == {"x", "order", "missing"}


def test_list_results_are_fresh_objects() -> None:
    expr = compile_expression("=[1, 2]")
    first = expr.evaluate({})
    first.append(3)
    assert expr.evaluate({}) == [1, 2]
    context = compile_expression("={a: [1]}")
    context.evaluate({})["a"].append(2)
    assert context.evaluate({}) == {"a": [1]}


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("=1 + 2", set()),
        ("=x", {"x"}),
        ("=order.customer.name", {"order"}),
        ("=a + b * c", {"a", "b"} | {"c"}),
        ("=is defined(y) and count(zs) > 0", {"y", "zs"}),
        ("=if c then a else b", {"a", "b", "c"}),
        ("={k: v, w: k + 1}", {"v"}),
        ("=xs[item > limit]", {"xs", "limit"}),
        ("=xs[1].name", {"xs"}),
        ("=x between lo and hi", {"x", "lo", "hi"}),
        ("=x in (lo..hi)", {"x", "lo", "hi"}),
        ("=[a, {b: c}]", {"a", "c"}),
        ("=-n", {"n"}),
    ],
)
def test_variable_names(text: str, names: set[str]) -> None:
    assert compile_expression(text).variable_names() == frozenset(names)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "NULL"),
        (True, "BOOLEAN"),
        (False, "BOOLEAN"),
        (0, "NUMBER"),
        (1.5, "NUMBER"),
        ("", "STRING"),
        ([], "ARRAY"),
        ({}, "OBJECT"),
    ],
)
def test_feel_type_name(value: Any, name: str) -> None:
    assert feel_type_name(value) == name


def test_evaluate_boolean_returns_booleans() -> None:
    assert evaluate_boolean(compile_expression("=x > 1"), {"x": 2}) is True
    assert evaluate_boolean(compile_expression("=x > 1"), {"x": 0}) is False
    assert evaluate_boolean(compile_expression("=x > 1"), {}) is False


@pytest.mark.parametrize(
    ("text", "type_name"),
    [
        ("=x", "NULL"),
        ("=1 + 1", "NUMBER"),
        ('="yes"', "STRING"),
        ("=[true]", "ARRAY"),
        ("={a: true}", "OBJECT"),
        ("=1 and true", "NULL"),
    ],
)
def test_evaluate_boolean_rejects_other_types_with_zeebe_message(text: str, type_name: str) -> None:
    with pytest.raises(FeelEvaluationError) as info:
        evaluate_boolean(compile_expression(text), {})
    body = text[1:]
    assert str(info.value) == (
        f"Expected result of the expression '{body}' to be 'BOOLEAN', but was '{type_name}'."
    )


def test_evaluate_boolean_quotes_the_text_after_equals_verbatim() -> None:
    with pytest.raises(FeelEvaluationError) as info:
        evaluate_boolean(compile_expression("= x"), {})
    expected = "Expected result of the expression ' x' to be 'BOOLEAN', but was 'NULL'."
    assert str(info.value) == expected


def test_evaluate_boolean_on_static_text() -> None:
    with pytest.raises(FeelEvaluationError) as info:
        evaluate_boolean(compile_expression("true"), {})
    assert str(info.value) == (
        "Expected result of the expression 'true' to be 'BOOLEAN', but was 'STRING'."
    )


def test_deeply_nested_variable_value_is_an_evaluation_error() -> None:
    value: Any = []
    for _ in range(5000):
        value = [value]
    with pytest.raises(FeelEvaluationError):
        compile_expression("=x = y").evaluate({"x": value, "y": value})


def test_expression_type_is_exported() -> None:
    assert isinstance(compile_expression("=1"), Expression)
    assert isinstance(compile_expression("a"), Expression)

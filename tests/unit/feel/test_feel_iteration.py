"""`for ... return`, `some/every ... satisfies` and function literals."""

from __future__ import annotations

from typing import Any

import pytest

from engine_sim.feel import FeelEvaluationError, compile_expression


def ev(text: str, variables: dict[str, Any] | None = None) -> Any:
    return compile_expression(text).evaluate(variables or {})


ORDERS = [{"id": "a", "amount": 5}, {"id": "b", "amount": 50}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=for x in [1, 2, 3] return x * 2", [2, 4, 6]),
        ("=for x in [] return x", []),
        ("=for x in 1..3 return x", [1, 2, 3]),
        ("=for x in 3..1 return x", [3, 2, 1]),
        ("=for x in [1, 2], y in [10, 20] return x + y", [11, 21, 12, 22]),
        ("=for x in [[1, 2], [3]], y in x return y", [1, 2, 3]),
        ("=for o in orders return o.id", ["a", "b"]),
        ("=for o in orders return if o.amount > 10 then o.id else null", [None, "b"]),
        ("=for x in 5 return x", None),
        ("=for x in missing return x", None),
        ("=for x in 1..\"a\" return x", None),
        ("=for x in [1, 2] return for y in [x] return x * y", [[1], [4]]),
        ("=sum(for o in orders return o.amount)", 55),
        ("=some x in [1, 5] satisfies x > 4", True),
        ("=some x in [1, 2] satisfies x > 4", False),
        ("=some x in [] satisfies x > 4", False),
        ("=some x in [null, 5] satisfies x > 4", True),
        ("=some o in orders satisfies o.amount > 10", True),
        ("=every x in [5, 6] satisfies x > 4", True),
        ("=every x in [5, 1] satisfies x > 4", False),
        ("=every x in [] satisfies x > 4", True),
        ("=every x in [5, null] satisfies x > 4", False),
        ("=every x in [1, 2], y in [3, 4] satisfies x < y", True),
        ("=some x in 7 satisfies true", None),
        ("=x", "outer"),
        ("=for x in [1] return x", [1]),  # the iteration variable shadows the outer one
        ("=(function(a, b) a + b)", None),  # a function value is only useful as an argument
    ],
)
def test_iteration(text: str, expected: Any) -> None:
    result = ev(text, {"orders": ORDERS, "x": "outer"})
    if text.startswith("=(function"):
        assert repr(result) == "function(a, b)"
    else:
        assert result == expected


def test_iteration_names_are_not_variables_the_expression_reads() -> None:
    expr = compile_expression("=for o in orders, l in o.lines return l.qty * factor")
    assert expr.variable_names() == {"orders", "factor"}
    expr = compile_expression("=sort(xs, function(a, b) a < b + bias)")
    assert expr.variable_names() == {"xs", "bias"}


def test_too_many_combinations_fail_instead_of_exhausting_memory() -> None:
    with pytest.raises(FeelEvaluationError) as info:
        ev("=for x in 1..100000000 return x")
    assert "more than 1000000 iterations" in str(info.value)
    with pytest.raises(FeelEvaluationError):
        ev("=for a in xs, b in xs return 1", {"xs": list(range(1001))})


def test_many_iteration_contexts_do_not_nest_the_stack() -> None:
    contexts = ", ".join(f"v{i} in [{i}]" for i in range(2_000))
    assert ev(f"=for {contexts} return v1999") == [1999]

"""`for x in xs, y in 1..3 return e` and `some/every x in xs satisfies c`.

Several iteration contexts combine as nested loops (the last varies fastest), and a later one
may read the names bound before it. The combinations are built level by level, not by
recursion, so the number of contexts never nests the Python stack. An iteration over anything
but a list or an integer range makes the whole expression null, as in FEEL-Scala. More than
`MAX_COMBINATIONS` combinations fail the evaluation (an incident in the engine) instead of
exhausting memory.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from engine_sim.feel.errors import EvaluationLimit
from engine_sim.feel.nodes import Eval, Node, Scope, _ChainScope

MAX_COMBINATIONS = 1_000_000
_TOO_MANY = f"more than {MAX_COMBINATIONS} iterations"


class Iteration(NamedTuple):
    """`name in low` or `name in low..high`."""

    name: str
    low: Node
    high: Node | None


def _range(low: Any, high: Any) -> list[int] | None:
    """`1..3` is [1, 2, 3], `3..1` is [3, 2, 1]; integers only."""
    if type(low) is float and low.is_integer():
        low = int(low)
    if type(high) is float and high.is_integer():
        high = int(high)
    if type(low) is not int or type(high) is not int:
        return None
    if abs(high - low) >= MAX_COMBINATIONS:
        raise EvaluationLimit(_TOO_MANY)
    step = 1 if high >= low else -1
    return list(range(low, high + step, step))


def _compile_iterations(
    iterations: list[Iteration],
) -> Callable[[Scope], list[_ChainScope] | None]:
    """A function from the outer scope to one inner scope per combination (None when an
    iteration is over something that is not a list)."""
    compiled = [
        (it.name, it.low.compile(), it.high.compile() if it.high is not None else None)
        for it in iterations
    ]

    def bind(scope: Scope) -> list[_ChainScope] | None:
        combos: list[dict[str, Any]] = [{}]
        for name, low, high in compiled:
            extended: list[dict[str, Any]] = []
            for combo in combos:
                inner = _ChainScope(combo, scope)
                items = low(inner) if high is None else _range(low(inner), high(inner))
                if type(items) is not list:
                    return None
                if len(extended) + len(items) > MAX_COMBINATIONS:
                    raise EvaluationLimit(_TOO_MANY)
                extended.extend({**combo, name: item} for item in items)
            combos = extended
        return [_ChainScope(combo, scope) for combo in combos]

    return bind


def _collect(iterations: list[Iteration], body: Node, out: set[str]) -> None:
    bound: set[str] = set()
    for it in iterations:
        names: set[str] = set()
        it.low.collect_names(names)
        if it.high is not None:
            it.high.collect_names(names)
        out.update(names - bound)
        bound.add(it.name)
    names = set()
    body.collect_names(names)
    out.update(names - bound)


class ForNode(Node):
    """`for ... return body`: the list of the body's values, one per combination."""

    __slots__ = ("body", "iterations")

    def __init__(self, iterations: list[Iteration], body: Node) -> None:
        self.iterations, self.body = iterations, body

    def compile(self) -> Eval:
        bind, body = _compile_iterations(self.iterations), self.body.compile()

        def for_each(scope: Scope) -> list[Any] | None:
            scopes = bind(scope)
            return None if scopes is None else [body(inner) for inner in scopes]

        return for_each

    def collect_names(self, out: set[str]) -> None:
        _collect(self.iterations, self.body, out)


class Quantified(Node):
    """`some ... satisfies c` is true when c is true for one combination, `every` when it is
    true for all of them (so `every` over an empty list is true); otherwise false."""

    __slots__ = ("body", "every", "iterations")

    def __init__(self, every: bool, iterations: list[Iteration], body: Node) -> None:
        self.every, self.iterations, self.body = every, iterations, body

    def compile(self) -> Eval:
        bind, body = _compile_iterations(self.iterations), self.body.compile()
        every = self.every

        def quantified(scope: Scope) -> bool | None:
            scopes = bind(scope)
            if scopes is None:
                return None
            if every:
                return all(body(inner) is True for inner in scopes)
            return any(body(inner) is True for inner in scopes)

        return quantified

    def collect_names(self, out: set[str]) -> None:
        _collect(self.iterations, self.body, out)

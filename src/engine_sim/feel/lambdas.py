"""Function literals (`function(x, y) x < y`), the values `sort` takes as its `precedes`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine_sim.feel.nodes import Eval, Node, Scope, _ChainScope


class Function:
    """A FEEL function value: parameters and a body closed over the scope that made it.

    Stored in a variable it becomes null, as Zeebe writes no value for a function."""

    __slots__ = ("body", "params", "scope")

    def __init__(self, params: tuple[str, ...], body: Eval, scope: Scope) -> None:
        self.params, self.body, self.scope = params, body, scope

    @property
    def arity(self) -> int:
        return len(self.params)

    def __call__(self, args: Sequence[Any]) -> Any:
        if len(args) != len(self.params):
            return None
        return self.body(_ChainScope(dict(zip(self.params, args, strict=True)), self.scope))

    def __repr__(self) -> str:
        return f"function({', '.join(self.params)})"


class FunctionNode(Node):
    """`function(a, b) body`."""

    __slots__ = ("body", "params")

    def __init__(self, params: tuple[str, ...], body: Node) -> None:
        self.params, self.body = params, body

    def compile(self) -> Eval:
        params, body = self.params, self.body.compile()
        return lambda scope: Function(params, body, scope)

    def collect_names(self, out: set[str]) -> None:
        names: set[str] = set()
        self.body.collect_names(names)
        out.update(names - set(self.params))

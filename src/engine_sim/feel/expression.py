"""`Expression`, `compile_expression` and `evaluate_boolean`: the entry points callers use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine_sim.feel.errors import (
    EvaluationLimit,
    FeelEvaluationError,
    FeelSyntaxError,
    _ParseFailure,
    quoted,
)
from engine_sim.feel.lexer import tokenize
from engine_sim.feel.nodes import Eval
from engine_sim.feel.parser import parse
from engine_sim.feel.values import feel_type_name


class Expression:
    """A compiled expression (or, without a leading `=`, a static string), evaluated many times.

    Immutable; equal (and hashing alike) when the texts are equal, so model objects holding
    expressions compare by value.
    """

    __slots__ = ("_fn", "_names", "body", "is_static", "text")

    text: str
    is_static: bool
    body: str  # the text after `=` (the whole text when static), as Zeebe's messages quote it
    _fn: Eval
    _names: frozenset[str]

    def __init__(self, text: str, is_static: bool, body: str, fn: Eval, names: frozenset[str]):
        for attribute, value in (
            ("text", text),
            ("is_static", is_static),
            ("body", body),
            ("_fn", fn),
            ("_names", names),
        ):
            object.__setattr__(self, attribute, value)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Expression is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Expression is immutable")

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        """The value for `variables` (read with `variables[name]` only); missing names are null."""
        try:
            return self._fn(variables)
        except RecursionError:  # only reachable through pathologically nested variable values
            raise FeelEvaluationError(
                f"failed to evaluate expression '{quoted(self.body)}': value nested too deeply"
            ) from None
        except EvaluationLimit as limit:
            raise FeelEvaluationError(
                f"failed to evaluate expression '{quoted(self.body)}': {limit}"
            ) from None

    def variable_names(self) -> frozenset[str]:
        """Top-level variable names the expression may read (`a` for `a.b`); over-approximate
        inside filters, where a name may also be an entry of the filtered element."""
        return self._names

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        """Pickle and copy by text (closures do not pickle): recompiling gives an equal value."""
        return compile_expression, (self.text,)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"


# The longest expression accepted, in characters after the `=` (documented in docs/feel.md):
# far above any hand-written expression, and compiling one this long takes milliseconds.
MAX_EXPRESSION_LENGTH = 100_000


def compile_expression(text: str) -> Expression:
    """Compile `text`: an expression when it starts with `=` (after optional whitespace, as in
    Zeebe), otherwise a static string returned as-is. Raises `FeelSyntaxError`."""
    stripped = text.lstrip()
    if not stripped.startswith("="):
        return Expression(text, True, text, lambda variables: text, frozenset())
    body = stripped[1:]
    if len(body) > MAX_EXPRESSION_LENGTH:
        raise FeelSyntaxError(
            body, f"expression is {len(body)} characters long, more than the limit of "
            f"{MAX_EXPRESSION_LENGTH}", 1)
    try:
        node = parse(tokenize(body))
        fn = node.compile()
    except _ParseFailure as failure:
        raise FeelSyntaxError(body, failure.reason, failure.position) from None
    except RecursionError:  # the parser's depth limit fires first; this is only a backstop
        raise FeelSyntaxError(body, "expression nested too deeply", 1) from None
    names: set[str] = set()
    node.collect_names(names)
    return Expression(text, False, body, fn, frozenset(names))


def evaluate_boolean(expr: Expression, variables: Mapping[str, Any]) -> bool:
    """Evaluate a condition; a non-boolean result raises `FeelEvaluationError` with Zeebe's
    incident message."""
    result = expr.evaluate(variables)
    if result is True or result is False:
        return result
    raise FeelEvaluationError(
        f"Expected result of the expression '{expr.body}' to be 'BOOLEAN', "
        f"but was '{feel_type_name(result)}'."
    )

"""Evaluating model expressions against an instance's variables (a failure is an incident).

`evaluate` returns values as variables hold them (dates as ISO text; an integer beyond 64 bits
fails, see `engine_sim.feel.variables`); the typed evaluations check the FEEL value itself, as
Zeebe's `ExpressionProcessor` does."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from engine_sim.engine.state import InstanceState
from engine_sim.feel import (
    Expression,
    FeelError,
    evaluate_boolean,
    feel_type_name,
    to_variable_value,
)


class ScopeVariables(Mapping[str, Any]):
    """The variables visible from one scope, looked up lazily (inner scopes shadow outer)."""

    __slots__ = ("_extra", "_scope_key", "_state")

    def __init__(self, state: InstanceState, scope_key: int, extra: dict[str, Any] | None = None):
        self._state = state
        self._scope_key = scope_key
        self._extra = extra

    def __getitem__(self, name: str) -> Any:
        if self._extra and name in self._extra:
            return self._extra[name]
        found = self._state.lookup(self._scope_key, name)
        if found is None:
            raise KeyError(name)
        return found[1].value

    def __iter__(self) -> Iterator[str]:
        return iter(self._as_dict())

    def __len__(self) -> int:
        return len(self._as_dict())

    def _as_dict(self) -> dict[str, Any]:
        merged = self._state.visible_variables(self._scope_key)
        if self._extra:
            merged.update(self._extra)
        return merged


class EvaluationFailed(Exception):
    """An expression could not be evaluated; `message` becomes the incident's errorMessage."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def evaluate(expr: Expression, state: InstanceState, scope_key: int,
             extra: dict[str, Any] | None = None) -> Any:
    """The value as a variable would hold it (raises EvaluationFailed)."""
    return evaluate_stored(_evaluate_feel(expr, state, scope_key, extra), expr)


def evaluate_stored(value: Any, expr: Expression) -> Any:
    """A FEEL value of `expr` as a variable holds it (raises EvaluationFailed)."""
    try:
        return to_variable_value(value, expr.body)
    except FeelError as error:
        raise EvaluationFailed(str(error)) from None


def _evaluate_feel(expr: Expression, state: InstanceState, scope_key: int,
                   extra: dict[str, Any] | None = None) -> Any:
    """The FEEL value itself (a date stays a date)."""
    if expr.is_static:
        return expr.evaluate({})
    try:
        return expr.evaluate(ScopeVariables(state, scope_key, extra))
    except FeelError as error:
        raise EvaluationFailed(str(error)) from None


def evaluate_condition(expr: Expression, state: InstanceState, scope_key: int) -> bool:
    try:
        return evaluate_boolean(expr, ScopeVariables(state, scope_key))
    except FeelError as error:
        raise EvaluationFailed(str(error)) from None


def evaluate_string(expr: Expression, state: InstanceState, scope_key: int, what: str) -> str:
    value = _evaluate_feel(expr, state, scope_key)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise EvaluationFailed(
            f"Expected result of the expression '{expr.body}' to be 'STRING',"
            f" but was '{type_name(value)}'. ({what})"
        )
    return value if isinstance(value, str) else _number_text(value)


def evaluate_int(expr: Expression, state: InstanceState, scope_key: int) -> int:
    value = _evaluate_feel(expr, state, scope_key)
    number: int | None = None
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            number = int(value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and int(value) == value:
        number = int(value)
    if number is not None:
        stored: int = evaluate_stored(number, expr)  # beyond 64 bits: an incident
        return stored
    raise EvaluationFailed(
        f"Expected result of the expression '{expr.body}' to be 'NUMBER',"
        f" but was '{type_name(value)}'."
    )


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def type_name(value: Any) -> str:
    return feel_type_name(value)

"""The fixed table of builtin FEEL functions: numbers and conversions here, the rest in
`functions_text`, `functions_list` and `functions_temporal`.

Every function takes its evaluated arguments and returns null for arguments of the wrong type,
as FEEL does. Arity is checked at compile time (a `FeelSyntaxError`), where FEEL-Scala would
report a missing function overload only when the expression is evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from engine_sim.feel.builtin import Builtin
from engine_sim.feel.functions_list import LIST_FUNCTIONS
from engine_sim.feel.functions_temporal import TEMPORAL_FUNCTIONS
from engine_sim.feel.functions_text import TEXT_FUNCTIONS
from engine_sim.feel.values import NUMBER_TYPES, comparable, to_string

_NUMBER_CHARS = frozenset("0123456789+-.eE")


def _not(args: Sequence[Any]) -> Any:
    value = args[0]
    return (not value) if type(value) is bool else None


def _is_defined(args: Sequence[Any]) -> bool:
    """Our simplification: defined means non-null (FEEL: a variable holding null is defined)."""
    return args[0] is not None


def _count(args: Sequence[Any]) -> Any:
    return len(args[0]) if type(args[0]) is list else None


def _items(args: Sequence[Any]) -> Sequence[Any] | None:
    """FEEL's list-or-varargs convention: `max([1, 2])`, `max(1, 2)`; `max(1)` is `max([1])`."""
    if len(args) == 1 and type(args[0]) is list:
        return args[0]
    return args


def _numbers(args: Sequence[Any]) -> Sequence[Any] | None:
    items = _items(args)
    if not items or any(type(item) not in NUMBER_TYPES for item in items):
        return None
    return items


def _sum(args: Sequence[Any]) -> Any:
    """Null for an empty list, as in the DMN FEEL spec."""
    items = _numbers(args)
    if items is None:
        return None
    total = sum(items)
    return total if type(total) is int or math.isfinite(total) else None


def _extreme(pick: Callable[[Sequence[Any]], Any]) -> Callable[[Sequence[Any]], Any]:
    """min/max over numbers or over strings; mixed, empty or other lists give null."""

    def impl(args: Sequence[Any]) -> Any:
        items = _items(args)
        if not items or not all(comparable(items[0], item) for item in items):
            return None
        return pick(items)

    return impl


def _string(args: Sequence[Any]) -> Any:
    return to_string(args[0])


def _number(args: Sequence[Any]) -> Any:
    """Parse a FEEL number (`-12`, `3.5`, `1e3`); anything else is null."""
    text = args[0]
    if type(text) is not str or not text or not _NUMBER_CHARS.issuperset(text):
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _on_number(fn: Callable[[Any], Any]) -> Callable[[Sequence[Any]], Any]:
    def impl(args: Sequence[Any]) -> Any:
        return fn(args[0]) if type(args[0]) in NUMBER_TYPES else None

    return impl


_TABLE = (
    Builtin("not", 1, 1, _not),
    Builtin("is defined", 1, 1, _is_defined),
    Builtin("count", 1, 1, _count),
    Builtin("sum", 1, None, _sum),
    Builtin("min", 1, None, _extreme(min)),
    Builtin("max", 1, None, _extreme(max)),
    Builtin("string", 1, 1, _string),
    Builtin("number", 1, 1, _number),
    Builtin("abs", 1, 1, _on_number(abs)),
    Builtin("floor", 1, 1, _on_number(math.floor)),
    Builtin("ceiling", 1, 1, _on_number(math.ceil)),
)

BUILTINS: dict[str, Builtin] = {
    builtin.name: builtin
    for builtin in (*_TABLE, *TEXT_FUNCTIONS, *LIST_FUNCTIONS, *TEMPORAL_FUNCTIONS)
}

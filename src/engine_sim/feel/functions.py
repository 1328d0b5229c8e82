"""The fixed table of builtin FEEL functions.

Every function takes its evaluated arguments and returns null for arguments of the wrong type,
as FEEL does. Arity is checked at compile time (a `FeelSyntaxError`), where FEEL-Scala would
report a missing function overload only when the expression is evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from engine_sim.feel.values import NUMBER_TYPES, comparable, equals, to_string
from engine_sim.timeutil import parse_duration

_NUMBER_CHARS = frozenset("0123456789+-.eE")


@dataclass(frozen=True, slots=True)
class Builtin:
    """A builtin: its arity bounds (`max_args` None for varargs) and implementation."""

    name: str
    min_args: int
    max_args: int | None
    impl: Callable[[Sequence[Any]], Any]

    def arity_error(self, count: int) -> str | None:
        """The compile-time error reason when called with `count` arguments, else None."""
        if count >= self.min_args and (self.max_args is None or count <= self.max_args):
            return None
        if self.max_args is None:
            expected = f"at least {self.min_args}"
        elif self.min_args == self.max_args:
            expected = str(self.min_args)
        else:
            expected = f"{self.min_args} to {self.max_args}"
        plural = "" if expected in ("1", "at least 1") else "s"
        return f"function '{self.name}' expects {expected} argument{plural} but got {count}"


def _temporal(parse: Callable[[str], Any]) -> Callable[[Sequence[Any]], Any]:
    """`duration("PT5M")`: our subset keeps temporal values as their ISO-8601 text (what timer
    definitions consume); invalid text is null. (`date and time` is not offered: `and` is a
    keyword to our lexer.)"""

    def impl(args: Sequence[Any]) -> Any:
        text = args[0]
        if type(text) is not str:
            return None
        try:
            parse(text.strip())
        except ValueError:
            return None
        return text.strip()

    return impl


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


def _on_string(fn: Callable[[str], Any]) -> Callable[[Sequence[Any]], Any]:
    def impl(args: Sequence[Any]) -> Any:
        return fn(args[0]) if type(args[0]) is str else None

    return impl


def _on_strings(fn: Callable[[str, str], Any]) -> Callable[[Sequence[Any]], Any]:
    def impl(args: Sequence[Any]) -> Any:
        a, b = args
        return fn(a, b) if type(a) is str and type(b) is str else None

    return impl


def _on_number(fn: Callable[[Any], Any]) -> Callable[[Sequence[Any]], Any]:
    def impl(args: Sequence[Any]) -> Any:
        return fn(args[0]) if type(args[0]) in NUMBER_TYPES else None

    return impl


def _list_contains(args: Sequence[Any]) -> Any:
    items, value = args
    if type(items) is not list:
        return None
    return any(equals(item, value) for item in items)


def _append(args: Sequence[Any]) -> Any:
    return [*args[0], *args[1:]] if type(args[0]) is list else None


def _concatenate(args: Sequence[Any]) -> Any:
    if any(type(arg) is not list for arg in args):
        return None
    return [item for arg in args for item in arg]


_TABLE = (
    Builtin("not", 1, 1, _not),
    Builtin("is defined", 1, 1, _is_defined),
    Builtin("count", 1, 1, _count),
    Builtin("sum", 1, None, _sum),
    Builtin("min", 1, None, _extreme(min)),
    Builtin("max", 1, None, _extreme(max)),
    Builtin("string", 1, 1, _string),
    Builtin("number", 1, 1, _number),
    Builtin("string length", 1, 1, _on_string(len)),
    Builtin("upper case", 1, 1, _on_string(str.upper)),
    Builtin("lower case", 1, 1, _on_string(str.lower)),
    Builtin("contains", 2, 2, _on_strings(str.__contains__)),
    Builtin("starts with", 2, 2, _on_strings(str.startswith)),
    Builtin("ends with", 2, 2, _on_strings(str.endswith)),
    Builtin("list contains", 2, 2, _list_contains),
    Builtin("append", 1, None, _append),
    Builtin("concatenate", 0, None, _concatenate),
    Builtin("abs", 1, 1, _on_number(abs)),
    Builtin("floor", 1, 1, _on_number(math.floor)),
    Builtin("ceiling", 1, 1, _on_number(math.ceil)),
    Builtin("duration", 1, 1, _temporal(parse_duration)),
)

BUILTINS: dict[str, Builtin] = {builtin.name: builtin for builtin in _TABLE}

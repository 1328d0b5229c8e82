"""List and context functions, with Camunda 8's semantics (null for arguments of the wrong
type). Nested lists are walked with an explicit stack, so no input nests the Python stack."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from engine_sim.feel.builtin import Builtin
from engine_sim.feel.lambdas import Function
from engine_sim.feel.temporal import TEMPORAL_TYPES
from engine_sim.feel.values import NUMBER_TYPES, equals


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


def _flatten(args: Sequence[Any]) -> Any:
    """`flatten([[1, 2], [[3]], 4])` is `[1, 2, 3, 4]`."""
    if type(args[0]) is not list:
        return None
    flat: list[Any] = []
    stack = [iter(args[0])]
    while stack:
        for item in stack[-1]:
            if type(item) is list:
                stack.append(iter(item))
                break
            flat.append(item)
        else:
            stack.pop()
    return flat


def _hash_key(value: Any) -> Any:
    """A key equal for FEEL-equal scalars (`1` and `1.0`, never `true` and `1`); None for
    lists and contexts, which are compared one by one."""
    kind = type(value)
    if kind in NUMBER_TYPES:
        return ("number", value)
    if kind is str or kind is bool or value is None or kind in TEMPORAL_TYPES:
        return (kind, value)
    return None


def _distinct_values(args: Sequence[Any]) -> Any:
    """The items without repeats, first occurrences in order."""
    if type(args[0]) is not list:
        return None
    seen: set[Any] = set()
    composites: list[Any] = []
    kept: list[Any] = []
    for item in args[0]:
        key = _hash_key(item)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        elif any(equals(item, other) for other in composites):
            continue
        else:
            composites.append(item)
        kept.append(item)
    return kept


class _NotBoolean(Exception):
    """`precedes` returned something other than true or false."""


def _sort(args: Sequence[Any]) -> Any:
    """`sort(list, function(x, y) x < y)`: a stable sort by the `precedes` function; null
    when it returns anything but a boolean."""
    items, precedes = args
    if type(items) is not list or not isinstance(precedes, Function) or precedes.arity != 2:
        return None

    def before(a: Any, b: Any) -> bool:
        result = precedes((a, b))
        if result is not True and result is not False:
            raise _NotBoolean
        return result

    def compare(a: Any, b: Any) -> int:
        return -1 if before(a, b) else 1 if before(b, a) else 0

    try:
        return sorted(items, key=functools.cmp_to_key(compare))
    except _NotBoolean:
        return None


def _keys(value: Any) -> list[str] | None:
    """A key, or a list of keys naming a nested entry; None when neither."""
    if type(value) is str:
        return [value]
    if type(value) is list and value and all(type(key) is str for key in value):
        return value
    return None


def _get_value(args: Sequence[Any]) -> Any:
    """`get value({a: {b: 1}}, ["a", "b"])` is 1; a missing entry is null."""
    context, keys = args[0], _keys(args[1])
    if type(context) is not dict or keys is None:
        return None
    value: Any = context
    for key in keys:
        if type(value) is not dict:
            return None
        value = value.get(key)
    return value


def _context_put(args: Sequence[Any]) -> Any:
    """A new context with the entry at the key (or nested keys) set to the value."""
    context, keys, value = args[0], _keys(args[1]), args[2]
    if type(context) is not dict or keys is None:
        return None
    root = dict(context)
    target = root
    for key in keys[:-1]:
        inner = target.get(key)
        target[key] = dict(inner) if type(inner) is dict else {}
        target = target[key]
    target[keys[-1]] = value
    return root


def _context_merge(args: Sequence[Any]) -> Any:
    contexts = args[0]
    if type(contexts) is not list or any(type(c) is not dict for c in contexts):
        return None
    merged: dict[str, Any] = {}
    for context in contexts:
        merged.update(context)
    return merged


def _reverse(args: Sequence[Any]) -> Any:
    return args[0][::-1] if type(args[0]) is list else None


def _index_of(args: Sequence[Any]) -> Any:
    items, match = args
    if type(items) is not list:
        return None
    return [position for position, item in enumerate(items, 1) if equals(item, match)]


LIST_FUNCTIONS = (
    Builtin("list contains", 2, 2, _list_contains),
    Builtin("append", 1, None, _append),
    Builtin("concatenate", 0, None, _concatenate),
    Builtin("flatten", 1, 1, _flatten),
    Builtin("distinct values", 1, 1, _distinct_values),
    Builtin("sort", 2, 2, _sort),
    Builtin("reverse", 1, 1, _reverse),
    Builtin("index of", 2, 2, _index_of),
    Builtin("get value", 2, 2, _get_value),
    Builtin("context put", 3, 3, _context_put),
    Builtin("context merge", 1, 1, _context_merge),
)

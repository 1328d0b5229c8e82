"""Postfix chains on a value: paths (`a.b`), indexes (`xs[1]`) and filters (`xs[item > 2]`).

A whole chain is one node whose closure applies its steps in a loop, so `a.b[1].c[2]` costs
one call per step and no nesting depth.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine_sim.feel.nodes import Eval, Name, Node, Scope, Step
from engine_sim.feel.temporal import TEMPORAL_TYPES, property_of
from engine_sim.feel.values import NUMBER_TYPES

PATH, INDEX, FILTER, SELECT = "path", "index", "filter", "select"


def get_key(value: Any, key: str) -> Any:
    """`value.key`: a context entry (null when missing); on a list, FEEL maps the path over
    the items (`orders.amount`); a temporal value's property (`d.year`); otherwise null."""
    if type(value) is dict:
        return value.get(key)
    if type(value) is list:
        return [get_key(item, key) for item in value]
    if isinstance(value, Mapping):
        try:
            return value[key]
        except KeyError:
            return None
    if type(value) in TEMPORAL_TYPES:
        return property_of(value, key)
    return None


def get_index(value: Any, index: Any) -> Any:
    """`value[index]`: 1-based, negative counts from the end; 0, out of range, a fractional
    index or a non-list value give null."""
    if type(value) is not list:
        return None
    if type(index) is float:
        if not index.is_integer():
            return None
        index = int(index)
    elif type(index) is not int:
        return None
    if 0 < index <= len(value):
        return value[index - 1]
    if 0 < -index <= len(value):
        return value[index]
    return None


class _ItemScope:
    """Filter scope: `item` is the element, a context element's entries are names too (as
    in FEEL: `orders[amount > 10]`), and everything else falls through to the outer scope."""

    __slots__ = ("item", "parent")

    def __init__(self, parent: Scope) -> None:
        self.item: Any = None
        self.parent = parent

    def __getitem__(self, name: str) -> Any:
        item = self.item
        if name == "item":
            return item
        if type(item) is dict and name in item:
            return item[name]
        return self.parent[name]


def _filter(items: Any, predicate: Eval, scope: Scope) -> Any:
    """The elements for which `predicate` is true; anything else (null included) drops them."""
    if type(items) is not list:
        return None
    inner = _ItemScope(scope)
    kept = []
    for element in items:
        inner.item = element
        if predicate(inner) is True:
            kept.append(element)
    return kept


def _path_step(keys: tuple[str, ...]) -> Step:
    if len(keys) == 1:
        (key,) = keys
        return lambda value, scope: get_key(value, key)

    def path(value: Any, scope: Scope) -> Any:
        for key in keys:
            if value is None:
                return None
            value = get_key(value, key)
        return value

    return path


def _bracket_step(kind: str, node: Node) -> Step:
    if kind == INDEX:
        index = node.value  # type: ignore[attr-defined]
        return lambda value, scope: get_index(value, index)
    fn = node.compile()
    if kind == FILTER:
        return lambda value, scope: _filter(value, fn, scope)

    def select(value: Any, scope: Scope) -> Any:
        """FEEL-Scala's rule: a bracket that evaluates to a number (outside any item) is an
        index, anything else is a filter evaluated per element."""
        selector = fn(scope)
        if type(selector) in NUMBER_TYPES:
            return get_index(value, selector)
        return _filter(value, fn, scope)

    return select


class Postfix(Node):
    """A base followed by steps: (PATH, keys), (INDEX, literal), (FILTER | SELECT, node)."""

    __slots__ = ("base", "steps")

    def __init__(self, base: Node, steps: list[tuple[str, Any]]) -> None:
        self.base, self.steps = base, steps

    def compile(self) -> Eval:
        base = self.base.compile()
        if len(self.steps) == 1 and self.steps[0][0] == PATH:
            return self._compile_path(base, self.steps[0][1])
        steps = tuple(
            _path_step(arg) if kind == PATH else _bracket_step(kind, arg)
            for kind, arg in self.steps
        )

        def apply(scope: Scope) -> Any:
            value = base(scope)
            for step in steps:
                value = step(value, scope)
            return value

        return apply

    def _compile_path(self, base: Eval, keys: tuple[str, ...]) -> Eval:
        """The hot case `order.customer.name`: one closure, no step calls."""
        if not isinstance(self.base, Name):
            step = _path_step(keys)
            return lambda scope: step(base(scope), scope)
        name = self.base.name

        def name_path(scope: Scope) -> Any:
            try:
                value = scope[name]
            except KeyError:
                return None
            for key in keys:
                if type(value) is dict:
                    value = value.get(key)
                elif value is None:
                    return None
                else:
                    value = get_key(value, key)
            return value

        return name_path

    def collect_names(self, out: set[str]) -> None:
        self.base.collect_names(out)
        for kind, arg in self.steps:
            if kind in (FILTER, SELECT):
                names: set[str] = set()
                arg.collect_names(names)
                out.update(names - {"item"})

"""Syntax-tree nodes; each compiles once into a closure `scope -> value` run per evaluation.

Closures (rather than an interpreter walking the tree) keep the hot path to plain calls with
no dispatch. Operator chains (`a + b - c`, `a and b and c`) and postfix chains (`a.b[1].c`)
are single n-ary nodes evaluated in a loop, so the tree depth, and with it the Python stack
depth, follows the syntactic nesting the parser bounds, not the expression's length.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from engine_sim.feel.builtin import Builtin
from engine_sim.feel.values import NUMBER_TYPES, equals, less, less_equal, negate


class Scope(Protocol):
    """What evaluation reads variables through: `scope[name]` only (a missing name is null
    for the scopes the engine passes; a `Mapping` is one)."""

    def __getitem__(self, name: str, /) -> Any: ...


Eval = Callable[[Scope], Any]
Step = Callable[[Any, Scope], Any]

_EMPTY: Scope = {}


class Node:
    """A syntax-tree node: `compile` builds its closure, `collect_names` the names it reads."""

    __slots__ = ()

    def compile(self) -> Eval:
        raise NotImplementedError

    def collect_names(self, out: set[str]) -> None:
        """Add the top-level variable names this node may read to `out`."""

    def is_constant(self) -> bool:
        return False


def fold(node: Node, children: Sequence[Node]) -> Node:
    """Evaluate a scalar-valued node at compile time when all its children are literals."""
    if all(child.is_constant() for child in children):
        return Literal(node.compile()(_EMPTY))
    return node


class Literal(Node):
    """A scalar constant (lists and contexts are built fresh per evaluation by their nodes)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def compile(self) -> Eval:
        value = self.value
        return lambda scope: value

    def is_constant(self) -> bool:
        return True


class Name(Node):
    """A variable reference."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def compile(self) -> Eval:
        name = self.name

        def read(scope: Scope) -> Any:
            try:
                return scope[name]
            except KeyError:
                return None

        return read

    def collect_names(self, out: set[str]) -> None:
        out.add(self.name)


class ListNode(Node):
    """A list literal `[a, b]`: a new list on every evaluation, so callers may mutate it."""

    __slots__ = ("items",)

    def __init__(self, items: list[Node]) -> None:
        self.items = items

    def compile(self) -> Eval:
        if all(item.is_constant() for item in self.items):
            values = tuple(item.value for item in self.items)  # type: ignore[attr-defined]
            return lambda scope: list(values)
        fns = tuple(item.compile() for item in self.items)
        return lambda scope: [fn(scope) for fn in fns]

    def collect_names(self, out: set[str]) -> None:
        for item in self.items:
            item.collect_names(out)


class _ChainScope:
    """A scope where `entries` shadow `parent`; `__getitem__` is all evaluation needs."""

    __slots__ = ("entries", "parent")

    def __init__(self, entries: Mapping[str, Any], parent: Scope) -> None:
        self.entries = entries
        self.parent = parent

    def __getitem__(self, name: str) -> Any:
        entries = self.entries
        if name in entries:
            return entries[name]
        return self.parent[name]


class ContextNode(Node):
    """A context literal `{a: 1, b: a + 1}`; as in FEEL, later entries may read earlier ones."""

    __slots__ = ("entries",)

    def __init__(self, entries: list[tuple[str, Node]]) -> None:
        self.entries = entries

    def _reads_earlier_keys(self) -> bool:
        keys: set[str] = set()
        for key, value in self.entries:
            names: set[str] = set()
            value.collect_names(names)
            if names & keys:
                return True
            keys.add(key)
        return False

    def compile(self) -> Eval:
        entries = tuple((key, value.compile()) for key, value in self.entries)
        if not self._reads_earlier_keys():
            return lambda scope: {key: fn(scope) for key, fn in entries}

        def build(scope: Scope) -> dict[str, Any]:
            result: dict[str, Any] = {}
            inner = _ChainScope(result, scope)
            for key, fn in entries:
                result[key] = fn(inner)
            return result

        return build

    def collect_names(self, out: set[str]) -> None:
        keys: set[str] = set()
        for key, value in self.entries:
            names: set[str] = set()
            value.collect_names(names)
            out.update(names - keys)
            keys.add(key)


class Negate(Node):
    """Unary minus on a number or a duration (`-"a"` is null)."""

    __slots__ = ("operand",)

    def __init__(self, operand: Node) -> None:
        self.operand = operand

    def compile(self) -> Eval:
        operand = self.operand.compile()

        def minus(scope: Scope) -> Any:
            value = operand(scope)
            return -value if type(value) in NUMBER_TYPES else negate(value)

        return minus

    def collect_names(self, out: set[str]) -> None:
        self.operand.collect_names(out)


class Chain(Node):
    """A left-associative chain `a op b op c` of arithmetic operators or one comparison."""

    __slots__ = ("first", "rest")

    def __init__(self, first: Node, rest: list[tuple[Callable[[Any, Any], Any], Node]]) -> None:
        self.first = first
        self.rest = rest

    def compile(self) -> Eval:
        first = self.first.compile()
        if len(self.rest) == 1:
            op, right_node = self.rest[0]
            if isinstance(right_node, Literal):
                return _with_constant(self.first, first, op, right_node.value)
            right = right_node.compile()
            return lambda scope: op(first(scope), right(scope))
        rest = tuple((op, node.compile()) for op, node in self.rest)

        def chain(scope: Scope) -> Any:
            value = first(scope)
            for op, fn in rest:
                value = op(value, fn(scope))
            return value

        return chain

    def collect_names(self, out: set[str]) -> None:
        self.first.collect_names(out)
        for _, node in self.rest:
            node.collect_names(out)


def _with_constant(left: Node, first: Eval, op: Callable[[Any, Any], Any], constant: Any) -> Eval:
    """`x > 5`, the typical gateway condition, as a single closure."""
    if not isinstance(left, Name):
        return lambda scope: op(first(scope), constant)
    name = left.name

    def name_op_constant(scope: Scope) -> Any:
        try:
            value = scope[name]
        except KeyError:
            value = None
        return op(value, constant)

    return name_op_constant


class Comparison(Chain):
    """One comparison `a < b` (comparisons do not chain); a filter when inside brackets."""

    __slots__ = ()


class Conjunction(Node):
    """`a and b and ...` in FEEL's three-valued logic: any false wins, else null unless all true."""

    __slots__ = ("operands",)

    def __init__(self, operands: list[Node]) -> None:
        self.operands = operands

    def compile(self) -> Eval:
        fns = tuple(operand.compile() for operand in self.operands)

        def conjunction(scope: Scope) -> bool | None:
            result: bool | None = True
            for fn in fns:
                value = fn(scope)
                if value is False:
                    return False
                if value is not True:
                    result = None
            return result

        return conjunction

    def collect_names(self, out: set[str]) -> None:
        for operand in self.operands:
            operand.collect_names(out)


class Disjunction(Conjunction):
    """`a or b or ...` in FEEL's three-valued logic: any true wins, else null unless all false."""

    __slots__ = ()

    def compile(self) -> Eval:
        fns = tuple(operand.compile() for operand in self.operands)

        def disjunction(scope: Scope) -> bool | None:
            result: bool | None = False
            for fn in fns:
                value = fn(scope)
                if value is True:
                    return True
                if value is not False:
                    result = None
            return result

        return disjunction


class Between(Node):
    """`x between a and b` (inclusive); false, not null, with null or mixed types."""

    __slots__ = ("high", "low", "value")

    def __init__(self, value: Node, low: Node, high: Node) -> None:
        self.value, self.low, self.high = value, low, high

    def compile(self) -> Eval:
        value, low, high = self.value.compile(), self.low.compile(), self.high.compile()

        def between(scope: Scope) -> bool:
            x = value(scope)
            return less_equal(low(scope), x) and less_equal(x, high(scope))

        return between

    def collect_names(self, out: set[str]) -> None:
        for node in (self.value, self.low, self.high):
            node.collect_names(out)


class InRange(Between):
    """`x in (a..b)` / `[a..b]` (and mixed brackets): `(`/`)` exclude the bound, `[`/`]` include."""

    __slots__ = ("high_closed", "low_closed")

    def __init__(self, value: Node, low: Node, high: Node, low_closed: bool, high_closed: bool):
        super().__init__(value, low, high)
        self.low_closed, self.high_closed = low_closed, high_closed

    def compile(self) -> Eval:
        value, low, high = self.value.compile(), self.low.compile(), self.high.compile()
        above = less_equal if self.low_closed else less
        below = less_equal if self.high_closed else less

        def in_range(scope: Scope) -> bool:
            x = value(scope)
            return above(low(scope), x) and below(x, high(scope))

        return in_range


class InList(Node):
    """`x in target`: membership when the target is a list, otherwise equality."""

    __slots__ = ("target", "value")

    def __init__(self, value: Node, target: Node) -> None:
        self.value, self.target = value, target

    def compile(self) -> Eval:
        value, target = self.value.compile(), self.target.compile()

        def contained(scope: Scope) -> bool:
            x, candidates = value(scope), target(scope)
            if type(candidates) is list:
                return any(equals(x, candidate) for candidate in candidates)
            return equals(x, candidates)

        return contained

    def collect_names(self, out: set[str]) -> None:
        self.value.collect_names(out)
        self.target.collect_names(out)


class If(Node):
    """`if c then a else b`: anything but `true` (null included) selects `b`, as in FEEL."""

    __slots__ = ("condition", "otherwise", "then")

    def __init__(self, condition: Node, then: Node, otherwise: Node) -> None:
        self.condition, self.then, self.otherwise = condition, then, otherwise

    def compile(self) -> Eval:
        condition, then = self.condition.compile(), self.then.compile()
        otherwise = self.otherwise.compile()
        return lambda scope: then(scope) if condition(scope) is True else otherwise(scope)

    def collect_names(self, out: set[str]) -> None:
        for node in (self.condition, self.then, self.otherwise):
            node.collect_names(out)


class Call(Node):
    """A builtin function call; arity was checked by the parser."""

    __slots__ = ("args", "builtin")

    def __init__(self, builtin: Builtin, args: list[Node]) -> None:
        self.builtin, self.args = builtin, args

    def compile(self) -> Eval:
        impl = self.builtin.impl
        fns = tuple(arg.compile() for arg in self.args)
        if len(fns) == 1:
            (only,) = fns
            return lambda scope: impl((only(scope),))
        return lambda scope: impl([fn(scope) for fn in fns])

    def collect_names(self, out: set[str]) -> None:
        for arg in self.args:
            arg.collect_names(out)

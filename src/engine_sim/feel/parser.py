"""Recursive-descent parser from tokens to nodes; binary operators use an explicit stack.

Precedence, loosest first: `or`; `and`; one comparison (`= != < <= > >=`, `between`, `in`,
which do not chain); `+ -`; `* /`; `**` (left-associative, as in FEEL-Scala); unary minus;
postfix `.name` and `[...]`. `if ... then ... else ...`, `for ... return ...`,
`some/every ... satisfies ...` and `function(...) ...` are primaries whose last part extends as
far as possible.

Recursion is bounded: every nesting passes `_expression`, which counts the depth and refuses
more than `MAX_DEPTH` levels with a syntax error long before Python's recursion limit.
"""

from __future__ import annotations

from typing import Any, NoReturn

from engine_sim.feel.errors import _ParseFailure
from engine_sim.feel.functions import BUILTINS
from engine_sim.feel.iteration import ForNode, Iteration, Quantified
from engine_sim.feel.lambdas import FunctionNode
from engine_sim.feel.lexer import EOF, KEYWORDS, NAME, NUMBER, STRING, Token
from engine_sim.feel.nodes import (
    Between,
    Call,
    Chain,
    Comparison,
    Conjunction,
    ContextNode,
    Disjunction,
    If,
    InList,
    InRange,
    ListNode,
    Literal,
    Name,
    Negate,
    Node,
    fold,
)
from engine_sim.feel.postfix import FILTER, INDEX, PATH, SELECT, Postfix
from engine_sim.feel.values import BINARY_OPERATORS, NUMBER_TYPES

MAX_DEPTH = 100  # levels of nesting (brackets, calls, if/for/some); documented in docs/feel.md
_TOO_DEEP = f"expression nested more than {MAX_DEPTH} levels deep"

OR, AND, COMPARISON, ADDITIVE, MULTIPLICATIVE, POWER = range(1, 7)
_LEVELS = {"or": OR, "and": AND, "+": ADDITIVE, "-": ADDITIVE}
_LEVELS |= {op: COMPARISON for op in ("=", "!=", "<", "<=", ">", ">=", "between", "in")}
_LEVELS |= {"*": MULTIPLICATIVE, "/": MULTIPLICATIVE, "**": POWER}

_CONSTANTS = {"true": True, "false": False, "null": None}
_UNSUPPORTED = KEYWORDS - set(_CONSTANTS) - {"if", "for", "some", "every", "function"}
_BOOLEAN_NODES = (Comparison, Conjunction, Between, InList)  # InRange is a Between


def parse(tokens: list[Token]) -> Node:
    """Parse a whole expression; raises `_ParseFailure`."""
    return Parser(tokens).parse()


class Parser:
    """One parse over a token list ending in EOF."""

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _advance(self) -> Token:
        token = self.tokens[self.i]
        if token.kind != EOF:
            self.i += 1
        return token

    def _expect(self, kind: str) -> Token:
        if self.tok.kind != kind:
            self._fail(f"expected '{kind}'")
        return self._advance()

    def _fail(self, reason: str, token: Token | None = None) -> NoReturn:
        raise _ParseFailure(reason, (token or self.tok).pos)

    def _unexpected(self) -> NoReturn:
        if self.tok.kind == EOF:
            self._fail("unexpected end of expression")
        self._fail(f"unexpected token '{self.tok.text}'")

    def parse(self) -> Node:
        try:
            node = self._expression()
        except RecursionError:  # MAX_DEPTH fires first; this is only a backstop
            self._fail(_TOO_DEEP)
        if self.tok.kind != EOF:
            self._unexpected()
        return node

    def _expression(self) -> Node:
        """A full expression; the depth count bounds recursion (every nesting passes here)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self._fail(_TOO_DEEP)
        node = self._binary(OR)
        self.depth -= 1
        return node

    def _binary(self, min_level: int, first: Node | None = None) -> Node:
        """Operators binding at least as tightly as `min_level`, after `first` if given.

        Operator precedence with an explicit stack of open chains, so the Python stack does
        not grow with the number of precedence levels an expression crosses.
        """
        current = self._unary() if first is None else first
        stack: list[_OpenChain] = []
        fresh_test = False  # `current` is a `between`/`in` just parsed (comparisons don't chain)
        while True:
            level = _LEVELS.get(self.tok.kind)
            if level is None or level < min_level:
                break
            while stack and stack[-1].level > level:
                current = stack.pop().close(current)
                fresh_test = False
            if level == COMPARISON and (fresh_test or (stack and stack[-1].level == COMPARISON)):
                self._unexpected()
            op = self._advance().kind
            if op == "between" or op == "in":
                current, fresh_test = self._test(op, current), True
                continue
            if stack and stack[-1].level == level:
                stack[-1].extend(current, op)
            else:
                stack.append(_OpenChain(level, current, op))
            current, fresh_test = self._unary(), False
        while stack:
            current = stack.pop().close(current)
        return current

    def _test(self, op: str, value: Node) -> Node:
        """The rest of `value between a and b` or `value in target`."""
        if op == "in":
            return self._in_target(value)
        low = self._binary(ADDITIVE)
        self._expect("and")
        high = self._binary(ADDITIVE)
        return fold(Between(value, low, high), [value, low, high])

    def _in_target(self, value: Node) -> Node:
        """`x in (a..b)` / `[a..b]` (any bracket mix), or `x in <list or value>`."""
        if self.tok.kind not in ("(", "["):
            return InList(value, self._binary(ADDITIVE))
        opening = self._advance()
        first = self._expression()
        if self.tok.kind == "..":
            self._advance()
            high = self._expression()
            if self.tok.kind not in (")", "]"):
                self._fail("expected ')' or ']'")
            closing = self._advance()
            return InRange(value, first, high, opening.kind == "[", closing.kind == "]")
        if opening.kind == "(":
            self._expect(")")
            target = first
        else:
            target = self._list_rest([first])
        return InList(value, self._binary(ADDITIVE, self._postfix(target)))

    def _unary(self) -> Node:
        negations = 0
        while self.tok.kind == "-":
            self._advance()
            negations += 1
        node = self._postfix(self._primary())
        if negations:  # `--x` is still null for a non-number, so keep two negations
            for _ in range(1 if negations % 2 else 2):
                node = fold(Negate(node), [node])
        return node

    def _postfix(self, base: Node) -> Node:
        """Paths and brackets after `base`; consecutive path keys gather into one list (growing
        a tuple per key made a 100,000-step path quadratic)."""
        steps: list[tuple[str, Any]] = []
        keys: list[str] = []
        while self.tok.kind in (".", "["):
            if self._advance().kind == ".":
                keys.append(self._path_key())
                continue
            if keys:
                steps.append((PATH, tuple(keys)))
                keys = []
            inner = self._expression()
            self._expect("]")
            steps.append((_bracket_kind(inner), inner))
        if keys:
            steps.append((PATH, tuple(keys)))
        return Postfix(base, steps) if steps else base

    def _name_like(self) -> str | None:
        """The current token as a context key or path segment (keywords allowed), or None."""
        token = self.tok
        if (token.kind == NAME and " " not in token.value) or token.kind in KEYWORDS:
            self._advance()
            name: str = token.value
            return name
        return None

    def _path_key(self) -> str:
        key = self._name_like()
        if key is None:
            self._fail("expected name")
        return key

    def _context_key(self) -> str:
        if self.tok.kind == STRING:
            text: str = self._advance().value
            return text
        key = self._name_like()
        if key is None:
            self._unexpected()
        return key

    def _primary(self) -> Node:
        token = self.tok
        kind = token.kind
        if kind in (NUMBER, STRING):
            self._advance()
            return Literal(token.value)
        if kind in _CONSTANTS:
            self._advance()
            return Literal(_CONSTANTS[kind])
        if kind == NAME:
            self._advance()
            return self._call(token) if self.tok.kind == "(" else Name(token.value)
        if kind == "(":
            self._advance()
            node = self._expression()
            self._expect(")")
            return node
        if kind == "[":
            self._advance()
            return self._list_rest([])
        if kind == "{":
            return self._context()
        if kind == "if":
            return self._if()
        if kind == "for":
            return self._for()
        if kind == "some" or kind == "every":
            return self._quantified(kind)
        if kind == "function":
            return self._function()
        if kind in _UNSUPPORTED:
            self._fail(f"unsupported keyword '{kind}'")
        self._unexpected()

    def _list_rest(self, items: list[Node]) -> Node:
        """The rest of a list literal after `[` and the `items` already parsed."""
        if not items and self.tok.kind == "]":
            self._advance()
            return ListNode(items)
        if not items:
            items.append(self._expression())
        while self.tok.kind == ",":
            self._advance()
            items.append(self._expression())
        self._expect("]")
        return ListNode(items)

    def _context(self) -> Node:
        self._advance()
        entries: list[tuple[str, Node]] = []
        if self.tok.kind == "}":
            self._advance()
            return ContextNode(entries)
        while True:
            key = self._context_key()
            self._expect(":")
            entries.append((key, self._expression()))
            if self.tok.kind != ",":
                break
            self._advance()
        self._expect("}")
        return ContextNode(entries)

    def _call(self, name: Token) -> Node:
        builtin = BUILTINS.get(name.value)
        if builtin is None:
            self._fail(f"unknown function '{name.value}'", name)
        self._advance()
        args: list[Node] = []
        if self.tok.kind != ")":
            args.append(self._expression())
            while self.tok.kind == ",":
                self._advance()
                args.append(self._expression())
        self._expect(")")
        reason = builtin.arity_error(len(args))
        if reason is not None:
            self._fail(reason, name)
        return Call(builtin, args)

    def _if(self) -> Node:
        self._advance()
        condition = self._expression()
        self._expect("then")
        then = self._expression()
        self._expect("else")
        otherwise = self._expression()
        if isinstance(condition, Literal):
            return then if condition.value is True else otherwise
        return If(condition, then, otherwise)


    def _iterations(self, end: str) -> list[Iteration]:
        """`x in xs, y in 1..3` up to the keyword `end`; a name is bound for what follows."""
        iterations: list[Iteration] = []
        while True:
            name = self.tok
            if name.kind != NAME or " " in name.value:
                self._fail("expected name")
            self._advance()
            self._expect("in")
            low = self._expression()
            high = None
            if self.tok.kind == "..":
                self._advance()
                high = self._expression()
            iterations.append(Iteration(name.value, low, high))
            if self.tok.kind != ",":
                break
            self._advance()
        self._expect(end)
        return iterations

    def _for(self) -> Node:
        self._advance()
        iterations = self._iterations("return")
        return ForNode(iterations, self._expression())

    def _quantified(self, kind: str) -> Node:
        self._advance()
        iterations = self._iterations("satisfies")
        return Quantified(kind == "every", iterations, self._expression())

    def _function(self) -> Node:
        self._advance()
        self._expect("(")
        params: list[str] = []
        while self.tok.kind != ")":
            if params:
                self._expect(",")
            if self.tok.kind != NAME or " " in self.tok.value:
                self._fail("expected name")
            params.append(self._advance().value)
        self._advance()
        return FunctionNode(tuple(params), self._expression())


class _OpenChain:
    """An operator chain of one precedence level still waiting for its last operand."""

    __slots__ = ("level", "operands", "ops")

    def __init__(self, level: int, first: Node, op: str) -> None:
        self.level = level
        self.operands = [first]
        self.ops = [op]

    def extend(self, operand: Node, op: str) -> None:
        self.operands.append(operand)
        self.ops.append(op)

    def close(self, last: Node) -> Node:
        """The chain as one n-ary node, folded when all operands are literals."""
        operands = [*self.operands, last]
        node: Node
        if self.level == OR:
            node = Disjunction(operands)
        elif self.level == AND:
            node = Conjunction(operands)
        else:
            rest = [
                (BINARY_OPERATORS[op], right)
                for op, right in zip(self.ops, operands[1:], strict=True)
            ]
            cls = Comparison if self.level == COMPARISON else Chain
            node = cls(operands[0], rest)
        return fold(node, operands)


def _bracket_kind(inner: Node) -> str:
    """A literal number indexes, a boolean-valued node filters, anything else decides per
    evaluation (FEEL-Scala's rule)."""
    if isinstance(inner, Literal):
        return INDEX if type(inner.value) in NUMBER_TYPES else FILTER
    return FILTER if isinstance(inner, _BOOLEAN_NODES) else SELECT

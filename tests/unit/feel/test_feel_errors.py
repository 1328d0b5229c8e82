"""Syntax errors: every reason, word for word, with its 1-based position after the `=`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

from engine_sim.feel import FeelSyntaxError, compile_expression
from engine_sim.feel.errors import quoted
from engine_sim.feel.parser import MAX_DEPTH


@pytest.mark.parametrize(
    ("text", "reason", "position"),
    [
        ("=", "unexpected end of expression", 1),
        ("=   ", "unexpected end of expression", 4),
        ("=1 +", "unexpected end of expression", 4),
        ("=(1", "expected ')'", 3),
        ("=(1,2)", "expected ')'", 3),
        ("=1)", "unexpected token ')'", 2),
        ("=)", "unexpected token ')'", 1),
        ("=\n\n  )", "unexpected token ')'", 5),
        ("=[1 2]", "expected ']'", 4),
        ("=[1, 2", "expected ']'", 6),
        ("=[1,]", "unexpected token ']'", 4),
        ("=a[1", "expected ']'", 4),
        ("=a[]", "unexpected token ']'", 3),
        ("={a 1}", "expected ':'", 4),
        ("={a: 1", "expected '}'", 6),
        ("={1: 2}", "unexpected token '1'", 2),
        ("={a: 1,}", "unexpected token '}'", 7),
        ("=foo(1)", "unknown function 'foo'", 1),
        ("=1 + foo bar(1)", "unknown function 'foo bar'", 5),
        ("=not(x) and nope(x)", "unknown function 'nope'", 12),
        ('="abc', "unterminated string", 1),
        ('=x + "abc\\', "unterminated string", 5),
        ('="\\u12"', "invalid unicode escape", 2),
        ('="\\uzzzz"', "invalid unicode escape", 2),
        ('="ok \\ud800"', "invalid unicode escape", 5),
        ("=1 /* x", "unterminated comment", 3),
        ("=a < b < c", "unexpected token '<'", 7),
        ("=x = = 1", "unexpected token '='", 5),
        ("=x in [1] = true", "unexpected token '='", 10),
        ("=x between 1 and 2 < 3", "unexpected token '<'", 19),
        ("=x between 1", "expected 'and'", 12),
        ("=x between 1 and", "unexpected end of expression", 16),
        ("=x in (1..2", "expected ')' or ']'", 11),
        ("=if x then 1", "expected 'else'", 12),
        ("=if x 1 else 2", "expected 'then'", 6),
        ("=count(1, 2)", "function 'count' expects 1 argument but got 2", 1),
        ("=count()", "function 'count' expects 1 argument but got 0", 1),
        ('=contains("a")', "function 'contains' expects 2 arguments but got 1", 1),
        ("=append()", "function 'append' expects at least 1 argument but got 0", 1),
        ("=for x in y satisfies x", "expected 'return'", 12),
        ("=some x in y return x", "expected 'satisfies'", 13),
        ("=x instance of number", "unexpected token 'instance'", 3),
        ("=return 1", "unsupported keyword 'return'", 1),
        ("=for 1 in y return 1", "expected name", 5),
        ("=function(1) 1", "expected name", 10),
        ("=#", "unexpected character '#'", 1),
        ("='a'", "unexpected character '''", 1),
        ("=!x", "unexpected character '!'", 1),
        ("=a b", "unexpected token 'b'", 3),
        ("=1 2", "unexpected token '2'", 3),
        ('=x "s"', "unexpected token '\"s\"'", 3),
        ("=+1", "unexpected token '+'", 1),
        ("=1..2", "unexpected token '..'", 2),
        ("=true()", "unexpected token '('", 5),
        ("=x.", "expected name", 3),
        ("=x.[1]", "expected name", 3),
        ("=1e999", "number out of range", 1),
        ("=1 + " + "9" * 5000, "number too long", 5),
    ],
)
def test_syntax_error_messages(text: str, reason: str, position: int) -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression(text)
    body = text[1:]
    expected = f"failed to parse expression '{quoted(body)}': {reason} at position {position}"
    assert str(info.value) == expected
    assert (info.value.body, info.value.reason, info.value.position) == (body, reason, position)


def test_message_quotes_the_text_after_equals_verbatim() -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression("  = x +")
    assert str(info.value) == (
        "failed to parse expression ' x +': unexpected end of expression at position 5"
    )


def test_nesting_limit() -> None:
    assert compile_expression("=" + "(" * 99 + "1" + ")" * 99).evaluate({}) == 1
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression("=" + "(" * 100 + "1" + ")" * 100)
    assert str(info.value).endswith(": expression nested more than 100 levels deep at position 101")


@pytest.mark.parametrize(
    "text",
    [
        "=" + "[" * 150 + "]" * 150,
        "=" + "{a: " * 150 + "1" + "}" * 150,
        "=" + "count(" * 150 + "[]" + ")" * 150,
        "=" + "if true then " * 150 + "1" + " else 2" * 150,
        "=" + "x[" * 150 + "1" + "]" * 150,
        "=" + "a or b and c = d + e * f ** (" * 150 + "1" + ")" * 150,
        "=" + "-(" * 150 + "1" + ")" * 150,
        "=" + "x in [" * 150 + "1" + "]" * 150,
        "=" + "for x in [" * 150 + "1" + "] return x" * 150,
        "=" + "for x in y return " * 150 + "1",
        "=" + "some x in y satisfies " * 150 + "true",
        "=" + "every x in [" * 150 + "1" + "] satisfies x" * 150,
        "=" + "sort(x, function(a, b) " * 150 + "1" + ")" * 150,
        "=" + "date and time(" * 150 + '"x"' + ")" * 150,
    ],
)
def test_deep_nesting_of_every_construct_is_a_syntax_error(text: str) -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression(text)
    assert info.value.reason == "expression nested more than 100 levels deep"


def test_long_flat_chains_are_not_nesting() -> None:
    """Operator and postfix chains are n-ary nodes, so their length is not depth."""
    assert compile_expression("=" + " + ".join(["1"] * 5000)).evaluate({}) == 5000
    assert compile_expression("=" + " and ".join(["x"] * 5000)).evaluate({"x": True}) is True
    deep = {"a": None}
    path = "=v" + ".a" * 3000
    assert compile_expression(path).evaluate({"v": deep}) is None
    assert compile_expression("=xs" + "[1]" * 3000).evaluate({"xs": [1]}) is None
    assert compile_expression("=" + "-" * 3001 + "1").evaluate({}) == -1


def _max_stack_depth(fn: Callable[[], Any]) -> int:
    """The deepest Python stack `fn` reaches, relative to its caller."""
    base = len(_frames())
    deepest = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal deepest
        if event == "call":
            depth = 0
            while frame is not None:
                depth, frame = depth + 1, frame.f_back
            deepest = max(deepest, depth)

    sys.setprofile(profile)
    try:
        fn()
    except FeelSyntaxError:
        pass
    finally:
        sys.setprofile(None)
    return deepest - base


def _frames() -> list[Any]:
    frames, frame = [], sys._getframe(1)
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames


@pytest.mark.parametrize(
    "make",
    [
        lambda n: "(" * n + "1" + ")" * n,
        lambda n: "[" * n + "]" * n,
        lambda n: "{a: " * n + "1" + "}" * n,
        lambda n: "count(" * n + "[]" + ")" * n,
        lambda n: "if true then " * n + "1" + " else 2" * n,
        lambda n: "a or b and c = d + e * f ** (" * n + "1" + ")" * n,
        lambda n: "x in [" * n + "1" + "]" * n,
        lambda n: "for x in [" * n + "1" + "] return x" * n,
        lambda n: "some x in y satisfies " * n + "true",
        lambda n: "sort(x, function(a, b) " * n + "1" + ")" * n,
    ],
)
def test_the_depth_limit_fires_long_before_pythons_recursion_limit(
    make: Callable[[int], str],
) -> None:
    """No input reaches Python's recursion limit: the deepest accepted and the first refused
    nesting both stay far below it (the RecursionError handler is only a backstop)."""
    for depth in (MAX_DEPTH, MAX_DEPTH + 1):
        used = _max_stack_depth(lambda: compile_expression("=" + make(depth)))  # noqa: B023
        assert used < sys.getrecursionlimit() - 200, (depth, used)

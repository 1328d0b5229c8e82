"""Syntax errors: every reason, word for word, with its 1-based position after the `=`."""

from __future__ import annotations

import pytest

from engine_sim.feel import FeelSyntaxError, compile_expression


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
        ("=for x in y return x", "unsupported keyword 'for'", 1),
        ("=some x in y satisfies x", "unsupported keyword 'some'", 1),
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
    expected = f"failed to parse expression '{body}': {reason} at position {position}"
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
    assert str(info.value).endswith(": expression nested too deeply at position 101")


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
    ],
)
def test_deep_nesting_of_every_construct_is_a_syntax_error(text: str) -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression(text)
    assert info.value.reason == "expression nested too deeply"


def test_long_flat_chains_are_not_nesting() -> None:
    """Operator and postfix chains are n-ary nodes, so their length is not depth."""
    assert compile_expression("=" + " + ".join(["1"] * 5000)).evaluate({}) == 5000
    assert compile_expression("=" + " and ".join(["x"] * 5000)).evaluate({"x": True}) is True
    deep = {"a": None}
    path = "=v" + ".a" * 3000
    assert compile_expression(path).evaluate({"v": deep}) is None
    assert compile_expression("=xs" + "[1]" * 3000).evaluate({"xs": [1]}) is None
    assert compile_expression("=" + "-" * 3001 + "1").evaluate({}) == -1

"""Large and adversarial inputs compile, or fail only with FeelSyntaxError.

How fast they compile is a benchmark, not a test (the machine is shared): see
benchmarks/feel_parse.py, which checks that compile time grows linearly."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable

import pytest

from engine_sim.feel import MAX_EXPRESSION_LENGTH, FeelSyntaxError, compile_expression

# fmt: off
FRAGMENTS = [
    "x", "y.z", "1", "2.5", '"s"', "(", ")", "[", "]", "{", "}", ",", ":", ".", "+", "-", "*",
    "/", "=", "<", "and", "or", "if", "then", "else", "count(",
]
# fmt: on


def compiles_or_fails_cleanly(text: str) -> bool:
    with contextlib.suppress(FeelSyntaxError):
        compile_expression(text)
    return True


def random_chars(rng: random.Random) -> str:
    alphabet = 'abxy0123456789 .,:()[]{}+-*/=<>!"\\\n_$' + "é✓"
    return "".join(rng.choice(alphabet) for _ in range(10_000))


def random_fragments(rng: random.Random) -> str:
    text = ""
    while len(text) < 10_000:
        text += rng.choice(FRAGMENTS) + rng.choice(["", " "])
    return text[:10_000]


@pytest.mark.parametrize("make", [random_chars, random_fragments])
@pytest.mark.parametrize("seed", range(5))
def test_random_10k_character_expressions_compile_or_fail_cleanly(
    make: Callable[[random.Random], str], seed: int
) -> None:
    text = make(random.Random(seed))
    assert len(text) == 10_000
    assert compiles_or_fails_cleanly("=" + text)


def test_valid_10k_character_expression_compiles_and_evaluates() -> None:
    term = "(x.a[1] + 2 * (y - 3)) / 1"
    count = 10_000 // (len(term) + 3)
    text = "=" + " + ".join([term] * count)
    assert len(text) > 9_000
    expr = compile_expression(text)
    assert expr.evaluate({"x": {"a": [4]}, "y": 5}) == 8 * count


def test_long_runs_of_names_lex_cleanly() -> None:
    assert compiles_or_fails_cleanly("=" + " ".join(["name"] * 2_000))
    with pytest.raises(FeelSyntaxError, match="unknown function"):
        compile_expression("=" + " ".join(["name"] * 2_000) + "(1)")


@pytest.mark.parametrize(
    "text",
    [
        "(" * 10_000,
        "(" * 5_000 + "1" + ")" * 5_000,
        "[" * 10_000,
        "{a:" * 3_000,
        "count(" * 5_000,
        "if " * 5_000,
        "x in (" * 3_000,
        "-(" * 5_000,
        "x[" * 5_000,
        "a or b and c = d + e * f ** (" * 1_000,
    ],
)
def test_deeply_nested_input_fails_with_a_syntax_error(text: str) -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression("=" + text)
    assert info.value.reason in {
        "expression nested more than 100 levels deep", "unexpected end of expression"}


def test_unterminated_long_string_and_comment_fail_cleanly() -> None:
    with pytest.raises(FeelSyntaxError, match="unterminated string"):
        compile_expression('="' + "a\\" * 5_000)
    with pytest.raises(FeelSyntaxError, match="unterminated comment"):
        compile_expression("=1 /*" + "*" * 10_000)


def test_an_expression_longer_than_the_limit_is_refused() -> None:
    body = "a" + ".b" * 50_000
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression("=" + body)
    assert info.value.reason == (
        f"expression is {len(body)} characters long, more than the limit of "
        f"{MAX_EXPRESSION_LENGTH}")
    assert len(str(info.value)) < 500  # the message quotes the start, not the whole text
    just_fits = "a" + ".b" * ((MAX_EXPRESSION_LENGTH - 1) // 2)
    assert compile_expression("=" + just_fits).evaluate({"a": None}) is None

"""Large and adversarial inputs compile quickly and fail only with FeelSyntaxError."""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable

import pytest

from engine_sim.feel import FeelSyntaxError, compile_expression

TIME_LIMIT = 2.0  # seconds; generous for slow CI, typical runs take milliseconds
# fmt: off
FRAGMENTS = [
    "x", "y.z", "1", "2.5", '"s"', "(", ")", "[", "]", "{", "}", ",", ":", ".", "+", "-", "*",
    "/", "=", "<", "and", "or", "if", "then", "else", "count(",
]
# fmt: on


def compile_timed(text: str) -> float:
    start = time.perf_counter()
    with contextlib.suppress(FeelSyntaxError):
        compile_expression(text)
    return time.perf_counter() - start


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
def test_random_10k_character_expressions_compile_fast(
    make: Callable[[random.Random], str], seed: int
) -> None:
    text = make(random.Random(seed))
    assert len(text) == 10_000
    assert compile_timed("=" + text) < TIME_LIMIT


def test_valid_10k_character_expression_compiles_fast_and_evaluates() -> None:
    term = "(x.a[1] + 2 * (y - 3)) / 1"
    count = 10_000 // (len(term) + 3)
    text = "=" + " + ".join([term] * count)
    assert len(text) > 9_000
    start = time.perf_counter()
    expr = compile_expression(text)
    assert time.perf_counter() - start < TIME_LIMIT
    assert expr.evaluate({"x": {"a": [4]}, "y": 5}) == 8 * count


def test_long_runs_of_names_lex_in_linear_time() -> None:
    assert compile_timed("=" + " ".join(["name"] * 2_000)) < TIME_LIMIT
    assert compile_timed("=" + " ".join(["name"] * 2_000) + "(1)") < TIME_LIMIT


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
def test_deeply_nested_input_fails_fast_with_a_syntax_error(text: str) -> None:
    start = time.perf_counter()
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression("=" + text)
    assert time.perf_counter() - start < TIME_LIMIT
    assert info.value.reason in {
        "expression nested more than 100 levels deep", "unexpected end of expression"}


def test_unterminated_long_string_and_comment_fail_fast() -> None:
    assert compile_timed('="' + "a\\" * 5_000) < TIME_LIMIT
    assert compile_timed("=1 /*" + "*" * 10_000) < TIME_LIMIT

"""FEEL compile time against expression size: parsing must stay linear.

    .venv/bin/python benchmarks/feel_parse.py

For each shape it prints the compile time at 1k, 10k and 100k steps, the time per step and
the growth from one size to the next (10x the steps should cost about 10x, never ~100x as a
quadratic parser does). Sizes beyond the expression length limit are compiled through the
lexer and parser directly; the limit itself is shown last. It exits 1 when a 10x step costs
more than 30x (a loose bound: the machine is shared and noisy).

Measured on the development machine before the fix (the parser grew a path's key tuple once
per key): a path of 1k steps 6 ms, 10k steps 123 ms, 100k steps 18.1 s. After: 4 ms, 41 ms,
337 ms.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable

from engine_sim.feel import MAX_EXPRESSION_LENGTH, FeelSyntaxError, compile_expression
from engine_sim.feel.lexer import tokenize
from engine_sim.feel.parser import parse

SIZES = (1_000, 10_000, 100_000)
MAX_GROWTH = 30.0

SHAPES: dict[str, Callable[[int], str]] = {
    "path a.b.b.b...": lambda n: "a" + ".b" * n,
    "sum 1 + 1 + ...": lambda n: " + ".join(["1"] * n),
    "or-chain x or x...": lambda n: " or ".join(["x"] * n),
    "list [1, 1, ...]": lambda n: "[" + ", ".join(["1"] * n) + "]",
    "index x[1][1]...": lambda n: "x" + "[1]" * n,
    "context {k0: 1, ...}": lambda n: "{" + ", ".join(f"k{i}: 1" for i in range(n)) + "}",
    'string "\\n\\n..."': lambda n: '"' + "\\n" * n + '"',
    "for x in [..] return": lambda n: "for x in [" + ", ".join(["1"] * n) + "] return x",
}


def compile_seconds(body: str) -> float:
    """Best of three, with the cyclic GC paused (its passes over many live objects are noise
    here, not the parser's cost)."""
    best = float("inf")
    for _ in range(3):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            parse(tokenize(body)).compile()
            best = min(best, time.perf_counter() - start)
        finally:
            gc.enable()
    return best


def main() -> int:
    worst = 0.0
    print(f"{'shape':<24}{'steps':>9}{'ms':>10}{'us/step':>10}{'growth':>9}")
    for name, make in SHAPES.items():
        previous = None
        for steps in SIZES:
            seconds = compile_seconds(make(steps))
            growth = seconds / previous if previous else None
            worst = max(worst, growth or 0.0)
            print(f"{name:<24}{steps:>9}{seconds * 1e3:>10.1f}{seconds / steps * 1e6:>10.2f}"
                  f"{'' if growth is None else f'{growth:.1f}x':>9}")
            previous = seconds
    try:
        compile_expression("=" + SHAPES["path a.b.b.b..."](100_000))
    except FeelSyntaxError as error:
        print(f"\nlimit {MAX_EXPRESSION_LENGTH} characters: {error.reason}")
    verdict = "ok" if worst <= MAX_GROWTH else "TOO SLOW"
    print(f"worst growth for 10x the steps: {worst:.1f}x (bound {MAX_GROWTH:.0f}x): {verdict}")
    return 0 if worst <= MAX_GROWTH else 1


if __name__ == "__main__":
    sys.exit(main())

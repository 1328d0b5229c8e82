"""Values no record can hold or no command can use (issue 10, section 2): integers outside 64
bits, negative keys and keys of 128 bits, `--var` values nested 5,000 deep, lone surrogates,
`--count` above its maximum. Each gives one line naming the argument and what is wrong, exit
status 2, and leaves the store as it was; random values never give a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_support import Cli, seed_orders, store_digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine_sim.cli.arguments import MAX_CHUNK_SIZE, MAX_COUNT, MAX_VALUE_DEPTH

HUGE = str(2**64)  # outside 64 bits
KEY_128 = str(2**128)
DEEP = "[" * 5000 + "]" * 5000
MIGRATE = ["migrate", "--process", "orderProcess", "--version", "1", "--to-process",
           "orderProcess", "--to-version", "2", "--all"]

# (arguments, what the one line must contain)
CASES = [
    (["create", "orderProcess", "--var", f"x={HUGE}"], ["--var", "'x'", "64 bits"]),
    (["create", "orderProcess", "--var", f"x=-{HUGE}"], ["--var", "64 bits"]),
    (["create", "orderProcess", "--var", f'x={{"a": [1, {HUGE}]}}'], ["--var", "64 bits"]),
    (["create", "orderProcess", "--var", f"x={DEEP}"], ["--var", f"deeper than {MAX_VALUE_DEPTH}"]),
    (["create", "orderProcess", "--var",
      "x=" + "[" * (MAX_VALUE_DEPTH + 2) + "]" * (MAX_VALUE_DEPTH + 2)],
     ["--var", "deeper"]),
    (["create", "orderProcess", "--var", 'x="\\ud800"'], ["--var", "lone surrogate"]),
    (["create", "orderProcess", "--var", "x=NaN"], ["--var", "NaN"]),
    (["create", "orderProcess", "--var", "x=-1e400"], ["--var", "64-bit float"]),
    (["messages", "publish", " ", "--key", "k"], ["NAME", "empty"]),
    (["signals", "broadcast", ""], ["NAME", "empty"]),
    (["create", "orderProcess", "--var", "x=caf\udce9"], ["--var", "lone surrogate"]),
    (["create", "orderProcess\udcff"], ["argument 2", "lone surrogate"]),
    (["create", "orderProcess", "--count", str(MAX_COUNT + 1)],
     ["--count", f"from 1 to {MAX_COUNT}"]),
    (["create", "orderProcess", "--count", HUGE], ["--count"]),
    (["create", "orderProcess", "--count", "9" * 5000], ["--count", "out of range"]),
    (["create", "orderProcess", "--version", HUGE], ["--version"]),
    (["jobs", "complete", "-1", "checkPayment"], ["KEY", "'-1'"]),
    (["jobs", "complete", KEY_128, "checkPayment"], ["KEY", "below 2^63"]),
    (["jobs", "complete", str(2**63), "checkPayment"], ["KEY", "below 2^63"]),
    (["jobs", "fail", "{a}", "checkPayment", "--retries", HUGE], ["--retries"]),
    (["jobs", "fail", "{a}", "checkPayment", "--retries", str(2**31)], ["--retries", "2147483647"]),
    (["jobs", "complete", "{a}", "checkPayment", "--var", f"n={HUGE}"], ["--var", "64 bits"]),
    ([*MIGRATE, "--chunk-size", HUGE, "--yes"], ["--chunk-size"]),
    ([*MIGRATE, "--chunk-size", str(MAX_CHUNK_SIZE + 1), "--yes"], ["--chunk-size"]),
    (["migrate", "--process", "orderProcess", "--version", "1", "--to-process", "orderProcess",
      "--to-version", "2", "--key", "-5", "--yes"], ["--key"]),
    (["operations", HUGE], ["ID", "below 2^63"]),
    (["operations", "-3"], ["ID"]),
    (["operations", "resume", KEY_128], ["ID"]),
    (["operations", "revert", HUGE], ["ID"]),
    (["operations", "--chunk-size", HUGE, "resume"], ["--chunk-size"]),
    (["history", "-1"], ["KEY"]),
    (["history", KEY_128], ["KEY"]),
    (["cancel", HUGE], ["KEY"]),
    (["incidents", "resolve", "-7"], ["ID"]),
    (["incidents", "--instance", KEY_128], ["--instance"]),
    (["variables", "set", "{a}", "--var", f"x={DEEP}"], ["--var", "deeper"]),
    (["user-tasks", "complete", "-2", "approve"], ["KEY"]),
    (["messages", "publish", "paid", "--key", "k", "--var", f"x={HUGE}"], ["--var", "64 bits"]),
    (["signals", "broadcast", "go", "--var", f"x={DEEP}"], ["--var", "deeper"]),
    (["clock", "advance", "-PT1H"], ["DURATION"]),
    (["clock", "advance", "PT1X"], ["DURATION", "PT1X"]),
    (["instances", "--limit", "-1"], ["--limit"]),
]


@pytest.fixture
def seeded(cli: Cli) -> dict[str, str]:
    return seed_orders(cli)


def test_every_value_out_of_range_exits_2_with_one_line_and_changes_nothing(
        cli: Cli, seeded: dict[str, str], workdir: Path) -> None:
    before = store_digest(workdir)
    for argv, expected in CASES:
        args = [seeded["a"] if arg == "{a}" else arg for arg in argv]
        result = cli(*args)
        context = f"engine-sim {' '.join(a[:40] for a in args)}\n{result.err[:400]}"
        assert result.code == 2, context + result.out
        lines = result.err.strip().splitlines()
        assert len(lines) == 1, context
        assert len(lines[0]) < 400, context  # the offending value is cut, not echoed whole
        for part in expected:
            assert part in lines[0], context
        assert "Traceback" not in result.err + result.out
        assert store_digest(workdir) == before, context


def test_values_at_the_limits_are_accepted(cli: Cli, seeded: dict[str, str]) -> None:
    top = str(2**63 - 1)
    created = cli("create", "orderProcess", "--json", "--var", f"big={top}",
                  "--var", f"small={-(2**63)}",
                  "--var", "x=" + "[" * MAX_VALUE_DEPTH + "]" * MAX_VALUE_DEPTH)
    assert created.code == 0, created.err
    [key] = json.loads(created.out)["processInstanceKeys"]
    history = json.loads(cli("history", key, "--json").out)
    values = {r["name"]: r["value"] for r in history["records"] if r["valueType"] == "VARIABLE"}
    assert values["big"] == 2**63 - 1 and values["small"] == -(2**63)
    assert cli("history", top).code == 2  # a valid key that names no instance


# -- random values --------------------------------------------------------------------------
JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                        st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=12)
INTEGERS = st.one_of(st.integers(min_value=-(2**130), max_value=2**130),
                     st.sampled_from([0, -1, 2**31, 2**63 - 1, 2**63, 2**64, 2**128]))
TEXT = st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF,
                                      blacklist_categories=("Cc",)), max_size=12)
VALUES = st.one_of(INTEGERS.map(str), TEXT, JSON_VALUES.map(json.dumps),
                   st.integers(min_value=1, max_value=3000).map(lambda n: "[" * n + "]" * n))


def templates(a: str, value: str) -> list[list[str]]:
    return [
        ["create", "orderProcess", "--var", f"x={value}", "--json"],
        ["create", "orderProcess", "--count", value],
        ["jobs", "complete", value, "checkPayment"],
        ["jobs", "fail", a, "checkPayment", "--retries", value, "--message", value],
        ["jobs", "complete", a, value],
        ["history", value],
        ["operations", value],
        ["cancel", value],
        ["instances", "--limit", value, "--process", value],
        ["clock", "advance", value],
        ["messages", "publish", value, "--key", value],
        ["variables", "set", a, "--var", f"{value}={value}"],
        [*MIGRATE, "--chunk-size", value, "--dry-run"],
        ["incidents", "resolve", value],
    ]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(value=VALUES, which=st.integers(min_value=0, max_value=13))
def test_random_argument_values_never_give_a_traceback(
        cli: Cli, seeded: dict[str, str], workdir: Path, value: str, which: int) -> None:
    argv = templates(seeded["a"], value)[which]
    before = store_digest(workdir)
    result = cli(*argv)
    assert result.code in (0, 1, 2), result.err
    assert "Traceback" not in result.err + result.out
    if result.code == 2:
        assert len(result.err.strip().splitlines()) == 1, result.err
        assert store_digest(workdir) == before

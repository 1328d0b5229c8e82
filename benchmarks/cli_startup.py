"""How fast the command line answers when it has nothing to do with a store.

    .venv/bin/python benchmarks/cli_startup.py            # 10 runs of each command
    .venv/bin/python benchmarks/cli_startup.py --runs 30

Each command runs as a fresh process, as a user runs it: `engine-sim --version`,
`engine-sim --help`, `python -m engine_sim --help`, `engine-sim create --help`. The parser
needs the standard library only and imports a command's module only when that command runs.
Timings on a shared machine are noisy, so the target is a ratio measured within one run: the
median of each command against the median of a bare `python -c pass` (interpreter start),
plus the absolute median for the record. Exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
ENGINE_SIM = str(BIN / "engine-sim")
COMMANDS = {
    "engine-sim --version": [ENGINE_SIM, "--version"],
    "engine-sim --help": [ENGINE_SIM, "--help"],
    "python -m engine_sim --help": [sys.executable, "-m", "engine_sim", "--help"],
    "engine-sim create --help": [ENGINE_SIM, "create", "--help"],
}
BASELINE = [sys.executable, "-c", "pass"]
# At most this many times a bare interpreter start (which is ~20 ms here): importing the
# engine, pydantic and rich costs ~0.7 s, so a command that loads them misses it clearly.
MAX_RATIO = 8.0


def median_seconds(argv: list[str], runs: int) -> float:
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    baseline = median_seconds(BASELINE, args.runs)
    print(f"{'python -c pass':32} {baseline * 1000:7.1f} ms")
    missed = []
    for name, argv in COMMANDS.items():
        seconds = median_seconds(argv, args.runs)
        ratio = seconds / baseline
        verdict = "ok" if ratio <= MAX_RATIO else f"MISSED (target ≤ {MAX_RATIO:.0f}×)"
        print(f"{name:32} {seconds * 1000:7.1f} ms  {ratio:5.1f}× interpreter start  {verdict}")
        if ratio > MAX_RATIO:
            missed.append(name)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

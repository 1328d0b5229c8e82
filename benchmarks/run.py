"""`make bench`: throughput and memory of create + batch migrate + jobs, per store and N.

    make bench                                  # the default set (see benchmarks/README.md)
    .venv/bin/python benchmarks/run.py --n 20000 --stores memory sqlite
    .venv/bin/python benchmarks/run.py --large  # adds N = 1,000,000 on SQLite
    .venv/bin/python benchmarks/run.py --profile migrate-warm --n 20000 --stores memory sqlite

Each store/N configuration runs in its own process (`worker.py`), warm and cold apart, so
neither time nor memory leaks from one into the next. The table prints every figure with the
target of issue 9 beside it; the figures go to benchmarks/results/latest.json. Exit status 1
when a target is missed (after printing everything), 2 when a run failed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from figures import Figure, engine_figures, format_value, spiff_figures
from report import machine, print_report, write_json
from rich.console import Console

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
# A database of its own: the benchmark empties its store, and test suites running at the same
# time on the server's `test` database would drop its tables mid-run (and it theirs).
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/engine_sim_bench"
STORES = ("memory", "sqlite", "postgres")
DURABLE = ("sqlite", "postgres")
# the default set: ~7 minutes on the shared 2-core machine (README); PostgreSQL at 20,000
# alone took ~10 minutes there, 100,000 more than the rest together: ask for them with --n
DEFAULT_PLAN = [(1_000, STORES), (20_000, ("memory", "sqlite"))]
LARGE_N = 1_000_000
LARGE_STORES = ("sqlite",)  # the 1M target; the memory store holds every instance
SPIFF_MAX_N = 100_000  # SpiffWorkflow keeps every workflow object in memory
PROFILE_PHASES = {"create": ("warm", "create"), "migrate-warm": ("warm", "migrate warm"),
                  "migrate-cold": ("cold", "migrate cold"), "jobs": ("warm", "jobs")}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", metavar="N",
                        help="instance counts, each on every store of --stores "
                        "(default: 1,000 on every store, 20,000 on memory and SQLite)")
    parser.add_argument("--stores", nargs="+", choices=STORES, help="default: all three")
    parser.add_argument("--large", action="store_true", help=f"add N = {LARGE_N:,} on SQLite")
    parser.add_argument("--profile", choices=sorted(PROFILE_PHASES),
                        help="write a cProfile of this phase (default N = 20,000 on memory and "
                        "SQLite) to benchmarks/results/ and print its top entries; the "
                        "figures of a profiled run are not saved")
    parser.add_argument("--no-spiff", action="store_true", help="skip SpiffWorkflow")
    parser.add_argument("--postgres", default=POSTGRES_URL, metavar="URL")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    parser.add_argument("--partitions", metavar="P,P,...",
                        type=lambda text: [int(p) for p in text.split(",")],
                        help="instead of the rest: created/s and migrations/s on PostgreSQL "
                        "with P worker processes, one per partition (partitions.py; default "
                        "N = 5,000)")
    parser.add_argument("--max-memory-gb", type=float, default=16.0,
                        help="address-space cap of each run (default 16)")
    args = parser.parse_args(argv)
    if args.n and any(n < 1 for n in args.n):
        parser.error("--n: each N must be at least 1")
    return args


def plan_of(args: argparse.Namespace) -> list[tuple[int, tuple[str, ...]]]:
    if args.n:
        plan = [(n, tuple(args.stores or STORES)) for n in args.n]
    elif args.profile:
        plan = [(20_000, tuple(args.stores or ("memory", "sqlite")))]
    elif args.stores:
        plan = [(n, tuple(s for s in stores if s in args.stores)) for n, stores in DEFAULT_PLAN]
    else:
        plan = list(DEFAULT_PLAN)
    if args.large:
        plan.append((LARGE_N, tuple(s for s in LARGE_STORES if s in (args.stores or STORES))))
    return [(n, stores) for n, stores in plan if stores]


def postgres_problem(url: str) -> str | None:
    """Why PostgreSQL cannot be used, or None when it answers. The benchmark's database is
    created when the server answers but does not have it."""
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        return "psycopg is not installed (pip install -e '.[postgres]')"
    try:
        psycopg.connect(url, connect_timeout=3).close()
        return None
    except psycopg.OperationalError as error:
        problem = " ".join(str(error).split())
        if "does not exist" not in problem:
            return problem
    name = url.rsplit("/", 1)[1]
    try:
        with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", connect_timeout=3,
                             autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        reason = " ".join(str(error).split())
        return f"database {name} does not exist and cannot be created: {reason}"
    return None


class Runner:
    """Starts the worker processes and collects what they wrote."""

    def __init__(self, out: Console, folder: Path, args: argparse.Namespace) -> None:
        self.out = out
        self.folder = folder
        self.args = args
        self.wall: list[dict[str, Any]] = []

    def run(self, job: str, n: int, store: str = "memory", url: str = "memory:") -> dict[str, Any]:
        result_file = self.folder / f"{job}-{store}-{n}.json"
        command = [sys.executable, str(HERE / "worker.py"), job, "--store", url, "--n", str(n),
                   "--folder", str(self.folder), "--out", str(result_file),
                   "--max-memory-gb", str(self.args.max_memory_gb)]
        phase = PROFILE_PHASES.get(self.args.profile or "")
        if phase is not None and phase[0] == job:
            profile_file = RESULTS / f"profile-{self.args.profile}-{store}-{n}.pstats"
            command += ["--profile", phase[1], "--profile-out", str(profile_file)]
        label = f"{job:5} {store:8} N={n:>9,}"
        self.out.print(f"{label} ...", end="")
        began = time.perf_counter()
        subprocess.run(command, check=False)
        seconds = time.perf_counter() - began
        try:
            result = json.loads(result_file.read_text())
        except (OSError, ValueError):
            result = {"error": "the run ended without a result (killed?)"}
        self.wall.append({"job": job, "store": store, "n": n, "seconds": round(seconds, 1)})
        status = f"[red]{result['error']}[/red]" if "error" in result else "done"
        self.out.print(f" {status} in {seconds:,.1f} s")
        return result


def store_url(store: str, folder: Path, args: argparse.Namespace) -> str:
    return {"memory": "memory:", "sqlite": f"sqlite:///{folder / 'engine.db'}",
            "postgres": args.postgres}[store]


def print_profile(out: Console, path: Path) -> None:
    import pstats

    out.print(f"\n[bold]{path.relative_to(HERE.parent)}[/bold] (open with python -m pstats)")
    for order in ("tottime", "cumulative"):
        stats = pstats.Stats(str(path), stream=sys.stdout)
        stats.strip_dirs().sort_stats(order).print_stats(25)


def report_profiles(out: Console, profile: str, raw: list[dict[str, Any]],
                    errors: dict[tuple[str, int], str]) -> int:
    phase = PROFILE_PHASES[profile][1]
    for run in raw:
        seconds = run.get("seconds", {}).get(phase)
        if seconds:
            out.print(f"{run['store']} N={run['n']:,}: {phase} took {seconds:,.1f} s under the "
                      f"profiler ({run['n'] / seconds:,.0f}/s; the profiler slows it)")
    for path in sorted(RESULTS.glob(f"profile-{profile}-*.pstats")):
        print_profile(out, path)
    example = ("py-spy record -o flame.svg -- .venv/bin/python benchmarks/worker.py warm "
               "--store memory: --n 20000 --folder /tmp --out /tmp/result.json")
    if shutil.which("py-spy"):
        out.print(f"py-spy is installed; for a sampling profile with native frames: `{example}`")
    else:
        out.print(f"For a sampling profile with native frames: pip install py-spy, then `{example}`")
    for (store, n), error in errors.items():
        out.print(f"[red]FAILED[/red] {store} N={n:,}: {error}")
    return 2 if errors else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.partitions:
        import partitions

        problem = postgres_problem(args.postgres)
        if problem is not None:
            print(f"--partitions needs PostgreSQL: {args.postgres} cannot be used: {problem}")
            return 2
        n = args.n[0] if args.n else 5_000
        return partitions.run(args.partitions, n, args.postgres, RESULTS / "partitions.json")
    out = Console(width=None if sys.stdout.isatty() else 200)
    plan = plan_of(args)
    info = machine()
    out.print(f"{info['cpu']}, {info['cores']} cores, Python {info['python']}, load average "
              f"{' '.join(f'{x:.1f}' for x in info['load_average_at_start'])} "
              "(a shared machine: expect ±20% between runs)")
    skipped: list[str] = []
    if any("postgres" in stores for _, stores in plan):
        problem = postgres_problem(args.postgres)
        if problem is not None:
            skipped.append(f"postgres: skipped, {args.postgres} cannot be used: {problem}")
            out.print(f"[yellow]{skipped[-1]}[/yellow]")
            plan = [(n, tuple(s for s in stores if s != "postgres")) for n, stores in plan]
    if args.large:
        skipped.append(f"N={LARGE_N:,} runs on SQLite only: the memory store keeps every instance "
                       "in memory, and PostgreSQL at that size takes hours today")
    figures: list[Figure] = []
    errors: dict[tuple[str, int], str] = {}
    spiff: dict[int, dict[str, float]] = {}
    raw: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="engine-sim-bench-") as temporary:
        runner = Runner(out, Path(temporary), args)
        for n, stores in plan:
            spiff_raw = None
            if not args.no_spiff and not args.profile:
                if n <= SPIFF_MAX_N:
                    spiff_raw = runner.run("spiff", n)
                    raw.append({"job": "spiff", "n": n, **spiff_raw})
                    if "error" not in spiff_raw:
                        spiff[n] = spiff_figures(n, spiff_raw)
                else:
                    skipped.append(f"SpiffWorkflow at N={n:,}: skipped, it keeps every workflow "
                                   "in memory (its rates do not depend on N)")
            for store in stores:
                url = store_url(store, Path(temporary), args)
                profiled_job = PROFILE_PHASES[args.profile][0] if args.profile else None
                warm = cold = None
                if profiled_job in (None, "warm"):
                    warm = runner.run("warm", n, store, url)
                    raw.append({"job": "warm", "store": store, "n": n, **warm})
                if store in DURABLE and profiled_job in (None, "cold"):
                    cold = runner.run("cold", n, store, url)
                    raw.append({"job": "cold", "store": store, "n": n, **cold})
                failed = [r["error"] for r in (warm, cold) if r and "error" in r]
                if failed:
                    errors[(store, n)] = "; ".join(failed)
                if not args.profile:  # a profiling run stops after its phase
                    figures.extend(engine_figures(store, n, warm, cold, spiff_raw))
    out.print()
    if args.profile:
        return report_profiles(out, args.profile, raw, errors)
    print_report(out, figures, spiff)
    for (store, n), error in errors.items():
        out.print(f"[red]FAILED[/red] {store} N={n:,}: {error} (traceback above)")
    for line in skipped:
        out.print(f"[yellow]{line}[/yellow]")
    missed = [f for f in figures if f.verdict == "MISS"]
    for figure in missed:
        out.print(f"[red]MISS[/red] {figure.store} N={figure.n:,} {figure.name}: "
                  f"{format_value(figure.value, figure.unit)} (target {figure.target})")
    info["load_average_at_end"] = os.getloadavg()
    write_json(args.out, {"machine": info, "plan": [[n, list(s)] for n, s in plan],
                          "wall_seconds": runner.wall, "skipped": skipped,
                          "figures": [f.as_dict() for f in figures],
                          "spiff": {str(n): rates for n, rates in spiff.items()}, "raw": raw})
    out.print(f"Figures written to {args.out}")
    if errors:
        return 2
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

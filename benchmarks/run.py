"""Throughput benchmarks: instance creation, job completion and batch migration per store.

    make bench                      # N=5000 on memory and an SQLite file
    .venv/bin/python benchmarks/run.py --n 20000 --stores memory sqlite postgres

Machines here are shared and noisy, so targets are ratios measured within one run, not
absolute timings: see TARGETS. The run exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Callable

from engine_sim.cli.main import GC_THRESHOLDS
from engine_sim.engine import commands
from engine_sim.engine.engine import Engine
from engine_sim.projections import ListFilter, ListView, StreamFollower
from migration.operate import Operate, Selection

ORDER = Path(__file__).resolve().parent.parent / "scenarios" / "operate" / "bpmn"

# name -> (numerator, denominator, minimum ratio): a batch migration stores one event per
# instance like a creation does, and does less domain work, so it must not be much slower.
TARGETS = {
    "memory: migrate vs create": ("memory migrate/s", "memory create/s", 0.5),
    "sqlite: migrate vs create": ("sqlite migrate/s", "sqlite create/s", 0.5),
}


def store_url(kind: str, folder: Path) -> str:
    return {
        "memory": "memory:",
        "sqlite": f"sqlite:///{folder / 'bench.db'}",
        "postgres": "postgresql://postgres@127.0.0.1:5432/test",
    }[kind]


def timed(action: Callable[[], object], count: int) -> float:
    gc.collect()
    began = time.perf_counter()
    action()
    return count / (time.perf_counter() - began)


def bench_store(kind: str, n: int, folder: Path) -> dict[str, float]:
    engine = Engine(store_url(kind, folder))
    engine.store.clear()
    engine = Engine(store_url(kind, folder))
    engine.deploy((ORDER / "order-v1.bpmn").read_bytes(), "order-v1.bpmn")
    engine.deploy((ORDER / "order-v2.bpmn").read_bytes(), "order-v2.bpmn")
    keys: list[int] = []
    results = {}
    results[f"{kind} create/s"] = timed(
        lambda: keys.extend(commands.create_instance(engine, "orderProcess", 1, {"orderId": i}).result
                            for i in range(n)), n)
    view = ListView()
    follower = StreamFollower(engine.app, [view])
    results[f"{kind} follow/s"] = timed(follower.catch_up, n)
    operate = Operate(engine, view, follower)
    selection = Selection(filter=ListFilter(process="orderProcess", version=1))
    _, operation = operate.migrate(selection, "orderProcess", 2, (), True, run=False)
    assert operation is not None
    results[f"{kind} migrate/s"] = timed(lambda: operate.run_operations(operation), n)
    half = keys[: n // 2]
    results[f"{kind} complete job/s"] = timed(
        lambda: [commands.complete_job(engine, k, "checkPayment", {"paid": True}) for k in half], len(half))
    engine.close()
    return results


def memory_per_instance(n: int) -> float:
    tracemalloc.start()
    engine = Engine()
    engine.deploy((ORDER / "order-v1.bpmn").read_bytes(), "order-v1.bpmn")
    before = tracemalloc.get_traced_memory()[0]
    for i in range(n):
        commands.create_instance(engine, "orderProcess", 1, {"orderId": i})
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return used / n


def main() -> int:
    gc.set_threshold(*GC_THRESHOLDS)  # as the CLI sets it
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--stores", nargs="+", default=["memory", "sqlite"])
    args = parser.parse_args()
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.stores:
            results.update(bench_store(kind, args.n, Path(folder)))
    results["memory bytes/instance"] = memory_per_instance(min(args.n, 2000))
    for name, value in results.items():
        print(f"{name:28} {value:12,.0f}")
    missed = 0
    for name, (numerator, denominator, minimum) in TARGETS.items():
        if numerator in results and denominator in results:
            ratio = results[numerator] / results[denominator]
            ok = ratio >= minimum
            missed += not ok
            print(f"{'PASS' if ok else 'MISS'} {name}: {ratio:.2f} (target >= {minimum})")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

"""`make bench ARGS="--partitions 1,2,4"`: how throughput grows with partitions on PostgreSQL.

For each partition count P, on a fresh database: deploy the bench models (v1, v2), start P
`engine-sim worker` processes (one per partition), then from one client (`Cluster`):

1. **create**: N instances of v1 (each partition's share in one request; the workers create
   theirs in parallel, in group commits, as `engine-sim create --count N` does);
2. **migrate**: one batch migration of all of them to v2, fanned out to one operation per
   partition, each run by its partition's worker in chunks of 500; timed until every
   operation is COMPLETED.

It prints instances created/s and migrations/s per P and the ratio to P = 1, and writes them
to benchmarks/results/partitions.json. On the shared 2-core machine expect up to ~2x: each
partition's writer is one Python process (one core), so the ratio grows with cores, and
then with machines running workers against one server, until PostgreSQL itself is the limit
(docs/scaling.md).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from engine_sim.partitions import Cluster
from engine_sim.projections import ListFilter
from migration.operate import Selection

HERE = Path(__file__).resolve().parent
MODELS = HERE / "models"
PROCESS_ID = "benchOrder"
VARIABLES = {"orderId": "o-1", "amount": 42, "customer": {"name": "Ada", "tier": "gold"}}


def fresh_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"


def start_workers(url: str, count: int) -> list[subprocess.Popen[str]]:
    workers = []
    for partition in range(1, count + 1):
        worker = subprocess.Popen(
            [sys.executable, "-m", "engine_sim", "worker", "--store", url, "--partition",
             str(partition), "--poll", "0.005"], stdout=subprocess.PIPE, text=True)
        assert worker.stdout is not None
        if f"partition {partition}" not in worker.stdout.readline():
            raise RuntimeError(f"the worker of partition {partition} did not start")
        workers.append(worker)
    return workers


def measure(server: str, partitions: int, n: int) -> dict[str, Any]:
    url = fresh_database(server, f"engine_sim_bench_p{partitions}")
    setup = Cluster(f"{url}?partitions={partitions}")
    for model in ("bench-v1.bpmn", "bench-v2.bpmn"):
        assert not setup.deploy((MODELS / model).read_bytes(), model).rejected
    setup.close()
    workers = start_workers(url, partitions)
    cluster = Cluster(url, timeout=3600)
    try:
        started = time.perf_counter()
        keys, refused = cluster.create_many(PROCESS_ID, 1, VARIABLES, n)
        create_s = time.perf_counter() - started
        assert refused is None and len(keys) == n
        started = time.perf_counter()
        created = cluster.migrate(Selection(filter=ListFilter(process=PROCESS_ID, version=1)),
                                  PROCESS_ID, 2, (), auto_map=True)
        operations = [key for _, _, key in created if key is not None]
        while (summary := cluster.operations(operations, catch_up=False))["state"] != "COMPLETED":
            time.sleep(0.02)
        migrate_s = time.perf_counter() - started
        assert (summary["completed"], summary["failed"]) == (n, 0), summary
    finally:
        cluster.close()
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=60)
    return {"partitions": partitions, "n": n, "create_seconds": create_s,
            "migrate_seconds": migrate_s, "created_per_s": n / create_s,
            "migrated_per_s": n / migrate_s}


def run(counts: list[int], n: int, postgres_url: str, out_path: Path) -> int:
    out = Console(width=None if sys.stdout.isatty() else 200)
    server = postgres_url.rsplit("/", 1)[0]
    results = []
    for partitions in counts:
        out.print(f"{partitions} partition(s), N = {n:,} ...")
        results.append(measure(server, partitions, n))
    base = results[0]
    table = Table(title=f"Partitions on PostgreSQL, N = {n:,}, one worker process per partition")
    for column in ("partitions", "created/s", "× vs first", "migrated/s", "× vs first"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(str(r["partitions"]), f"{r['created_per_s']:,.0f}",
                      f"{r['created_per_s'] / base['created_per_s']:.2f}",
                      f"{r['migrated_per_s']:,.0f}",
                      f"{r['migrated_per_s'] / base['migrated_per_s']:.2f}")
    out.print(table)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps({"results": results}, indent=2) + "\n")
    return 0

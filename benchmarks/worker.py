"""One measurement in a process of its own (so no figure leaks into the next): the engine on
one store at one N, warm or cold, with its floor; or SpiffWorkflow at one N.

    python benchmarks/worker.py JOB --store URL --n N --folder DIR --out RESULT.json

`run.py` starts one per configuration and reads RESULT.json back.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import traceback
from pathlib import Path
from typing import Any

from capture import Capture
from process_stats import Phases, limit_memory, peak_rss_bytes, rss_bytes

PROFILED_PHASES = ("create", "migrate warm", "migrate cold", "jobs")
BEYOND_CACHE = 2_000  # the cold process's instance cache (see `cold`)


def warm(url: str, n: int, folder: Path, phases: Phases) -> dict[str, Any]:
    """Create N, migrate them all with the instances in memory, complete their jobs; then the
    floor of the same writes."""
    from floor import write_floor
    from workload import Workload, clear_store, store_settings

    clear_store(url)
    capture = Capture(folder / "capture.bin")
    workload = Workload(url)
    workload.tap_store_writes(capture.tap)
    workload.deploy()
    records: dict[str, int] = {}
    before = workload.records_written()
    rss_before = rss_bytes()

    def phase(name: str, action: Any) -> Any:
        nonlocal before
        capture.start_phase(name)
        result = phases.run(name, action)
        capture.stop()
        records[name], before = workload.records_written() - before, workload.records_written()
        return result

    keys = phase("create", lambda: workload.create(0, n))
    rss_after_create = rss_bytes()
    phases.run("views", workload.open_views)  # the list view folds the creations
    if phases.profiled:  # a profiling run ends with the profiled phase
        return {"seconds": phases.seconds, "records": records}
    operation = phase("migrate warm", workload.migrate_all)
    workload.check_migrated(operation, n)
    if phases.profiled:
        return {"seconds": phases.seconds, "records": records}
    phase("jobs", lambda: workload.complete_jobs(keys))
    peak = peak_rss_bytes()
    workload.close()
    capture.close()
    kind, env = store_settings(url)
    floor = write_floor(kind, env, folder, capture.path)
    clear_store(url)
    return {"seconds": phases.seconds, "records": records, "peak_rss": peak,
            "rss_before_create": rss_before, "rss_after_create": rss_after_create,
            "floor": floor}


def cold(url: str, n: int, phases: Phases) -> dict[str, Any]:
    """Create N and close the store; reopen it and migrate them all, each instance loaded
    from the store when the batch reaches it."""
    from workload import Workload, clear_store

    clear_store(url)
    workload = Workload(url)
    workload.deploy()
    # issue 9's memory target is the growth beyond a bounded cache: this process bounds it
    # at BEYOND_CACHE instances (the cold migration loads every instance from the store
    # anyway) and measures RSS once the cache is full and again after the last creation
    bound = min(BEYOND_CACHE, n // 2)
    workload.engine.cache_size = bound
    workload.create(0, bound)
    gc.collect()
    rss_cache_full = rss_bytes()
    workload.create(bound, n - bound)
    gc.collect()
    rss_after_create = rss_bytes()
    workload.open_views()  # the durable views fold the creations before the store closes
    workload.close()
    del workload
    gc.collect()
    workload = phases.run("reopen", lambda: Workload(url))
    before = workload.records_written()

    def migrate() -> int:
        workload.open_views()
        return workload.migrate_all()

    operation = phases.run("migrate cold", migrate)
    records = workload.records_written() - before
    workload.check_migrated(operation, n)
    peak = peak_rss_bytes()
    workload.close()
    clear_store(url)
    return {"seconds": phases.seconds, "records": {"migrate cold": records}, "peak_rss": peak,
            "cache": bound, "rss_cache_full": rss_cache_full, "rss_after_create": rss_after_create}


def spiff(n: int) -> dict[str, Any]:
    from spiff_bench import measure

    figures = measure(n)
    figures["peak_rss"] = peak_rss_bytes()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("job", choices=("warm", "cold", "spiff"))
    parser.add_argument("--store", default="memory:")
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--profile", choices=PROFILED_PHASES)
    parser.add_argument("--profile-out", type=Path)
    parser.add_argument("--max-memory-gb", type=float, default=16.0)
    args = parser.parse_args()
    limit_memory(args.max_memory_gb)
    from workload import GC_SETTINGS

    gc.set_threshold(*GC_SETTINGS)
    phases = Phases(args.profile, args.profile_out)
    try:
        if args.job == "warm":
            result = warm(args.store, args.n, args.folder, phases)
        elif args.job == "cold":
            result = cold(args.store, args.n, phases)
        else:
            result = spiff(args.n)
    except MemoryError:
        result = {"error": f"out of memory (the run is capped at {args.max_memory_gb:g} GB)",
                  "seconds": phases.seconds}
    except Exception as error:
        traceback.print_exc()
        result = {"error": f"{type(error).__name__}: {error}", "seconds": phases.seconds}
    result["profiled"] = phases.profile if phases.profiled else None
    args.out.write_text(json.dumps(result))
    return 0 if "error" not in result else 1


if __name__ == "__main__":
    sys.exit(main())

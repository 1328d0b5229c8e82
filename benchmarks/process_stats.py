"""Timing, memory and profiling helpers for one benchmark process."""

from __future__ import annotations

import cProfile
import gc
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MB = 1024 * 1024


def status_kb(field: str) -> int | None:
    """A field of /proc/self/status in kB (VmRSS, VmHWM), or None off Linux."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def rss_bytes() -> int:
    """The resident set size now (after a full collection, so garbage does not count)."""
    gc.collect()
    kb = status_kb("VmRSS")
    return (kb or 0) * 1024


def peak_rss_bytes() -> int:
    """The process's peak resident set size so far (VmHWM, else ru_maxrss)."""
    kb = status_kb("VmHWM")
    if kb is None:
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb * 1024


def limit_memory(gigabytes: float) -> None:
    """Cap the address space, so a run that outgrows the shared machine fails with
    MemoryError instead of pushing other work into swap."""
    limit = int(gigabytes * 1024 * MB)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


class Phases:
    """Times named phases; profiles the one named `profile` into `profile_path`."""

    def __init__(self, profile: str | None = None, profile_path: Path | None = None) -> None:
        self.seconds: dict[str, float] = {}
        self.profile = profile
        self.profile_path = profile_path
        self.profiled = False

    @contextmanager
    def timed(self, name: str) -> Iterator[None]:
        gc.collect()  # garbage of the previous phase is not this phase's cost
        profiler = cProfile.Profile() if name == self.profile else None
        began = time.perf_counter()
        if profiler is not None:
            profiler.enable()
        try:
            yield
        finally:
            if profiler is not None:
                profiler.disable()
            self.seconds[name] = time.perf_counter() - began
            if profiler is not None and self.profile_path is not None:
                profiler.dump_stats(str(self.profile_path))
                self.profiled = True

    def run(self, name: str, action: Callable[[], Any]) -> Any:
        with self.timed(name):
            return action()

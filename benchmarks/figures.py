"""From raw phase timings to named figures, and the targets of issue 9 beside them.

Absolute targets are those of the issue's table, measured on this 2-core machine; the ratio
target compares two figures of the same run, so it holds however loaded the machine is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

MB = 1024 * 1024
RSS_GROWTH_MIN_N = 10_000  # below this, the interpreter's own noise outweighs the instances


@dataclass(frozen=True)
class Target:
    minimum: float | None = None
    maximum: float | None = None
    only_n: int | None = None  # the target applies at this N only
    min_n: int = 0  # ...or from this N on

    def applies(self, n: int) -> bool:
        return (self.only_n is None or n == self.only_n) and n >= self.min_n

    def met(self, value: float) -> bool:
        if self.minimum is not None and value < self.minimum:
            return False
        return self.maximum is None or value <= self.maximum

    def text(self, unit: str) -> str:
        if self.minimum is not None:
            return f"≥ {format_value(self.minimum, unit)}"
        return f"≤ {format_value(self.maximum or 0, unit)}"


# (store, figure) -> target (issue 9)
TARGETS: dict[tuple[str, str], Target] = {
    ("memory", "migrated/s warm"): Target(minimum=25_000),
    ("sqlite", "migrated/s warm"): Target(minimum=10_000),
    ("sqlite", "migrated/s cold"): Target(minimum=7_000),
    ("memory", "created/s"): Target(minimum=10_000),
    ("sqlite", "created/s"): Target(minimum=5_000),
    ("memory", "migrated ÷ SpiffWorkflow"): Target(minimum=10),
    ("sqlite", "RSS per 10k beyond cache"): Target(maximum=10 * MB),
    ("sqlite", "peak RSS"): Target(maximum=1024 * MB, only_n=1_000_000),
}

# figure -> unit ("/s" rates, "B" bytes, "x" ratios)
UNITS = {
    "created/s": "/s", "jobs completed/s": "/s", "migrated/s warm": "/s",
    "migrated/s cold": "/s", "records/s": "/s", "peak RSS": "B", "peak RSS cold": "B",
    "RSS per 10k waiting": "B", "RSS per 10k beyond cache": "B", "created ÷ floor": "x",
    "migrated ÷ floor": "x",
    "jobs ÷ floor": "x", "cold ÷ floor": "x", "migrated ÷ SpiffWorkflow": "x",
    "created ÷ SpiffWorkflow": "x",
}


@dataclass
class Figure:
    store: str
    n: int
    name: str
    value: float
    unit: str
    target: str = ""
    verdict: str = ""  # PASS, MISS or "" (no target here)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def format_value(value: float, unit: str) -> str:
    if unit == "B":
        return f"{value / MB:,.0f} MB"
    if unit == "x":
        return f"{value:.2f}×"
    return f"{value:,.0f}"


def _rate(count: int, seconds: float | None) -> float | None:
    return count / seconds if seconds else None


def engine_figures(store: str, n: int, warm: dict[str, Any] | None, cold: dict[str, Any] | None,
                   spiff: dict[str, Any] | None) -> list[Figure]:
    values: dict[str, float | None] = {}
    if warm and "error" not in warm:
        seconds, records, floor = warm["seconds"], warm["records"], warm["floor"]
        values["created/s"] = _rate(n, seconds["create"])
        values["jobs completed/s"] = _rate(n, seconds["jobs"])
        values["migrated/s warm"] = _rate(n, seconds["migrate warm"])
        phases = ("create", "migrate warm", "jobs")
        values["records/s"] = _rate(sum(records[p] for p in phases),
                                    sum(seconds[p] for p in phases))
        values["peak RSS"] = warm["peak_rss"]
        if n >= RSS_GROWTH_MIN_N:
            values["RSS per 10k waiting"] = ((warm["rss_after_create"] - warm["rss_before_create"])
                                             / n * 10_000)
        for name, phase in (("created", "create"), ("migrated", "migrate warm"), ("jobs", "jobs")):
            ours, bare = seconds[phase], floor[phase]["seconds"]
            values[f"{name} ÷ floor"] = bare / ours if ours else None
    if cold and "error" not in cold:
        values["migrated/s cold"] = _rate(n, cold["seconds"]["migrate cold"])
        values["peak RSS cold"] = cold["peak_rss"]
        if n >= RSS_GROWTH_MIN_N and "rss_cache_full" in cold:
            values["RSS per 10k beyond cache"] = ((cold["rss_after_create"] - cold["rss_cache_full"])
                                                  / (n - cold["cache"]) * 10_000)
        if warm and "error" not in warm:
            floor_seconds = warm["floor"]["migrate warm"]["seconds"]
            values["cold ÷ floor"] = floor_seconds / cold["seconds"]["migrate cold"]
    if spiff and "error" not in spiff and values.get("migrated/s warm"):
        spiff_rate = n / spiff["migrate_memory_s"]
        values["migrated ÷ SpiffWorkflow"] = values["migrated/s warm"] / spiff_rate
        values["created ÷ SpiffWorkflow"] = (values["created/s"] or 0) / (n / spiff["create_s"])
    figures = []
    for name, value in values.items():
        if value is None:
            continue
        figure = Figure(store, n, name, value, UNITS[name])
        target = TARGETS.get((store, name))
        if target is not None and target.applies(n):
            figure.target = target.text(figure.unit)
            figure.verdict = "PASS" if target.met(value) else "MISS"
        figures.append(figure)
    return figures


def spiff_figures(n: int, spiff: dict[str, Any]) -> dict[str, float]:
    """SpiffWorkflow's own rates (per second) at N."""
    return {
        "created/s": n / spiff["create_s"],
        "migrated/s in memory (diff_workflow + migrate_workflow)": n / spiff["migrate_memory_s"],
        "migrated/s stored (JSON in, diff, migrate, JSON out)":
            spiff.get("sample", n) / spiff["migrate_stored_s"],
        "migrated/s in memory, one spec diff for all":
            spiff.get("sample", n) / spiff["migrate_one_diff_s"],
    }

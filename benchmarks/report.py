"""The run's table (rich) and its JSON file, with the machine the figures came from."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from figures import Figure, format_value
from rich.console import Console
from rich.table import Table
from rich.text import Text

COLUMNS = (
    ("created/s", "created/s"), ("jobs completed/s", "jobs/s"),
    ("migrated/s warm", "migrated/s\nwarm"), ("migrated/s cold", "migrated/s\ncold"),
    ("records/s", "records/s"), ("peak RSS", "peak RSS\nwarm run"),
    ("peak RSS cold", "peak RSS\ncold run"), ("RSS per 10k waiting", "RSS per 10k\nwaiting"),
    ("RSS per 10k beyond cache", "RSS per 10k\nbeyond cache"),
    ("created ÷ floor", "created\n÷ floor"), ("migrated ÷ floor", "migrated\n÷ floor"),
    ("cold ÷ floor", "cold\n÷ floor"), ("jobs ÷ floor", "jobs\n÷ floor"),
    ("migrated ÷ SpiffWorkflow", "migrated\n÷ Spiff"),
)


def machine() -> dict[str, Any]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpu": model or platform.processor(), "cores": os.cpu_count(),
        "memory_gb": round(memory / 1024**3, 1), "python": platform.python_version(),
        "platform": platform.platform(), "sqlite": sqlite3.sqlite_version,
        "eventsourcing": _version("eventsourcing"), "SpiffWorkflow": _version("SpiffWorkflow"),
        "psycopg": _version("psycopg"), "load_average_at_start": os.getloadavg(),
        "commit": _commit(),
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _commit() -> str | None:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True, cwd=Path(__file__).parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def cell(figure: Figure | None) -> Text:
    if figure is None:
        return Text("-", style="dim")
    text = Text(format_value(figure.value, figure.unit))
    if figure.verdict:
        style = "green" if figure.verdict == "PASS" else "red"
        text.append(f"\n{figure.target} ", style="dim")
        text.append(figure.verdict, style=f"bold {style}")
    return text


def figures_table(figures: list[Figure]) -> Table:
    table = Table(title="engine-sim: create N, batch-migrate all (v1 → v2), complete their jobs",
                  show_lines=True)
    table.add_column("N", justify="right")
    table.add_column("store")
    used = [(name, title) for name, title in COLUMNS if any(f.name == name for f in figures)]
    for _, title in used:
        table.add_column(title, justify="right")
    rows: dict[tuple[int, str], dict[str, Figure]] = {}
    for figure in figures:
        rows.setdefault((figure.n, figure.store), {})[figure.name] = figure
    for (n, store), by_name in rows.items():
        table.add_row(f"{n:,}", store, *(cell(by_name.get(name)) for name, _ in used))
    return table


def spiff_table(spiff: dict[int, dict[str, float]]) -> Table:
    table = Table(title="SpiffWorkflow 3.2, same model pair (service tasks wait as manual tasks)")
    table.add_column("N", justify="right")
    names = list(next(iter(spiff.values())))
    for name in names:
        table.add_column(name.replace(" (", "\n("), justify="right")
    for n, rates in spiff.items():
        table.add_row(f"{n:,}", *(f"{rates[name]:,.0f}" for name in names))
    return table


def print_report(out: Console, figures: list[Figure], spiff: dict[int, dict[str, float]]) -> None:
    out.print(figures_table(figures))
    if spiff:
        out.print(spiff_table(spiff))
    out.print("÷ floor: our time ÷ the time of writing the same stored events, same sizes, same "
              "transactions, straight through the store's recorder (1.00 = nothing but storage).\n"
              "÷ Spiff: our warm migrations/s ÷ SpiffWorkflow's diff_workflow + migrate_workflow "
              "per second, same N, same run.")


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"date": datetime.now(UTC).isoformat(timespec="seconds"), **data}
    path.write_text(json.dumps(data, indent=1, default=str) + "\n")

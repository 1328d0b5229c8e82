"""A scenario gives the same records on every store (docs/scenarios.md, issue 2)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = [ROOT / "scenarios" / "operate", ROOT / "scenarios" / "migration"]


def replay(store: str, out: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "engine_sim.cli.main", "replay", *map(str, SCENARIOS),
         "--store", store, "--records", str(out)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out.read_text()


def test_memory_and_sqlite_write_identical_records(tmp_path):
    memory = replay("memory:", tmp_path / "memory.jsonl")
    sqlite = replay(f"sqlite:///{tmp_path / 'engine.db'}", tmp_path / "sqlite.jsonl")
    assert memory.count("\n") > 500
    assert memory == sqlite


def test_postgres_writes_identical_records(tmp_path, postgres_url):
    """On a database of this test session's own (the shared `postgres_url` fixture)."""
    memory = replay("memory:", tmp_path / "memory.jsonl")
    assert replay(postgres_url, tmp_path / "pg.jsonl") == memory

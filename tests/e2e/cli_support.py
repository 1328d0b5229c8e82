"""Helpers of the end-to-end CLI tests (a module of its own: test files import it by name)."""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "cli"


@dataclass
class Result:
    code: int
    out: str
    err: str


Cli = Callable[..., Result]


def store_digest(folder: Path) -> str:
    """A digest of every stored event (the store's truth) in the default store."""
    path = folder / ".engine-sim" / "engine.db"
    if not path.exists():
        return "no store"
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events ORDER BY rowid"
        ).fetchall()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(row).encode())
    return f"{len(rows)}:{digest.hexdigest()}"


def keys_in(text: str) -> list[int]:
    """The instance keys an output lists (partition 1's keys: 2251799...), in order."""
    return [int(k) for k in re.findall(r"\b(2251799\d{9})\b", text)]


def seed_orders(cli: Cli) -> dict[str, str]:
    """orderProcess v1 and v2; `a` at checkPayment (v1), `done` completed (v1), `new` on v2."""
    assert cli("deploy", "order-v1.bpmn", "order-v2.bpmn").code == 0
    a, done = keys_in(cli("create", "orderProcess", "--version", "1", "--count", "2").out)
    cli("jobs", "complete", done, "checkPayment", "--var", "paid=true")
    cli("jobs", "complete", done, "shipArticles")
    [new] = keys_in(cli("create", "orderProcess", "--version", "2").out)
    return {"a": str(a), "done": str(done), "new": str(new)}

"""Helpers of the web view's tests: a store seeded through the CLI with the seed's five
orderProcess instances (the project's own order models, with their diagram interchange),
and the service that serves it."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import sqlite3
from pathlib import Path

from engine_sim.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "scenarios" / "operate" / "bpmn"


def cli(store: str, *argv: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([*(str(a) for a in argv), "--store", store])
        except SystemExit as stop:
            code = int(stop.code or 0)
    return code, out.getvalue(), err.getvalue()


def seed(store: str) -> dict[str, int]:
    """Five orderProcess v1 instances: three at checkPayment (a, b, c), one finished (done),
    one at shipArticles (paid)."""
    code, _, err = cli(store, "deploy", MODELS / "order-v1.bpmn", MODELS / "order-v2.bpmn")
    assert code == 0, err
    out = cli(store, "create", "orderProcess", "--version", "1", "--count", "5",
              "--var", "orderId=o-1")[1]
    a, b, c, done, paid = (int(k) for k in re.findall(r"\b(2251799\d{9})\b", out))
    cli(store, "jobs", "complete", done, "checkPayment", "--var", "paid=true")
    cli(store, "jobs", "complete", done, "shipArticles")
    cli(store, "jobs", "complete", paid, "checkPayment", "--var", "paid=true")
    return {"a": a, "b": b, "c": c, "done": done, "paid": paid}


def store_digest(path: Path) -> str:
    """A digest of every stored event (the store's truth)."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT rowid, originator_id, originator_version, topic, state FROM stored_events "
            "ORDER BY rowid").fetchall()
    digest = hashlib.sha256()
    for row in rows:
        digest.update(repr(row).encode())
    return f"{len(rows)}:{digest.hexdigest()}"

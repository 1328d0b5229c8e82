"""Helpers for the projection tests: a mixed history of instances, pages, view comparisons."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine
from engine_sim.projections import ListFilter, ListView, SqlListView
from engine_sim.projections.follower import Page
from migration import migrate_instance
from migration.plan import MigrationPlan

ORDER = Path(__file__).resolve().parents[2] / "data" / "cli"
FILTERS = [
    ListFilter(),
    ListFilter(process="orderProcess"),
    ListFilter(process="orderProcess", version=1),
    ListFilter(process="orderProcess", version=2),
    ListFilter(version=1),
    ListFilter(process="nope"),
    ListFilter(states=("ACTIVE",)),
    ListFilter(states=("INCIDENT",)),
    ListFilter(states=("COMPLETED", "CANCELED")),
    ListFilter(element="checkPayment"),
    ListFilter(element="shipArticles"),
    ListFilter(process="orderProcess", version=1, states=("ACTIVE", "INCIDENT"), element="checkPayment"),
]


def deploy_orders(engine: Engine) -> None:
    for name in ("order-v1.bpmn", "order-v2.bpmn"):
        assert engine.deploy((ORDER / name).read_bytes(), name).rejection is None


def mixed_history(engine: Engine, prefix: str = "o") -> dict[str, int]:
    """Six instances of orderProcess v1: completed, at shipArticles, with an incident,
    canceled, migrated to v2, untouched. Returns their keys by name."""
    names = ["done", "shipping", "incident", "canceled", "migrated", "waiting"]
    keys = {}
    for name in names:
        outcome = commands.create_instance(engine, "orderProcess", 1, {"orderId": f"{prefix}-{name}"})
        keys[name] = outcome.result
    must(commands.complete_job(engine, keys["done"], "checkPayment", {"paid": True}))
    must(commands.complete_job(engine, keys["done"], "shipArticles"))
    must(commands.complete_job(engine, keys["shipping"], "checkPayment", {"paid": True}))
    must(commands.fail_job(engine, keys["incident"], "checkPayment", 0, "card declined"))
    must(commands.cancel_instance(engine, keys["canceled"]))
    target = engine.catalog.get("orderProcess", 2)
    assert target is not None
    must(migrate_instance(engine, keys["migrated"], MigrationPlan.of(target.key, (), auto_map=True)))
    return keys


def must(outcome: Any) -> Any:
    assert outcome.rejection is None, outcome.rejection
    return outcome


def read_page(engine: Engine, after: int = 0, limit: int = 10_000) -> tuple[Page, int]:
    """The notifications after `after` as a follower would fold them, and the last id."""
    notifications = engine.app.recorder.select_notifications(start=after, limit=limit, inclusive_of_start=False)
    page = []
    for notification in notifications:
        event = engine.app.mapper.to_domain_event(notification)
        page.extend((notification.id, r) for r in getattr(event, "records", ()))
    page.sort(key=lambda entry: entry[1]["position"])
    return page, notifications[-1].id


def assert_same(memory: ListView, durable: SqlListView) -> None:
    """The durable view answers every query exactly as the in-memory one."""
    assert [r.as_dict() for r in durable.query(ListFilter())] == [r.as_dict() for r in memory.query(ListFilter())]
    for flt in FILTERS:
        assert [r.key for r in durable.query(flt)] == [r.key for r in memory.query(flt)], flt
    for key, row in memory.rows.items():
        stored = durable.get(key)
        assert stored is not None and stored.as_dict() == row.as_dict()
        assert stored.incident_elements == row.incident_elements
        assert stored.elements == row.elements
    for definition_key in {row.definition_key for row in memory.rows.values()}:
        assert durable.element_statistics(definition_key) == memory.element_statistics(definition_key)

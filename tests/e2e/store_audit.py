"""Audit a store from its raw stored events: what must hold whoever wrote them, and however
many processes raced to write them (the single-writer tests use it)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from engine_sim.engine.aggregates import ProcessInstance
from engine_sim.engine.engine import Engine
from engine_sim.projections import ListFilter, open_list_view
from engine_sim.projections.list_view import ListView

NO_KEY = -1


def raw_records(engine: Engine) -> list[dict[str, Any]]:
    """Every record of every stored event, in notification order."""
    records: list[dict[str, Any]] = []
    position = 0
    while True:
        page = engine.app.recorder.select_notifications(start=position, limit=500,
                                                         inclusive_of_start=False)
        if not page:
            return records
        for notification in page:
            event = engine.app.mapper.to_domain_event(notification)
            records.extend(getattr(event, "records", ()))
        position = page[-1].id


def audit(url: str) -> list[str]:
    """What is wrong with the store at `url` (nothing: an empty list)."""
    problems: list[str] = []
    engine = Engine(url)
    try:
        records = raw_records(engine)
        positions = [r["position"] for r in records]
        if len(set(positions)) != len(positions):
            problems.append(f"{len(positions) - len(set(positions))} log positions used twice")
        # a key names one thing: one instance's element, job, variable..., or one
        # definition, deployment, batch operation
        owners: dict[int, set[Any]] = defaultdict(set)
        for record in records:
            if record["key"] != NO_KEY and record["recordType"] == "EVENT":
                owner = record.get("processInstanceKey", NO_KEY)
                owners[record["key"]].add(owner if owner != NO_KEY else record["valueType"])
        shared = {key: found for key, found in owners.items() if len(found) > 1}
        if shared:
            problems.append(f"{len(shared)} keys used by two owners, e.g. {next(iter(shared.items()))}")
        if owners and engine.keys.next_key <= max(owners):
            problems.append(f"the next key {engine.keys.next_key} was used already")
        if positions and engine.next_position() <= max(positions):
            problems.append("the next log position was used already")
        problems.extend(_instances_agree(engine, url, records))
    finally:
        engine.close()
    return problems


def _instances_agree(engine: Engine, url: str, records: list[dict[str, Any]]) -> list[str]:
    """Every instance's stream replays, and the durable list view equals the aggregates and a
    list view folded afresh from the raw records."""
    problems: list[str] = []
    fresh = ListView()
    for record in sorted(records, key=lambda r: r["position"]):
        fresh.fold(record)
    durable = open_list_view(engine.store)
    try:
        from engine_sim.projections import StreamFollower

        StreamFollower(engine.app, [durable]).catch_up()
        rows = {row.key: row for row in durable.query(ListFilter())}
    finally:
        durable.close()
    fresh_rows = {row.key: row for row in fresh.query(ListFilter())}
    if set(rows) != set(fresh_rows):
        problems.append(f"list view has {len(rows)} rows, the raw records {len(fresh_rows)}")
    for key, row in rows.items():
        state = engine.instance(key)
        if state is None or not isinstance(engine.instances.get(key), ProcessInstance):
            problems.append(f"instance {key} is in the list view but has no stream")
            continue
        own = (row.version, row.state, row.active_elements())
        lifecycle = "ACTIVE" if state.is_running else state.lifecycle
        if state.is_running and state.incidents:
            lifecycle = "INCIDENT"
        aggregate = (state.version, lifecycle, state.active_element_ids())
        if own != aggregate or fresh_rows.get(key) is None or \
                (fresh_rows[key].version, fresh_rows[key].state) != own[:2]:
            problems.append(f"instance {key}: list view {own}, aggregate {aggregate}")
        if len(problems) > 5:
            break
    return problems

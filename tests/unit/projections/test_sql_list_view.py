"""The durable list view (SQLite, PostgreSQL): same answers as the in-memory one, catch-up
after a restart, idempotent folding, atomic pages, indexed filters."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from projection_support import assert_same, deploy_orders, mixed_history, must, read_page

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine
from engine_sim.persistence import Store
from engine_sim.projections import (
    ListFilter,
    ListView,
    ProjectionDatabase,
    SqlListView,
    StreamFollower,
    open_list_view,
    sql_list_view,
)

OpenEngine = Callable[[], Engine]


def memory_view(engine: Engine) -> ListView:
    view = ListView()
    StreamFollower(engine.app, [view]).catch_up()
    return view


def test_the_store_chooses_the_view(store: Store) -> None:
    view = open_list_view(store)
    try:
        assert isinstance(view, SqlListView)
    finally:
        view.close()
    assert isinstance(open_list_view(Store("memory:", "memory", {})), ListView)


def test_it_answers_every_query_as_the_memory_view(store: Store, open_engine: OpenEngine) -> None:
    engine = open_engine()
    deploy_orders(engine)
    keys = mixed_history(engine)
    view = SqlListView(ProjectionDatabase(store))
    try:
        StreamFollower(engine.app, [view]).catch_up()
        assert_same(memory_view(engine), view)
        assert view.get(keys["incident"]).state == "INCIDENT"  # type: ignore[union-attr]
        assert view.get(keys["migrated"]).version == 2  # type: ignore[union-attr]
        assert view.element_statistics(engine.catalog.get("orderProcess", 1).key) == {  # type: ignore[union-attr]
            "checkPayment": {"active": 2, "incidents": 1},
            "shipArticles": {"active": 1, "incidents": 0},
        }
    finally:
        view.close()


def test_a_restarted_view_continues_from_its_stored_position(store: Store, open_engine: OpenEngine) -> None:
    engine = open_engine()
    deploy_orders(engine)
    first = mixed_history(engine, "first")
    view = SqlListView(ProjectionDatabase(store))
    StreamFollower(engine.app, [view]).catch_up()
    position = view.position
    view.close()
    engine.close()

    engine = open_engine()  # a restart: a new engine and a new view on the same store
    second = mixed_history(engine, "second")
    must(commands.complete_job(engine, first["waiting"], "checkPayment", {"paid": False}))
    view = SqlListView(ProjectionDatabase(store))
    try:
        assert view.position == position
        # the rows folded before the restart are there before any catch-up
        assert view.get(first["done"]).state == "COMPLETED"  # type: ignore[union-attr]
        assert view.get(second["done"]) is None
        read = StreamFollower(engine.app, [view]).catch_up()
        assert read == engine.app.recorder.max_notification_id() - position  # nothing read twice
        assert view.get(first["waiting"]).active_elements() == ["requestPayment"]  # type: ignore[union-attr]
        assert_same(memory_view(engine), view)
    finally:
        view.close()


def test_folding_a_page_twice_counts_it_once(store: Store, open_engine: OpenEngine) -> None:
    engine = open_engine()
    deploy_orders(engine)
    keys = mixed_history(engine)
    page, last_id = read_page(engine)
    view = SqlListView(ProjectionDatabase(store))
    stale = SqlListView(ProjectionDatabase(store))  # another process, opened at position 0
    try:
        view.fold_page(page, last_id)
        view.fold_page(page, last_id)
        view.position = 0  # even a view that forgot its position: the stored one guards
        view.fold_page(page, last_id)
        stale.fold_page(page, last_id)
        assert stale.position == view.position == last_id
        assert view.get(keys["incident"]).incidents == 1  # type: ignore[union-attr]
        assert_same(memory_view(engine), view)
    finally:
        view.close()
        stale.close()


def test_element_rows_follow_one_notification_per_page(store: Store, open_engine: OpenEngine) -> None:
    """Element rows are rewritten only when they change: folded one stored event at a time,
    the view still answers as a view folded in one page (and as the memory view)."""
    engine = open_engine()
    deploy_orders(engine)
    mixed_history(engine)
    view = SqlListView(ProjectionDatabase(store))
    try:
        last_id = engine.app.recorder.max_notification_id() or 0
        for after in range(last_id):
            page, page_last = read_page(engine, after=after, limit=1)
            view.fold_page(page, page_last)
        assert view.position == last_id
        assert_same(memory_view(engine), view)
        elements = "SELECT * FROM engine_sim_list_view_elements ORDER BY instance_key, element_id"
        incremental = view.db.query(elements)
        view.db.execute("DELETE FROM engine_sim_list_view_elements")
        view.db.execute("DELETE FROM engine_sim_list_view")
        view.db.set_position(view.NAME, 0)
        view.fold_page(*read_page(engine))
        assert incremental and view.db.query(elements) == incremental
    finally:
        view.close()


def test_a_page_that_fails_midway_leaves_rows_and_position_as_they_were(
    store: Store, open_engine: OpenEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = open_engine()
    deploy_orders(engine)
    mixed_history(engine)
    view = SqlListView(ProjectionDatabase(store))
    try:
        def crash(row: object) -> list[object]:
            raise RuntimeError("power cut")

        # the rows are already written when the element index fails
        monkeypatch.setattr(sql_list_view, "_element_rows", crash)
        with pytest.raises(RuntimeError):
            StreamFollower(engine.app, [view]).catch_up()
        assert view.db.position("list_view") == 0
        assert view.query(ListFilter()) == []
        monkeypatch.undo()
        StreamFollower(engine.app, [view]).catch_up()
        assert_same(memory_view(engine), view)
    finally:
        view.close()


def test_rows_is_a_mapping_read_on_demand(store: Store, open_engine: OpenEngine) -> None:
    engine = open_engine()
    deploy_orders(engine)
    keys = mixed_history(engine)
    view = SqlListView(ProjectionDatabase(store))
    try:
        StreamFollower(engine.app, [view]).catch_up()
        rows = view.rows
        assert len(rows) == 6
        assert list(rows) == sorted(keys.values())
        assert keys["done"] in rows and 42 not in rows
        assert rows[keys["done"]].state == "COMPLETED"
        assert [r.key for r in rows.values()] == sorted(keys.values())
        with pytest.raises(KeyError):
            rows[42]
        assert view.children(keys["done"]) == []
    finally:
        view.close()


def test_clearing_the_store_empties_the_views(store: Store, open_engine: OpenEngine) -> None:
    engine = open_engine()
    deploy_orders(engine)
    mixed_history(engine)
    view = SqlListView(ProjectionDatabase(store))
    StreamFollower(engine.app, [view]).catch_up()
    view.close()
    engine.close()
    store.clear()
    view = SqlListView(ProjectionDatabase(store))
    try:
        assert view.position == 0
        assert view.query(ListFilter()) == []
    finally:
        view.close()


@pytest.mark.parametrize(
    ("flt", "index"),
    [
        (ListFilter(process="orderProcess", version=1), "engine_sim_list_view_process"),
        (ListFilter(states=("INCIDENT",)), "engine_sim_list_view_state"),
        (ListFilter(element="checkPayment"), "engine_sim_list_view_elements_element"),
    ],
)
def test_filters_are_answered_through_indexes(tmp_path, flt: ListFilter, index: str) -> None:  # type: ignore[no-untyped-def]
    from engine_sim.persistence import parse_store_url

    store = parse_store_url(f"sqlite:///{tmp_path / 'plan.db'}")
    view = SqlListView(ProjectionDatabase(store))
    try:
        captured: list[str] = []
        query = view.db.query

        def explain(statement: str, params=()):  # type: ignore[no-untyped-def]
            captured.extend(str(row) for row in query("EXPLAIN QUERY PLAN " + statement, params))
            return query(statement, params)

        view.db.query = explain  # type: ignore[method-assign]
        view.query(flt)
        assert any(index in line for line in captured), captured
        assert not any("SCAN engine_sim_list_view" in line and "INDEX" not in line for line in captured), captured
    finally:
        view.close()

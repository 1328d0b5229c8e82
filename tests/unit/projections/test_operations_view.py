"""The durable operations view: the same rows as the in-memory one, after a restart too, and
folding a page twice never counts an item twice."""

from __future__ import annotations

from collections.abc import Callable

from projection_support import deploy_orders, mixed_history, read_page

from engine_sim.engine.engine import Engine
from engine_sim.persistence import Store
from engine_sim.projections import ListFilter, ListView, SqlListView, StreamFollower, open_list_view
from migration.operate import Operate, Selection
from migration.views import OperationsView, SqlOperationsView, open_operations_view

OpenEngine = Callable[[], Engine]
V1 = Selection(filter=ListFilter(process="orderProcess", version=1))


def operate_on(engine: Engine, store: Store) -> Operate:
    view = open_list_view(store)
    return Operate(engine, view, StreamFollower(engine.app, [view]))


def memory_operations(engine: Engine) -> OperationsView:
    view = OperationsView()
    StreamFollower(engine.app, [view]).catch_up()
    return view


def as_dicts(view: OperationsView | SqlOperationsView) -> list[dict[str, object]]:
    return [row.as_dict() for row in view.all()]


def test_the_list_view_chooses_the_operations_view(store: Store) -> None:
    view = open_list_view(store)
    try:
        assert isinstance(open_operations_view(view), SqlOperationsView)
    finally:
        view.close()
    assert isinstance(open_operations_view(ListView()), OperationsView)


def test_it_shows_what_the_memory_view_shows_after_a_restart(store: Store, open_engine: OpenEngine) -> None:
    engine = open_engine()
    deploy_orders(engine)
    keys = mixed_history(engine)
    operate = operate_on(engine, store)
    # only checkPayment is mapped: the instance at shipArticles fails
    _, first = operate.migrate(V1, "orderProcess", 2, (("checkPayment", "checkPayment"),), False)
    _, second = operate.migrate(V1, "orderProcess", 2, (), True, run=False)
    assert first is not None and second is not None
    view = operate.operation_view(first)
    assert (view["total"], view["completed"], view["failed"], view["ignored"]) == (3, 2, 1, 2)
    assert view["failures"] == {keys["shipping"]: "active element 'shipArticles' has no mapping instruction"}
    assert operate.pending_operations() == [second]
    operate.list_view.close()
    engine.close()

    engine = open_engine()
    operate = operate_on(engine, store)
    assert isinstance(operate.operations, SqlOperationsView)
    assert operate.operations.get(first).as_dict() == view  # type: ignore[union-attr]
    assert operate.pending_operations() == [second]
    operate.run_operations(second)
    assert operate.operation_view(second)["state"] == "COMPLETED"
    assert as_dicts(operate.operations) == as_dicts(memory_operations(engine))
    operate.list_view.close()


def test_folding_a_page_twice_counts_each_item_once(store: Store, open_engine: OpenEngine) -> None:
    engine = open_engine()
    deploy_orders(engine)
    mixed_history(engine)
    operate = operate_on(engine, store)
    _, key = operate.migrate(V1, "orderProcess", 2, (("checkPayment", "checkPayment"),), False)
    assert isinstance(operate.list_view, SqlListView)
    page, last_id = read_page(engine)
    again = SqlOperationsView(operate.list_view.db)
    again.position = 0
    again.fold_page(page, last_id)
    again.fold_page(page, last_id)
    assert as_dicts(again) == as_dicts(memory_operations(engine))
    assert again.get(key).completed == 2  # type: ignore[union-attr]
    operate.list_view.close()

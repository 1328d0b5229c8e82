"""The stream follower: each projection has its own position; one added later, or reopened
after a restart, catches up alone, and nothing is folded twice."""

from __future__ import annotations

from typing import Any

from projection_support import deploy_orders, mixed_history

from engine_sim.engine.engine import Engine
from engine_sim.projections import ListFilter, ListView, RecordLog, StreamFollower
from engine_sim.projections.follower import MemoryProjection


class Counting(MemoryProjection):
    def __init__(self) -> None:
        self.position = 0
        self.positions: list[int] = []

    def fold(self, record: dict[str, Any]) -> None:
        self.positions.append(record["position"])


def test_records_arrive_once_in_position_order() -> None:
    engine = Engine()
    deploy_orders(engine)
    counting = Counting()
    follower = StreamFollower(engine.app, [counting])
    mixed_history(engine)
    follower.catch_up()
    mixed_history(engine, "again")
    follower.catch_up()
    follower.catch_up()
    assert counting.positions == sorted(set(counting.positions))
    assert counting.position == engine.app.recorder.max_notification_id() == follower.position


def test_a_projection_added_later_catches_up_from_its_own_position() -> None:
    engine = Engine()
    deploy_orders(engine)
    early = ListView()
    follower = StreamFollower(engine.app, [early])
    mixed_history(engine)
    follower.catch_up()
    late = RecordLog()
    follower.projections.append(late)
    assert follower.position == 0
    follower.catch_up()
    assert len(late.records) == len({r["position"] for r in late.records}) > 0
    assert [r.as_dict() for r in early.query(ListFilter())] == [
        r.as_dict() for r in _fresh_view(engine).query(ListFilter())
    ]


def _fresh_view(engine: Engine) -> ListView:
    view = ListView()
    StreamFollower(engine.app, [view]).catch_up()
    return view

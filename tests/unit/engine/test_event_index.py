"""The engine-wide event index: changed only by saved commands, rebuilt from the notification
log when an engine is reopened, equal to what a rebuild finds; and event-driven instances
rebuilt from their stored events equal the live ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bpmn_builders import (
    boundary,
    catch,
    chain,
    end,
    message,
    message_def,
    process,
    signal,
    signal_def,
    start,
    task,
    timer,
)
from events_support import Given

from engine_sim.engine import Command, CommandContext, Engine, Rejected
from engine_sim.engine.aggregates import ProcessInstance, instance_id
from engine_sim.engine.event_index import EventIndex
from engine_sim.records import Intent
from engine_sim.timeutil import parse_duration

MODEL = process(
    start(), task("t"), boundary("b", "t", timer("timeDuration", "PT1H")),
    boundary("m", "t", message_def(), interrupting=False),
    boundary("s", "t", signal_def(), interrupting=False), end(), end("e2"), end("e3"), end("e4"),
    chain("start", "t", "end"), chain("b", "e2"), chain("m", "e3"), chain("s", "e4"),
    extra=message("ping") + signal("go"))
STARTS = process(start("ms", message_def("m2")), catch("w", timer("timeDuration", "PT2H")), end("x"),
                 chain("ms", "w", "x"), process_id="q", extra=message("order", key=None, ref="m2"))


def snapshot(index: EventIndex) -> dict[str, Any]:
    """Every table of the index as plain data (heaps excluded: they may hold stale entries)."""
    return {
        "timers": dict(index.timers),
        "messages": dict(index.messages),
        "message_subscriptions": {k: dict(v) for k, v in index.message_subscriptions.items()},
        "signal_subscriptions": {k: dict(v) for k, v in index.signal_subscriptions.items()},
        "message_starts": {k: dict(v) for k, v in index.message_starts.items()},
        "starts_of": {k: dict(v) for k, v in index._starts_of.items()},
        "active_starts": dict(index._active_starts),
        "started_by": dict(index._started_by),
    }


def rebuilt_index(engine: Engine) -> EventIndex:
    index = EventIndex()
    index.rebuild(engine.app)
    return index


def busy_engine(engine: Engine | None = None) -> Given:
    given = Given(MODEL, STARTS, engine=engine)
    given.create(orderId="o-1")
    given.create(orderId="o-2")
    given.publish("ping", "o-1")
    given.broadcast("go")
    given.publish("ping", "o-9", ttl="PT3H")
    given.publish("order", "k1", ttl="PT1H")
    given.advance("PT30M")
    return given


@dataclass(frozen=True)
class WriteTimerThenFail(Command):
    VALUE_TYPE = "TIMER"
    INTENT = "TEST"
    failure: BaseException


def write_timer_then_fail(ctx: CommandContext, command: WriteTimerThenFail) -> None:
    ctx.write(None, "TIMER", Intent.CREATED, ctx.new_key(), processInstanceKey=-1,
              processDefinitionKey=1, elementId="x", elementInstanceKey=-1,
              dueDate="2026-01-01T00:01:00Z", repetitions=1)
    ctx.index  # noqa: B018 - folded while the command runs
    raise command.failure


@pytest.mark.parametrize("failure", [Rejected("INVALID_STATE", "no"), RuntimeError("crash")])
def test_a_command_that_is_not_saved_leaves_the_index_unchanged(failure: BaseException) -> None:
    given = busy_engine()
    before = snapshot(given.engine.event_index)

    try:
        given.engine.register(WriteTimerThenFail, write_timer_then_fail)
        given.engine.execute(WriteTimerThenFail(failure))
    except RuntimeError:
        pass

    assert snapshot(given.engine.event_index) == before
    assert given.advance("PT1M") == []


def test_the_live_index_equals_one_folded_from_the_notification_log() -> None:
    given = busy_engine()

    assert snapshot(given.engine.event_index) == snapshot(rebuilt_index(given.engine))
    assert len(given.engine.event_index.timers) == 3  # two boundary timers, one catch timer


def test_an_engine_reopened_on_a_store_rebuilds_the_index_and_fires_its_timers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    given = busy_engine(Engine(url))
    live = snapshot(given.engine.event_index)
    given.engine.close()

    reopened = Engine(url)
    fired = reopened.advance_clock(parse_duration("PT2H"))

    assert snapshot(rebuilt_index(reopened)) != live  # the timers fired since
    assert [(o.records[0]["valueType"], o.records[0]["timestamp"]) for o in fired] == [
        ("TIMER", "2026-01-01T01:00:00Z"), ("TIMER", "2026-01-01T01:00:00Z"),
        ("MESSAGE", "2026-01-01T01:00:00Z"), ("TIMER", "2026-01-01T02:00:00Z")]
    assert snapshot(reopened.event_index) == snapshot(rebuilt_index(reopened))
    reopened.close()


def test_an_engine_reopened_on_a_store_has_the_same_index(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'events.db'}"
    given = busy_engine(Engine(url))
    live = snapshot(given.engine.event_index)
    given.engine.close()

    reopened = Engine(url)

    assert snapshot(reopened.event_index) == live
    assert reopened.now_text() == "2026-01-01T00:00:00Z"
    reopened.close()


def dump(value: Any) -> Any:
    if hasattr(value, "__slots__") and not isinstance(value, type):
        return {name: dump(getattr(value, name)) for name in value.__slots__
                if name not in ("models", "pending") and hasattr(value, name)}
    if isinstance(value, dict):
        return [[k, dump(v)] for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [dump(v) for v in value]
    return value


def test_instances_rebuilt_from_their_events_equal_the_live_ones() -> None:
    given = busy_engine()

    for key, aggregate in given.engine.instances.items():
        stored = given.engine.app.repository.get(instance_id(key))
        assert isinstance(stored, ProcessInstance)
        live = aggregate.bind(given.engine.catalog.model)
        assert dump(stored.bind(given.engine.catalog.model)) == dump(live), key


def test_a_reopened_engine_folds_its_log_only_when_a_command_reads_the_index(tmp_path: Path) -> None:
    """Commands that never read the index (here: creations whose boundary timers are only
    written) run without the fold; the first reader folds them from the store, even those
    still waiting in a group commit."""
    url = f"sqlite:///{tmp_path / 'events.db'}"
    timed = process(start(), task("t"), boundary("b", "t", timer("timeDuration", "PT1H")), end(),
                    end("e2"), chain("start", "t", "end"), chain("b", "e2"), process_id="timed")
    given = Given(MODEL, STARTS, timed, engine=Engine(url))
    given.create(orderId="o-1")
    given.engine.close()
    reopened = Given(engine=Engine(url))
    folds: list[int] = []
    rebuild = EventIndex.rebuild
    EventIndex.rebuild = lambda self, app: (folds.append(1), rebuild(self, app))[1]  # type: ignore[method-assign]
    try:
        reopened.create("timed")
        with reopened.engine.group_commit():
            reopened.create("timed")
            assert folds == []
            reopened.publish("ping", "o-1")  # reads the index: the group is written first
            assert folds == [1]
        assert len(reopened.engine.event_index.timers) == 3
        assert folds == [1]
        assert snapshot(reopened.engine.event_index) == snapshot(rebuilt_index(reopened.engine))
        assert [o.records[0]["valueType"] for o in reopened.advance("PT1H")] == ["TIMER"] * 3
    finally:
        EventIndex.rebuild = rebuild  # type: ignore[method-assign]
        reopened.engine.close()


def test_a_reader_catching_up_reads_only_what_was_written_since_and_equals_a_reopened_engine(
        tmp_path: Path) -> None:
    """`Engine.refresh` (a partitioned store's router reading what workers write) folds the
    new events into what it holds instead of reloading the store: afterwards it answers as
    an engine opened on the store now would."""
    url = f"sqlite:///{tmp_path / 'events.db'}"
    writer = Given(MODEL, engine=Engine(url))
    first = writer.create(orderId="o-1").result
    reader = Engine(url)
    assert reader.instance(first) is not None and reader.event_index.timers  # held, folded
    writer.engine.deploy(STARTS, "starts.bpmn")  # new definitions, met by the reader
    busy_engine(writer.engine)
    writer.complete_job("t", first)
    writer.advance("PT2H")  # timers fire, messages expire
    second = writer.create(orderId="o-3").result
    folds: list[int] = []
    rebuild = EventIndex.rebuild
    EventIndex.rebuild = lambda self, app: (folds.append(1), rebuild(self, app))[1]  # type: ignore[method-assign]
    try:
        reader.refresh()
        caught_up = snapshot(reader.event_index)
    finally:
        EventIndex.rebuild = rebuild  # type: ignore[method-assign]
    reopened = Engine(url)

    assert folds == []
    assert caught_up == snapshot(reopened.event_index)
    assert (reader.keys.next_key, reader.next_position()) == (reopened.keys.next_key,
                                                              reopened.next_position())
    assert reader.now_text() == reopened.now_text() == "2026-01-01T02:30:00Z"
    assert ({k: repr(d) for k, d in reader.catalog.by_key.items()}
            == {k: repr(d) for k, d in reopened.catalog.by_key.items()})
    assert reader.catalog.latest("q") is not None
    for key in (first, second, *reopened.instances):
        assert dump(reader.instance(key)) == dump(reopened.instance(key)), key
    assert reader.instance(first).lifecycle == "COMPLETED"
    for engine in (reader, reopened, writer.engine):
        engine.close()

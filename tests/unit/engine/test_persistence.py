"""Persistence: every stored event class round-trips through the msgspec transcoder, store URLs
are checked, and an engine reopened on a store continues its keys and positions."""

from __future__ import annotations

import dataclasses
import inspect
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from bpmn_builders import chain, end, process, start, task
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.utils import get_topic

from engine_sim.engine import aggregates, commands
from engine_sim.engine.engine import Engine
from engine_sim.engine.keys import PARTITION_ONE
from engine_sim.persistence import MsgspecTranscoder, StoreURLError, parse_store_url

# -- the transcoder ---------------------------------------------------------------------------
RECORD = {
    "position": 12, "key": PARTITION_ONE + 77, "timestamp": "2026-01-01T00:00:00.123Z",
    "recordType": "EVENT", "valueType": "VARIABLE", "intent": "CREATED",
    "processInstanceKey": PARTITION_ONE + 3, "flowScopeKey": -1, "name": "ünïcødé 🚀",
    "value": {"n": None, "b": True, "f": -0.5, "big": 2**63 + 1, "neg": -(2**63),
              "list": [1, "two", [3.25], {"four": False}], "empty": {}},
}


def _event_classes() -> list[type[DomainEvent]]:
    """Every event class of the stored aggregates (the engine's and the batch operation's)."""
    from migration import batch

    found = []
    for module in (aggregates, batch):
        for _, aggregate in inspect.getmembers(module, inspect.isclass):
            if not issubclass(aggregate, Aggregate) or aggregate.__module__ != module.__name__ \
                    or aggregate.__name__.startswith("_"):  # a base class, never stored itself
                continue
            for name, event_class in vars(aggregate).items():
                if inspect.isclass(event_class) and issubclass(event_class, DomainEvent) \
                        and name not in ("Event",):
                    found.append(event_class)
    return found


def _aggregate_of(event_class: type) -> type:
    outer = event_class.__qualname__.rsplit(".", 1)[0]
    module = inspect.getmodule(event_class)
    return getattr(module, outer)


def _sample(event_class: type, name: str, annotation: str) -> Any:
    samples: dict[str, Any] = {
        "originator_id": UUID(int=PARTITION_ONE + 5),
        "originator_version": 3,
        "timestamp": datetime(2026, 1, 1, 8, 30, 0, 123456, tzinfo=UTC),
        "originator_topic": get_topic(_aggregate_of(event_class)),
        "key": PARTITION_ONE + 1,
        "records": [RECORD, {**RECORD, "recordType": "COMMAND_REJECTION", "rejectionReason": "x"}],
        "counters": [PARTITION_ONE + 99, 1234],
        "resources": [{"name": "a.bpmn", "xml": b"<?xml version='1.0'?>\x00\xff",
                       "processes": [{"id": "p", "key": PARTITION_ONE + 1, "version": 1}]}],
    }
    if name in samples:
        return samples[name]
    if annotation == "int":
        return -1
    if annotation == "str":
        return "text"
    if annotation.startswith("list[int"):
        return [PARTITION_ONE + 2, PARTITION_ONE + 3]
    if annotation.startswith("list"):
        return [{"key": PARTITION_ONE + 2, "status": "COMPLETED", "mapping": [["a", "b"]],
                 "reason": None, "nested": {"x": [1.5, None]}}]
    return {"k": [1, {"v": None}]}


EVENT_CLASSES = _event_classes()


def test_the_stored_event_classes_are_found() -> None:
    names = {cls.__qualname__ for cls in EVENT_CLASSES}

    assert {"ProcessInstance.Created", "ProcessInstance.Processed", "Definitions.Created",
            "Definitions.Deployed", "JournalEntry.Created"} <= names


@pytest.mark.parametrize("event_class", EVENT_CLASSES, ids=lambda c: c.__qualname__)
def test_every_event_class_round_trips_through_the_transcoder(event_class: type) -> None:
    kwargs = {f.name: _sample(event_class, f.name, str(f.type))
              for f in dataclasses.fields(event_class)}
    event = event_class(**kwargs)
    mapper = Engine().app.mapper

    stored = mapper.to_stored_event(event)
    decoded = mapper.to_domain_event(stored)

    assert type(decoded) is event_class
    assert vars(decoded) == vars(event)
    assert mapper.to_stored_event(decoded).state == stored.state


def test_the_transcoder_keeps_bytes_big_integers_and_instants() -> None:
    transcoder = MsgspecTranscoder()
    moment = datetime(2026, 3, 1, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    value = {"xml": b"\x00<a/>", "key": 2**64 - 1, "min": -(2**63), "at": moment}

    decoded = transcoder.decode(transcoder.encode(value))

    assert decoded == value  # the instant is kept (it comes back in UTC)
    assert type(decoded["xml"]) is bytes


def test_every_event_an_engine_stores_decodes_to_what_it_wrote(tmp_path: Path) -> None:
    engine = Engine(f"sqlite:///{tmp_path}/e.db")
    engine.deploy(process(start() + task("t") + end() + chain("start", "t", "end")), "m.bpmn")
    key = commands.create_instance(engine, "p", None, {"v": RECORD["value"]}).result
    commands.complete_job(engine, key, "nowhere", {})
    commands.complete_job(engine, key, "t", {"w": [1, None]})
    live = list(engine.app.recorder.select_notifications(start=1, limit=1000))

    decoded = [engine.app.mapper.to_domain_event(n) for n in live]

    assert len(decoded) >= 5
    reencoded = [engine.app.mapper.to_stored_event(e).state for e in decoded]
    assert reencoded == [n.state for n in live]
    engine.close()


# -- store URLs -------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "message"), [
    ("redis://localhost", "unknown store 'redis://localhost': use memory:, sqlite:///relative.db, "
                          "sqlite:////absolute.db or postgresql://USER@HOST:PORT/DB"),
    ("", "unknown store '': use memory:"),
    ("engine.db", "unknown store 'engine.db'"),
    ("sqlite:///", "invalid SQLite store 'sqlite:///': expected sqlite:///path/to/file.db"),
    ("sqlite://engine.db",
     "invalid SQLite store 'sqlite://engine.db': expected sqlite:///path/to/file.db"),
    ("sqlite:", "invalid SQLite store 'sqlite:': expected"),
    ("sqlite:////dev/null/engine.db", "cannot create the folder '/dev/null'"),
    ("postgresql://localhost", "invalid PostgreSQL store 'postgresql://localhost': expected "
                               "postgresql://USER@HOST:PORT/DB"),
    ("postgresql:///test", "invalid PostgreSQL store 'postgresql:///test'"),
    ("postgresql://u@localhost:port/test",
     "invalid PostgreSQL store 'postgresql://u@localhost:port/test': the port is not a number"),
])
def test_a_bad_store_url_is_refused_with_a_message(url: str, message: str) -> None:
    with pytest.raises(StoreURLError) as caught:
        parse_store_url(url)

    assert message in str(caught.value)


def test_a_folder_is_not_an_sqlite_store(tmp_path: Path) -> None:
    with pytest.raises(StoreURLError, match="is a folder"):
        parse_store_url(f"sqlite:///{tmp_path}")


def test_store_urls_select_the_library_modules(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)

    memory = parse_store_url("memory:")
    relative = parse_store_url("sqlite:///data/e.db")
    absolute = parse_store_url(f"sqlite:///{tmp_path}/abs.db")
    postgres = parse_store_url("postgresql://alice@db.example:6543/engine")

    assert memory.env["PERSISTENCE_MODULE"] == "eventsourcing.popo"
    assert (relative.kind, relative.path) == ("sqlite", tmp_path / "data" / "e.db")
    assert absolute.env["SQLITE_DBNAME"] == f"{tmp_path}/abs.db"
    assert {k: postgres.env[k] for k in ("PERSISTENCE_MODULE", "POSTGRES_HOST", "POSTGRES_PORT",
                                         "POSTGRES_USER", "POSTGRES_DBNAME")} == {
        "PERSISTENCE_MODULE": "eventsourcing.postgres", "POSTGRES_HOST": "db.example",
        "POSTGRES_PORT": "6543", "POSTGRES_USER": "alice", "POSTGRES_DBNAME": "engine"}


# -- reopening a store ------------------------------------------------------------------------
MODEL = process(start() + task("t") + end() + chain("start", "t", "end"))


def _keys_and_positions_continue(url: str) -> None:
    first = Engine(url)
    first.deploy(MODEL, "m.bpmn")
    a = commands.create_instance(first, "p", None, {"n": 1})
    rejection = commands.complete_job(first, a.result, "nowhere", {})
    next_key, next_position = first.keys.next_key, first._next_position
    used_keys = {r["key"] for r in a.records}
    last_position = rejection.records[-1]["position"]
    first.close()

    second = Engine(url)
    try:
        assert (second.keys.next_key, second._next_position) == (next_key, next_position)
        b = commands.create_instance(second, "p", None, {})
        assert b.records[0]["position"] == last_position + 1
        assert min(r["key"] for r in b.records) == next_key
        assert used_keys.isdisjoint(r["key"] for r in b.records)
        # the first engine's instance is still there, and can go on
        done = commands.complete_job(second, a.result, "t", {})
        assert done.rejection is None
        assert done.records[0]["position"] > b.records[-1]["position"]
        assert second.instance(a.result).lifecycle == "COMPLETED"  # type: ignore[union-attr]
        # the definitions came back too: an identical file is no new version, a changed one is
        assert second.deploy(MODEL, "m.bpmn").records[0]["processesMetadata"][0]["isDuplicate"]
        changed = second.deploy(MODEL.replace(b'id="t"', b'id="t2"').replace(b'"t"', b'"t2"'),
                                "m.bpmn")
        assert (changed.rejection, changed.result[0].version) == (None, 2)
    finally:
        second.close()


def test_keys_and_positions_continue_after_reopening_an_sqlite_store(tmp_path: Path) -> None:
    _keys_and_positions_continue(f"sqlite:///{tmp_path}/engine.db")


def test_keys_and_positions_continue_after_reopening_a_postgres_store(postgres_url: str) -> None:
    parse_store_url(postgres_url).clear()
    try:
        _keys_and_positions_continue(postgres_url)
    finally:
        parse_store_url(postgres_url).clear()


def test_a_fresh_engine_starts_at_the_first_key_and_position(tmp_path: Path) -> None:
    engine = Engine(f"sqlite:///{tmp_path}/fresh.db")

    outcome = engine.deploy(MODEL, "m.bpmn")

    assert (outcome.records[0]["key"], outcome.records[0]["position"]) == (PARTITION_ONE + 1, 1)
    engine.close()

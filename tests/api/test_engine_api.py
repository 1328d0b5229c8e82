"""The public API (`from engine_sim import Engine`): each command, typed results and records,
rejections as exceptions or values, and the same records as the scenario runner."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import msgspec
import pytest
from bpmn_builders import (
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
    user_task,
)

import engine_sim
from engine_sim import CommandRejected, Engine, Record, api
from engine_sim.cli.main import main
from engine_sim.cli.replay import records_line, strip_marker
from engine_sim.persistence import parse_store_url
from engine_sim.scenarios.document import load_scenario
from engine_sim.scenarios.runner import ScenarioRun
from engine_sim.testing import assert_that, records

ROOT = Path(__file__).resolve().parents[2]
ORDER = ROOT / "scenarios" / "operate" / "bpmn"


def events_model() -> bytes:
    """start -> timer (PT1H) -> message 'paid' (key orderId) -> signal 'go' -> user task u."""
    return process(
        start(), catch("wait", timer("timeDuration", "PT1H")), catch("pay", message_def("m")),
        catch("sig", signal_def("s")), user_task("u", managed=True), end(),
        chain("start", "wait", "pay", "sig", "u", "end"),
        extra=message("paid", "=orderId", "m") + signal("go", "s"))


def test_the_seed_flow_writes_the_records_of_its_scenario(engine: Engine):
    scenario = load_scenario(ROOT / "scenarios" / "operate" / "seed-example.yaml")
    run = ScenarioRun(scenario, parse_store_url("memory:"))
    try:
        assert run.run().passed
        expected = [msgspec.json.encode(r) for r in run.records()]
    finally:
        run.close()

    engine.deploy(ORDER / "order-v1.bpmn", ORDER / "order-v2.bpmn")
    a, b, c, done, paid = (engine.create_instance("orderProcess", {"orderId": "o-1"}, version=1)
                           for _ in range(5))
    engine.complete_job(done, "checkPayment", {"paid": True})
    engine.complete_job(done, "shipArticles")
    engine.complete_job(paid, "checkPayment", {"paid": True})
    engine.migrate([a, b, c, done, paid], process="orderProcess", version=2,
                   mapping={"checkPayment": "checkPayment"})
    engine.complete_job(a, "checkPayment", {"paid": True})
    engine.complete_job(a, "shipArticles")

    assert [r.to_json() for r in engine.records()] == expected


def test_commands_of_every_kind(engine: Engine):
    engine.deploy_xml(events_model())
    order = engine.create_instance("p", {"orderId": "o-1"})
    assert_that(order).is_waiting_at("wait").has_passed("start")

    fired = engine.advance_clock("PT1H")
    assert any(r.value_type == "TIMER" and r.intent == "TRIGGERED" for r in fired[0].records)
    assert_that(order).is_waiting_at("pay")
    engine.publish_message("paid", "o-1", {"amount": 10})
    assert_that(order).is_waiting_at("sig").has_variable("amount", 10)
    engine.broadcast_signal("go")
    engine.set_variables(order, {"note": "fast"})
    engine.complete_user_task(order, "u", {"done": True})
    assert_that(order).is_completed().has_passed("wait", "pay", "sig", "u", "end")
    assert order.variables == {"orderId": "o-1", "amount": 10, "note": "fast", "done": True}
    assert engine.now.isoformat() == "2026-01-01T01:00:00+00:00"


def test_incidents_errors_and_cancel(engine: Engine):
    engine.deploy_xml(process(start(), task("t"), end(), chain("start", "t", "end")))
    failing = engine.create_instance("p")
    engine.fail_job(failing, "t", retries=0, message="card declined")
    assert_that(failing).is_active().has_incident("t", message="declined")
    assert failing.state == "INCIDENT"
    engine.resolve_incident(failing, "t")
    assert_that(failing).has_no_incident()
    engine.throw_error(failing, "t", "NOPE")  # nothing catches it: an incident
    assert failing.incidents[0].error_type == "UNHANDLED_ERROR_EVENT"
    engine.cancel(failing)
    assert_that(failing).is_canceled()
    assert [i.state for i in engine.instances(process="p")] == ["CANCELED"]


def test_a_rejection_raises_with_its_type_and_reason(engine: Engine):
    with pytest.raises(CommandRejected) as refused:
        engine.create_instance("missing")
    assert refused.value.rejection_type == "NOT_FOUND"
    assert "process ID 'missing'" in refused.value.reason
    assert refused.value.record.is_rejection


def test_raise_on_reject_false_returns_the_rejection():
    with Engine(raise_on_reject=False) as engine:
        result = engine.complete_job(12, "t")
        assert result.rejected and result.rejection is not None
        assert result.rejection.rejection_type == "NOT_FOUND"
        created = engine.create_instance("missing")
        assert created.key is None and created.rejected


def test_records_are_typed_and_export_as_the_replay_does(engine: Engine, tmp_path: Path):
    engine.deploy(ORDER / "order-v1.bpmn")
    order = engine.create_instance("orderProcess", {"orderId": "o-1"})
    first = engine.records(order)[0]
    assert isinstance(first, Record)
    assert (first.value_type, first.intent) == (first["valueType"], first["intent"])
    assert first.process_instance_key == order.key
    count = engine.export_records(tmp_path / "log.jsonl")
    lines = (tmp_path / "log.jsonl").read_bytes().splitlines()
    assert count == len(lines) == len(engine.records())
    assert lines[0] == msgspec.json.encode(engine.records()[0].to_dict())
    engine.export_records(tmp_path / "marked.jsonl", scenario="my flow")
    marked = (tmp_path / "marked.jsonl").read_bytes().splitlines()
    assert marked[0] == records_line("my flow", lines[0]).rstrip(b"\n")
    records(order).contains_in_order({"intent": "ELEMENT_ACTIVATED", "elementId": "orderReceived"},
                                     {"value_type": "JOB", "intent": "CREATED"})


def test_a_sqlite_store_is_reopened_where_it_stopped(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    with Engine.open(url) as engine:
        engine.deploy(ORDER / "order-v1.bpmn")
        key = engine.create_instance("orderProcess").key
        engine.advance_clock(timedelta(minutes=5))
        engine.create_instance("orderProcess")  # the store keeps the time of its last event
    with Engine.open(url) as again:
        assert again.instance(key).active_elements == ["checkPayment"]
        assert [i.key for i in again.instances(element="checkPayment")][0] == key
        assert again.now.minute == 5


def test_the_package_exports_the_api_lazily():
    assert engine_sim.Engine is Engine
    with pytest.raises(AttributeError):
        engine_sim.nothing  # noqa: B018


def test_the_seed_example_of_the_docs_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    text = (ROOT / "docs" / "python-api.md").read_text()
    blocks = text.split("```python\n")
    example = next(b for b in blocks if "seed.jsonl" in b).split("```")[0]
    example = example.replace('Path("scenarios/operate/bpmn")', f'Path("{ORDER}")')
    monkeypatch.chdir(tmp_path)
    exec(compile(example, "docs/python-api.md", "exec"), {})
    replayed = tmp_path / "replayed.jsonl"
    assert main(["replay", str(ROOT / "scenarios/operate/seed-example.yaml"),
                 "--records", str(replayed)]) == 0
    written = (tmp_path / "seed.jsonl").read_bytes().splitlines()
    # the same records, then the rejection of the example's last command
    assert written[:-1] == [strip_marker(line) for line in replayed.read_bytes().splitlines()]
    assert b'"COMMAND_REJECTION"' in written[-1]


def test_the_package_offers_exactly_the_public_api_and_loads_it_lazily():
    """`engine_sim` repeats the API's names (its lazy `__getattr__` and the type checker need
    them spelled out): the two lists must not drift apart."""
    assert engine_sim.__all__ == api.__all__
    assert all(getattr(engine_sim, name) is getattr(api, name) for name in api.__all__)
    with pytest.raises(AttributeError):
        engine_sim.NotAnApiName  # noqa: B018

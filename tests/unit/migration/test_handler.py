"""What an accepted migration writes (docs/migration.md) and the instance's history."""

from __future__ import annotations

from bpmn_builders import BY_SOURCE, chain, flow, linear, process, task

from engine_sim.engine import commands
from migration import MigrationPlan, migrate_instance, migrations_of


def shape(records):
    return [(r["valueType"], r["intent"], r.get("elementId")) for r in records]


def test_records_in_walk_order_then_the_migration(engine, deploy, start):
    sub = ('<bpmn:subProcess id="sub"><bpmn:startEvent id="s0"/>' + task("a")
           + '<bpmn:endEvent id="s1"/>' + flow("i1", "s0", "a") + flow("i2", "a", "s1")
           + "</bpmn:subProcess>")
    xml = process('<bpmn:startEvent id="start"/>', sub, '<bpmn:endEvent id="end"/>',
                  chain("start", "sub", "end", flow_ids=BY_SOURCE))
    deploy(xml)
    target = deploy(xml.replace(b'id="a"', b'id="a2"').replace(b'"a" targetRef', b'"a2" targetRef')
                    .replace(b'targetRef="a"', b'targetRef="a2"').replace(b'sourceRef="a"', b'sourceRef="a2"'))
    key = start("p", 1, order=7)
    commands.fail_job(engine, key, "a", 0, "boom")
    commands.set_variables(engine, key, {"local": True}, "sub")
    outcome = migrate_instance(engine, key, MigrationPlan.of(target, [("sub", "sub"), ("a", "a2")]))
    assert outcome.rejection is None
    assert shape(outcome.records) == [
        ("PROCESS_INSTANCE", "ELEMENT_MIGRATED", "p"),
        ("VARIABLE", "MIGRATED", None),
        ("PROCESS_INSTANCE", "ELEMENT_MIGRATED", "sub"),
        ("VARIABLE", "MIGRATED", None),
        ("PROCESS_INSTANCE", "ELEMENT_MIGRATED", "a2"),
        ("JOB", "MIGRATED", "a2"),
        ("INCIDENT", "MIGRATED", "a2"),
        ("PROCESS_INSTANCE_MIGRATION", "MIGRATED", None),
    ]
    root, var, sub_rec, local, task_rec, job, incident, done = outcome.records
    assert (root["version"], root["processDefinitionKey"], root["key"]) == (2, target, key)
    assert (var["name"], var["value"], local["name"]) == ("order", 7, "local")
    assert job["retries"] == 0 and job["type"] == "a"
    assert incident["errorType"] == "JOB_NO_RETRIES" and incident["errorMessage"] == "boom"
    assert all(r["version"] == 2 for r in outcome.records)
    state = engine.instance(key)
    assert state.version == 2 and state.active_element_ids() == ["a2"]


def test_keys_are_kept_and_the_instance_runs_on_the_target(engine, deploy, start):
    deploy(linear("p", "a"))
    target = deploy(linear("p", "a", "b"))
    key = start("p", 1)
    before = engine.instance(key)
    element_keys = set(before.elements)
    job_keys = set(before.jobs)
    migrate_instance(engine, key, MigrationPlan.of(target, [("a", "a")]))
    after = engine.instance(key)
    assert set(after.elements) == element_keys and set(after.jobs) == job_keys
    commands.complete_job(engine, key, "a")
    assert after.active_element_ids() == ["b"]


def test_history_lists_every_migration(engine, deploy, start):
    source = deploy(linear("p", "a"))
    target = deploy(linear("p", "a", "b"))
    key = start("p", 1)
    migrate_instance(engine, key, MigrationPlan.of(target, [("a", "a")]))
    migrate_instance(engine, key, MigrationPlan.of(source, [], auto_map=True))
    history = migrations_of(engine, key)
    assert [(h.source[1], h.target[1]) for h in history] == [(1, 2), (2, 1)]
    assert history[0].mapping == (("a", "a"),)
    assert ("a", "a") in history[1].mapping and ("end", "end") in history[1].mapping

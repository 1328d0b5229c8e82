"""Multi-instance activities: body and inner instances, loop variables, output collection,
completion condition, sequential and parallel, incidents, termination and rebuild."""

from __future__ import annotations

from typing import Any

import pytest
from bpmn_builders import chained_process, io, loop, node, task
from mi_calls_support import accepted, deploy, shape, start_instance

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine

OUT = ("results", "=result")


@pytest.fixture
def engine() -> Engine:
    return Engine()


def body_and_inner(engine: Engine, key: int) -> tuple[Any, list[Any]]:
    state = engine.instance(key)
    body = next(ei for ei in state.elements.values() if ei.type.value == "MULTI_INSTANCE_BODY")
    return body, [state.elements[k] for k in sorted(body.children)]


def local(engine: Engine, key: int, scope: int) -> dict[str, Any]:
    return {n: v.value for n, v in engine.instance(key).variables.get(scope, {}).items()}


def test_parallel_activation_records(engine: Engine) -> None:
    deploy(engine, chained_process("p", task("t", extensions=io({"w": "=loopCounter * 10"}),
                                          loop=loop("=items", element="item", output=OUT))))
    outcome = commands.create_instance(engine, "p", None, {"items": ["a", "b"]})
    records = [r for r in outcome.records if r.get("elementId") in ("t", None)
               and r["valueType"] in ("PROCESS_INSTANCE", "VARIABLE", "JOB")][1:]
    assert [(r["valueType"], r["intent"], r.get("bpmnElementType") or r.get("name")) for r in records] == [
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING", "MULTI_INSTANCE_BODY"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED", "MULTI_INSTANCE_BODY"),
        ("VARIABLE", "CREATED", "results"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING", "SERVICE_TASK"),
        ("VARIABLE", "CREATED", "item"),
        ("VARIABLE", "CREATED", "result"),
        ("VARIABLE", "CREATED", "loopCounter"),
        ("VARIABLE", "CREATED", "w"),
        ("JOB", "CREATED", None),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED", "SERVICE_TASK"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING", "SERVICE_TASK"),
        ("VARIABLE", "CREATED", "item"),
        ("VARIABLE", "CREATED", "result"),
        ("VARIABLE", "CREATED", "loopCounter"),
        ("VARIABLE", "CREATED", "w"),
        ("JOB", "CREATED", None),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED", "SERVICE_TASK"),
    ]
    key = outcome.result
    body, inner = body_and_inner(engine, key)
    assert body.loop_counter == 2 and [i.loop_counter for i in inner] == [1, 2]
    assert all(i.flow_scope_key == body.key and i.element_id == "t" for i in inner)
    assert local(engine, key, body.key) == {"results": [None, None]}
    assert local(engine, key, inner[1].key) == {"item": "b", "result": None, "loopCounter": 2, "w": 20}
    state = engine.instance(key)
    assert state.active_element_ids() == ["t", "t"]
    assert [j.element_instance_key for j in state.open_jobs_of("t")] == [i.key for i in inner]


def test_outputs_are_collected_by_position_and_propagated(engine: Engine) -> None:
    deploy(engine, chained_process("p", task("t", loop=loop("=items", output=OUT)), task("after")))
    key = start_instance(engine, "p", items=[1, 2, 3])
    body, _ = body_and_inner(engine, key)
    # the oldest job first
    accepted(commands.complete_job(engine, key, "t", {"result": "one"}))
    accepted(commands.complete_job(engine, key, "t", {"result": "two"}))
    assert local(engine, key, body.key) == {"results": ["one", "two", None]}
    outcome = accepted(commands.complete_job(engine, key, "t", {"result": "three"}))
    assert shape(outcome.records)[3:] == [
        ("VARIABLE", "UPDATED", "results"),
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETED", "t"),
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETING", "t"),
        ("VARIABLE", "CREATED", "results"),
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETED", "t"),
        ("PROCESS_INSTANCE", "SEQUENCE_FLOW_TAKEN", "p_f1"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATING", "after"),
        ("JOB", "CREATED", "after"),
        ("PROCESS_INSTANCE", "ELEMENT_ACTIVATED", "after"),
    ]
    state = engine.instance(key)
    assert state.process_variables() == {"items": [1, 2, 3], "results": ["one", "two", "three"]}
    assert state.active_element_ids() == ["after"]


def test_sequential_runs_one_item_at_a_time_re_reading_the_collection(engine: Engine) -> None:
    deploy(engine, chained_process("p", task("t", loop=loop("=items", sequential=True, element="item"))))
    key = start_instance(engine, "p", items=["a", "b"])
    _, inner = body_and_inner(engine, key)
    assert len(inner) == 1 and local(engine, key, inner[0].key)["item"] == "a"
    # Zeebe reads the collection again for the next item
    accepted(commands.set_variables(engine, key, {"items": ["a", "B", "c"]}))
    accepted(commands.complete_job(engine, key, "t"))
    body, inner = body_and_inner(engine, key)
    assert body.loop_counter == 2 and local(engine, key, inner[0].key)["item"] == "B"
    accepted(commands.complete_job(engine, key, "t"))
    accepted(commands.complete_job(engine, key, "t"))
    assert engine.instance(key).lifecycle == "COMPLETED"


def test_completion_condition_sees_zeebe_counters_and_terminates_the_rest(engine: Engine) -> None:
    condition = ("=numberOfInstances = 3 and numberOfCompletedInstances = 2 "
                 "and numberOfActiveInstances = 1 and numberOfTerminatedInstances = 0")
    deploy(engine, chained_process("p", task("t", loop=loop("=items", condition=condition)), task("after")))
    key = start_instance(engine, "p", items=[1, 2, 3])
    _, inner = body_and_inner(engine, key)
    accepted(commands.complete_job(engine, key, "t"))
    assert engine.instance(key).active_element_ids() == ["t", "t"]
    outcome = accepted(commands.complete_job(engine, key, "t"))
    assert shape(outcome.records)[2:9] == [
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETED", "t"),
        ("PROCESS_INSTANCE", "ELEMENT_TERMINATING", "t"),
        ("JOB", "CANCELED", "t"),
        ("PROCESS_INSTANCE", "ELEMENT_TERMINATED", "t"),
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETING", "t"),
        ("PROCESS_INSTANCE", "ELEMENT_COMPLETED", "t"),
        ("PROCESS_INSTANCE", "SEQUENCE_FLOW_TAKEN", "p_f1"),
    ]
    terminated = [r for r in outcome.records if r["intent"] == "ELEMENT_TERMINATED"]
    assert [r["key"] for r in terminated] == [inner[2].key]
    assert engine.instance(key).active_element_ids() == ["after"]


def test_condition_reads_the_inner_instance_variables(engine: Engine) -> None:
    deploy(engine, chained_process("p", task("t", loop=loop("=items", sequential=True, element="item",
                                                        condition="=item = &quot;stop&quot;"))))
    key = start_instance(engine, "p", items=["go", "stop", "never"])
    accepted(commands.complete_job(engine, key, "t"))
    accepted(commands.complete_job(engine, key, "t"))
    state = engine.instance(key)
    assert state.lifecycle == "COMPLETED"


def test_an_empty_collection_completes_the_body_at_once(engine: Engine) -> None:
    deploy(engine, chained_process("p", task("t", loop=loop("=items", output=OUT))))
    outcome = commands.create_instance(engine, "p", None, {"items": []})
    mi = [(r["intent"], r.get("bpmnElementType") or r.get("name")) for r in outcome.records
          if r.get("elementId") == "t" or r.get("name") == "results"]
    assert mi == [
        ("ELEMENT_ACTIVATING", "MULTI_INSTANCE_BODY"),
        ("ELEMENT_ACTIVATED", "MULTI_INSTANCE_BODY"),
        ("CREATED", "results"),
        ("ELEMENT_COMPLETING", "MULTI_INSTANCE_BODY"),
        ("CREATED", "results"),
        ("ELEMENT_COMPLETED", "MULTI_INSTANCE_BODY"),
    ]
    state = engine.instance(outcome.result)
    assert state.lifecycle == "COMPLETED" and state.process_variables()["results"] == []


@pytest.mark.parametrize(("variables", "found"), [({}, "NULL"), ({"items": "abc"}, "STRING"),
                                                   ({"items": {"a": 1}}, "OBJECT")])
def test_a_collection_that_is_not_a_list_is_an_incident_on_the_body(
        engine: Engine, variables: dict[str, Any], found: str) -> None:
    deploy(engine, chained_process("p", task("t", loop=loop("=items"))))
    key = start_instance(engine, "p", **variables)
    state = engine.instance(key)
    (incident,) = state.incidents.values()
    body = state.elements[incident.element_instance_key]
    assert (body.type.value, body.lifecycle, incident.error_type) == (
        "MULTI_INSTANCE_BODY", "ELEMENT_ACTIVATING", "EXTRACT_VALUE_ERROR")
    assert incident.error_message == f"Expected result of the expression 'items' to be 'ARRAY', but was '{found}'."
    assert state.active_element_ids() == ["t"]
    accepted(commands.set_variables(engine, key, {"items": [1]}))
    accepted(commands.resolve_incident(engine, key, "t"))
    assert state.active_element_ids() == ["t"] and len(state.jobs) == 1 and not state.incidents


def test_a_broken_output_collection_is_an_incident_on_the_inner_instance(engine: Engine) -> None:
    deploy(engine, chained_process("p", task("t", loop=loop("=items", output=OUT))))
    key = start_instance(engine, "p", items=[1])
    _, (inner,) = body_and_inner(engine, key)
    accepted(commands.set_variables(engine, key, {"results": "oops"}, "t"))
    accepted(commands.complete_job(engine, key, "t", {"result": 5}))
    state = engine.instance(key)
    (incident,) = state.incidents.values()
    assert incident.element_instance_key == inner.key and inner.lifecycle == "ELEMENT_COMPLETING"
    assert incident.error_message.startswith(
        "Unable to update an item in output collection 'results' because the type of the output "
        "collection is: STRING.")
    accepted(commands.set_variables(engine, key, {"results": [None]}, "t"))
    accepted(commands.resolve_incident(engine, key, "t"))
    assert state.lifecycle == "COMPLETED" and state.process_variables()["results"] == [5]


def test_a_non_boolean_condition_is_an_incident_and_resolving_re_evaluates(engine: Engine) -> None:
    deploy(engine, chained_process("p", task("t", loop=loop("=items", condition="=done"))))
    key = start_instance(engine, "p", items=[1, 2])
    accepted(commands.complete_job(engine, key, "t"))
    state = engine.instance(key)
    (incident,) = state.incidents.values()
    assert incident.error_message == "Expected result of the expression 'done' to be 'BOOLEAN', but was 'NULL'."
    accepted(commands.set_variables(engine, key, {"done": True}))
    accepted(commands.resolve_incident(engine, key, "t"))
    assert state.lifecycle == "COMPLETED"


def test_output_element_named_like_the_input_element_gets_no_null_variable(engine: Engine) -> None:
    deploy(engine, chained_process("p", task("t", loop=loop("=items", element="x", output=("out", "=x")))))
    key = start_instance(engine, "p", items=[7])
    _, (inner,) = body_and_inner(engine, key)
    assert local(engine, key, inner.key) == {"x": 7, "loopCounter": 1}
    accepted(commands.complete_job(engine, key, "t"))
    assert engine.instance(key).process_variables()["out"] == [7]


def test_cancel_terminates_inner_instances_before_the_body(engine: Engine) -> None:
    deploy(engine, chained_process("p", task("t", loop=loop("=items"))))
    key = start_instance(engine, "p", items=[1, 2])
    outcome = accepted(commands.cancel_instance(engine, key))
    assert [(i, r.get("bpmnElementType")) for i, r in
            ((r["intent"], r) for r in outcome.records if r["valueType"] == "PROCESS_INSTANCE")] == [
        ("ELEMENT_TERMINATING", "PROCESS"),
        ("ELEMENT_TERMINATING", "MULTI_INSTANCE_BODY"),
        ("ELEMENT_TERMINATING", "SERVICE_TASK"),
        ("ELEMENT_TERMINATED", "SERVICE_TASK"),
        ("ELEMENT_TERMINATING", "SERVICE_TASK"),
        ("ELEMENT_TERMINATED", "SERVICE_TASK"),
        ("ELEMENT_TERMINATED", "MULTI_INSTANCE_BODY"),
        ("ELEMENT_TERMINATED", "PROCESS"),
    ]


def test_pass_through_inner_instances_complete_the_body_once(engine: Engine) -> None:
    plain_task = node("task", "t", loop("=items", output=("out", "=loopCounter")))
    deploy(engine, chained_process("p", plain_task, task("after")))
    outcome = commands.create_instance(engine, "p", None, {"items": [1, 2, 3]})
    body_done = [r for r in outcome.records if r["intent"] == "ELEMENT_COMPLETED"
                 and r.get("bpmnElementType") == "MULTI_INSTANCE_BODY"]
    assert len(body_done) == 1
    state = engine.instance(outcome.result)
    assert state.process_variables()["out"] == [1, 2, 3]
    assert state.active_element_ids() == ["after"]


def test_a_rebuilt_instance_equals_the_live_one(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/mi.db"
    engine = Engine(url)
    deploy(engine, chained_process("p", task("t", loop=loop("=items", sequential=True, output=OUT))))
    key = start_instance(engine, "p", items=[1, 2, 3])
    accepted(commands.complete_job(engine, key, "t", {"result": "r1"}))
    live = engine.instance(key)
    snapshot = {k: (e.element_id, e.type, e.lifecycle, e.loop_counter, tuple(e.children))
                for k, e in live.elements.items()}
    variables = {s: {n: (v.key, v.value) for n, v in vs.items()} for s, vs in live.variables.items()}
    engine.close()
    reopened = Engine(url)
    rebuilt = reopened.instance(key)
    assert {k: (e.element_id, e.type, e.lifecycle, e.loop_counter, tuple(e.children))
            for k, e in rebuilt.elements.items()} == snapshot
    assert {s: {n: (v.key, v.value) for n, v in vs.items()} for s, vs in rebuilt.variables.items()} == variables
    accepted(commands.complete_job(reopened, key, "t", {"result": "r2"}))
    accepted(commands.complete_job(reopened, key, "t", {"result": "r3"}))
    assert reopened.instance(key).process_variables()["results"] == ["r1", "r2", "r3"]
    reopened.close()

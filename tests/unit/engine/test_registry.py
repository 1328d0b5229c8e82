"""Registries are complete: every core element type has its processor, every record the core
writes for an instance has its applier."""

from __future__ import annotations

import pytest
from bpmn_builders import chain, end, process, start, task, user_task

from engine_sim.engine import commands
from engine_sim.engine.appliers import APPLIERS
from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.bpmn.registry import PROCESSOR_CLASSES
from engine_sim.engine.engine import Engine
from engine_sim.model import ElementType, parse_bpmn

# The element types the engine core runs (call activities, multi-instance bodies and catch
# events belong to other parts of the engine, which also register their own processors for
# some of these types, e.g. start and end events: only the presence is checked here, the
# behaviour by test_processors).
CORE_TYPES = frozenset({
    ElementType.PROCESS, ElementType.SUB_PROCESS, ElementType.START_EVENT, ElementType.END_EVENT,
    ElementType.INTERMEDIATE_THROW_EVENT, ElementType.MANUAL_TASK, ElementType.TASK,
    ElementType.EXCLUSIVE_GATEWAY, ElementType.PARALLEL_GATEWAY, ElementType.INCLUSIVE_GATEWAY,
    ElementType.SERVICE_TASK, ElementType.SEND_TASK, ElementType.SCRIPT_TASK,
    ElementType.BUSINESS_RULE_TASK, ElementType.USER_TASK,
})


# One model holding every core element type.
EVERY_CORE_ELEMENT = process(
    start() + '<bpmn:parallelGateway id="fork"/>'
    + task("service", "s") + task("send", "s", tag="sendTask")
    + task("script", "s", tag="scriptTask") + task("rule", "s", tag="businessRuleTask")
    + user_task("u", managed=True) + '<bpmn:manualTask id="manual"/>' + '<bpmn:task id="plain"/>'
    + '<bpmn:intermediateThrowEvent id="throw"/>'
    + '<bpmn:exclusiveGateway id="xor" default="xorOut"/>' + '<bpmn:inclusiveGateway id="or"/>'
    + '<bpmn:subProcess id="sub"><bpmn:startEvent id="s2"/><bpmn:endEvent id="e2"/>'
    + chain("s2", "e2") + "</bpmn:subProcess>"
    + '<bpmn:parallelGateway id="join"/>' + end()
    + chain("start", "fork")
    + "".join(chain("fork", x, "join") for x in
              ("service", "send", "script", "rule", "u", "manual", "plain", "throw", "sub"))
    + chain("fork", "xor") + '<bpmn:sequenceFlow id="xorOut" sourceRef="xor" targetRef="or"/>'
    + chain("or", "join") + chain("join", "end")
)


def test_every_element_type_has_a_processor() -> None:
    """Every element type an element instance can have (all but sequence flows)."""
    instance_types = set(ElementType) - {ElementType.SEQUENCE_FLOW}
    missing = {t for t in instance_types
               if not issubclass(PROCESSOR_CLASSES.get(t, object), ElementProcessor)}

    assert missing == set()


def test_the_parser_produces_every_core_element_type() -> None:
    (model,) = parse_bpmn(EVERY_CORE_ELEMENT, "every.bpmn").processes

    assert {element.type for element in model.elements.values()} == CORE_TYPES


def test_every_element_of_the_model_runs_to_completion() -> None:
    engine = Engine()
    engine.deploy(EVERY_CORE_ELEMENT, "every.bpmn")
    key = commands.create_instance(engine, "p", None, {}).result
    for element_id in ("service", "send", "script", "rule"):
        assert commands.complete_job(engine, key, element_id, {}).rejection is None
    assert commands.complete_user_task(engine, key, "u", {}).rejection is None

    state = engine.instance(key)

    assert state is not None and state.lifecycle == "COMPLETED"


@pytest.mark.parametrize("action", ["complete", "fail", "error", "cancel"])
def test_every_event_the_core_writes_for_an_instance_has_an_applier(action: str) -> None:
    engine = Engine()
    engine.deploy(EVERY_CORE_ELEMENT, "every.bpmn")
    created = commands.create_instance(engine, "p", None, {"v": 1})
    key, records = created.result, list(created.records)
    if action == "complete":
        for element_id in ("service", "send", "script", "rule"):
            records += commands.complete_job(engine, key, element_id, {"v": 2}).records
        records += commands.complete_user_task(engine, key, "u", {}).records
    elif action == "fail":
        records += commands.fail_job(engine, key, "service", 0, None).records
        records += commands.resolve_incident(engine, key, "service", 2).records
    elif action == "error":
        records += commands.throw_error(engine, key, "service", "E", None).records
    records += commands.set_variables(engine, key, {"w": 1}, "service").records
    records += commands.cancel_instance(engine, key).records

    written = {(r["valueType"], r["intent"]) for r in records if r["recordType"] == "EVENT"}

    assert written - set(APPLIERS) == set()

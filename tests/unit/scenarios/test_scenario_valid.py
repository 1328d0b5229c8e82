"""Valid documents load into the frozen `Scenario` the runner reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError
from scenario_data import DATA

from engine_sim.model import Definitions
from engine_sim.scenarios.doc_fields import Filter, InstanceRef, Reject, Target
from engine_sim.scenarios.doc_steps import (
    AdvanceClock,
    Create,
    Deploy,
    ExpectPreview,
    Migrate,
    MigrateInstance,
    PublishMessage,
)
from engine_sim.scenarios.document import DEFAULT_START_TIME, Scenario, load_scenario
from engine_sim.timeutil import Duration

# An example scenario kept outside the repository: read where it exists, skipped elsewhere.
EXTERNAL_EXAMPLE = Path("/work/shared/examples/order-migration.yaml")
WriteScenario = Callable[[str], Path]


def test_the_spec_example_loads() -> None:
    scenario = load_scenario(DATA / "spec-example.yaml")
    assert scenario.name == "three orderProcess instances move from v1 to v2"
    assert scenario.description is None
    assert scenario.start_time == DEFAULT_START_TIME == datetime(2026, 1, 1, tzinfo=UTC)
    assert [step.kind for step in scenario.steps] == [
        "deploy", "deploy", "create", "complete_job", "complete_job", "expect",
        "expect_preview", "migrate", "expect_operation", "expect", "expect_records",
        "expect_list",
    ]
    create = scenario.steps[2]
    assert (create.index, create.line, create.labels) == (2, 6, ("a", "b", "c"))
    assert create.command == Create(
        process="orderProcess", version=1, count=3, variables={"orderId": "o-1"}
    )
    migrate = scenario.steps[7]
    assert migrate.labels == ("op",)
    assert isinstance(migrate.command, Migrate)
    assert migrate.command.instances == (InstanceRef("a"), InstanceRef("b"), InstanceRef("c"))
    assert migrate.command.mapping == (("checkPayment", "checkPayment"),)
    assert migrate.command.auto_map is True and migrate.command.run is True
    assert scenario.steps[10].command.contains[0] == {  # type: ignore[attr-defined]
        "valueType": "PROCESS_INSTANCE", "intent": "ELEMENT_MIGRATED",
        "elementId": "checkPayment", "version": 2,
    }


@pytest.mark.skipif(not EXTERNAL_EXAMPLE.exists(), reason="the external example is absent")
def test_the_external_example_loads() -> None:
    scenario = load_scenario(EXTERNAL_EXAMPLE, "order-migration.yaml")
    assert scenario.display_name == "order-migration.yaml"
    assert scenario.path == EXTERNAL_EXAMPLE
    assert len(scenario.steps) == 16
    assert scenario.steps[2].labels == ("a", "b", "c", "d")


def test_every_step_kind_loads() -> None:
    scenario = load_scenario(DATA / "every-step.yaml")
    commands = {step.kind: step.command for step in scenario.steps}
    assert scenario.description == (
        "not meant to pass when run; it exercises the document format only"
    )
    assert scenario.start_time == datetime(2026, 3, 1, 7, tzinfo=UTC)
    assert commands["advance_clock"] == AdvanceClock(duration=Duration(minutes=10))
    assert isinstance(commands["publish_message"], PublishMessage)
    assert commands["publish_message"].ttl == Duration(hours=1)
    instance = commands["migrate_instance"]
    assert isinstance(instance, MigrateInstance)
    assert instance.mapping == (("checkPayment", "checkPayment"), ("checkPayment", "shipArticles"))
    assert instance.auto_map is False
    migrate = commands["migrate"]
    assert isinstance(migrate, Migrate)
    assert migrate.filter == Filter(
        process="orderProcess", version=1, state=("ACTIVE", "INCIDENT"), element="checkPayment"
    )
    assert migrate.target == Target(process="orderProcess", version=None)
    assert migrate.run is False
    preview = commands["expect_preview"]
    assert isinstance(preview, ExpectPreview)
    assert preview.instances == (InstanceRef("a"), InstanceRef("b", "callMe"))
    assert preview.failures is not None and preview.failures[0].message == "not supported"
    by_index = scenario.steps
    assert by_index[8].reject == Reject(type="NOT_FOUND")
    assert by_index[13].reject == Reject(type="INVALID_ARGUMENT", message="mapping instructions")
    assert by_index[3].labels == ("c",)
    assert by_index[17].labels == ("back",)
    expect = commands["expect"]
    assert expect.active_elements == ("checkPayment", "checkPayment")  # type: ignore[attr-defined]


def test_deploy_steps_carry_the_parsed_file() -> None:
    scenario = load_scenario(DATA / "every-step.yaml")
    first, second = (step.command for step in scenario.steps[:2])
    assert isinstance(first, Deploy) and isinstance(second, Deploy)
    assert first.file == "bpmn/order-v1.bpmn"
    assert first.resolved_path == (DATA / "bpmn" / "order-v1.bpmn").resolve()
    assert second.resolved_path == (DATA / "bpmn" / "order-v2.bpmn").resolve()
    assert isinstance(first.definitions, Definitions)
    assert "notifyCustomer" in second.definitions.processes[0].elements


def test_an_absolute_deploy_path(write_scenario: WriteScenario) -> None:
    bpmn = (DATA / "bpmn" / "order-v1.bpmn").resolve()
    scenario = load_scenario(write_scenario(f"name: t\nsteps:\n  - deploy: {bpmn}\n"))
    assert scenario.steps[0].command.resolved_path == bpmn  # type: ignore[attr-defined]


def test_the_result_is_frozen() -> None:
    scenario = load_scenario(DATA / "spec-example.yaml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        scenario.name = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        scenario.steps[0].line = 1  # type: ignore[misc]
    with pytest.raises(ValidationError):
        scenario.steps[2].command.count = 5  # type: ignore[attr-defined]
    assert isinstance(scenario, Scenario) and isinstance(scenario.steps, tuple)


def test_a_label_may_be_defined_again(write_scenario: WriteScenario) -> None:
    text = """\
name: t
steps:
  - create: {process: p}
    as: x
  - migrate: {instances: [x], target: {process: p}}
    as: x
  - expect_operation: {operation: x, total: 1}
  - create: {process: p}
    as: x
  - cancel: {instance: x/callPayment}
"""
    scenario = load_scenario(write_scenario(text))
    assert [step.labels for step in scenario.steps] == [("x",), ("x",), (), ("x",), ()]


def test_anchors_aliases_and_merge_keys(write_scenario: WriteScenario) -> None:
    text = """\
name: t
steps:
  - create: &base {process: p, variables: &vars {orderId: o-1}}
    as: a
  - create: {<<: *base, count: 2}
    as: [b, c]
  - set_variables: {instance: b, variables: *vars}
"""
    steps = load_scenario(write_scenario(text)).steps
    assert steps[1].command == Create(process="p", variables={"orderId": "o-1"}, count=2)
    assert steps[2].command.variables == {"orderId": "o-1"}  # type: ignore[attr-defined]


def test_yaml_1_1_words_stay_words_as_keys(write_scenario: WriteScenario) -> None:
    text = "name: t\nsteps:\n  - create: {process: p, variables: {on: yes, 1: null}}\n"
    command = load_scenario(write_scenario(text)).steps[0].command
    assert command.variables == {"on": True, "1": None}  # type: ignore[attr-defined]


def test_an_unquoted_start_time(write_scenario: WriteScenario) -> None:
    path = write_scenario("name: t\nstart_time: 2026-05-01T10:00:00Z\nsteps: []\n")
    scenario = load_scenario(path)
    assert scenario.start_time == datetime(2026, 5, 1, 10, tzinfo=UTC)


def test_the_display_name_defaults_to_the_path(write_scenario: WriteScenario) -> None:
    path = write_scenario("name: t\nsteps: []\n")
    scenario = load_scenario(path)
    assert (scenario.path, scenario.display_name) == (path, str(path))

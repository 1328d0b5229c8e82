"""`LABEL/ELEMENT` in scenario steps: the child a call activity started, through the runner."""

from __future__ import annotations

from pathlib import Path

from bpmn_builders import call, chained_process, definitions, task

from engine_sim.persistence import parse_store_url
from engine_sim.scenarios.document import load_scenario
from engine_sim.scenarios.runner import ScenarioResult, ScenarioRun


def run(tmp_path: Path, steps: str, **files: bytes) -> ScenarioResult:
    for name, xml in files.items():
        (tmp_path / f"{name}.bpmn").write_bytes(xml)
    path = tmp_path / "s.yaml"
    path.write_text(f"name: s\nsteps:\n{steps}", encoding="utf-8")
    scenario_run = ScenarioRun(load_scenario(path, "s.yaml"), parse_store_url("memory:"))
    try:
        return scenario_run.run()
    finally:
        scenario_run.close()


FILES = {
    "child": definitions(chained_process("child", task("work"))),
    "parent": definitions(chained_process("parent", call("ca", "child"), task("after"))),
    "parent2": definitions(chained_process("parent", call("ca2", "child"), task("after"))),
}


def test_steps_reach_the_child_through_its_parent(tmp_path: Path) -> None:
    result = run(tmp_path, """
  - deploy: child.bpmn
  - deploy: parent.bpmn
  - create: {process: parent}
    as: p
  - expect: {instance: p/ca, process: child, active_elements: [work]}
  - complete_job: {instance: p/ca, element: work, variables: {x: 1}}
  - expect: {instance: p/ca, state: COMPLETED}
  - expect: {instance: p, active_elements: [after], variables: {x: 1}}
""", **FILES)
    assert result.passed, result.message


def test_a_step_naming_a_missing_child_fails(tmp_path: Path) -> None:
    result = run(tmp_path, """
  - deploy: child.bpmn
  - deploy: parent.bpmn
  - create: {process: parent}
    as: p
  - expect: {instance: p/after, state: ACTIVE}
""", **FILES)
    assert not result.passed
    assert "a child instance started by call activity 'after' of 'p'" in result.message
    assert "s.yaml:8" in result.message


def test_a_migrated_call_activity_is_found_by_its_new_id(tmp_path: Path) -> None:
    result = run(tmp_path, """
  - deploy: child.bpmn
  - deploy: parent.bpmn
  - create: {process: parent}
    as: p
  - deploy: parent2.bpmn
  - migrate_instance: {instance: p, target: {process: parent, version: 2}, mapping: {ca: ca2}}
  - expect: {instance: p/ca2, process: child, active_elements: [work]}
  - expect: {instance: p/ca, process: child, active_elements: [work]}
""", **FILES)
    assert result.passed, result.message

"""Fixtures for the scenario-document tests: scenario files written next to small BPMN files."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from scenario_data import DATA

from engine_sim.scenarios.document import ScenarioInputError, load_scenario

WriteScenario = Callable[[str], Path]


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """A folder holding `bpmn/` (copies of tests/data/scenarios/bpmn) for scenarios to name."""
    shutil.copytree(DATA / "bpmn", tmp_path / "bpmn")
    return tmp_path


@pytest.fixture
def write_scenario(scenario_dir: Path) -> WriteScenario:
    """Writes `s.yaml` in `scenario_dir` and returns its path."""

    def write(text: str) -> Path:
        path = scenario_dir / "s.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def input_error(write_scenario: WriteScenario) -> Callable[[str], str]:
    """The message of the ScenarioInputError the document raises (named `s.yaml`)."""

    def error(text: str) -> str:
        with pytest.raises(ScenarioInputError) as caught:
            load_scenario(write_scenario(text), "s.yaml")
        return str(caught.value)

    return error

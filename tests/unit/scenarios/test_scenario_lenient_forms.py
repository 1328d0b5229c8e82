"""Forms the format allows that a strict reading would refuse: a step without a body takes
its defaults (`- run_operations:`), a numeric correlation key is its text."""

from __future__ import annotations

import pytest

from engine_sim.scenarios.document import ScenarioInputError, load_scenario


def test_a_step_of_defaults_may_be_written_without_a_body(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: n\nsteps:\n  - run_operations:\n")
    (step,) = load_scenario(path, "s.yaml").steps
    assert step.kind == "run_operations" and step.command.operation is None


def test_a_step_with_required_fields_still_needs_them(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: n\nsteps:\n  - cancel:\n")
    with pytest.raises(ScenarioInputError) as error:
        load_scenario(path, "s.yaml")
    assert str(error.value) == "s.yaml, line 3: steps[0].cancel.instance: field required"


def test_a_numeric_correlation_key_is_its_text(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: n\nsteps:\n  - publish_message: {name: m, correlation_key: 42}\n")
    (step,) = load_scenario(path, "s.yaml").steps
    assert step.command.correlation_key == "42"

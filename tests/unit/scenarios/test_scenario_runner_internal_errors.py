"""An unexpected engine error fails its scenario (with the step) instead of ending the replay."""

from __future__ import annotations

from pathlib import Path

from engine_sim.engine import Engine, commands
from engine_sim.persistence import parse_store_url
from engine_sim.scenarios.document import load_scenario
from engine_sim.scenarios.runner import ScenarioRun

BPMN = Path(__file__).resolve().parents[3] / "scenarios" / "operate" / "bpmn" / "order-v1.bpmn"


def test_an_internal_error_is_a_fail_naming_the_step(tmp_path, monkeypatch):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: boom\nsteps:\n"
        f"  - deploy: {BPMN}\n"
        "  - create: {process: orderProcess}\n    as: a\n"
        "  - complete_job: {instance: a, element: checkPayment}\n"
    )

    execute = Engine.execute

    def explode(engine, command):
        if isinstance(command, commands.CompleteJob):
            raise RuntimeError("kaput")
        return execute(engine, command)

    monkeypatch.setattr(Engine, "execute", explode)
    run = ScenarioRun(load_scenario(scenario, "s.yaml"), parse_store_url("memory:"))
    result = run.run()
    run.close()
    assert not result.passed
    assert "s.yaml:6 (complete_job)" in result.message
    assert "internal error RuntimeError: kaput" in result.message

"""No input makes a command run forever or eat the machine: a process that loops without a
wait state, a model of 20,000 tasks, a scenario of millions of values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import Cli, store_digest

from engine_sim.engine import catalog, context

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
<bpmn:process id="{pid}" isExecutable="true"><bpmn:startEvent id="s"/>{body}</bpmn:process>
</bpmn:definitions>
"""


def flow(source: str, target: str) -> str:
    return f'<bpmn:sequenceFlow id="{source}_{target}" sourceRef="{source}" targetRef="{target}"/>'


def test_a_loop_without_a_wait_state_is_rejected_and_nothing_is_written(
        cli: Cli, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context, "MAX_FOLLOW_UPS", 5_000)  # the same path, sooner
    body = ('<bpmn:exclusiveGateway id="g1"/><bpmn:exclusiveGateway id="g2"/>'
            + flow("s", "g1") + flow("g1", "g2") + flow("g2", "g1"))
    (workdir / "loop.bpmn").write_text(BPMN.format(pid="loop", body=body))
    assert cli("deploy", "loop.bpmn").code == 0
    before = store_digest(workdir)

    result = cli("create", "loop")

    assert result.code == 1
    assert "rejected: Expected the command to finish within 5,000 follow-up steps" in result.out
    assert "loops without a wait state" in result.out
    assert "0 instances" in cli("instances").out
    digest = store_digest(workdir)  # only the rejection record was added
    assert int(digest.split(":")[0]) == int(before.split(":")[0]) + 1


def chain(tasks: int) -> str:
    ids = [f"t{i}" for i in range(tasks)]
    body = "".join(f'<bpmn:task id="{i}"/>' for i in ids) + '<bpmn:endEvent id="e"/>'
    path = ["s", *ids, "e"]
    return BPMN.format(pid="chain", body=body + "".join(flow(a, b) for a, b in zip(path, path[1:], strict=False)))


def test_a_20000_task_model_deploys_and_a_reopened_store_parses_no_model(
        cli: Cli, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "chain.bpmn").write_text(chain(20_000))
    assert (workdir / "chain.bpmn").stat().st_size > 1_500_000

    assert cli("deploy", "chain.bpmn").code == 0  # linear: seconds (minutes when quadratic)

    parsed: list[str] = []
    original = catalog.parse_bpmn
    monkeypatch.setattr(catalog, "parse_bpmn",
                        lambda xml, name: parsed.append(name) or original(xml, name))
    assert "0 instances" in cli("instances").out
    assert parsed == []  # reading needs no model
    assert cli("create", "chain").code == 0
    assert parsed == ["chain.bpmn"]  # parsed once, when the command needed it


def test_a_scenario_of_millions_of_values_is_refused_before_it_is_composed(tmp_path: Path) -> None:
    values = ",".join(["1"] * 2_400_000)
    scenario = tmp_path / "huge.yaml"
    scenario.write_text(f"name: huge\nsteps:\n  - create: {{process: p, variables: {{xs: [{values}]}}}}\n")
    assert scenario.stat().st_size > 4_500_000

    result = subprocess.run([sys.executable, "-m", "engine_sim.cli.main", "replay", str(scenario)],
                            capture_output=True, text=True, timeout=120, check=False)

    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"{scenario}, line 3: document: the document holds more than 200,000 values" in result.stderr

"""FEEL inputs past the documented limits (docs/feel.md): one line, exit 2, store unchanged;
a script result no variable can hold is an incident, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import Cli, keys_in, store_digest

SCRIPT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
  <bpmn:process id="feelLimits" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="script"/>
    <bpmn:scriptTask id="script">
      <bpmn:extensionElements>
        <zeebe:script expression="{expression}" resultVariable="result"/>
      </bpmn:extensionElements>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="script" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def write_model(folder: Path, name: str, expression: str) -> str:
    (folder / name).write_text(SCRIPT.replace("{expression}", expression), encoding="utf-8")
    return name


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("=a" + ".b" * 100_000, ["line 7", "'script'", "200001 characters long",
                                 "more than the limit of 100000"]),
        ("=" + "(" * 150 + "1" + ")" * 150, ["line 7", "'script'",
                                            "nested more than 100 levels deep"]),
        ("=" + "for x in [" * 150 + "1" + "] return x" * 150, ["nested more than 100 levels"]),
    ],
)
def test_an_expression_past_a_limit_is_refused_at_deployment(
    cli: Cli, workdir: Path, expression: str, expected: list[str]
) -> None:
    assert cli("deploy", "order-v1.bpmn").code == 0
    before = store_digest(workdir)
    name = write_model(workdir, "limits.bpmn", expression)
    result = cli("deploy", name)
    assert result.code == 2, result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.err
    assert len(lines[0]) < 1_000  # the expression is quoted by its start, not whole
    for part in ["limits.bpmn", *expected]:
        assert part in lines[0], lines[0]
    assert store_digest(workdir) == before


def test_a_result_beyond_64_bits_is_an_incident(cli: Cli, workdir: Path) -> None:
    assert cli("deploy", write_model(workdir, "big.bpmn", "=2 ** 100")).code == 0
    result = cli("create", "feelLimits")
    assert result.code == 0, result.err
    [key] = keys_in(result.out)
    history = cli("history", key)
    assert history.code == 0 and "Traceback" not in history.err
    assert "INCIDENT" in history.out and "EXTRACT_VALUE_ERROR" in history.out

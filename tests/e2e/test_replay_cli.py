"""End to end: `engine-sim replay` run as a subprocess, as CI and users run it.

Exit codes (0 all passed, 1 an expectation failed, 2 invalid input), the closing
`N passed, N failed, N invalid` line, FAIL reports, `--records`, folders, every invalid-input path and
the `--store` option (docs/scenarios.md, "Replaying").
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINE_SCENARIOS = ROOT / "scenarios" / "engine"
FIRST_KEY = 2251799813685249


def replay(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "engine_sim.cli.main", "replay", *map(str, args)],
        capture_output=True, text=True, timeout=120, cwd=cwd or ROOT,
    )


def lines(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


PASSING = """\
name: {name}
steps:
  - deploy: bpmn/jobs.bpmn
  - create: {{process: jobs}}
    as: a
  - complete_job: {{instance: a, element: flaky}}
  - complete_job: {{instance: a, element: reliable}}
  - expect: {{instance: a, state: COMPLETED}}
"""

FAILING = """\
name: a wrong expectation
steps:
  - deploy: bpmn/jobs.bpmn
  - create: {process: jobs}
    as: a
  - expect: {instance: a, active_elements: [flaky]}
  - expect:
      instance: a
      active_elements: [reliable]
  - expect: {instance: a, state: COMPLETED}
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A scenario folder with the BPMN files of scenarios/engine."""
    shutil.copytree(ENGINE_SCENARIOS / "bpmn", tmp_path / "bpmn")
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- exit codes and the report ------------------------------------------------------------------
def test_all_passing_exits_0_with_one_line_per_scenario_and_the_closing_line(folder: Path) -> None:
    first = write(folder, "one.yaml", PASSING.format(name="first"))
    second = write(folder, "two.yaml", PASSING.format(name="second"))

    result = replay(first, second)

    assert result.returncode == 0, result.stderr
    assert lines(result.stdout) == ["PASS first", "PASS second", "2 passed, 0 failed, 0 invalid"]
    assert result.stderr == ""


def test_a_failed_expectation_exits_1_and_reports_expected_found_and_the_step(folder: Path) -> None:
    failing = write(folder, "failing.yaml", FAILING)
    passing = write(folder, "passing.yaml", PASSING.format(name="fine"))

    result = replay(failing, passing)

    assert result.returncode == 1, result.stderr
    out = lines(result.stdout)
    assert out[0] == "FAIL a wrong expectation"
    assert out[1] == f"  step: {failing}:7 (expect)"  # the step's first line, not the next one
    assert out[2] == '  expected: {"active_elements": ["reliable"]}'
    assert out[3] == '  found: {"active_elements": ["flaky"]}'
    assert out[4:] == ["PASS fine", "1 passed, 1 failed, 0 invalid"]
    assert "Traceback" not in result.stderr


def test_an_unexpected_rejection_fails_the_scenario(folder: Path) -> None:
    path = write(folder, "rejected.yaml", """\
name: rejected
steps:
  - deploy: bpmn/jobs.bpmn
  - create: {process: jobs}
    as: a
  - complete_job: {instance: a, element: reliable}
""")

    result = replay(path)

    assert result.returncode == 1
    assert lines(result.stdout)[1:] == [
        f"  step: {path}:6 (complete_job)",
        "  expected: the command to be accepted",
        "  found: rejected with NOT_FOUND: Expected to complete a job of element 'reliable' in "
        f"process instance {FIRST_KEY + 2}, but no job is open there",
        "0 passed, 1 failed, 0 invalid",
    ]


def test_a_folder_runs_every_yaml_file_below_it_sorted_by_path(folder: Path) -> None:
    write(folder, "b.yaml", PASSING.format(name="b"))
    write(folder, "a/z.yml", PASSING.format(name="a/z").replace("bpmn/", "../bpmn/"))
    write(folder, "a.yaml", PASSING.format(name="a"))
    write(folder, "notes.txt", "not a scenario")

    result = replay(folder)

    assert result.returncode == 0, result.stderr
    assert lines(result.stdout) == ["PASS a/z", "PASS a", "PASS b", "3 passed, 0 failed, 0 invalid"]


def test_the_projects_engine_scenarios_all_pass() -> None:
    count = len(list(ENGINE_SCENARIOS.rglob("*.yaml")))

    result = replay(ENGINE_SCENARIOS)

    assert result.returncode == 0, result.stdout + result.stderr
    assert lines(result.stdout)[-1] == f"{count} passed, 0 failed, 0 invalid"


# -- --records ---------------------------------------------------------------------------------
def test_records_are_written_as_jsonl_with_positions_restarting_per_scenario(folder: Path,
                                                                            tmp_path: Path) -> None:
    first = write(folder, "one.yaml", PASSING.format(name="first"))
    second = write(folder, "two.yaml", PASSING.format(name="second"))
    out = tmp_path / "out" / "records.jsonl"
    out.parent.mkdir()

    result = replay(first, second, "--records", out)

    assert result.returncode == 0, result.stderr
    records = [json.loads(text) for text in out.read_text(encoding="utf-8").splitlines()]
    starts = [i for i, r in enumerate(records) if r["position"] == 1]
    assert starts[0] == 0 and len(starts) == 2
    halves = records[:starts[1]], records[starts[1]:]
    for half in halves:
        positions = [r["position"] for r in half]
        assert positions == list(range(1, len(half) + 1))
        assert half[0]["key"] == FIRST_KEY
    assert [(r["valueType"], r["intent"]) for r in halves[0]] == [
        (r["valueType"], r["intent"]) for r in halves[1]]
    for record in records:
        assert {"position", "key", "timestamp", "recordType", "valueType", "intent"} <= set(record)
    assert [r["scenario"] for r in halves[0]] == ["first"] * len(halves[0])
    assert [r["scenario"] for r in halves[1]] == ["second"] * len(halves[1])
    assert all(line.startswith('{"scenario":') for line in out.read_text().splitlines())


def test_the_records_are_the_same_on_sqlite(folder: Path, tmp_path: Path) -> None:
    scenario = write(folder, "one.yaml", PASSING.format(name="first"))

    memory = replay(scenario, "--records", tmp_path / "memory.jsonl")
    sqlite = replay(scenario, "--records", tmp_path / "sqlite.jsonl",
                    "--store", f"sqlite:///{tmp_path}/store/engine.db")

    assert (memory.returncode, sqlite.returncode) == (0, 0), sqlite.stderr
    assert lines(sqlite.stdout) == ["PASS first", "1 passed, 0 failed, 0 invalid"]
    assert (tmp_path / "store" / "engine.db").exists()
    assert (tmp_path / "sqlite.jsonl").read_bytes() == (tmp_path / "memory.jsonl").read_bytes()


def test_the_engine_scenarios_give_the_same_records_on_postgres(postgres_url: str,
                                                                tmp_path: Path) -> None:
    memory = replay(ENGINE_SCENARIOS, "--records", tmp_path / "memory.jsonl")
    postgres = replay(ENGINE_SCENARIOS, "--records", tmp_path / "pg.jsonl", "--store", postgres_url)

    assert (memory.returncode, postgres.returncode) == (0, 0), postgres.stdout + postgres.stderr
    assert lines(postgres.stdout)[-1] == lines(memory.stdout)[-1]
    assert (tmp_path / "pg.jsonl").read_bytes() == (tmp_path / "memory.jsonl").read_bytes()


# -- invalid input ------------------------------------------------------------------------------
DANGLING_BPMN = """\
<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="d" targetNamespace="urn:x">
  <bpmn:process id="dangling" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="toGhost" sourceRef="start" targetRef="ghost"/>
  </bpmn:process>
</bpmn:definitions>
"""
COMPLEX_BPMN = """\
<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="d" targetNamespace="urn:x">
  <bpmn:process id="complex" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="toGate" sourceRef="start" targetRef="gate"/>
    <bpmn:complexGateway id="gate"/>
    <bpmn:sequenceFlow id="toEnd" sourceRef="gate" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""
HEADER = "name: invalid\nsteps:\n  - deploy: bpmn/jobs.bpmn\n"
INVALID = {
    "yaml syntax": (
        HEADER + "  - create: {process: jobs\n",
        "line 5: yaml: while parsing a flow mapping"),
    "duplicate key": (
        HEADER + "  - create: {process: jobs, process: other}\n",
        "line 4: steps[1].create.process: duplicate key 'process'"),
    "unknown step": (
        HEADER + "  - launch: {process: jobs}\n",
        "line 4: steps[1].launch: unknown step 'launch'"),
    "unknown field": (
        HEADER + "  - create: {process: jobs, colour: red}\n",
        "line 4: steps[1].create.colour: unknown field 'colour'"),
    "missing field": (
        HEADER + "  - create: {process: jobs}\n    as: a\n"
        "  - fail_job: {instance: a, element: flaky}\n",
        "line 6: steps[2].fail_job.retries: field required"),
    "missing name": (
        "steps:\n  - deploy: bpmn/jobs.bpmn\n",
        "line 1: name: field required"),
    "wrong type": (
        HEADER + "  - create: {process: jobs, count: many}\n",
        "line 4: steps[1].create.count: expected an integer, got 'many'"),
    "undefined label": (
        HEADER + "  - cancel: {instance: nobody}\n",
        "line 4: steps[1].cancel.instance: label 'nobody' is not defined by an earlier step"),
    "label used before it is defined": (
        HEADER + "  - cancel: {instance: a}\n  - create: {process: jobs}\n    as: a\n",
        "line 4: steps[1].cancel.instance: label 'a' is not defined by an earlier step"),
    "missing bpmn file": (
        "name: invalid\nsteps:\n  - deploy: bpmn/absent.bpmn\n",
        "line 3: steps[0].deploy: file 'bpmn/absent.bpmn' does not exist"),
    "dangling reference": (
        "name: invalid\nsteps:\n  - deploy: bpmn/dangling.bpmn\n",
        "line 3: steps[0].deploy: bpmn/dangling.bpmn, line 6: element 'toGhost': "
        "targetRef 'ghost' does not exist"),
    "unsupported element": (
        "name: invalid\nsteps:\n  - deploy: bpmn/complex.bpmn\n",
        "line 3: steps[0].deploy: bpmn/complex.bpmn, line 7: element 'gate': element type "
        "'complexGateway' is not supported"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_input_exits_2_with_file_line_and_field(folder: Path, case: str) -> None:
    text, message = INVALID[case]
    write(folder, "bpmn/dangling.bpmn", DANGLING_BPMN)
    write(folder, "bpmn/complex.bpmn", COMPLEX_BPMN)
    write(folder, "case.yaml", text)

    result = replay("case.yaml", cwd=folder)  # messages name the file as it was given

    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"case.yaml, {message}"), result.stderr
    assert len(lines(result.stderr)) == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert lines(result.stdout) == ["INVALID case.yaml", "0 passed, 0 failed, 1 invalid"]


def test_an_invalid_file_runs_no_step_but_the_others_still_run(folder: Path) -> None:
    bad = write(folder, "a-bad.yaml", HEADER + "  - create: {process: jobs}\n  - launch: {}\n")
    good = write(folder, "b-good.yaml", PASSING.format(name="good"))

    result = replay(bad, good, "--records", folder / "records.jsonl")

    assert result.returncode == 2
    assert lines(result.stdout) == [f"INVALID {bad}", "PASS good", "1 passed, 0 failed, 1 invalid"]
    records = (folder / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(records[0])["position"] == 1
    assert sum(json.loads(r)["position"] == 1 for r in records) == 1  # only the good one ran


def test_a_missing_scenario_file_exits_2(tmp_path: Path) -> None:
    result = replay(tmp_path / "nothing.yaml")

    assert result.returncode == 2
    assert result.stderr.startswith(f"{tmp_path / 'nothing.yaml'}")
    assert "cannot read the file" in result.stderr
    assert "Traceback" not in result.stderr


# -- --store -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("url", "message"), [
    ("redis://localhost/0", "engine-sim: --store: unknown store 'redis://localhost/0'"),
    ("sqlite://relative.db", "engine-sim: --store: invalid SQLite store 'sqlite://relative.db'"),
    ("postgresql://u@localhost:port/db", "the port is not a number"),
    ("sqlite:////dev/null/engine.db", "cannot create the folder '/dev/null'"),
])
def test_a_bad_store_url_exits_2_before_running_anything(folder: Path, url: str,
                                                         message: str) -> None:
    scenario = write(folder, "one.yaml", PASSING.format(name="first"))

    result = replay(scenario, "--store", url)

    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert "PASS" not in result.stdout


def test_a_store_that_cannot_be_opened_exits_2(folder: Path) -> None:
    scenario = write(folder, "one.yaml", PASSING.format(name="first"))

    result = replay(scenario, "--store", "postgresql://postgres@127.0.0.1:1/test")

    assert result.returncode == 2
    assert result.stderr.startswith(
        "engine-sim: --store: cannot open 'postgresql://postgres@127.0.0.1:1/test'")
    assert "Traceback" not in result.stderr
    assert lines(result.stdout) == ["0 passed, 0 failed, 0 invalid"]


def test_an_unwritable_records_file_exits_2(folder: Path) -> None:
    scenario = write(folder, "one.yaml", PASSING.format(name="first"))

    result = replay(scenario, "--records", folder / "missing-folder" / "r.jsonl")

    assert result.returncode == 2
    assert result.stderr.startswith("engine-sim: --records: cannot write")
    assert "Traceback" not in result.stderr


def test_a_label_whose_creation_was_rejected_fails_the_step_that_uses_it(folder: Path) -> None:
    path = write(folder, "label.yaml", """\
name: rejected creation
steps:
  - deploy: bpmn/jobs.bpmn
  - create: {process: unknown}
    as: ghost
    reject: {type: NOT_FOUND}
  - cancel: {instance: ghost}
""")

    result = replay(path)

    assert result.returncode == 1
    assert lines(result.stdout) == [
        "FAIL rejected creation",
        f"  step: {path}:7 (cancel)",
        "  expected: the instance labelled 'ghost'",
        "  found: none: the step that was to create it was rejected",
        "0 passed, 1 failed, 0 invalid",
    ]
    assert "Traceback" not in result.stderr

"""The command line as a user first meets it: --version, --help, `python -m engine_sim`, a
read command where there is no store, tables on an 80-column terminal, `schema`, and
`replay`'s closing line, empty folders, misspelt steps and the scenario marker of --records."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import Cli, keys_in, seed_orders

from engine_sim.cli.replay import records_line, strip_marker
from engine_sim.scenarios.doc_steps import STEP_MODELS
from engine_sim.scenarios.schema import scenario_schema

COMMANDS = ("replay", "schema", "deploy", "create", "instances", "jobs", "user-tasks",
            "incidents", "messages", "signals", "cancel", "variables", "clock", "migrate",
            "operations", "history", "serve")


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine_sim", *argv], capture_output=True,
                          text=True, cwd=cwd, timeout=60, check=False)


def test_version_help_and_python_dash_m(tmp_path: Path) -> None:
    version = run("--version", cwd=tmp_path)
    assert version.returncode == 0 and re.fullmatch(r"engine-sim \S+\n", version.stdout)
    helped = run("--help", cwd=tmp_path)
    assert helped.returncode == 0
    for command in COMMANDS:
        assert command in helped.stdout
    assert run("clock", "--help", cwd=tmp_path).returncode == 0
    assert not (tmp_path / ".engine-sim").exists()


def test_help_does_not_import_the_engine(tmp_path: Path) -> None:
    code = ("import sys\nfrom engine_sim.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in sys.modules if m.startswith(('engine_sim.engine', "
            "'pydantic', 'rich', 'eventsourcing', 'migration'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize("argv", [["instances"], ["operations"], ["history", "1"],
                                  ["incidents"], ["clock", "show"], ["instances", "--json"]])
def test_a_read_command_without_a_store_says_so_and_creates_nothing(
        cli: Cli, workdir: Path, argv: list[str]) -> None:
    result = cli(*argv)
    assert result.code == 2 and result.out == ""
    assert "--store: there is no store at" in result.err and "engine-sim deploy" in result.err
    assert not (workdir / ".engine-sim").exists()
    other = cli(*argv, "--store", "sqlite:///elsewhere/x.db")
    assert other.code == 2 and not (workdir / "elsewhere").exists()


def test_keys_stay_whole_on_an_80_column_terminal(
        cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    k = seed_orders(cli)
    cli("jobs", "fail", k["a"], "checkPayment", "--retries", "0", "--message",
        "a long message " * 8)
    cli("migrate", "--process", "orderProcess", "--version", "1", "--to-process", "orderProcess",
        "--to-version", "2", "--all", "--yes")
    monkeypatch.setenv("COLUMNS", "80")
    every_key = {int(v) for v in k.values()}
    for argv in (["instances"], ["operations"], ["incidents"], ["history", k["a"]]):
        out = cli(*argv).out
        assert max(len(line) for line in out.splitlines()) <= 80, out
        assert "…" not in out, out
        if argv == ["instances"]:
            assert set(keys_in(out)) == every_key


def test_schema_describes_every_step(cli: Cli) -> None:
    result = cli("schema")
    assert result.code == 0
    schema = json.loads(result.out)
    assert schema == json.loads(json.dumps(scenario_schema()))
    steps = schema["properties"]["steps"]["items"]["oneOf"]
    assert [step["required"] for step in steps] == [[kind] for kind in STEP_MODELS]
    create = next(s for s in steps if "create" in s["properties"])["properties"]["create"]
    assert create["required"] == ["process"]
    assert create["properties"]["count"]["maximum"] == 100_000
    clock = next(s for s in steps if "advance_clock" in s["properties"])
    assert clock["properties"]["advance_clock"]["type"] == "string"
    assert schema["required"] == ["name", "steps"]


def test_replay_of_a_folder_without_scenarios_is_invalid(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no scenario here")
    result = run("replay", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "no scenario file" in result.stderr and result.stdout == ""


def test_a_misspelt_step_suggests_the_closest(tmp_path: Path) -> None:
    scenario = tmp_path / "typo.yaml"
    scenario.write_text("name: typo\nsteps:\n  - complete_jbo: {instance: a, element: b}\n")
    result = run("replay", str(scenario), cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown step 'complete_jbo'; did you mean 'complete_job'?" in result.stderr
    assert result.stdout.splitlines()[-1] == "0 passed, 0 failed, 1 invalid"


@pytest.mark.parametrize("name", ["plain", 'with "quotes", commas', "ünïcødé ✓", "a\\b"])
def test_the_scenario_marker_comes_off_byte_for_byte(name: str) -> None:
    encoded = b'{"position":1,"key":2251799813685249,"value":"\\u00e9x"}'
    line = records_line(name, encoded)
    assert json.loads(line)["scenario"] == name
    assert strip_marker(line.rstrip(b"\n")) == encoded
    with pytest.raises(ValueError):
        strip_marker(encoded)

"""End-to-end CLI tests: `engine-sim` run in a temporary folder on its default SQLite store
(`.engine-sim/engine.db` there), with the small BPMN files of tests/data/cli copied in."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest
from cli_support import DATA, Cli, Result

from engine_sim.cli.main import main


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for source in DATA.glob("*.bpmn"):
        shutil.copy(source, tmp_path / source.name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")  # rich tables wide enough not to wrap keys and reasons
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal: no prompt can be answered
    return tmp_path


@pytest.fixture
def cli(workdir: Path, capsys: pytest.CaptureFixture[str]) -> Cli:
    """Runs `engine-sim ARGS...` in-process; returns the exit status and the output."""

    def run(*argv: object) -> Result:
        try:
            code = main([str(a) for a in argv])
        except SystemExit as stop:  # argparse's own errors
            code = int(stop.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run

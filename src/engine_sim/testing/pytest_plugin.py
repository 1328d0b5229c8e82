"""engine-sim's pytest plugin (registered through the `pytest11` entry point).

Fixtures:
- `engine`: a fresh `Engine` per test, on the memory store unless `--engine-store URL`
  (SQLite or PostgreSQL; the store is emptied before each test), clock at
  `engine_start_time`;
- `engine_start_time`: the fixed start of the simulated clock (override it to choose one);
- `deploy`: deploys BPMN files (relative to the test file's folder) or XML text;
- `clock`: reads and advances the engine's simulated clock.

Scenario files as tests: a YAML scenario named on the command line (`pytest flow.yaml`) or
found below a folder of the `engine_sim_scenarios` ini option (default `scenarios`, relative
to the rootdir) when pytest collects that folder, is one test item. A failing scenario shows
the replay's FAIL report; an invalid one is a collection error naming file, line and field.
YAML files without a top-level `steps:` key are not scenarios and are left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine_sim.api import CommandResult, Deployment, Engine
from engine_sim.persistence import StoreURLError, parse_store_url
from engine_sim.scenarios.document import Scenario, ScenarioInputError, load_scenario
from engine_sim.scenarios.runner import ScenarioRun
from engine_sim.timeutil import parse_datetime

DEFAULT_START = "2026-01-01T00:00:00Z"
SCENARIO_SUFFIXES = (".yaml", ".yml")
LOOKS_LIKE_SCENARIO = re.compile(rb"^steps\s*:", re.MULTILINE)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("engine-sim")
    group.addoption("--engine-store", default="memory:", metavar="URL",
                    help="store of the engine fixture and of scenario tests: memory: "
                         "(default), sqlite:///path.db or postgresql://user@host:port/db "
                         "(emptied before each test; the engine fixture also takes "
                         "postgresql://...?partitions=N, scenario tests do not)")
    parser.addini("engine_sim_scenarios", type="linelist", default=["scenarios"],
                  help="folders (relative to the rootdir) whose YAML scenarios are tests "
                       "when pytest collects them (default: scenarios)")


def pytest_configure(config: pytest.Config) -> None:
    url = config.getoption("--engine-store")
    try:
        parse_store_url(url)
    except StoreURLError as error:
        raise pytest.UsageError(f"--engine-store: {error}") from None


# -- fixtures ---------------------------------------------------------------------------------
@pytest.fixture
def engine_start_time() -> datetime:
    """Where the simulated clock starts (fixed, so records are the same on every run)."""
    return parse_datetime(DEFAULT_START)


@pytest.fixture
def engine(request: pytest.FixtureRequest, engine_start_time: datetime) -> Iterator[Engine]:
    """A fresh engine for this test on the `--engine-store` store (emptied first)."""
    store = parse_store_url(request.config.getoption("--engine-store"))
    store.clear()
    opened = Engine(store, start_time=engine_start_time)
    try:
        yield opened
    finally:
        opened.close()


class Deployer:
    """`deploy("order.bpmn", ...)` or `deploy("<bpmn:definitions ...>")` (text or bytes):
    files are looked up relative to the test file's folder. A rejected deployment raises
    `CommandRejected`."""

    def __init__(self, engine: Engine, folder: Path) -> None:
        self.engine = engine
        self.folder = folder

    def __call__(self, *resources: str | bytes | Path, name: str = "process.bpmn") -> Deployment:
        results: list[Deployment] = []
        for resource in resources:
            if isinstance(resource, bytes) or (
                    isinstance(resource, str) and resource.lstrip().startswith("<")):
                results.append(self.engine.deploy_xml(resource, name))
            else:
                results.append(self.engine.deploy(self.folder / resource))
        if not results:
            raise TypeError("deploy() needs at least one file or XML text")
        return Deployment([r for d in results for r in d.records], results[-1].rejection,
                          [p for d in results for p in d.processes])


@pytest.fixture
def deploy(engine: Engine, request: pytest.FixtureRequest) -> Deployer:
    return Deployer(engine, Path(request.path).parent)


class Clock:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @property
    def now(self) -> datetime:
        return self.engine.now

    def advance(self, duration: Any) -> list[CommandResult]:
        """Move the clock by an ISO-8601 duration or a timedelta; due timers fire."""
        return self.engine.advance_clock(duration)


@pytest.fixture
def clock(engine: Engine) -> Clock:
    return Clock(engine)


# -- scenario files as tests ----------------------------------------------------------------
def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> ScenarioFile | None:
    if file_path.suffix not in SCENARIO_SUFFIXES:
        return None
    config = parent.config
    if _named_on_command_line(config, file_path) or (
            _below_scenario_folders(config, file_path) and _looks_like_scenario(file_path)):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def _named_on_command_line(config: pytest.Config, path: Path) -> bool:
    base = config.invocation_params.dir
    for arg in config.args:
        candidate = Path(arg.split("::")[0])
        if (base / candidate).resolve() == path.resolve():
            return True
    return False


def _below_scenario_folders(config: pytest.Config, path: Path) -> bool:
    folders = [(config.rootpath / f).resolve() for f in config.getini("engine_sim_scenarios")]
    resolved = path.resolve()
    return any(resolved.is_relative_to(folder) for folder in folders)


def _looks_like_scenario(path: Path) -> bool:
    try:
        return LOOKS_LIKE_SCENARIO.search(path.read_bytes()) is not None
    except OSError:
        return False


class ScenarioInvalid(Exception):
    """An invalid scenario file: the message names the file, the line and the field."""


class ScenarioFailed(Exception):
    def __init__(self, name: str, report: str) -> None:
        super().__init__(f"FAIL {name}\n{report}")


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[ScenarioItem]:
        display = _display(self.config, self.path)
        try:
            scenario = load_scenario(self.path, display)
        except ScenarioInputError as error:
            raise ScenarioInvalid(f"INVALID {display}\n{error}") from None
        yield ScenarioItem.from_parent(self, name=scenario.name.replace("::", ":"),
                                       scenario=scenario)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioInvalid):
            return str(excinfo.value)
        return super().repr_failure(excinfo)


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Scenario, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        store = parse_store_url(self.config.getoption("--engine-store"))
        run = ScenarioRun(self.scenario, store)
        try:
            result = run.run()
        finally:
            run.close()
        if not result.passed:
            raise ScenarioFailed(result.name, result.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> Any:
        if isinstance(excinfo.value, ScenarioFailed | StoreURLError):  # one line, no traceback
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"scenario: {self.scenario.name}"


def _display(config: pytest.Config, path: Path) -> str:
    """The path as the user would type it: relative to where pytest was started if below."""
    try:
        return str(path.resolve().relative_to(config.invocation_params.dir.resolve()))
    except ValueError:
        return str(path)

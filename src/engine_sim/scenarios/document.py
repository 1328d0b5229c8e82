"""Load a scenario file into a validated, immutable `Scenario`, or say exactly what is wrong.

The runner must refuse invalid input before it runs any step (docs/scenarios.md), so
everything is checked here: YAML syntax and repeated keys (`yaml_lines`), each step against its
model (`doc_steps`), labels across steps (`doc_labels`) and the BPMN files (`doc_deploy`).
All steps are checked and the problem that comes first in the document is raised as one
`ScenarioInputError`, so fixing problems top to bottom never meets a surprise above.
"""

from __future__ import annotations

import difflib

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, ValidationError

from engine_sim.scenarios.doc_deploy import DeployResolver
from engine_sim.scenarios.doc_errors import (
    Problem,
    ScenarioInputError,
    problem_at,
    pydantic_problems,
)
from engine_sim.scenarios.doc_fields import Labels, Reject, StrictModel, TimestampField
from engine_sim.scenarios.doc_labels import as_problem, label_problems
from engine_sim.scenarios.doc_steps import EXPECTATION_KINDS, STEP_MODELS, Deploy, StepCommand
from engine_sim.scenarios.yaml_lines import (
    LinedYaml,
    PathItem,
    YamlLocatedError,
    format_path,
    load_yaml,
    quote,
    render_value,
)

__all__ = [
    "DEFAULT_START_TIME",
    "MAX_FILE_BYTES",
    "Scenario",
    "ScenarioInputError",
    "Step",
    "load_scenario",
]

MAX_FILE_BYTES = 5 * 1024 * 1024
DEFAULT_START_TIME = datetime(2026, 1, 1, tzinfo=UTC)
_OPTION_KEYS = ("as", "reject")
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class Step:
    """One step: `index` is its 0-based place in `steps`, `line` the YAML line it starts on
    (what a FAIL report points at), `labels` what its `as` names."""

    index: int
    line: int
    kind: str
    command: StepCommand
    labels: tuple[str, ...] = ()
    reject: Reject | None = None


@dataclass(frozen=True, slots=True)
class Scenario:
    """A whole validated scenario; `display_name` is how messages name the file."""

    name: str
    description: str | None
    start_time: datetime
    steps: tuple[Step, ...]
    path: Path
    display_name: str


class _Header(StrictModel):
    name: Annotated[str, Field(min_length=1)]
    description: str | None = None
    start_time: TimestampField = DEFAULT_START_TIME
    steps: list[Any]  # each item is validated on its own, see `_Loader._step`


class _StepOptions(StrictModel):
    labels: Labels = Field((), alias="as")
    reject: Reject | None = None


def load_scenario(path: Path, display_name: str | None = None) -> Scenario:
    """Read, validate and resolve a scenario file; raise `ScenarioInputError` if it is invalid.

    `display_name` (default: the path as given) is the FILE of every message."""
    path = Path(path)
    file = display_name if display_name is not None else str(path)
    try:
        doc = load_yaml(_read(path, file))
    except YamlLocatedError as err:
        raise ScenarioInputError(file, err.line, err.field, err.reason) from None
    return _Loader(doc, path, file).load()


def _read(path: Path, file: str) -> bytes:
    """The file's bytes; refuses a file over `MAX_FILE_BYTES` before reading it."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            reason = f"the file has {size} bytes, more than the limit of 5 MiB"
            raise ScenarioInputError(file, None, "document", reason)
        with path.open("rb") as stream:
            return stream.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        reason = f"cannot read the file: {err.strerror or err}"
        raise ScenarioInputError(file, None, "document", reason) from None


class _Loader:
    """One validation pass over a composed document, collecting every problem."""

    def __init__(self, doc: LinedYaml, path: Path, file: str) -> None:
        self.doc = doc
        self.path = path
        self.file = file
        self.problems = [
            Problem(issue.line, issue.column, format_path(issue.path), issue.reason)
            for issue in doc.issues
        ]

    def load(self) -> Scenario:
        value = self.doc.value
        if not isinstance(value, dict):
            line = self.doc.root.start_mark.line + 1
            reason = f"expected a mapping, got {render_value(value)}"
            raise ScenarioInputError(self.file, line, "document", reason)
        header = self._validate(_Header, value, ())
        raw_steps = value.get("steps")
        steps = list(enumerate(raw_steps)) if isinstance(raw_steps, list) else []
        valid = [step for step in (self._step(i, raw) for i, raw in steps) if step is not None]
        for loc, reason in label_problems(valid):
            self.problems.append(problem_at(self.doc, loc, reason))
        self._resolve_deploys(valid)
        if self.problems:
            raise min(self.problems, key=lambda problem: problem.order).error(self.file)
        assert header is not None  # a header that failed validation left problems
        return Scenario(
            name=header.name,
            description=header.description,
            start_time=header.start_time,
            steps=tuple(valid),
            path=self.path,
            display_name=self.file,
        )

    def _step(self, index: int, raw: Any) -> Step | None:
        """Validate one step: its command key, its command model and its options."""
        loc: tuple[PathItem, ...] = ("steps", index)
        if not isinstance(raw, dict):
            self._problem(loc, f"expected a mapping with one step, got {render_value(raw)}")
            return None
        kind = self._kind(loc, raw)
        if kind is None:
            return None
        body = raw[kind]
        if body is None:  # `- run_operations:` with nothing after it: a step of defaults
            body = {}
        command = self._validate(STEP_MODELS[kind], body, (*loc, kind))
        options = self._validate(_StepOptions, _options(raw), loc)
        if kind in EXPECTATION_KINDS and "reject" in raw:
            self._problem((*loc, "reject"), f"not allowed on expectation step '{kind}'", key=True)
            return None
        if command is None or options is None or _unknown_keys(raw):
            return None
        wrong_as = as_problem(kind, command, options.labels)
        if wrong_as is not None:
            self._problem((*loc, "as", *wrong_as[0]), wrong_as[1])
            return None
        line = self.doc.locate(loc).line
        return Step(index, line, kind, command, options.labels, options.reject)

    def _kind(self, loc: tuple[PathItem, ...], raw: dict[str, Any]) -> str | None:
        """The step's one command key; reports a missing, unknown or second one."""
        kinds = [key for key in raw if key in STEP_MODELS]
        others = _unknown_keys(raw)
        if not kinds:
            if others:
                self._problem((*loc, others[0]), f"unknown step {quote(others[0])}"
                              f"{closest_step(others[0])}", key=True)
            else:
                self._problem(loc, "expected a step command, got none")
            return None
        if len(kinds) > 1:
            reason = f"expected one step command, got '{kinds[0]}' and '{kinds[1]}'"
            self._problem((*loc, kinds[1]), reason, key=True)
            return None
        for key in others:
            self._problem((*loc, key), f"unknown field {quote(key)}", key=True)
        return kinds[0]

    def _validate(self, model: type[M], data: Any, loc: tuple[PathItem, ...]) -> M | None:
        try:
            return model.model_validate(data)
        except ValidationError as err:
            self.problems.extend(pydantic_problems(self.doc, loc, err))
            return None

    def _resolve_deploys(self, steps: list[Step]) -> None:
        """Parse the BPMN files of the deploy steps, in order, up to the first problem found so
        far: a file after it could not change which problem is reported."""
        resolver = DeployResolver(self.path)
        first = min((problem.order for problem in self.problems), default=None)
        for step in steps:
            if not isinstance(step.command, Deploy):
                continue
            loc: tuple[PathItem, ...] = ("steps", step.index, "deploy", "file")
            where = self.doc.locate(loc)
            if first is not None and (where.line, where.column) > first:
                return
            failure = resolver.resolve(step.command)
            if failure is None:
                continue
            if failure.in_model:  # the parser's message names the BPMN file and its line
                field = format_path(("steps", step.index, "deploy"))
                self.problems.append(Problem(step.line, where.column, field, failure.reason))
            else:
                self._problem(loc, failure.reason)
            return

    def _problem(self, loc: tuple[PathItem, ...], reason: str, *, key: bool = False) -> None:
        self.problems.append(problem_at(self.doc, loc, reason, key=key))


def closest_step(name: Any) -> str:
    """`; did you mean 'complete_job'?` for a misspelt step name, else nothing."""
    if not isinstance(name, str):
        return ""
    found = difflib.get_close_matches(name, list(STEP_MODELS), n=1, cutoff=0.6)
    return f"; did you mean '{found[0]}'?" if found else ""


def _unknown_keys(step: dict[str, Any]) -> list[str]:
    return [key for key in step if key not in STEP_MODELS and key not in _OPTION_KEYS]


def _options(raw: dict[str, Any]) -> dict[str, Any]:
    return {key: raw[key] for key in _OPTION_KEYS if key in raw}

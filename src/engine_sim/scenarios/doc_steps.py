"""One frozen model per scenario step kind, and the registry kind -> model.

The models say exactly what docs/scenarios.md (its step tables) allows:
field names are the document's keys, defaults are the documented defaults. Cross-step rules
(labels, files on disk) are not here but in `doc_labels` and `doc_deploy`, because a model sees
one step only.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, PrivateAttr, model_validator

from engine_sim.scenarios.doc_fields import (
    Count,
    DurationField,
    Failure,
    Filter,
    InstanceRefField,
    InstanceState,
    Label,
    MappingPairs,
    NonNegative,
    Seq,
    StrictModel,
    Target,
    Variables,
    Version,
    scenario_error,
)
from engine_sim.scenarios.yaml_lines import render_value
from engine_sim.timeutil import Duration

if TYPE_CHECKING:
    from engine_sim.model import Definitions

__all__ = [
    "EXPECTATION_KINDS",
    "STEP_MODELS",
    "AdvanceClock",
    "BroadcastSignal",
    "Cancel",
    "CompleteJob",
    "CompleteUserTask",
    "Create",
    "Deploy",
    "Expect",
    "ExpectList",
    "ExpectOperation",
    "ExpectPreview",
    "ExpectRecords",
    "FailJob",
    "Migrate",
    "MigrateInstance",
    "PublishMessage",
    "ResolveIncident",
    "RevertOperation",
    "RunOperations",
    "SetVariables",
    "StepCommand",
    "ThrowError",
]

_ZERO = Duration()


class StepCommand(StrictModel):
    """Base of the step models; `kind` is the step's key in the document."""

    kind: ClassVar[str]
    is_expectation: ClassVar[bool] = False


class _Expectation(StepCommand):
    is_expectation: ClassVar[bool] = True


def _one_selection(model: Any) -> Any:
    """`migrate` and `expect_preview` select by `instances` or by `filter`, never both."""
    given = (model.instances is not None, model.filter is not None)
    if all(given):
        raise scenario_error("expected either 'instances' or 'filter', got both")
    if not any(given):
        raise scenario_error("expected either 'instances' or 'filter', got neither")
    return model


# --- command steps -----------------------------------------------------------------------------


class Deploy(StepCommand):
    """`deploy: PATH` or `deploy: {file: PATH}`; `file` is the path as written.

    The loader resolves the path and parses the BPMN file once, before any step runs (the
    contract: an invalid file is invalid input), and keeps the result here for the runner."""

    kind: ClassVar[str] = "deploy"
    file: str
    _resolved_path: Path | None = PrivateAttr(None)
    _definitions: Any = PrivateAttr(None)

    @model_validator(mode="before")
    @classmethod
    def _scalar_form(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"file": data}
        if not isinstance(data, dict):
            raise scenario_error(f"expected a path or a mapping, got {render_value(data)}")
        return data

    @property
    def resolved_path(self) -> Path:
        """The BPMN file: `file` relative to the scenario's folder, or absolute."""
        if self._resolved_path is None:
            raise RuntimeError("deploy step was not loaded by load_scenario")
        return self._resolved_path

    @property
    def definitions(self) -> Definitions:
        """The parsed BPMN file (`engine_sim.model.load_bpmn_file`)."""
        if self._definitions is None:
            raise RuntimeError("deploy step was not loaded by load_scenario")
        return self._definitions  # type: ignore[no-any-return]

    def attach(self, resolved_path: Path, definitions: Definitions) -> None:
        """Called by the loader only, before the step is handed out."""
        self._resolved_path = resolved_path
        self._definitions = definitions


class Create(StepCommand):
    kind: ClassVar[str] = "create"
    process: str
    version: Version | None = None
    variables: Variables = Field(default_factory=dict)
    count: Count = 1


class CompleteJob(StepCommand):
    kind: ClassVar[str] = "complete_job"
    instance: InstanceRefField
    element: str
    variables: Variables = Field(default_factory=dict)


class FailJob(StepCommand):
    kind: ClassVar[str] = "fail_job"
    instance: InstanceRefField
    element: str
    retries: NonNegative
    message: str | None = None


class ThrowError(StepCommand):
    kind: ClassVar[str] = "throw_error"
    instance: InstanceRefField
    element: str
    code: str
    message: str | None = None


class ResolveIncident(StepCommand):
    kind: ClassVar[str] = "resolve_incident"
    instance: InstanceRefField
    element: str
    retries: NonNegative = 1


class CompleteUserTask(StepCommand):
    kind: ClassVar[str] = "complete_user_task"
    instance: InstanceRefField
    element: str
    variables: Variables = Field(default_factory=dict)


class PublishMessage(StepCommand):
    kind: ClassVar[str] = "publish_message"
    name: str
    correlation_key: str
    variables: Variables = Field(default_factory=dict)
    ttl: DurationField = _ZERO

    @model_validator(mode="before")
    @classmethod
    def _numeric_correlation_key(cls, data: Any) -> Any:
        """Zeebe turns a numeric correlation key into its text (`order-42` and `42` alike)."""
        if isinstance(data, dict):
            key = data.get("correlation_key")
            if isinstance(key, int) and not isinstance(key, bool):
                return {**data, "correlation_key": str(key)}
        return data


class BroadcastSignal(StepCommand):
    kind: ClassVar[str] = "broadcast_signal"
    name: str
    variables: Variables = Field(default_factory=dict)


class AdvanceClock(StepCommand):
    """`advance_clock: PT10M`: the document gives the duration as the step's value."""

    kind: ClassVar[str] = "advance_clock"
    duration: DurationField

    @model_validator(mode="before")
    @classmethod
    def _scalar_form(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("duration"), Duration):
            return data  # built in Python: `AdvanceClock(duration=...)`
        if not isinstance(data, str):
            raise scenario_error(f"expected an ISO-8601 duration, got {render_value(data)}")
        return {"duration": data}


class SetVariables(StepCommand):
    kind: ClassVar[str] = "set_variables"
    instance: InstanceRefField
    variables: Variables
    element: str | None = None


class Cancel(StepCommand):
    kind: ClassVar[str] = "cancel"
    instance: InstanceRefField


class MigrateInstance(StepCommand):
    kind: ClassVar[str] = "migrate_instance"
    instance: InstanceRefField
    target: Target
    mapping: MappingPairs = ()
    auto_map: bool = False


class Migrate(StepCommand):
    """A batch migration over `instances` or `filter` (the Operate flow)."""

    kind: ClassVar[str] = "migrate"
    instances: Seq[InstanceRefField] | None = None
    filter: Filter | None = None
    target: Target
    mapping: MappingPairs = ()
    auto_map: bool = True
    run: bool = True

    _check_selection = model_validator(mode="after")(_one_selection)


class RevertOperation(StepCommand):
    kind: ClassVar[str] = "revert_operation"
    operation: Label
    run: bool = True


class RunOperations(StepCommand):
    kind: ClassVar[str] = "run_operations"
    operation: Label | None = None


# --- expectation steps -------------------------------------------------------------------------


class Expect(_Expectation):
    kind: ClassVar[str] = "expect"
    instance: InstanceRefField
    state: InstanceState | None = None
    process: str | None = None
    version: Version | None = None
    active_elements: Seq[str] | None = None  # a multiset: order and repeats are kept
    variables: Variables | None = None
    incidents: NonNegative | None = None
    jobs: dict[str, str] | None = None


class ExpectRecords(_Expectation):
    kind: ClassVar[str] = "expect_records"
    instance: InstanceRefField | None = None
    contains: Seq[dict[str, Any]] = ()
    not_contains: Seq[dict[str, Any]] = ()


class ExpectList(_Expectation):
    kind: ClassVar[str] = "expect_list"
    filter: Filter
    count: NonNegative
    instances: Seq[InstanceRefField] | None = None


class ExpectPreview(_Expectation):
    kind: ClassVar[str] = "expect_preview"
    instances: Seq[InstanceRefField] | None = None
    filter: Filter | None = None
    target: Target
    mapping: MappingPairs = ()
    auto_map: bool = True
    counts: dict[str, NonNegative] | None = None
    targets: dict[str, NonNegative] | None = None
    ignored: NonNegative | None = None
    failures: Seq[Failure] | None = None

    _check_selection = model_validator(mode="after")(_one_selection)


class ExpectOperation(_Expectation):
    kind: ClassVar[str] = "expect_operation"
    operation: Label
    type: str | None = None
    state: Literal["ACTIVE", "COMPLETED"] | None = None
    total: NonNegative | None = None
    completed: NonNegative | None = None
    failed: NonNegative | None = None
    ignored: NonNegative | None = None
    failures: Seq[Failure] | None = None


_ALL: tuple[type[StepCommand], ...] = (
    Deploy, Create, CompleteJob, FailJob, ThrowError, ResolveIncident, CompleteUserTask,
    PublishMessage, BroadcastSignal, AdvanceClock, SetVariables, Cancel, MigrateInstance,
    Migrate, RevertOperation, RunOperations,
    Expect, ExpectRecords, ExpectList, ExpectPreview, ExpectOperation,
)
# The registry the loader dispatches on (the order of the step tables in docs/scenarios.md).
STEP_MODELS: Mapping[str, type[StepCommand]] = {model.kind: model for model in _ALL}
EXPECTATION_KINDS = frozenset(kind for kind, model in STEP_MODELS.items() if model.is_expectation)

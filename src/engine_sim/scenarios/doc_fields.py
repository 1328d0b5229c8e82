"""Field types shared by the scenario step models (`doc_steps`).

Every model is strict (`count: "3"` and `version: true` are errors, as the contract asks for
"a field of the wrong type"), forbids unknown keys and is frozen. Validators here raise
`PydanticCustomError("scenario", ...)` with the final wording, so `doc_errors` can pass it on
verbatim; pydantic's own errors are translated there.

Lists are accepted where YAML gives lists but stored as tuples, so a validated step cannot be
changed by the runner that reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PlainSerializer,
    PlainValidator,
    Tag,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from engine_sim.scenarios.yaml_lines import render_value
from engine_sim.timeutil import Duration, parse_datetime, parse_duration

__all__ = [
    "Count",
    "DurationField",
    "Failure",
    "Filter",
    "InstanceRef",
    "InstanceRefField",
    "InstanceState",
    "Label",
    "Labels",
    "MappingPair",
    "MappingPairs",
    "NonNegative",
    "Reject",
    "RejectionType",
    "Seq",
    "StrictModel",
    "Target",
    "TimestampField",
    "Variables",
    "Version",
    "scenario_error",
]

InstanceState = Literal["ACTIVE", "INCIDENT", "COMPLETED", "CANCELED"]
RejectionType = Literal["NOT_FOUND", "INVALID_ARGUMENT", "INVALID_STATE"]
MAX_COUNT = 100_000  # instances one `create` step may start: a typo should not hang the runner


class StrictModel(BaseModel):
    """Base of every document model: strict types, no unknown keys, immutable."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def scenario_error(reason: str) -> PydanticCustomError:
    """An error whose text `doc_errors` reports as it is."""
    return PydanticCustomError("scenario", "{reason}", {"reason": reason})


def _list_to_tuple(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _one_or_many(value: Any) -> Any:
    """`x` or `[x, y]` -> a tuple; a non-list stays one item so its own type error shows."""
    return tuple(value) if isinstance(value, (list, tuple)) else (value,)


# --- scalars -------------------------------------------------------------------------------

Count = Annotated[int, Field(ge=1, le=MAX_COUNT)]
Version = Annotated[int, Field(ge=1)]
NonNegative = Annotated[int, Field(ge=0)]


def _check_label(value: str) -> str:
    if not value:
        raise scenario_error("expected a non-empty label, got ''")
    if "/" in value:
        raise scenario_error(f"expected a label without '/', got {render_value(value)}")
    return value


Label = Annotated[str, AfterValidator(_check_label)]
Labels = Annotated[tuple[Label, ...], BeforeValidator(_one_or_many)]


def _duration(value: Any) -> Duration:
    if isinstance(value, Duration):  # built in Python, not read from YAML
        return value
    if not isinstance(value, str):
        raise scenario_error(f"expected an ISO-8601 duration, got {render_value(value)}")
    try:
        return parse_duration(value)
    except ValueError as err:
        raise scenario_error(str(err)) from None


def _timestamp(value: Any) -> datetime:
    if isinstance(value, datetime) and value.utcoffset() is not None:  # built in Python
        return value
    if not isinstance(value, str):
        raise scenario_error(f"expected an ISO-8601 date-time, got {render_value(value)}")
    try:
        return parse_datetime(value)
    except ValueError as err:
        raise scenario_error(str(err)) from None


# The serializers give back the document's spelling, so `model_dump()` reads like the YAML.
DurationField = Annotated[Duration, PlainValidator(_duration), PlainSerializer(str),
                          WithJsonSchema({"type": "string", "pattern": "^P",
                                          "description": "an ISO-8601 duration, e.g. PT10M"})]
TimestampField = Annotated[datetime, PlainValidator(_timestamp),
                           WithJsonSchema({"type": "string", "format": "date-time"})]


@dataclass(frozen=True, slots=True)
class InstanceRef:
    """`LABEL` (an instance a `create` step labelled) or `LABEL/ELEMENT` (the latest child
    instance that call activity ELEMENT of that instance started)."""

    label: str
    element: str | None = None

    def __str__(self) -> str:
        return self.label if self.element is None else f"{self.label}/{self.element}"


def _instance_ref(value: Any) -> InstanceRef:
    if isinstance(value, InstanceRef):  # built in Python, not read from YAML
        return value
    if not isinstance(value, str):
        raise scenario_error(f"expected LABEL or LABEL/ELEMENT, got {render_value(value)}")
    parts = value.split("/")
    if len(parts) > 2 or not all(parts):
        raise scenario_error(f"expected LABEL or LABEL/ELEMENT, got {render_value(value)}")
    return InstanceRef(parts[0], parts[1] if len(parts) == 2 else None)


InstanceRefField = Annotated[
    InstanceRef, PlainValidator(_instance_ref), PlainSerializer(str),
    WithJsonSchema({"type": "string", "pattern": "^[^/]+(/[^/]+)?$",
                    "description": "LABEL or LABEL/ELEMENT (a call activity's child)"}),
]


T = TypeVar("T")
# A YAML list, stored as a tuple: `Seq[str]`.
Seq = Annotated[tuple[T, ...], BeforeValidator(_list_to_tuple)]


Variables = dict[str, Any]  # values are JSON-like already: `yaml_lines` builds nothing else


# --- mapping: {source: target} or [{source, target}] ----------------------------------------


class MappingPair(StrictModel):
    source: str
    target: str


def _mapping_shape(value: Any) -> str | None:
    if isinstance(value, dict):
        return "§mapping"
    if isinstance(value, (list, tuple)):
        return "§pairs"
    return None


def _pairs_input(value: Any) -> Any:
    """Accept the normalised form back (`(("a", "b"),)`, built in Python); YAML gives lists."""
    if isinstance(value, tuple):
        return tuple(
            {"source": item[0], "target": item[1]}
            if isinstance(item, tuple) and len(item) == 2 else item
            for item in value
        )
    return _list_to_tuple(value)


def _to_pairs(value: dict[str, str] | tuple[MappingPair, ...]) -> tuple[tuple[str, str], ...]:
    """One shape for both forms; the list form keeps a repeated source, which the migration
    command must see (and reject) rather than have the document silently drop."""
    if isinstance(value, dict):
        return tuple(value.items())
    return tuple((pair.source, pair.target) for pair in value)


_MappingForm = Annotated[dict[str, str], Tag("§mapping")]
_PairsForm = Annotated[tuple[MappingPair, ...], BeforeValidator(_pairs_input), Tag("§pairs")]
MappingPairs = Annotated[
    _MappingForm | _PairsForm,
    Discriminator(
        _mapping_shape,
        custom_error_type="expected",
        custom_error_message="a mapping or a list of source/target pairs",
    ),
    AfterValidator(_to_pairs),
    PlainSerializer(lambda pairs: [{"source": s, "target": t} for s, t in pairs]),
]


# --- small sub-documents ---------------------------------------------------------------------


class Target(StrictModel):
    """`target: {process, version?}`; no version means the latest one at the step."""

    process: str
    version: Version | None = None


class Filter(StrictModel):
    """The list view's filter: an absent field does not filter."""

    process: str | None = None
    version: Version | None = None
    state: Annotated[tuple[InstanceState, ...], BeforeValidator(_one_or_many)] | None = None
    element: str | None = None


class Failure(StrictModel):
    """One expected failing instance of a preview or operation; `message` is a substring."""

    instance: InstanceRefField
    message: str | None = None


class Reject(StrictModel):
    """The rejection a command step expects instead of success."""

    type: RejectionType
    message: str | None = None

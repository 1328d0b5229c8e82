"""Labels: what `as` defines, and that every reference names something an earlier step defined.

The runner resolves labels to keys while it runs; checking them here, over the whole document,
lets a typo in step 40 be reported before step 1 runs (the contract: a label used before a step
defines it is invalid input, the `LABEL` of `LABEL/ELEMENT` included).

A `create` step labels instances; `migrate` and `revert_operation` label an operation. A label
may be defined again later (the later definition wins), even as the other kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from engine_sim.scenarios.doc_fields import InstanceRef
from engine_sim.scenarios.doc_steps import StepCommand
from engine_sim.scenarios.yaml_lines import PathItem, quote

__all__ = ["LabelKind", "as_problem", "defined_kind", "label_problems"]

LabelKind = Literal["instance", "operation"]
Loc = tuple[PathItem, ...]
_OPERATION_STEPS = frozenset({"migrate", "revert_operation"})


class _LabelledStep(Protocol):
    """What the label check reads of a `document.Step` (read-only, as the step is frozen)."""

    @property
    def index(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def command(self) -> StepCommand: ...
    @property
    def labels(self) -> tuple[str, ...]: ...


def defined_kind(step_kind: str) -> LabelKind | None:
    """What the `as` of a step of this kind labels, if anything."""
    if step_kind == "create":
        return "instance"
    return "operation" if step_kind in _OPERATION_STEPS else None


def as_problem(kind: str, command: StepCommand, labels: tuple[str, ...]) -> tuple[Loc, str] | None:
    """What is wrong with a step's `as` (relative location, reason), or None."""
    if not labels:
        return None
    labelled = defined_kind(kind)
    if labelled is None:
        return (), f"step '{kind}' creates nothing to label"
    given = _labels(len(labels))
    if labelled == "operation" and len(labels) != 1:
        return (), f"'as' gives {given} but the step creates one operation"
    count = getattr(command, "count", 1)
    if labelled == "instance" and len(labels) != count:
        return (), f"'as' gives {given} but count is {count}"
    seen: set[str] = set()
    for position, label in enumerate(labels):
        if label in seen:
            return (position,), f"label {quote(label)} is given twice"
        seen.add(label)
    return None


def label_problems(steps: Iterable[_LabelledStep]) -> Iterator[tuple[Loc, str]]:
    """(location, reason) of every reference that names no label, or a label of the wrong kind,
    at the point of its step."""
    defined: dict[str, LabelKind] = {}
    for step in steps:
        prefix: Loc = ("steps", step.index, step.kind)
        for loc, label, wanted in _references(step.command, prefix):
            found = defined.get(label)
            if found is None:
                yield loc, f"label {quote(label)} is not defined by an earlier step"
            elif found != wanted:
                yield loc, f"label {quote(label)} names an {found}, not an {wanted}"
        labelled = defined_kind(step.kind)
        if labelled is not None:
            defined.update(dict.fromkeys(step.labels, labelled))


def _references(value: Any, loc: Loc) -> Iterator[tuple[Loc, str, LabelKind]]:
    """Every label reference inside a validated step, with its document location.

    Instance references are typed (`InstanceRef`), so any field holding one is found; an
    operation reference is the `operation` field of a step."""
    if isinstance(value, InstanceRef):
        yield loc, value.label, "instance"
    elif isinstance(value, tuple):
        for position, item in enumerate(value):
            yield from _references(item, (*loc, position))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            item = getattr(value, name)
            if name == "operation" and isinstance(value, StepCommand) and isinstance(item, str):
                yield (*loc, name), item, "operation"
            else:
                yield from _references(item, (*loc, name))


def _labels(count: int) -> str:
    return "1 label" if count == 1 else f"{count} labels"

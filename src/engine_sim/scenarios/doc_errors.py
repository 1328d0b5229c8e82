"""The invalid-input error of a scenario file, and the wording of every reason.

The contract (docs/scenarios.md) fixes the shape `FILE, line N: FIELD: what is wrong` and asks
that the offending value be quoted. Pydantic's own messages ("Input should be a valid
integer") name neither the value nor the document's words, so `pydantic_problems` rewrites each
error: the location becomes the document path and YAML line, the type becomes a reason such as
`expected an integer, got 'three'`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from engine_sim.scenarios.yaml_lines import LinedYaml, PathItem, format_path, quote, render_value

__all__ = ["Problem", "ScenarioInputError", "problem_at", "pydantic_problems"]

# pydantic error type -> what was expected, for "expected X, got VALUE".
_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "string_type": "a string",
    "bool_type": "true or false",
    "float_type": "a number",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "tuple_type": "a list",
}


class ScenarioInputError(Exception):
    """A scenario file the runner must not run: `engine-sim replay` exits 2 with `str(self)`.

    `line` is None only for problems of the file as a whole (unreadable, too large)."""

    def __init__(self, file: str, line: int | None, field: str, reason: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
        super().__init__(file, line, field, reason)

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.file}: {self.field}: {self.reason}"
        return f"{self.file}, line {self.line}: {self.field}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong, placed in the document; the loader reports the earliest one."""

    line: int
    column: int
    field: str
    reason: str
    # Where the problem sorts in the document; a missing field sorts at the end of the mapping
    # that lacks it, so that a misspelt key there is reported first (`unknown field 'cout'`
    # says more than `count: field required`).
    sorts_at: tuple[int, int] | None = None

    @property
    def order(self) -> tuple[int, int]:
        return self.sorts_at if self.sorts_at is not None else (self.line, self.column)

    def error(self, file: str) -> ScenarioInputError:
        return ScenarioInputError(file, self.line, self.field, self.reason)


def problem_at(
    doc: LinedYaml, loc: tuple[PathItem, ...], reason: str, *, key: bool = False
) -> Problem:
    """A problem at the node `loc` leads to (at its key with `key=True`)."""
    where = doc.locate(loc, key=key)
    return Problem(where.line, where.column, format_path(where.path), reason)


def pydantic_problems(
    doc: LinedYaml, prefix: tuple[PathItem, ...], error: ValidationError
) -> Iterator[Problem]:
    """The problems of one validation, `prefix` being where the validated value sits."""
    for item in error.errors(include_url=False):
        loc = prefix + tuple(item["loc"])
        if item["type"] == "missing":
            where = doc.locate(loc[:-1])
            field = format_path((*where.path, loc[-1]))
            yield Problem(where.line, where.column, field, "field required", where.end)
        elif item["type"] == "extra_forbidden":
            yield problem_at(doc, loc, f"unknown field {quote(str(loc[-1]))}", key=True)
        else:
            yield problem_at(doc, loc, _reason(item))


def _reason(item: Any) -> str:
    kind, value, ctx = item["type"], item.get("input"), item.get("ctx") or {}
    got = render_value(value)
    if kind == "scenario":
        return str(ctx["reason"])
    if kind == "expected":
        return f"expected {item['msg']}, got {got}"
    if kind in _EXPECTED:
        return f"expected {_EXPECTED[kind]}, got {got}"
    if kind == "greater_than_equal":
        return f"expected at least {ctx['ge']}, got {got}"
    if kind == "less_than_equal":
        return f"expected at most {ctx['le']}, got {got}"
    if kind == "literal_error":
        return f"expected {ctx['expected']}, got {got}"
    if kind == "string_too_short":
        return f"expected a non-empty string, got {got}"
    return f"{item['msg']}, got {got}"

"""Helpers for the model tests: find an element's line, parse, assert a refusal (the models
come from `bpmn_builders`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from bpmn_builders import process

from engine_sim.model import BpmnModelError, Definitions, parse_bpmn

DATA = Path(__file__).resolve().parents[2] / "data" / "bpmn"
SOURCE = "case.bpmn"


def line_of(data: bytes, element_id: str) -> int:
    """The 1-based line of the element whose id attribute is `element_id`."""
    needle = f'id="{element_id}"'.encode()
    for number, line in enumerate(data.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"no element {element_id!r} in the document")


def parse(data: bytes) -> Definitions:
    return parse_bpmn(data, SOURCE)


def refused(data: bytes, element_id: str | None, reason: str) -> BpmnModelError:
    """Assert that `data` is refused at `element_id`'s line with a reason containing `reason`."""
    with pytest.raises(BpmnModelError) as caught:
        parse_bpmn(data, SOURCE)
    error = caught.value
    message = str(error)
    assert error.source == SOURCE
    assert reason in error.reason, message
    if element_id is not None:
        line = line_of(data, element_id)
        assert (error.line, error.element_id) == (line, element_id), message
        assert message.startswith(f"{SOURCE}, line {line}: element '{element_id}': "), message
    return error


@dataclass(frozen=True)
class Case:
    """A refused document: `body` of process `p`, the element blamed and the reason's text."""

    body: str
    element_id: str | None
    reason: str
    extra: str = ""  # root elements after the process (messages, errors, ...)
    attrs: str = 'id="p" isExecutable="true"'

    def check(self) -> BpmnModelError:
        data = process(self.body, extra=self.extra, attrs=self.attrs)
        return refused(data, self.element_id, self.reason)

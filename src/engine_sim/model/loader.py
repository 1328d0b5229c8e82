"""Entry points: BPMN bytes or a file in, checked immutable `Definitions` out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine_sim.model import bpmnxml as bx
from engine_sim.model.builder import build_process
from engine_sim.model.checks import run_checks
from engine_sim.model.collect import collect
from engine_sim.model.elements import Process
from engine_sim.model.errors import BpmnModelError
from engine_sim.model.safe_xml import MAX_BPMN_BYTES, parse_xml


@dataclass(frozen=True)
class Definitions:
    """One deployable BPMN file: its name (for messages and resourceName) and its processes."""

    source: str
    processes: tuple[Process, ...]


def parse_bpmn(data: bytes, source: str) -> Definitions:
    """Parse, check and build every process of a BPMN file; `source` names it in messages.

    Raises BpmnModelError for anything that cannot be deployed (see the checks package).
    """
    root = parse_xml(data, source)
    if root.tag != bx.bpmn("definitions"):
        raise BpmnModelError(
            source,
            f"the root element is '{bx.local_name(root) or root.tag}', not bpmn:definitions "
            f"of namespace {bx.BPMN_NS}",
            line=bx.line_of(root),
        )
    doc = collect(root, source)
    run_checks(doc)
    return Definitions(source, tuple(build_process(doc, draft) for draft in doc.processes))


def load_bpmn_file(path: str | Path) -> Definitions:
    """Read and parse a BPMN file; the file name (as given) is the source in messages."""
    source = str(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BPMN_BYTES + 1)
    except FileNotFoundError:
        raise BpmnModelError(source, "file not found") from None
    except OSError as error:
        reason = error.strerror or str(error)
        raise BpmnModelError(source, f"cannot read the file: {reason}") from None
    return parse_bpmn(data, source)

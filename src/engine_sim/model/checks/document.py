"""Rules on the whole file, run before any process is looked at."""

from __future__ import annotations

from collections.abc import Callable

from engine_sim.model import bpmnxml as bx
from engine_sim.model.collect import DocumentDraft
from engine_sim.model.errors import BpmnModelError

DocRule = Callable[[DocumentDraft], "BpmnModelError | None"]


def anomalies(doc: DocumentDraft) -> BpmnModelError | None:
    """Duplicate ids and flow nodes without an id (Zeebe: ids must be present and unique)."""
    if not doc.anomalies:
        return None
    first = doc.anomalies[0]
    return BpmnModelError(doc.source, first.reason, line=first.line, element_id=first.element_id)


def has_process(doc: DocumentDraft) -> BpmnModelError | None:
    """Zeebe refuses a resource without an executable process."""
    if doc.processes:
        return None
    return BpmnModelError(doc.source, "the file contains no process", line=bx.line_of(doc.root))


def processes_have_ids(doc: DocumentDraft) -> BpmnModelError | None:
    for process in doc.processes:
        if not process.id:
            return BpmnModelError(doc.source, "a process has no id", line=bx.line_of(process.xml))
    return None


def all_executable(doc: DocumentDraft) -> BpmnModelError | None:
    """The scenario contract makes a non-executable process invalid input (Zeebe skips it)."""
    for process in doc.processes:
        if not bx.parse_bool(process.xml.get("isExecutable"), False):
            return BpmnModelError(
                doc.source,
                f"process '{process.id}' is not executable (isExecutable is not \"true\")",
                line=bx.line_of(process.xml),
                element_id=process.id,
            )
    return None


RULES: list[DocRule] = [has_process, processes_have_ids, all_executable, anomalies]

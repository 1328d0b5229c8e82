"""The validation of a collected BPMN document: ordered rules, the first failure is raised.

Order: whole-file rules, then per process (in document order) the support rules (what we can
run), the reference rules (dangling ids), the structure rules, the extension rules, the execution-listener rules and the
duplicate-trigger rules. Each rule runs over every element in document order, so the reported
problem is the first rule that fails, at the first element where it fails.
"""

from __future__ import annotations

from engine_sim.model.checks import (
    document,
    duplicates,
    extensions,
    listeners,
    refs,
    structure,
    support,
)
from engine_sim.model.checks.base import Ctx, Rule
from engine_sim.model.collect import DocumentDraft

PROCESS_RULES: list[Rule] = [
    *support.RULES,
    *refs.RULES,
    *structure.RULES,
    *extensions.RULES,
    *listeners.RULES,
    *duplicates.RULES,
]


def run_checks(doc: DocumentDraft) -> None:
    """Raise the first BpmnModelError the rules find in `doc`, or return when it is valid."""
    for doc_rule in document.RULES:
        error = doc_rule(doc)
        if error is not None:
            raise error
    for process in doc.processes:
        ctx = Ctx(doc=doc, process=process)
        for rule in PROCESS_RULES:
            error = rule(ctx)
            if error is not None:
                raise error


__all__ = ["PROCESS_RULES", "run_checks"]

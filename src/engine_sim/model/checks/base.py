"""What every check sees (`Ctx`) and the decorators that turn a per-element test into a rule.

A rule is a function `(ctx) -> BpmnModelError | None`. Most rules are written as a test of
one node or one flow that returns the reason it is wrong (or None); `each_node` and
`each_flow` apply such a test to every node / flow of the process in document order and
attach the element's id and line to the first failure.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from engine_sim.model import bpmnxml as bx
from engine_sim.model.collect import DocumentDraft, FlowDraft, NodeDraft, ProcessDraft
from engine_sim.model.elements import ElementType
from engine_sim.model.errors import BpmnModelError


@dataclass
class Ctx:
    """The document being checked and the process the current rule looks at."""

    doc: DocumentDraft
    process: ProcessDraft

    def error(self, reason: str, line: int | None, element_id: str | None) -> BpmnModelError:
        return BpmnModelError(self.doc.source, reason, line=line, element_id=element_id)

    def node(self, node_id: str | None) -> NodeDraft | None:
        return self.process.nodes.get(node_id) if node_id is not None else None

    def scope_of(self, node: NodeDraft) -> NodeDraft:
        """The process / subprocess draft that directly contains `node`."""
        return self.process.nodes[node.scope] if node.scope else node

    def referenced(self, node: NodeDraft, kind: str) -> etree._Element | None:
        """The bpmn:message / error / signal / escalation its definition (or task) refers to."""
        ref_attr, table = _REFERENCES[kind]
        holder = node.xml if kind == "message" and node.event_def is None else node.event_def
        if holder is None:
            return None
        ref = holder.get(ref_attr)
        return getattr(self.doc, table).get(ref) if ref else None

    def is_process_start(self, node: NodeDraft) -> bool:
        """A start event of the process itself (not of a subprocess or event subprocess)."""
        return node.type is ElementType.START_EVENT and node.scope == self.process.id


_REFERENCES = {
    "message": ("messageRef", "messages"),
    "error": ("errorRef", "errors"),
    "signal": ("signalRef", "signals"),
    "escalation": ("escalationRef", "escalations"),
}

Rule = Callable[[Ctx], "BpmnModelError | None"]
NodeTest = Callable[[Ctx, NodeDraft], "str | None"]
FlowTest = Callable[[Ctx, FlowDraft], "str | None"]


def each_node(test: NodeTest) -> Rule:
    """Apply `test` to every flow node of the process (not the process element itself)."""

    @functools.wraps(test)
    def rule(ctx: Ctx) -> BpmnModelError | None:
        for node in ctx.process.nodes.values():
            if node.type is ElementType.PROCESS:
                continue
            reason = test(ctx, node)
            if reason:
                return ctx.error(reason, node.line, node.id)
        return None

    return rule


def each_container(test: NodeTest) -> Rule:
    """Apply `test` to the process element and every (event) subprocess, in document order."""

    @functools.wraps(test)
    def rule(ctx: Ctx) -> BpmnModelError | None:
        for node in ctx.process.nodes.values():
            if node.type in (
                ElementType.PROCESS,
                ElementType.SUB_PROCESS,
                ElementType.EVENT_SUB_PROCESS,
            ):
                reason = test(ctx, node)
                if reason:
                    return ctx.error(reason, node.line, node.id)
        return None

    return rule


def each_flow(test: FlowTest) -> Rule:
    """Apply `test` to every sequence flow of the process."""

    @functools.wraps(test)
    def rule(ctx: Ctx) -> BpmnModelError | None:
        for flow in ctx.process.flows.values():
            reason = test(ctx, flow)
            if reason:
                return ctx.error(reason, flow.line, flow.id)
        return None

    return rule


def start_events_of(ctx: Ctx, container: NodeDraft) -> list[NodeDraft]:
    """The direct child start events of a process or subprocess."""
    found = (ctx.process.nodes[child_id] for child_id in container.children)
    return [node for node in found if node.type is ElementType.START_EVENT]


def static(text: str | None) -> bool:
    """A value that is not a FEEL expression (no leading `=`), so it can be checked now."""
    return text is not None and not text.lstrip().startswith("=")


def attr(el: etree._Element | None, name: str) -> str | None:
    """An attribute's value, None when absent or blank."""
    if el is None:
        return None
    value = el.get(name)
    return value if value is not None and value.strip() else None


__all__ = [
    "Ctx", "Rule", "attr", "bx", "each_container", "each_flow", "each_node",
    "start_events_of", "static",
]  # fmt: skip

"""First pass over a BPMN document: gather every process's flow nodes and flows as drafts.

Collecting never refuses anything: it records what it finds (unknown tags, missing ids,
dangling references as raw strings) so that the checks can report the first problem in a
fixed order, and the builder can then assume a valid model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine_sim.model import bpmnxml as bx
from engine_sim.model.elements import ElementType


@dataclass
class NodeDraft:
    """A flow node (or the process itself) as found in the XML."""

    id: str
    tag: str  # local name, e.g. "serviceTask"
    xml: etree._Element
    line: int
    scope: str | None  # id of the enclosing process / subprocess; None for the process
    type: ElementType | None  # None: a tag we do not run
    event_defs: list[etree._Element] = field(default_factory=list)
    incoming: list[str] = field(default_factory=list)  # flow ids, document order
    outgoing: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    boundary_events: list[str] = field(default_factory=list)

    @property
    def event_def(self) -> etree._Element | None:
        """The event definition when there is exactly one, else None."""
        return self.event_defs[0] if len(self.event_defs) == 1 else None

    @property
    def link_name(self) -> str | None:
        """The name of the node's link event definition (None for any other node)."""
        definition = self.event_def
        if definition is None or bx.local_name(definition) != "linkEventDefinition":
            return None
        return definition.get("name") or ""

    @property
    def event_tag(self) -> str | None:
        """Local name of the single event definition, "none" without one, None with several."""
        if not self.event_defs:
            return "none"
        definition = self.event_def
        return bx.local_name(definition) if definition is not None else None


@dataclass
class FlowDraft:
    id: str
    xml: etree._Element
    line: int
    scope: str
    source: str | None  # raw sourceRef / targetRef
    target: str | None


@dataclass
class ProcessDraft:
    id: str
    xml: etree._Element
    nodes: dict[str, NodeDraft] = field(default_factory=dict)  # document order, process first
    flows: dict[str, FlowDraft] = field(default_factory=dict)  # document order

    @property
    def root(self) -> NodeDraft:
        return self.nodes[self.id]


@dataclass
class Anomaly:
    """Something the collector could not place: reported by the first checks."""

    line: int
    element_id: str | None
    reason: str


@dataclass
class DocumentDraft:
    source: str
    root: etree._Element
    processes: list[ProcessDraft] = field(default_factory=list)
    messages: dict[str, etree._Element] = field(default_factory=dict)
    errors: dict[str, etree._Element] = field(default_factory=dict)
    signals: dict[str, etree._Element] = field(default_factory=dict)
    escalations: dict[str, etree._Element] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)  # document order


_ROOT_ELEMENTS = {"message": "messages", "error": "errors", "signal": "signals"}


def collect(root: etree._Element, source: str) -> DocumentDraft:
    """Gather the drafts of every process of a `bpmn:definitions` element."""
    doc = DocumentDraft(source=source, root=root)
    _check_ids(root, doc)
    for child in root:
        local = bx.local_name(child) if bx.is_bpmn(child) else ""
        child_id = child.get("id")
        if local in _ROOT_ELEMENTS and child_id:
            getattr(doc, _ROOT_ELEMENTS[local]).setdefault(child_id, child)
        elif local == "escalation" and child_id:
            doc.escalations.setdefault(child_id, child)
        elif local == "process":
            doc.processes.append(_collect_process(child, doc))
    return doc


def _check_ids(root: etree._Element, doc: DocumentDraft) -> None:
    """Record duplicate ids among BPMN elements (XML ids must be unique in a document)."""
    seen: dict[str, int] = {}
    for el in root.iter(bx.bpmn("*")):
        element_id = el.get("id")
        if element_id is None:
            continue
        if element_id in seen:
            reason = f"duplicate id '{element_id}' (first used at line {seen[element_id]})"
            doc.anomalies.append(Anomaly(bx.line_of(el), element_id, reason))
        else:
            seen[element_id] = bx.line_of(el)


def _collect_process(el: etree._Element, doc: DocumentDraft) -> ProcessDraft:
    process_id = el.get("id") or ""
    process = ProcessDraft(id=process_id, xml=el)
    process.nodes[process_id] = NodeDraft(
        id=process_id, tag="process", xml=el, line=bx.line_of(el), scope=None,
        type=ElementType.PROCESS,
    )  # fmt: skip
    _collect_scope(el, process.root, process, doc)
    _link_flows(process)
    _link_boundaries(process)
    return process


def _collect_scope(
    container: etree._Element, scope: NodeDraft, process: ProcessDraft, doc: DocumentDraft
) -> None:
    """Walk the BPMN children of a process or subprocess, recursing into subprocesses."""
    for child in container:
        if not bx.is_bpmn(child):
            continue  # other vendors' elements, DI, ...
        local = bx.local_name(child)
        if local == "sequenceFlow":
            _add_flow(child, scope, process, doc)
        elif local not in bx.IGNORED_CHILDREN:
            node = _add_node(child, scope, process, doc)
            if node is not None and node.type in (
                ElementType.SUB_PROCESS,
                ElementType.EVENT_SUB_PROCESS,
            ):
                _collect_scope(child, node, process, doc)


def _add_node(
    el: etree._Element, scope: NodeDraft, process: ProcessDraft, doc: DocumentDraft
) -> NodeDraft | None:
    node_id = el.get("id")
    local = bx.local_name(el)
    if not node_id:
        doc.anomalies.append(Anomaly(bx.line_of(el), None, f"a '{local}' element has no id"))
        return None
    if node_id in process.nodes:
        return None  # reported as a duplicate id
    node = NodeDraft(
        id=node_id, tag=local, xml=el, line=bx.line_of(el), scope=scope.id,
        type=bx.element_type(el), event_defs=bx.event_definitions(el),
    )  # fmt: skip
    process.nodes[node_id] = node
    scope.children.append(node_id)
    return node


def _add_flow(
    el: etree._Element, scope: NodeDraft, process: ProcessDraft, doc: DocumentDraft
) -> None:
    flow_id = el.get("id")
    if not flow_id:
        doc.anomalies.append(Anomaly(bx.line_of(el), None, "a 'sequenceFlow' element has no id"))
        return
    if flow_id in process.flows:
        return  # reported as a duplicate id
    process.flows[flow_id] = FlowDraft(
        id=flow_id, xml=el, line=bx.line_of(el), scope=scope.id,
        source=el.get("sourceRef"), target=el.get("targetRef"),
    )  # fmt: skip


def _link_flows(process: ProcessDraft) -> None:
    """Fill incoming/outgoing from the flows' sourceRef/targetRef (not bpmn:incoming)."""
    for flow in process.flows.values():
        if flow.source in process.nodes:
            process.nodes[flow.source].outgoing.append(flow.id)
        if flow.target in process.nodes:
            process.nodes[flow.target].incoming.append(flow.id)


def _link_boundaries(process: ProcessDraft) -> None:
    for node in process.nodes.values():
        if node.type is ElementType.BOUNDARY_EVENT:
            attached = node.xml.get("attachedToRef")
            if attached in process.nodes:
                process.nodes[attached].boundary_events.append(node.id)

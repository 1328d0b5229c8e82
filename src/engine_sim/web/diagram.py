"""A process's diagram, read from its deployed BPMN XML: the BPMNDI shapes, edges and labels
of the process's own elements, or, for a model without diagram interchange, a simple
automatic layout (layers along the sequence flows) with a notice saying so.

Pure functions of the XML: `svg.py` draws the result. The XML is parsed with the same
hardened settings as the engine's parser (no entities, no network, no DTD).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from lxml import etree

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"

EVENTS = ("startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent",
          "boundaryEvent")
GATEWAYS = ("exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
            "complexGateway")
CONTAINERS = ("subProcess", "transaction", "adHocSubProcess")
NOT_NODES = ("sequenceFlow", "laneSet", "lane", "extensionElements", "documentation",
             "textAnnotation", "association", "dataObject", "dataObjectReference",
             "dataStoreReference", "ioSpecification", "property", "multiInstanceLoopCharacteristics",
             "standardLoopCharacteristics", "incoming", "outgoing", "conditionExpression")
AUTO_NOTICE = ("This model has no diagram interchange (BPMNDI): the diagram below is an "
               "automatic layout of its top-level elements.")

Bounds = tuple[float, float, float, float]  # x, y, width, height


@dataclass(frozen=True)
class Node:
    """A flow node of the process as the XML states it (kind = the BPMN tag's local name)."""

    id: str
    kind: str
    name: str
    parent: str  # the id of its flow scope: the process or a subprocess
    event: str = ""  # timer, message, error, signal, escalation, terminate, ...
    interrupting: bool = True
    multi_instance: str = ""  # "", "parallel" or "sequential"
    attached_to: str = ""
    event_subprocess: bool = False


@dataclass(frozen=True)
class Shape:
    node: Node
    bounds: Bounds
    label: Bounds | None = None
    expanded: bool = False


@dataclass(frozen=True)
class Edge:
    id: str
    name: str
    points: tuple[tuple[float, float], ...]
    label: Bounds | None = None


@dataclass
class Diagram:
    process_id: str
    shapes: list[Shape] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    notice: str = ""

    @property
    def viewbox(self) -> Bounds:
        """The area that holds every shape, edge and label, with a margin."""
        xs: list[float] = []
        ys: list[float] = []
        for shape in self.shapes:
            for x, y, w, h in filter(None, (shape.bounds, shape.label)):
                xs += [x, x + w]
                ys += [y, y + h + (22 if shape.label is None else 0)]
        for edge in self.edges:
            xs += [p[0] for p in edge.points]
            ys += [p[1] for p in edge.points]
        if not xs:
            return (0, 0, 200, 100)
        margin = 20
        return (min(xs) - margin, min(ys) - margin, max(xs) - min(xs) + 2 * margin,
                max(ys) - min(ys) + 2 * margin)


def _parse(xml: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    return etree.fromstring(xml, parser)


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _nodes(process: etree._Element) -> tuple[dict[str, Node], dict[str, tuple[str, str, str]]]:
    """Every flow node below `process` and every sequence flow (id -> name, source, target)."""
    nodes: dict[str, Node] = {}
    flows: dict[str, tuple[str, str, str]] = {}

    def walk(scope: etree._Element, scope_id: str) -> None:
        for child in scope:
            if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN_NS:
                continue
            kind, node_id = _local(child), child.get("id", "")
            if kind == "sequenceFlow":
                flows[node_id] = (child.get("name") or "", child.get("sourceRef", ""),
                                  child.get("targetRef", ""))
                continue
            if kind in NOT_NODES or not node_id:
                continue
            nodes[node_id] = _node(child, kind, node_id, scope_id)
            if kind in CONTAINERS:
                walk(child, node_id)

    walk(process, process.get("id", ""))
    return nodes, flows


def _node(el: etree._Element, kind: str, node_id: str, scope_id: str) -> Node:
    event = ""
    multi = ""
    for child in el:
        local = _local(child)
        if local.endswith("EventDefinition"):
            event = local[: -len("EventDefinition")]
        elif local == "multiInstanceLoopCharacteristics":
            multi = "sequential" if child.get("isSequential") == "true" else "parallel"
    interrupting = (el.get("cancelActivity", "true") != "false"
                    and el.get("isInterrupting", "true") != "false")
    return Node(id=node_id, kind=kind, name=el.get("name") or "", parent=scope_id, event=event,
                interrupting=interrupting, multi_instance=multi,
                attached_to=el.get("attachedToRef", ""),
                event_subprocess=el.get("triggeredByEvent") == "true")


def _bounds(el: etree._Element | None) -> Bounds | None:
    if el is None:
        return None
    try:
        return (float(el.get("x", "0")), float(el.get("y", "0")), float(el.get("width", "0")),
                float(el.get("height", "0")))
    except ValueError:
        return None


def _label(el: etree._Element) -> Bounds | None:
    label = el.find(f"{{{BPMNDI_NS}}}BPMNLabel")
    return _bounds(label.find(f"{{{DC_NS}}}Bounds")) if label is not None else None


def build_diagram(xml: bytes, process_id: str) -> Diagram:
    """The diagram of process `process_id` in the deployed resource `xml`."""
    root = _parse(xml)
    process = next((p for p in root.iter(f"{{{BPMN_NS}}}process") if p.get("id") == process_id), None)
    if process is None:
        return Diagram(process_id, notice=f"The resource holds no process '{process_id}'.")
    nodes, flows = _nodes(process)
    diagram = Diagram(process_id)
    for shape in root.iter(f"{{{BPMNDI_NS}}}BPMNShape"):
        node = nodes.get(shape.get("bpmnElement", ""))
        bounds = _bounds(shape.find(f"{{{DC_NS}}}Bounds"))
        if node is not None and bounds is not None:
            diagram.shapes.append(Shape(node, bounds, _label(shape),
                                        expanded=shape.get("isExpanded") == "true"))
    for edge in root.iter(f"{{{BPMNDI_NS}}}BPMNEdge"):
        flow = flows.get(edge.get("bpmnElement", ""))
        points = tuple((float(p.get("x", "0")), float(p.get("y", "0")))
                       for p in edge.iter(f"{{{DI_NS}}}waypoint"))
        if flow is not None and len(points) >= 2:
            diagram.edges.append(Edge(edge.get("bpmnElement", ""), flow[0], points, _label(edge)))
    if not diagram.shapes:
        return auto_layout(process_id, nodes, flows)
    # containers first, so that what they hold is drawn over them
    diagram.shapes.sort(key=lambda s: (s.node.kind not in CONTAINERS, s.node.attached_to != ""))
    return diagram


# -- automatic layout -----------------------------------------------------------------------
TASK_SIZE = (100.0, 80.0)
EVENT_SIZE = (36.0, 36.0)
GATEWAY_SIZE = (50.0, 50.0)
COLUMN, ROW = 160.0, 120.0


def _size(node: Node) -> tuple[float, float]:
    if node.kind in EVENTS:
        return EVENT_SIZE
    if node.kind in GATEWAYS:
        return GATEWAY_SIZE
    return TASK_SIZE


def auto_layout(process_id: str, nodes: dict[str, Node],
                flows: dict[str, tuple[str, str, str]]) -> Diagram:
    """Top-level nodes in columns by their longest path from a node without incoming flows
    (back edges ignored), boundary events on their activity, straight edges between."""
    top = {i: n for i, n in nodes.items() if n.parent == process_id and not n.attached_to}
    outgoing: dict[str, list[str]] = defaultdict(list)
    incoming: dict[str, int] = defaultdict(int)
    for _, source, target in flows.values():
        if source in top and target in top:
            outgoing[source].append(target)
            incoming[target] += 1
    column: dict[str, int] = {}
    starts = [i for i in top if not incoming[i]] or list(top)[:1]
    for start in starts:
        _assign_columns(start, 0, outgoing, column, set())
    for node_id in top:
        column.setdefault(node_id, 0)
    rows: dict[int, int] = defaultdict(int)
    diagram = Diagram(process_id, notice=AUTO_NOTICE)
    centers: dict[str, tuple[float, float]] = {}
    boxes: dict[str, Bounds] = {}
    for node_id, node in top.items():
        col = column[node_id]
        width, height = _size(node)
        cx, cy = 80 + col * COLUMN, 80 + rows[col] * ROW
        rows[col] += 1
        boxes[node_id] = (cx - width / 2, cy - height / 2, width, height)
        centers[node_id] = (cx, cy)
        diagram.shapes.append(Shape(node, boxes[node_id]))
    for node in nodes.values():
        host = boxes.get(node.attached_to)
        if host is not None:
            x, y, w, h = host
            box = (x + w - 30, y + h - 18, *EVENT_SIZE)
            diagram.shapes.append(Shape(node, box))
            boxes[node.id] = box
            centers[node.id] = (box[0] + 18, box[1] + 18)
    for flow_id, (name, source, target) in flows.items():
        if source in boxes and target in boxes:
            diagram.edges.append(Edge(flow_id, name, _straight(boxes[source], boxes[target])))
    return diagram


def _assign_columns(node: str, col: int, outgoing: dict[str, list[str]], column: dict[str, int],
                    path: set[str]) -> None:
    if node in path or column.get(node, -1) >= col:
        return
    column[node] = col
    path.add(node)
    for target in outgoing[node]:
        _assign_columns(target, col + 1, outgoing, column, path)
    path.discard(node)


def _straight(source: Bounds, target: Bounds) -> tuple[tuple[float, float], ...]:
    """From the right (or bottom) side of `source` to the left (or top) side of `target`."""
    sx, sy, sw, sh = source
    tx, ty, tw, th = target
    if tx >= sx + sw:
        return ((sx + sw, sy + sh / 2), (tx, ty + th / 2))
    if tx + tw <= sx:  # a back edge: around below
        bottom = max(sy + sh, ty + th) + 30
        return ((sx + sw / 2, sy + sh), (sx + sw / 2, bottom), (tx + tw / 2, bottom),
                (tx + tw / 2, ty + th))
    return ((sx + sw / 2, sy + sh), (tx + tw / 2, ty))

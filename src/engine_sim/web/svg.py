"""Draws a `Diagram` as inline SVG, Operate-style: events as circles, activities as rounded
rectangles, gateways as diamonds with their marker, sequence flows with arrowheads, labels,
and per-element badges (active tokens bottom left in green, incidents bottom right in red).

Every element is a `<g class="el" data-element="ID">` focusable from the keyboard, so the
page's script can select and highlight it; the markup is built with escaping throughout.
"""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup, escape

from engine_sim.web.diagram import CONTAINERS, EVENTS, GATEWAYS, Diagram, Edge, Shape

Counts = Mapping[str, tuple[int, int]]  # element id -> (active, incidents)


def render_svg(diagram: Diagram, dom_id: str, title: str, counts: Counts | None = None,
               classes: Mapping[str, str] | None = None, interactive: bool = False) -> Markup:
    x, y, w, h = diagram.viewbox
    svg_id = escape(dom_id)
    parts = [
        (f'<svg id="{svg_id}" class="diagram" viewBox="{x:g} {y:g} {w:g} {h:g}" width="{w:g}" '
         f'height="{h:g}" role="group" aria-label="{escape(title)}" '
         'xmlns="http://www.w3.org/2000/svg">'),
        f"<title>{escape(title)}</title>",
        (f'<defs><marker id="{svg_id}-arrow" viewBox="0 0 10 10" refX="10" refY="5" '
         'markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path '
         'd="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>'),
    ]
    classes = classes or {}
    for shape in diagram.shapes:
        if shape.node.kind in CONTAINERS:
            parts.append(_shape(shape, classes.get(shape.node.id, ""), interactive))
    for edge in diagram.edges:
        parts.append(_edge(edge, dom_id))
    for shape in diagram.shapes:
        if shape.node.kind not in CONTAINERS:
            parts.append(_shape(shape, classes.get(shape.node.id, ""), interactive))
    for shape in diagram.shapes:
        active, incidents = (counts or {}).get(shape.node.id, (0, 0))
        parts.append(_badges(shape, active, incidents))
    parts.append("</svg>")
    return Markup("".join(parts))


def _edge(edge: Edge, dom_id: str) -> str:
    points = " ".join(f"{px:g},{py:g}" for px, py in edge.points)
    out = [(f'<g class="flow" data-element="{escape(edge.id)}">'
            f'<polyline points="{points}" marker-end="url(#{escape(dom_id)}-arrow)"/>')]
    if edge.name:
        if edge.label is not None:
            lx, ly, lw, lh = edge.label
            tx, ty = lx + lw / 2, ly + lh / 2 + 4
        else:
            (ax, ay), (bx, by) = edge.points[0], edge.points[1]
            tx, ty = (ax + bx) / 2, (ay + by) / 2 - 6
        out.append(f'<text class="label" x="{tx:g}" y="{ty:g}">{escape(edge.name)}</text>')
    out.append("</g>")
    return "".join(out)


def _shape(shape: Shape, extra: str, interactive: bool) -> str:
    node = shape.node
    kind_class = ("event" if node.kind in EVENTS else "gateway" if node.kind in GATEWAYS
                  else "container" if node.kind in CONTAINERS else "activity")
    name = node.name or node.id
    attrs = (f'class="el {kind_class} {escape(node.kind)} {escape(extra)}" '
             f'data-element="{escape(node.id)}" data-kind="{escape(node.kind)}"')
    if interactive:
        attrs += f' tabindex="0" role="button" aria-label="{escape(name)} ({escape(node.kind)})"'
    out = [f"<g {attrs}><title>{escape(name)} · {escape(node.id)}</title>"]
    if node.kind in EVENTS:
        out.append(_event(shape))
    elif node.kind in GATEWAYS:
        out.append(_gateway(shape))
    else:
        out.append(_activity(shape))
    out.append(_label(shape))
    out.append("</g>")
    return "".join(out)


def _event(shape: Shape) -> str:
    node = shape.node
    x, y, w, h = shape.bounds
    cx, cy, r = x + w / 2, y + h / 2, min(w, h) / 2
    dash = ' stroke-dasharray="4 3"' if not node.interrupting else ""
    out = [f'<circle class="body" cx="{cx:g}" cy="{cy:g}" r="{r:g}"{dash}/>']
    if node.kind == "endEvent":
        out[0] = f'<circle class="body end" cx="{cx:g}" cy="{cy:g}" r="{r:g}"/>'
    elif node.kind != "startEvent":
        out.append(f'<circle class="inner" cx="{cx:g}" cy="{cy:g}" r="{r - 3:g}"{dash}/>')
    out.append(_event_marker(node.event, cx, cy, r * 0.55, node.kind == "endEvent"
                             or node.kind == "intermediateThrowEvent"))
    return "".join(out)


def _event_marker(event: str, cx: float, cy: float, s: float, thrown: bool) -> str:
    fill = ' class="marker filled"' if thrown else ' class="marker"'
    if event == "timer":
        return (f'<circle class="marker" cx="{cx:g}" cy="{cy:g}" r="{s:g}"/>'
                f'<path class="marker" d="M{cx:g},{cy - s * 0.8:g} L{cx:g},{cy:g} '
                f'L{cx + s * 0.6:g},{cy:g}"/>')
    if event == "message":
        return (f'<rect{fill} x="{cx - s:g}" y="{cy - s * 0.65:g}" width="{2 * s:g}" '
                f'height="{1.3 * s:g}"/><path class="marker" d="M{cx - s:g},{cy - s * 0.65:g} '
                f'L{cx:g},{cy:g} L{cx + s:g},{cy - s * 0.65:g}"/>')
    if event == "signal":
        return (f'<path{fill} d="M{cx:g},{cy - s:g} L{cx + s:g},{cy + s * 0.75:g} '
                f'L{cx - s:g},{cy + s * 0.75:g} z"/>')
    if event == "error":
        return (f'<path{fill} d="M{cx - s:g},{cy + s:g} L{cx - s * 0.4:g},{cy - s:g} '
                f'L{cx + s * 0.2:g},{cy + s * 0.2:g} L{cx + s:g},{cy - s:g} '
                f'L{cx + s * 0.4:g},{cy + s:g} L{cx - s * 0.2:g},{cy - s * 0.2:g} z"/>')
    if event == "escalation":
        return (f'<path{fill} d="M{cx:g},{cy - s:g} L{cx + s * 0.7:g},{cy + s:g} L{cx:g},'
                f'{cy + s * 0.3:g} L{cx - s * 0.7:g},{cy + s:g} z"/>')
    if event == "terminate":
        return f'<circle class="marker filled" cx="{cx:g}" cy="{cy:g}" r="{s:g}"/>'
    return ""


def _gateway(shape: Shape) -> str:
    x, y, w, h = shape.bounds
    cx, cy = x + w / 2, y + h / 2
    out = [(f'<path class="body" d="M{cx:g},{y:g} L{x + w:g},{cy:g} L{cx:g},{y + h:g} '
            f'L{x:g},{cy:g} z"/>')]
    s = w * 0.22
    kind = shape.node.kind
    if kind == "exclusiveGateway":
        out.append(f'<path class="marker thick" d="M{cx - s:g},{cy - s:g} L{cx + s:g},{cy + s:g} '
                   f'M{cx + s:g},{cy - s:g} L{cx - s:g},{cy + s:g}"/>')
    elif kind == "parallelGateway":
        out.append(f'<path class="marker thick" d="M{cx:g},{cy - s * 1.2:g} L{cx:g},'
                   f'{cy + s * 1.2:g} M{cx - s * 1.2:g},{cy:g} L{cx + s * 1.2:g},{cy:g}"/>')
    elif kind == "inclusiveGateway":
        out.append(f'<circle class="marker thick" cx="{cx:g}" cy="{cy:g}" r="{s:g}"/>')
    elif kind == "eventBasedGateway":
        out.append(f'<circle class="marker" cx="{cx:g}" cy="{cy:g}" r="{s * 1.1:g}"/>'
                   f'<circle class="marker" cx="{cx:g}" cy="{cy:g}" r="{s * 0.85:g}"/>')
    return "".join(out)


def _activity(shape: Shape) -> str:
    node = shape.node
    x, y, w, h = shape.bounds
    klass = "body call" if node.kind == "callActivity" else "body"
    dash = ' stroke-dasharray="2 3"' if node.event_subprocess else ""
    out = [f'<rect class="{klass}" x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}" rx="10"{dash}/>']
    if node.multi_instance:
        bx, by = x + w / 2 - 7, y + h - 16
        if node.multi_instance == "parallel":
            bars = "".join(f"M{bx + i * 6:g},{by:g} L{bx + i * 6:g},{by + 12:g} " for i in range(3))
        else:
            bars = "".join(f"M{bx:g},{by + i * 5:g} L{bx + 12:g},{by + i * 5:g} " for i in range(3))
        out.append(f'<path class="marker thick" d="{bars.strip()}"/>')
    if node.kind == "callActivity" or (node.kind in CONTAINERS and not shape.expanded):
        cx, by = x + w / 2, y + h - 16
        out.append(f'<rect class="marker" x="{cx - 6:g}" y="{by:g}" width="12" height="12"/>'
                   f'<path class="marker" d="M{cx - 4:g},{by + 6:g} L{cx + 4:g},{by + 6:g} '
                   f'M{cx:g},{by + 2:g} L{cx:g},{by + 10:g}"/>')
    return "".join(out)


def _label(shape: Shape) -> str:
    node = shape.node
    text = node.name or ("" if node.kind in EVENTS or node.kind in GATEWAYS else node.id)
    if not text:
        return ""
    x, y, w, h = shape.bounds
    if node.kind in CONTAINERS and shape.expanded:
        return f'<text class="label left" x="{x + 8:g}" y="{y + 18:g}">{escape(text)}</text>'
    if node.kind in EVENTS or node.kind in GATEWAYS:
        if shape.label is not None:
            lx, ly, lw, _ = shape.label
            return _lines(text, lx + lw / 2, ly + 10, max(lw, 60))
        return _lines(text, x + w / 2, y + h + 14, 100)
    return _lines(text, x + w / 2, y + h / 2 - 6 * (len(_wrap(text, w)) - 1) + 4, w)


def _wrap(text: str, width: float) -> list[str]:
    per_line = max(6, int(width / 6.6))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


def _lines(text: str, cx: float, top: float, width: float) -> str:
    spans = "".join(
        f'<tspan x="{cx:g}" y="{top + i * 13:g}">{escape(line)}</tspan>'
        for i, line in enumerate(_wrap(text, width))
    )
    return f'<text class="label">{spans}</text>'


def _badges(shape: Shape, active: int, incidents: int) -> str:
    x, y, w, h = shape.bounds
    out = []
    if active:
        out.append(_badge(x - 6, y + h - 10, str(active), "badge active",
                          f"{active} active in {shape.node.id}"))
    if incidents:
        out.append(_badge(x + w - 20, y + h - 10, str(incidents), "badge incident",
                          f"{incidents} with an incident in {shape.node.id}"))
    return "".join(out)


def _badge(x: float, y: float, text: str, klass: str, title: str) -> str:
    width = 12 + 7 * len(text)
    return (f'<g class="{klass}" data-for="{escape(title)}"><title>{escape(title)}</title>'
            f'<rect x="{x:g}" y="{y:g}" width="{width:g}" height="18" rx="9"/>'
            f'<text x="{x + width / 2:g}" y="{y + 13:g}">{escape(text)}</text></g>')

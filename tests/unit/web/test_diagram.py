"""Diagrams from BPMN XML: the BPMNDI shapes, edges and labels of one process, the automatic
layout of a model without DI, and the SVG drawn from them (escaped, with token badges)."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from engine_sim.model import parse_bpmn
from engine_sim.web.diagram import AUTO_NOTICE, BPMNDI_NS, build_diagram
from engine_sim.web.svg import render_svg

MODELS = Path(__file__).resolve().parents[3] / "scenarios" / "operate" / "bpmn"
BPMN = 'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def without_di(xml: bytes) -> bytes:
    root = etree.fromstring(xml)
    for diagram in root.findall(f"{{{BPMNDI_NS}}}BPMNDiagram"):
        root.remove(diagram)
    return etree.tostring(root)


def test_the_order_models_draw_from_their_own_diagram_interchange() -> None:
    diagram = build_diagram((MODELS / "order-v2.bpmn").read_bytes(), "orderProcess")
    assert diagram.notice == ""
    shapes = {s.node.id: s for s in diagram.shapes}
    assert set(shapes) == {"orderReceived", "checkPayment", "paymentOk", "requestPayment",
                           "shipArticles", "notifyCustomer", "orderDone"}
    assert shapes["checkPayment"].bounds == (240, 80, 100, 80)
    assert shapes["checkPayment"].node.kind == "serviceTask"
    assert shapes["paymentOk"].label == (380, 70, 80, 14)
    edges = {e.id: e.points for e in diagram.edges}
    assert edges["retry"] == ((370, 250), (290, 250), (290, 160))
    assert len(edges) == 7


def test_adding_diagram_interchange_changes_no_process_checksum() -> None:
    for name in ("order-v1.bpmn", "order-v2.bpmn"):
        xml = (MODELS / name).read_bytes()
        with_di = parse_bpmn(xml, name).processes[0]
        plain = parse_bpmn(without_di(xml), name).processes[0]
        assert with_di.checksum == plain.checksum, name


def test_a_model_without_di_gets_an_automatic_layout_along_its_flows() -> None:
    diagram = build_diagram(without_di((MODELS / "order-v1.bpmn").read_bytes()), "orderProcess")
    assert diagram.notice == AUTO_NOTICE
    x = {s.node.id: s.bounds[0] + s.bounds[2] / 2 for s in diagram.shapes}
    assert x["orderReceived"] < x["checkPayment"] < x["paymentOk"] < x["shipArticles"] < x["orderDone"]
    assert x["requestPayment"] == x["shipArticles"]  # both after the gateway
    assert {e.id for e in diagram.edges} == {"toCheck", "toGateway", "notPaid", "retry", "paid",
                                             "toDone"}
    retry = next(e for e in diagram.edges if e.id == "retry")
    assert len(retry.points) == 4  # a back edge goes around below


def test_boundary_events_sit_on_their_activity_and_subprocess_content_is_kept() -> None:
    xml = f"""<bpmn:definitions {BPMN} id="d"><bpmn:process id="p">
      <bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>
      <bpmn:userTask id="t" name="Approve"/>
      <bpmn:boundaryEvent id="b" attachedToRef="t" cancelActivity="false">
        <bpmn:timerEventDefinition/></bpmn:boundaryEvent>
      <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="sub"/>
      <bpmn:subProcess id="sub"><bpmn:startEvent id="inner"/></bpmn:subProcess>
    </bpmn:process></bpmn:definitions>""".encode()
    diagram = build_diagram(xml, "p")
    shapes = {s.node.id: s for s in diagram.shapes}
    assert set(shapes) == {"s", "t", "b", "sub"}
    tx, ty, tw, th = shapes["t"].bounds
    bx, by, _, _ = shapes["b"].bounds
    assert tx <= bx <= tx + tw and ty <= by <= ty + th
    assert shapes["b"].node.event == "timer" and not shapes["b"].node.interrupting
    svg = render_svg(diagram, "d", "p")
    assert 'stroke-dasharray="4 3"' in svg  # a non-interrupting event is dashed


def test_only_the_shapes_of_the_process_asked_for() -> None:
    xml = (MODELS / "order-v1.bpmn").read_bytes()
    assert build_diagram(xml, "otherProcess").notice == (
        "The resource holds no process 'otherProcess'.")


def test_the_svg_escapes_names_and_shows_token_counts() -> None:
    xml = f"""<bpmn:definitions {BPMN} id="d"><bpmn:process id="p">
      <bpmn:serviceTask id="t" name="&lt;script&gt;alert(1)&lt;/script&gt;"/>
    </bpmn:process></bpmn:definitions>""".encode()
    svg = str(render_svg(build_diagram(xml, "p"), "x", 'a "title"', {"t": (2, 1)},
                         {"t": "selected"}, interactive=True))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'aria-label="a &#34;title&#34;"' in svg
    assert "<title>2 active in t</title>" in svg and "<title>1 with an incident in t</title>" in svg
    assert re.search(r'<g class="el activity serviceTask selected" data-element="t" '
                     r'data-kind="serviceTask" tabindex="0" role="button"', svg)

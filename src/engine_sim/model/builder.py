"""Second pass: turn checked drafts into the immutable `Process` model the engine runs.

The drafts have passed every check, so references resolve here; the only error still possible
is a FEEL syntax error, which `_Compiler` wraps with the element's id and line.
"""

from __future__ import annotations

import hashlib
from types import MappingProxyType
from typing import Any

from lxml import etree

from engine_sim.feel import Expression, FeelError, compile_expression
from engine_sim.model import bpmnxml as bx
from engine_sim.model.checks.extensions import needs_job
from engine_sim.model.checks.listeners import event_type_of, listeners_of
from engine_sim.model.collect import DocumentDraft, FlowDraft, NodeDraft, ProcessDraft
from engine_sim.model.elements import (
    USER_TASK_JOB_TYPE,
    CalledElement,
    Element,
    ElementType,
    EventType,
    ExecutionListener,
    IoMapping,
    LoopCharacteristics,
    MessageDefinition,
    Process,
    ScriptDefinition,
    SequenceFlow,
    TaskDefinition,
    TimerDefinition,
    VariableMapping,
)
from engine_sim.model.errors import BpmnModelError
from engine_sim.model.graph import reachability

_TIMER_KINDS = {"timeDuration": "duration", "timeDate": "date", "timeCycle": "cycle"}
_DEFAULT_RETRIES = "3"
_USER_TASK_RETRIES = "1"  # Zeebe's UserTaskTransformer gives job-based user tasks 1 retry


class _Compiler:
    """Compiles expression texts, blaming the element that holds them on a syntax error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __call__(self, text: str, node_id: str, line: int, what: str) -> Expression:
        try:
            return compile_expression(text)
        except FeelError as error:
            reason = f"invalid expression in {what}: {error}"
            raise BpmnModelError(self.source, reason, line=line, element_id=node_id) from None


def build_process(doc: DocumentDraft, draft: ProcessDraft) -> Process:
    """The Process of one checked process draft."""
    compile_ = _Compiler(doc.source)
    elements = {
        node_id: _element(_Fields(doc, draft, node, compile_))
        for node_id, node in draft.nodes.items()
    }
    flows = {flow_id: _flow(flow, compile_) for flow_id, flow in draft.flows.items()}
    reachable = reachability(elements, flows)
    return Process(
        id=draft.id,
        name=draft.xml.get("name"),
        elements=MappingProxyType(elements),
        flows=MappingProxyType(flows),
        checksum=hashlib.sha256(etree.tostring(draft.xml, method="c14n")).hexdigest(),
        resource_name=doc.source,
        reachable=reachable,  # computed lazily: see graph.Reachability
        version_tag=attr_of(bx.extension(draft.xml, "versionTag"), "value"),
    )


def attr_of(el: etree._Element | None, name: str) -> str | None:
    value = el.get(name) if el is not None else None
    return value or None


def _flow(flow: FlowDraft, compile_: _Compiler) -> SequenceFlow:
    condition_el = next(iter(bx.bpmn_children(flow.xml, "conditionExpression")), None)
    text = bx.text_of(condition_el)
    condition = compile_(text, flow.id, flow.line, "conditionExpression") if text else None
    return SequenceFlow(
        id=flow.id, source=flow.source or "", target=flow.target or "", line=flow.line,
        flow_scope=flow.scope, condition=condition, name=flow.xml.get("name"),
    )  # fmt: skip


def _element(compiled: _Fields) -> Element:
    node = compiled.node
    assert node.type is not None  # checked: every node has a type we run
    fields: dict[str, Any] = {
        "id": node.id,
        "type": node.type,
        "line": node.line,
        "name": node.xml.get("name"),
        "flow_scope": node.scope,
        "incoming": tuple(node.incoming),
        "outgoing": tuple(node.outgoing),
        "default_flow": node.xml.get("default") or None,
        "boundary_events": tuple(node.boundary_events),
        "children": tuple(node.children),
    }
    fields.update(compiled.task())
    fields.update(compiled.event())
    fields.update(compiled.listeners())
    return Element(**fields)


class _Fields:
    """The type-specific fields of one element, read from its XML."""

    def __init__(
        self, doc: DocumentDraft, process: ProcessDraft, node: NodeDraft, compile_: _Compiler
    ) -> None:
        self.doc = doc
        self.process = process
        self.node = node
        self.compile_ = compile_

    def expr(self, text: str, what: str) -> Expression:
        return self.compile_(text, self.node.id, self.node.line, what)

    # -- activities -------------------------------------------------------------------------

    def task(self) -> dict[str, Any]:
        xml = self.node.xml
        fields: dict[str, Any] = {
            "io": self.io_mapping(),
            "task_headers": self.headers(),
            "task_definition": self.task_definition(),
            "loop": self.loop(),
            "called_element": self.called(),
        }
        if self.node.type is ElementType.USER_TASK:
            fields["engine_user_task"] = bx.extension(xml, "userTask") is not None
            if not fields["engine_user_task"]:
                fields["task_definition"] = TaskDefinition(
                    self.expr(USER_TASK_JOB_TYPE, "the user task job type"),
                    self.expr(_USER_TASK_RETRIES, "the user task job retries"),
                )
        script = bx.extension(xml, "script")
        if self.node.type is ElementType.SCRIPT_TASK and script is not None:
            expression = self.expr(script.get("expression", ""), "zeebe:script expression")
            fields["script"] = ScriptDefinition(expression, script.get("resultVariable", ""))
        return fields

    def task_definition(self) -> TaskDefinition | None:
        definition = bx.extension(self.node.xml, "taskDefinition")
        if definition is None or not needs_job(self.node):
            return None  # e.g. a zeebe:taskDefinition on a plain task: Zeebe ignores it too
        job_type = self.expr(definition.get("type", ""), "zeebe:taskDefinition type")
        retries = (definition.get("retries") or "").strip() or _DEFAULT_RETRIES
        return TaskDefinition(job_type, self.expr(retries, "zeebe:taskDefinition retries"))

    def headers(self) -> tuple[tuple[str, str], ...]:
        found: list[tuple[str, str]] = []
        for holder in bx.extensions(self.node.xml, "taskHeaders"):
            for header in holder.findall(bx.zeebe("header")):
                if header.get("key"):
                    found.append((header.get("key", ""), header.get("value", "")))
        return tuple(found)

    def io_mapping(self) -> IoMapping:
        inputs: list[VariableMapping] = []
        outputs: list[VariableMapping] = []
        for holder in bx.extensions(self.node.xml, "ioMapping"):
            for child in holder:
                kind = bx.local_name(child) if isinstance(child.tag, str) else ""
                if kind in ("input", "output"):
                    source = child.get("source") or "=null"
                    mapping = VariableMapping(
                        self.expr(source, f"zeebe:{kind} source"), child.get("target", "")
                    )
                    (inputs if kind == "input" else outputs).append(mapping)
        return IoMapping(tuple(inputs), tuple(outputs))

    def loop(self) -> LoopCharacteristics | None:
        found = bx.bpmn_children(self.node.xml, "multiInstanceLoopCharacteristics")
        if not found:
            return None
        zeebe_loop = bx.extension(found[0], "loopCharacteristics")
        assert zeebe_loop is not None  # checked
        condition = bx.text_of(next(iter(bx.bpmn_children(found[0], "completionCondition")), None))
        output_element = zeebe_loop.get("outputElement") or None
        return LoopCharacteristics(
            sequential=bx.parse_bool(found[0].get("isSequential"), False),
            input_collection=self.expr(zeebe_loop.get("inputCollection", ""), "inputCollection"),
            input_element=zeebe_loop.get("inputElement") or None,
            output_collection=zeebe_loop.get("outputCollection") or None,
            output_element=self.expr(output_element, "outputElement") if output_element else None,
            completion_condition=(
                self.expr(condition, "completionCondition") if condition else None
            ),
        )

    def called(self) -> CalledElement | None:
        if self.node.type is not ElementType.CALL_ACTIVITY:
            return None
        called = bx.extension(self.node.xml, "calledElement")
        assert called is not None  # checked
        return CalledElement(
            process_id=self.expr(called.get("processId", ""), "zeebe:calledElement processId"),
            binding_type=called.get("bindingType", "latest"),
            version_tag=called.get("versionTag") or None,
            propagate_all_child_variables=bx.parse_bool(
                called.get("propagateAllChildVariables"), True
            ),
            propagate_all_parent_variables=bx.parse_bool(
                called.get("propagateAllParentVariables"), True
            ),
        )

    def listeners(self) -> dict[str, Any]:
        """`zeebe:executionListeners` (checked by `checks.listeners`), split by event type."""
        found: dict[str, list[ExecutionListener]] = {"start": [], "end": []}
        for listener in listeners_of(self.node):
            event_type = event_type_of(listener)
            retries = (listener.get("retries") or "").strip() or _DEFAULT_RETRIES
            found[event_type].append(ExecutionListener(
                event_type,
                self.expr(listener.get("type", ""), "zeebe:executionListener type"),
                self.expr(retries, "zeebe:executionListener retries"),
            ))
        return {"start_listeners": tuple(found["start"]), "end_listeners": tuple(found["end"])}

    # -- events -----------------------------------------------------------------------------

    def event(self) -> dict[str, Any]:
        node = self.node
        fields: dict[str, Any] = {"message": self.message()}
        if node.type in bx.EVENT_TYPES:
            tag = node.event_tag or "none"
            fields["event_type"] = (
                EventType.NONE if tag == "none" else bx.EVENT_DEFINITIONS[tag] or EventType.NONE
            )
            fields.update(self.event_details(fields["event_type"]))
        if node.type is ElementType.BOUNDARY_EVENT:
            fields["attached_to"] = node.xml.get("attachedToRef")
            fields["interrupting"] = bx.parse_bool(node.xml.get("cancelActivity"), True)
        elif node.type is ElementType.START_EVENT and self.in_event_subprocess():
            fields["interrupting"] = bx.parse_bool(node.xml.get("isInterrupting"), True)
        if node.type in (
            ElementType.PROCESS, ElementType.SUB_PROCESS, ElementType.EVENT_SUB_PROCESS
        ):  # fmt: skip
            fields.update(self.container())
        return fields

    def in_event_subprocess(self) -> bool:
        scope = self.process.nodes.get(self.node.scope or "")
        return scope is not None and scope.type is ElementType.EVENT_SUB_PROCESS

    def event_details(self, event_type: EventType) -> dict[str, Any]:
        definition = self.node.event_def
        if event_type is EventType.TIMER and definition is not None:
            for local, kind in _TIMER_KINDS.items():
                text = bx.text_of(next(iter(bx.bpmn_children(definition, local)), None))
                if text:
                    return {"timer": TimerDefinition(kind, self.expr(text, local))}
        if event_type is EventType.SIGNAL:
            signal = self.referenced("signalRef", self.doc.signals)
            name = signal.get("name", "") if signal is not None else ""
            return {"signal_name": self.expr(name, "the signal name")}
        if event_type is EventType.ERROR:
            error = self.referenced("errorRef", self.doc.errors)
            code = error.get("errorCode") if error is not None else None
            return {"error_code": code or None}
        if event_type is EventType.LINK and definition is not None:
            return self.link(definition.get("name") or "")
        if event_type is EventType.ESCALATION:
            escalation = self.referenced("escalationRef", self.doc.escalations)
            code = escalation.get("escalationCode") if escalation is not None else None
            return {"escalation_code": code or None}
        return {}

    def link(self, name: str) -> dict[str, Any]:
        """A link throw event names the catch event of the same link name in its scope
        (checked to exist and be unique: `checks.structure.link_pairs`)."""
        if self.node.type is not ElementType.INTERMEDIATE_THROW_EVENT:
            return {"link_name": name}
        target = next(n.id for n in self.process.nodes.values()
                      if n.type is ElementType.INTERMEDIATE_CATCH_EVENT
                      and n.scope == self.node.scope and n.link_name == name)
        return {"link_name": name, "link_target": target}

    def referenced(self, ref_attr: str, table: dict[str, etree._Element]) -> etree._Element | None:
        definition = self.node.event_def
        ref = definition.get(ref_attr) if definition is not None else None
        return table.get(ref) if ref else None

    def message(self) -> MessageDefinition | None:
        node = self.node
        holder = (
            node.xml
            if node.type in (ElementType.RECEIVE_TASK, ElementType.SEND_TASK)
            else (node.event_def)
        )
        ref = holder.get("messageRef") if holder is not None else None
        message = self.doc.messages.get(ref) if ref else None
        if message is None:
            return None
        subscription = bx.extension(message, "subscription")
        key = subscription.get("correlationKey") if subscription is not None else None
        return MessageDefinition(
            message_id=ref or "",
            name=self.expr(message.get("name", ""), f"the name of message '{ref}'"),
            correlation_key=self.expr(key, "zeebe:subscription correlationKey") if key else None,
        )

    def container(self) -> dict[str, Any]:
        children = [self.process.nodes[child_id] for child_id in self.node.children]
        return {
            "start_events": tuple(c.id for c in children if c.type is ElementType.START_EVENT),
            "event_subprocesses": tuple(
                c.id for c in children if c.type is ElementType.EVENT_SUB_PROCESS
            ),
        }

"""BPMN and Zeebe XML vocabulary: namespaces, tag tables and small lookups on lxml elements.

Both the checks and the builder read the XML through these helpers, so that what counts as
"the task definition of an element" or "its event definition" is decided in one place.
"""

from __future__ import annotations

from lxml import etree

from engine_sim.model.elements import ElementType, EventType

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"

# Flow nodes we run, by local name. `subProcess` becomes EVENT_SUB_PROCESS when
# triggeredByEvent="true" (see `element_type`).
FLOW_NODE_TYPES: dict[str, ElementType] = {
    "startEvent": ElementType.START_EVENT,
    "endEvent": ElementType.END_EVENT,
    "serviceTask": ElementType.SERVICE_TASK,
    "userTask": ElementType.USER_TASK,
    "receiveTask": ElementType.RECEIVE_TASK,
    "scriptTask": ElementType.SCRIPT_TASK,
    "sendTask": ElementType.SEND_TASK,
    "businessRuleTask": ElementType.BUSINESS_RULE_TASK,
    "manualTask": ElementType.MANUAL_TASK,
    "task": ElementType.TASK,
    "exclusiveGateway": ElementType.EXCLUSIVE_GATEWAY,
    "parallelGateway": ElementType.PARALLEL_GATEWAY,
    "inclusiveGateway": ElementType.INCLUSIVE_GATEWAY,
    "eventBasedGateway": ElementType.EVENT_BASED_GATEWAY,
    "subProcess": ElementType.SUB_PROCESS,
    "callActivity": ElementType.CALL_ACTIVITY,
    "boundaryEvent": ElementType.BOUNDARY_EVENT,
    "intermediateCatchEvent": ElementType.INTERMEDIATE_CATCH_EVENT,
    "intermediateThrowEvent": ElementType.INTERMEDIATE_THROW_EVENT,
}

# BPMN children of a process or subprocess that are not flow nodes and do not change how a
# process runs (artifacts, data, lanes, documentation): skipped without comment.
IGNORED_CHILDREN = frozenset(
    {
        "documentation", "extensionElements", "auditing", "monitoring", "property",
        "laneSet", "ioSpecification", "ioBinding", "dataObject", "dataObjectReference",
        "dataStoreReference", "textAnnotation", "association", "group", "category",
        "correlationSubscription", "performer", "humanPerformer", "potentialOwner",
        "resourceRole", "supports", "incoming", "outgoing", "dataInputAssociation",
        "dataOutputAssociation", "dataInput", "dataOutput", "inputSet", "outputSet",
        "multiInstanceLoopCharacteristics", "standardLoopCharacteristics", "rendering",
        "script", "text",
    }
)  # fmt: skip

ACTIVITY_TYPES = frozenset(
    {
        ElementType.SERVICE_TASK, ElementType.USER_TASK, ElementType.RECEIVE_TASK,
        ElementType.SCRIPT_TASK, ElementType.SEND_TASK, ElementType.BUSINESS_RULE_TASK,
        ElementType.MANUAL_TASK, ElementType.TASK, ElementType.SUB_PROCESS,
        ElementType.CALL_ACTIVITY,
    }
)  # fmt: skip
GATEWAY_TYPES = frozenset(
    {
        ElementType.EXCLUSIVE_GATEWAY, ElementType.PARALLEL_GATEWAY,
        ElementType.INCLUSIVE_GATEWAY, ElementType.EVENT_BASED_GATEWAY,
    }
)  # fmt: skip
EVENT_TYPES = frozenset(
    {
        ElementType.START_EVENT, ElementType.END_EVENT, ElementType.BOUNDARY_EVENT,
        ElementType.INTERMEDIATE_CATCH_EVENT, ElementType.INTERMEDIATE_THROW_EVENT,
    }
)  # fmt: skip

# Event definitions, by local name; the unsupported ones map to None.
EVENT_DEFINITIONS: dict[str, EventType | None] = {
    "messageEventDefinition": EventType.MESSAGE,
    "timerEventDefinition": EventType.TIMER,
    "signalEventDefinition": EventType.SIGNAL,
    "errorEventDefinition": EventType.ERROR,
    "escalationEventDefinition": EventType.ESCALATION,
    "terminateEventDefinition": EventType.TERMINATE,
    "linkEventDefinition": EventType.LINK,
    "compensateEventDefinition": None,
    "conditionalEventDefinition": None,
    "cancelEventDefinition": None,
}
UNSUPPORTED_EVENT_REASONS = {
    "compensateEventDefinition": "compensation events are not supported",
    "conditionalEventDefinition": "conditional events are not supported",
    "cancelEventDefinition": "cancel events are not supported",
    "eventDefinitionRef": "event definitions by reference (eventDefinitionRef) are not supported",
}


def bpmn(local: str) -> str:
    """The qualified (Clark) name of a BPMN element."""
    return f"{{{BPMN_NS}}}{local}"


def zeebe(local: str) -> str:
    """The qualified (Clark) name of a Zeebe extension element."""
    return f"{{{ZEEBE_NS}}}{local}"


def local_name(el: etree._Element) -> str:
    """The tag without its namespace (empty for anything that is not an element)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def is_bpmn(el: etree._Element) -> bool:
    return isinstance(el.tag, str) and el.tag.startswith(f"{{{BPMN_NS}}}")


def line_of(el: etree._Element) -> int:
    """lxml's line of the element (0 when lxml does not know it)."""
    line: int | None = el.sourceline  # type: ignore[assignment]  # lxml-stubs say `...`
    return line or 0


def element_type(el: etree._Element) -> ElementType | None:
    """The ElementType of a BPMN flow-node element, or None when we do not run that tag."""
    local = local_name(el)
    found = FLOW_NODE_TYPES.get(local)
    if found is ElementType.SUB_PROCESS and parse_bool(el.get("triggeredByEvent"), False):
        return ElementType.EVENT_SUB_PROCESS
    return found


def parse_bool(value: str | None, default: bool) -> bool:
    """An xsd:boolean attribute ("true"/"false"/"1"/"0"); anything else is the default."""
    if value is None:
        return default
    text = value.strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    return default


def bpmn_children(el: etree._Element, local: str) -> list[etree._Element]:
    return el.findall(bpmn(local))


def extensions(el: etree._Element, local: str) -> list[etree._Element]:
    """The `zeebe:<local>` elements inside the element's own `bpmn:extensionElements`."""
    found: list[etree._Element] = []
    for holder in el.findall(bpmn("extensionElements")):
        found.extend(holder.findall(zeebe(local)))
    return found


def extension(el: etree._Element, local: str) -> etree._Element | None:
    """The first `zeebe:<local>` extension element of `el`, or None."""
    found = extensions(el, local)
    return found[0] if found else None


def event_definitions(el: etree._Element) -> list[etree._Element]:
    """The event definition children of an event (known or not), in document order."""
    return [
        child
        for child in el
        if is_bpmn(child)
        and (
            local_name(child).endswith("EventDefinition")
            or local_name(child) == "eventDefinitionRef"
        )
    ]


def text_of(el: etree._Element | None) -> str | None:
    """The element's text content (None when absent or blank)."""
    if el is None:
        return None
    text = "".join(str(part) for part in el.itertext()).strip()
    return text or None

"""Rules on what an element needs to run: task definitions, messages, timers, call targets.

Most follow Zeebe's design-time validators (named in each docstring). Values that are FEEL
expressions (leading `=`) are only compiled, later, by the builder; constant values are
checked here.
"""

from __future__ import annotations

from engine_sim.model.checks.base import Ctx, Rule, attr, bx, each_container, each_node, static
from engine_sim.model.checks.support import article, event_kind, event_name
from engine_sim.model.collect import NodeDraft
from engine_sim.model.elements import ElementType
from engine_sim.model.iso8601 import TIMER_FORMS

_ALWAYS_JOB = (ElementType.SERVICE_TASK, ElementType.SEND_TASK, ElementType.BUSINESS_RULE_TASK)
_MESSAGE_CATCHES = ("process start", "event subprocess start", "intermediate catch", "boundary")
_BINDING_TYPES = ("latest", "deployment", "versionTag")


def needs_job(node: NodeDraft) -> bool:
    """Elements that only run as jobs: Zeebe's ServiceTask/SendTask/BusinessRuleTask/ScriptTask
    validators and MessageThrowEventValidator require exactly one zeebe:taskDefinition."""
    if node.type in _ALWAYS_JOB:
        return True
    if node.type is ElementType.SCRIPT_TASK:
        return bx.extension(node.xml, "script") is None
    return (
        node.type in (ElementType.INTERMEDIATE_THROW_EVENT, ElementType.END_EVENT)
        and event_name(node) == "message"
    )


@each_node
def task_definition_present(ctx: Ctx, node: NodeDraft) -> str | None:
    if not needs_job(node):
        return None
    definition = bx.extension(node.xml, "taskDefinition")
    if definition is None and node.type is ElementType.SCRIPT_TASK:
        return "a script task needs a zeebe:script or a zeebe:taskDefinition"
    if definition is None:
        kind = "message throw event" if node.type in bx.EVENT_TYPES else node.tag
        return f"{article(kind)} needs a zeebe:taskDefinition (it runs as a job)"
    if attr(definition, "type") is None:
        return "zeebe:taskDefinition has an empty type"
    return None


@each_node
def script_complete(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's ScriptTaskValidator (one of zeebe:script and zeebe:taskDefinition) and
    zeebe:script's non-empty expression and resultVariable."""
    script = bx.extension(node.xml, "script") if node.type is ElementType.SCRIPT_TASK else None
    if script is None:
        return None
    if bx.extension(node.xml, "taskDefinition") is not None:
        return "a script task has either a zeebe:script or a zeebe:taskDefinition, not both"
    for name in ("expression", "resultVariable"):
        if attr(script, name) is None:
            return f"zeebe:script has no {name}"
    return None


def _catches_message(ctx: Ctx, node: NodeDraft) -> bool:
    if node.type is ElementType.RECEIVE_TASK:
        return True
    return event_name(node) == "message" and event_kind(ctx, node) in _MESSAGE_CATCHES


@each_node
def message_referenced(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's MessageEventDefinitionValidator and ReceiveTaskValidator: "Must reference a
    message"."""
    if _catches_message(ctx, node) and ctx.referenced(node, "message") is None:
        return "a message catch must reference a message (messageRef)"
    return None


@each_node
def message_named(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's MessageValidator: "Name must be present and not empty"."""
    message = ctx.referenced(node, "message")
    if message is not None and attr(message, "name") is None:
        return f"message '{message.get('id')}' has no name"
    return None


@each_node
def message_correlation_key(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's MessageValidator: a message caught inside an instance (not by a process start
    event) needs one zeebe:subscription with a non-empty correlationKey."""
    if not _catches_message(ctx, node) or ctx.is_process_start(node):
        return None
    message = ctx.referenced(node, "message")
    if message is None:
        return None
    subscription = bx.extension(message, "subscription")
    if attr(subscription, "correlationKey") is None:
        return (
            f"message '{message.get('id')}' has no correlation key "
            "(zeebe:subscription correlationKey)"
        )
    return None


@each_node
def signal_named(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's SignalEventDefinitionValidator: "Must reference a signal", with a name."""
    if event_name(node) != "signal":
        return None
    signal = ctx.referenced(node, "signal")
    if signal is None:
        return "a signal event must reference a signal (signalRef)"
    if attr(signal, "name") is None:
        return f"signal '{signal.get('id')}' has no name"
    return None


def _is_throw(node: NodeDraft) -> bool:
    return node.type in (ElementType.END_EVENT, ElementType.INTERMEDIATE_THROW_EVENT)


@each_node
def error_code(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's ErrorEventDefinitionValidator: a throw names an error with a code; a catch's
    code cannot be an expression."""
    if event_name(node) != "error":
        return None
    error = ctx.referenced(node, "error")
    code = attr(error, "errorCode")
    if _is_throw(node):
        if error is None:
            return "an error end event must reference an error (errorRef)"
        if code is None:
            return f"error '{error.get('id')}' has no errorCode"
        if not static(code):
            return f"the errorCode of error '{error.get('id')}' is an expression (not supported)"
    elif code is not None and not static(code):
        return f"the errorCode of error '{error.get('id')}' cannot be an expression on a catch"  # type: ignore[union-attr]
    return None


@each_node
def escalation_code(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's EscalationEventDefinitionValidator, like `error_code` for escalations."""
    if event_name(node) != "escalation":
        return None
    escalation = ctx.referenced(node, "escalation")
    code = attr(escalation, "escalationCode")
    if _is_throw(node):
        if escalation is None:
            return "an escalation throw event must reference an escalation (escalationRef)"
        if code is None:
            return f"escalation '{escalation.get('id')}' has no escalationCode"
        if not static(code):
            return (
                f"the escalationCode of escalation '{escalation.get('id')}' is an expression "
                "(not supported)"
            )
    elif code is not None and not static(code):
        return (
            f"the escalationCode of escalation '{escalation.get('id')}' "  # type: ignore[union-attr]
            "cannot be an expression on a catch"
        )
    return None


@each_node
def timer_value(ctx: Ctx, node: NodeDraft) -> str | None:
    """A constant timer value must parse (Zeebe refuses it at deploy time too)."""
    definition = node.event_def if event_name(node) == "timer" else None
    if definition is None:
        return None
    for local, (valid, form) in TIMER_FORMS.items():
        for child in bx.bpmn_children(definition, local):
            text = bx.text_of(child)
            if text is None:
                return f"{local} is empty"
            if static(text) and not valid(text):
                return f"{local} '{text}' is not {form}"
    return None


@each_node
def called_element(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe: a call activity has one zeebe:calledElement with a non-empty processId."""
    if node.type is not ElementType.CALL_ACTIVITY:
        return None
    called = bx.extension(node.xml, "calledElement")
    if attr(called, "processId") is None:
        return "a call activity needs zeebe:calledElement with a processId"
    binding = called.get("bindingType", "latest")  # type: ignore[union-attr]
    if binding not in _BINDING_TYPES:
        return (
            f"zeebe:calledElement bindingType '{binding}' is not one of {', '.join(_BINDING_TYPES)}"
        )
    if binding == "versionTag" and attr(called, "versionTag") is None:
        return "zeebe:calledElement bindingType 'versionTag' needs a versionTag"
    return None


@each_container
def version_tag(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe: a zeebe:versionTag of a process has a non-empty value."""
    if node.type is not ElementType.PROCESS:
        return None
    tag = bx.extension(node.xml, "versionTag")
    if tag is not None and attr(tag, "value") is None:
        return "zeebe:versionTag needs a non-empty value"
    return None


@each_node
def multi_instance(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe's ZeebeLoopCharacteristicsValidator: inputCollection is required, and
    outputCollection and outputElement come together."""
    loops = bx.bpmn_children(node.xml, "multiInstanceLoopCharacteristics")
    if not loops:
        return None
    loop = bx.extension(loops[0], "loopCharacteristics")
    if attr(loop, "inputCollection") is None:
        return "a multi-instance activity needs zeebe:loopCharacteristics inputCollection"
    has_collection = attr(loop, "outputCollection") is not None
    if has_collection != (attr(loop, "outputElement") is not None):
        return "zeebe:loopCharacteristics outputCollection and outputElement must be set together"
    return None


@each_node
def mapping_targets(ctx: Ctx, node: NodeDraft) -> str | None:
    """Zeebe: every zeebe:input / zeebe:output needs a non-empty target."""
    for mapping in bx.extensions(node.xml, "ioMapping"):
        for child in mapping:
            if bx.local_name(child) in ("input", "output") and attr(child, "target") is None:
                return f"a zeebe:{bx.local_name(child)} mapping has no target"
    return None


RULES: list[Rule] = [
    task_definition_present, script_complete, message_referenced, message_named,
    message_correlation_key, signal_named, error_code, escalation_code, timer_value,
    called_element, version_tag, multi_instance, mapping_targets,
]  # fmt: skip

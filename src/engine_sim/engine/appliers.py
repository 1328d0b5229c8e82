"""Event appliers: the only code that changes an `InstanceState`, one function per record kind.

Zeebe applies each event the moment a processor writes it, and applies the same events on
replay; so do we (`apply_record`). Appliers never evaluate expressions, read the clock or
generate keys: every such result is in the record.
"""

from __future__ import annotations

from collections.abc import Callable

from engine_sim.engine.state import (
    ElementInstance,
    Incident,
    InstanceState,
    Job,
    Subscription,
    UserTask,
    Variable,
)
from engine_sim.model import ElementType
from engine_sim.records import Intent, Record, RecordType, ValueType

Applier = Callable[[InstanceState, Record], None]
JOINING = (ElementType.PARALLEL_GATEWAY, ElementType.INCLUSIVE_GATEWAY)


def is_joining_gateway(state: InstanceState, element_id: str) -> bool:
    element = state.model.elements.get(element_id)
    return element is not None and element.type in JOINING and len(element.incoming) > 1


# -- PROCESS_INSTANCE -----------------------------------------------------------------------
def _element_activating(state: InstanceState, record: Record) -> None:
    key = record["key"]
    element_type = ElementType(record["bpmnElementType"])
    if element_type is ElementType.PROCESS:
        state.definition_key = record["processDefinitionKey"]
        state.process_id = record["bpmnProcessId"]
        state.version = record["version"]
        state.parent_instance_key = record.get("parentProcessInstanceKey", -1)
        state.parent_element_instance_key = record.get("parentElementInstanceKey", -1)
        state.lifecycle = "ACTIVE"
        state.start_time = record["timestamp"]
    existing = state.elements.get(key)
    if existing is not None:  # a retried activation after an incident
        existing.lifecycle = Intent.ELEMENT_ACTIVATING
        return
    instance = ElementInstance(
        key=key,
        element_id=record["elementId"],
        type=element_type,
        flow_scope_key=record["flowScopeKey"],
        lifecycle=Intent.ELEMENT_ACTIVATING,
    )
    state.elements[key] = instance
    scope = state.elements.get(instance.flow_scope_key)
    if scope is None:
        return
    scope.children[key] = None
    if scope.type is ElementType.MULTI_INSTANCE_BODY:  # Zeebe's multiInstanceLoopCounter
        scope.loop_counter += 1
        instance.loop_counter = scope.loop_counter
    _consume_incoming_tokens(state, scope, instance)
    if element_type is ElementType.EVENT_SUB_PROCESS:
        _interrupt_scope(state, scope, instance)


def _interrupt_scope(state: InstanceState, scope: ElementInstance, ei: ElementInstance) -> None:
    """Zeebe: an interrupting event subprocess takes its scope over; tokens still on their
    way in the scope, and waiting joins, are void (their activation is dropped)."""
    sub_process = state.model.elements.get(ei.element_id)
    starts = sub_process.start_events if sub_process is not None else ()
    if starts and state.model.elements[starts[0]].interrupting:
        scope.interrupted = True
        scope.in_flight.clear()
        scope.joins.clear()


def _consume_incoming_tokens(state: InstanceState, scope: ElementInstance, ei: ElementInstance) -> None:
    """An element reached by a sequence flow takes its token(s) off the flow scope."""
    element = state.model.elements.get(ei.element_id)
    if element is None or not element.incoming or scope.type is ElementType.MULTI_INSTANCE_BODY:
        return  # not reached by a sequence flow (start and boundary events, inner instances)
    taken = scope.joins.get(ei.element_id)
    if taken is None or not is_joining_gateway(state, ei.element_id):
        left = scope.in_flight.get(ei.element_id, 0) - 1
        if left > 0:
            scope.in_flight[ei.element_id] = left
        else:
            scope.in_flight.pop(ei.element_id, None)
        return
    # a joining gateway consumes one taken flow per distinct incoming flow
    consumed: set[str] = set()
    remaining: list[tuple[str, int]] = []
    for flow_id, flow_key in taken:
        if flow_id in consumed:
            remaining.append((flow_id, flow_key))
        else:
            consumed.add(flow_id)
    if remaining:
        scope.joins[ei.element_id] = remaining
    else:
        del scope.joins[ei.element_id]


def _set_lifecycle(state: InstanceState, record: Record) -> None:
    ei = state.elements.get(record["key"])
    if ei is not None:
        ei.lifecycle = record["intent"]


def _element_activated(state: InstanceState, record: Record) -> None:
    ei = state.elements.get(record["key"])
    if ei is not None:
        ei.lifecycle = record["intent"]
        ei.listener_index = 0  # the start listeners are done; the end listeners start at 0


def _element_finished(state: InstanceState, record: Record) -> None:
    key = record["key"]
    ei = state.elements.pop(key, None)
    if key != state.key:  # a finished instance keeps its process variables' last values
        state.variables.pop(key, None)
    if ei is not None:
        scope = state.elements.get(ei.flow_scope_key)
        if scope is not None:
            scope.children.pop(key, None)
        if ei.job_key is not None:  # a job whose error was caught leaves with its element
            state.jobs.pop(ei.job_key, None)
    if key == state.key:
        state.lifecycle = "COMPLETED" if record["intent"] == Intent.ELEMENT_COMPLETED else "TERMINATED"
        state.end_time = record["timestamp"]


def _sequence_flow_taken(state: InstanceState, record: Record) -> None:
    scope = state.elements.get(record["flowScopeKey"])
    if scope is None:
        return
    target = state.model.flows[record["elementId"]].target
    if is_joining_gateway(state, target):
        scope.joins.setdefault(target, []).append((record["elementId"], record["key"]))
    else:
        scope.in_flight[target] = scope.in_flight.get(target, 0) + 1


def _sequence_flow_deleted(state: InstanceState, record: Record) -> None:
    scope = state.elements.get(record["flowScopeKey"])
    if scope is None:
        return
    for gateway_id, taken in list(scope.joins.items()):
        kept = [(f, k) for f, k in taken if k != record["key"]]
        if kept:
            scope.joins[gateway_id] = kept
        else:
            del scope.joins[gateway_id]


def _element_migrated(state: InstanceState, record: Record) -> None:
    ei = state.elements.get(record["key"])
    if ei is not None:
        ei.element_id = record["elementId"]
    if record["key"] == state.key:
        state.definition_key = record["processDefinitionKey"]
        state.process_id = record["bpmnProcessId"]
        state.version = record["version"]


# -- JOB --------------------------------------------------------------------------------------
def _job_created(state: InstanceState, record: Record) -> None:
    job = Job(
        key=record["key"],
        element_instance_key=record["elementInstanceKey"],
        element_id=record["elementId"],
        type=record["type"],
        retries=record["retries"],
        custom_headers=dict(record.get("customHeaders") or {}),
        listener=record.get("jobListenerEventType"),
    )
    state.jobs[job.key] = job
    ei = state.elements.get(job.element_instance_key)
    if ei is not None:
        ei.job_key = job.key
        if job.listener is not None:
            ei.listener_index += 1


def _job_removed(state: InstanceState, record: Record) -> None:
    job = state.jobs.pop(record["key"], None)
    if job is not None:
        ei = state.elements.get(job.element_instance_key)
        if ei is not None and ei.job_key == job.key:
            ei.job_key = None


def _job_failed(state: InstanceState, record: Record) -> None:
    job = state.jobs[record["key"]]
    job.retries = record["retries"]
    job.error_message = record.get("errorMessage", "")
    job.state = "FAILED" if job.retries <= 0 else "ACTIVATABLE"


def _job_error_thrown(state: InstanceState, record: Record) -> None:
    state.jobs[record["key"]].state = "ERROR_THROWN"


def _job_retries_updated(state: InstanceState, record: Record) -> None:
    state.jobs[record["key"]].retries = record["retries"]


def _job_migrated(state: InstanceState, record: Record) -> None:
    state.jobs[record["key"]].element_id = record["elementId"]


# -- USER_TASK --------------------------------------------------------------------------------
def _user_task_created(state: InstanceState, record: Record) -> None:
    task = UserTask(record["key"], record["elementInstanceKey"], record["elementId"])
    state.user_tasks[task.key] = task
    ei = state.elements.get(task.element_instance_key)
    if ei is not None:
        ei.user_task_key = task.key


def _user_task_removed(state: InstanceState, record: Record) -> None:
    task = state.user_tasks.pop(record["key"], None)
    if task is not None:
        ei = state.elements.get(task.element_instance_key)
        if ei is not None:
            ei.user_task_key = None


def _user_task_migrated(state: InstanceState, record: Record) -> None:
    state.user_tasks[record["key"]].element_id = record["elementId"]


# -- INCIDENT ---------------------------------------------------------------------------------
def _incident_created(state: InstanceState, record: Record) -> None:
    state.incidents[record["key"]] = Incident(
        key=record["key"],
        error_type=record["errorType"],
        error_message=record["errorMessage"],
        element_instance_key=record["elementInstanceKey"],
        element_id=record["elementId"],
        job_key=record.get("jobKey", -1),
    )


def _incident_resolved(state: InstanceState, record: Record) -> None:
    incident = state.incidents.pop(record["key"], None)
    if incident is not None and incident.job_key in state.jobs:
        job = state.jobs[incident.job_key]
        job.state = "ACTIVATABLE"  # Zeebe: a resolved job incident makes the job activatable
    elif incident is not None and incident.element_instance_key in state.elements:
        # the failed step runs again from its first execution listener (Zeebe resets the index)
        state.elements[incident.element_instance_key].listener_index = 0


def _incident_migrated(state: InstanceState, record: Record) -> None:
    state.incidents[record["key"]].element_id = record["elementId"]


# -- VARIABLE ---------------------------------------------------------------------------------
def _variable_set(state: InstanceState, record: Record) -> None:
    scope = state.variables.setdefault(record["scopeKey"], {})
    variable = scope.get(record["name"])
    if variable is None:
        scope[record["name"]] = Variable(record["key"], record["value"])
    else:
        variable.value = record["value"]


def _ignore(state: InstanceState, record: Record) -> None:
    """Records that inform but change no instance state."""


# -- subscriptions (TIMER, PROCESS_MESSAGE_SUBSCRIPTION, SIGNAL_SUBSCRIPTION) -----------------
SUBSCRIPTION_FIELDS = {
    ValueType.TIMER: ("dueDate", "repetitions", "targetElementId"),
    ValueType.PROCESS_MESSAGE_SUBSCRIPTION: ("messageName", "correlationKey", "interrupting"),
    ValueType.SIGNAL_SUBSCRIPTION: ("signalName",),
}


def _subscription_opened(state: InstanceState, record: Record) -> None:
    value_type = record["valueType"]
    fields = {name: record.get(name) for name in SUBSCRIPTION_FIELDS[value_type]}
    state.subscriptions[record["key"]] = Subscription(
        key=record["key"],
        value_type=value_type,
        element_instance_key=record["elementInstanceKey"],
        element_id=record["elementId"],
        fields=fields,
    )


def _subscription_closed(state: InstanceState, record: Record) -> None:
    state.subscriptions.pop(record["key"], None)


def _message_correlated(state: InstanceState, record: Record) -> None:
    """A non-interrupting boundary event or event subprocess keeps its subscription."""
    if record.get("interrupting", True):
        _subscription_closed(state, record)


def _subscription_migrated(state: InstanceState, record: Record) -> None:
    subscription = state.subscriptions[record["key"]]
    subscription.element_id = record["elementId"]
    subscription.element_instance_key = record["elementInstanceKey"]


PI = ValueType.PROCESS_INSTANCE
APPLIERS: dict[tuple[str, str], Applier] = {
    (PI, Intent.ELEMENT_ACTIVATING): _element_activating,
    (PI, Intent.ELEMENT_ACTIVATED): _element_activated,
    (PI, Intent.ELEMENT_COMPLETING): _set_lifecycle,
    (PI, Intent.ELEMENT_TERMINATING): _set_lifecycle,
    (PI, Intent.ELEMENT_COMPLETED): _element_finished,
    (PI, Intent.ELEMENT_TERMINATED): _element_finished,
    (PI, Intent.SEQUENCE_FLOW_TAKEN): _sequence_flow_taken,
    (PI, Intent.SEQUENCE_FLOW_DELETED): _sequence_flow_deleted,
    (PI, Intent.ELEMENT_MIGRATED): _element_migrated,
    (ValueType.PROCESS_INSTANCE_CREATION, Intent.CREATED): _ignore,
    (ValueType.PROCESS_INSTANCE_MIGRATION, Intent.MIGRATED): _ignore,
    (ValueType.JOB, Intent.CREATED): _job_created,
    (ValueType.JOB, Intent.COMPLETED): _job_removed,
    (ValueType.JOB, Intent.CANCELED): _job_removed,
    (ValueType.JOB, Intent.FAILED): _job_failed,
    (ValueType.JOB, Intent.ERROR_THROWN): _job_error_thrown,
    (ValueType.JOB, Intent.RETRIES_UPDATED): _job_retries_updated,
    (ValueType.JOB, Intent.MIGRATED): _job_migrated,
    (ValueType.USER_TASK, Intent.CREATED): _user_task_created,
    (ValueType.USER_TASK, Intent.COMPLETED): _user_task_removed,
    (ValueType.USER_TASK, Intent.CANCELED): _user_task_removed,
    (ValueType.USER_TASK, Intent.MIGRATED): _user_task_migrated,
    (ValueType.INCIDENT, Intent.CREATED): _incident_created,
    (ValueType.INCIDENT, Intent.RESOLVED): _incident_resolved,
    (ValueType.INCIDENT, Intent.MIGRATED): _incident_migrated,
    (ValueType.VARIABLE, Intent.CREATED): _variable_set,
    (ValueType.VARIABLE, Intent.UPDATED): _variable_set,
    (ValueType.VARIABLE, Intent.MIGRATED): _ignore,
    (ValueType.TIMER, Intent.CREATED): _subscription_opened,
    (ValueType.TIMER, Intent.TRIGGERED): _subscription_closed,
    (ValueType.TIMER, Intent.CANCELED): _subscription_closed,
    (ValueType.TIMER, Intent.MIGRATED): _subscription_migrated,
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, Intent.CREATED): _subscription_opened,
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, Intent.CORRELATED): _message_correlated,
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, Intent.DELETED): _subscription_closed,
    (ValueType.PROCESS_MESSAGE_SUBSCRIPTION, Intent.MIGRATED): _subscription_migrated,
    (ValueType.SIGNAL_SUBSCRIPTION, Intent.CREATED): _subscription_opened,
    (ValueType.SIGNAL_SUBSCRIPTION, Intent.DELETED): _subscription_closed,
    (ValueType.SIGNAL_SUBSCRIPTION, Intent.MIGRATED): _subscription_migrated,
    # records of an instance's stream that change none of its state
    (ValueType.ESCALATION, Intent.ESCALATED): _ignore,
    (ValueType.ESCALATION, Intent.NOT_ESCALATED): _ignore,
    (ValueType.MESSAGE_START_EVENT_SUBSCRIPTION, Intent.CORRELATED): _ignore,
}


class UnknownRecordError(Exception):
    """A record no applier knows: a bug in a processor, or a stored event this version of
    the engine cannot read. Ignoring it would silently diverge replayed state."""


def apply_record(state: InstanceState, record: Record) -> None:
    """Apply one event; a rejection record changes nothing."""
    if record["recordType"] != RecordType.EVENT:
        return
    applier = APPLIERS.get((record["valueType"], record["intent"]))
    if applier is None:
        raise UnknownRecordError(
            f"no applier for a {record['valueType']} {record['intent']} record "
            f"(position {record.get('position')}, instance {state.key})")
    applier(state, record)

"""Command processors for the engine's public commands (one function each, as in Zeebe's
`*Processor` classes): validate and reject before writing, then write events.

Rejection reasons are named templates: users and tests match on them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_sim.engine.catalog import DeployedProcess
from engine_sim.engine.processing import Processing, Rejected
from engine_sim.engine.state import ElementInstance, InstanceState, Job
from engine_sim.model import Element, ElementType
from engine_sim.records import Intent, RejectionType

if TYPE_CHECKING:
    from engine_sim.engine.engine import Engine, Outcome

NOT_FOUND = RejectionType.NOT_FOUND.value
INVALID_STATE = RejectionType.INVALID_STATE.value
INVALID_ARGUMENT = RejectionType.INVALID_ARGUMENT.value

NO_RUNNING_INSTANCE = "no running process instance with key {key}"
NO_DEFINITION = "Expected to find process definition with process ID '{process_id}', but none found"
NO_DEFINITION_VERSION = (
    "Expected to find process definition with process ID '{process_id}' and version "
    "'{version}', but none found"
)
NO_NONE_START = (
    "Expected to create instance of process with none start event, but there is no such event"
)
NO_OPEN_JOB = "Expected to {action} a job of element '{element}' in process instance {key}, but no job is open there"
JOB_WRONG_STATE = "Expected to {action} job with key '{job_key}', but it is in state '{state}'"
NO_INCIDENT = "Expected to resolve an incident of element '{element}' in process instance {key}, but there is none"
NO_USER_TASK = "Expected to complete a user task of element '{element}' in process instance {key}, but none is open there"
NO_ELEMENT_INSTANCE = "Expected to find an active element instance of '{element}' in process instance {key}, but none was found"
CHILD_INSTANCE = (
    "Expected to cancel a process instance with key '{key}', but it is created by a parent "
    "process instance. Cancel the root process instance '{root}' instead."
)
UNHANDLED_ERROR = (
    "Expected to throw an error event with the code '{code}'{with_message}, but it was not "
    "caught. No error events are available in the scope."
)
NO_RETRIES_LEFT = "No more retries left."


def _meta(value_type: str, intent: str, instance_key: int | None = None):  # type: ignore[no-untyped-def]
    from engine_sim.engine.engine import CommandMeta

    return CommandMeta(value_type, intent, instance_key=instance_key)


# -- process instance creation --------------------------------------------------------------
def create_instance(engine: Engine, process_id: str, version: int | None = None,
                    variables: dict[str, Any] | None = None) -> Outcome:
    deployed = engine.catalog.get(process_id, version)

    def command(p: Processing) -> int:
        if deployed is None:
            template = NO_DEFINITION if version is None else NO_DEFINITION_VERSION
            raise Rejected(NOT_FOUND, template.format(process_id=process_id, version=version))
        start = deployed.model.none_start_event(deployed.process_id)
        if start is None:
            raise Rejected(INVALID_STATE, NO_NONE_START)
        return start_instance(engine, p, deployed, variables or {}, start).key

    return engine.execute(_meta("PROCESS_INSTANCE_CREATION", Intent.CREATE), command)


def start_instance(engine: Engine, p: Processing, deployed: DeployedProcess,
                   variables: dict[str, Any], start: Element,
                   parent: tuple[int, int] = (-1, -1), key: int | None = None) -> InstanceState:
    """A new instance of `deployed`, entering at `start` (a start event of the process).
    `key` is given when the caller announced it first (a call activity's child)."""
    state = InstanceState(p.new_key() if key is None else key, engine.catalog.model)
    # an instance is born with its definition; ELEMENT_ACTIVATING of the process restates it
    state.definition_key, state.process_id, state.version = (
        deployed.key, deployed.process_id, deployed.version,
    )
    state.parent_instance_key, state.parent_element_instance_key = parent
    for name, value in variables.items():
        p.set_variable(state, state.key, name, value)
    p.write(state, "PROCESS_INSTANCE_CREATION", Intent.CREATED, state.key,
            variables=variables, parentProcessInstanceKey=parent[0],
            parentElementInstanceKey=parent[1])
    root = p.activating(state, deployed.model.root, -1, state.key, parent=parent)
    p.transition(state, root, Intent.ELEMENT_ACTIVATED)
    engine.subscriptions.open_event_subprocess_starts(state, root, deployed.model.root)
    p.later(engine.bpmn.activate, state, start, state.key)
    return state


# -- shared look-ups ------------------------------------------------------------------------
def running_instance(engine: Engine, key: int) -> InstanceState:
    state = engine.instance(key)
    if state is None or not state.is_running:
        raise Rejected(NOT_FOUND, NO_RUNNING_INSTANCE.format(key=key))
    return state


def open_job(state: InstanceState, element_id: str, action: str) -> Job:
    """The oldest open job of the element, which must be activatable."""
    jobs = state.open_jobs_of(element_id)
    if not jobs:
        raise Rejected(NOT_FOUND, NO_OPEN_JOB.format(action=action, element=element_id, key=state.key))
    job = jobs[0]
    if job.state != "ACTIVATABLE":
        raise Rejected(INVALID_STATE, JOB_WRONG_STATE.format(action=action, job_key=job.key, state=job.state))
    return job


def job_fields(job: Job) -> dict[str, Any]:
    return {
        "type": job.type,
        "retries": job.retries,
        "elementId": job.element_id,
        "elementInstanceKey": job.element_instance_key,
        "customHeaders": job.custom_headers,
    }


def element_instance_of(state: InstanceState, element_id: str) -> ElementInstance:
    for key in sorted(state.elements):
        ei = state.elements[key]
        if ei.element_id == element_id and key != state.key:
            return ei
    raise Rejected(NOT_FOUND, NO_ELEMENT_INSTANCE.format(element=element_id, key=state.key))


# -- jobs -----------------------------------------------------------------------------------
def complete_job(engine: Engine, key: int, element_id: str,
                 variables: dict[str, Any] | None = None) -> Outcome:
    def command(p: Processing) -> None:
        state = running_instance(engine, key)
        job = open_job(state, element_id, "complete")
        _complete_job(engine, p, state, job, variables or {})

    return engine.execute(_meta("JOB", Intent.COMPLETE, key), command)


def _complete_job(engine: Engine, p: Processing, state: InstanceState, job: Job,
                  variables: dict[str, Any]) -> None:
    p.write(state, "JOB", Intent.COMPLETED, job.key, variables=variables, **job_fields(job))
    ei = state.elements[job.element_instance_key]
    p.later(engine.bpmn.complete, state, ei, variables)


def fail_job(engine: Engine, key: int, element_id: str, retries: int,
             message: str | None = None) -> Outcome:
    def command(p: Processing) -> None:
        state = running_instance(engine, key)
        job = open_job(state, element_id, "fail")
        fields = job_fields(job) | {"retries": retries, "errorMessage": message or ""}
        p.write(state, "JOB", Intent.FAILED, job.key, **fields)
        if retries <= 0:
            ei = state.elements[job.element_instance_key]
            p.raise_incident(state, ei, "JOB_NO_RETRIES", message or NO_RETRIES_LEFT, job.key)

    return engine.execute(_meta("JOB", Intent.FAIL, key), command)


def throw_error(engine: Engine, key: int, element_id: str, code: str,
                message: str | None = None) -> Outcome:
    def command(p: Processing) -> None:
        state = running_instance(engine, key)
        job = open_job(state, element_id, "throw an error for")
        fields = job_fields(job) | {"errorCode": code, "errorMessage": message or ""}
        p.write(state, "JOB", Intent.ERROR_THROWN, job.key, **fields)
        ei = state.elements[job.element_instance_key]
        if not engine.errors.throw(state, ei, code, message or "", {}):
            with_message = f" with message '{message}'" if message else ""
            reason = UNHANDLED_ERROR.format(code=code, with_message=with_message)
            p.raise_incident(state, ei, "UNHANDLED_ERROR_EVENT", reason, job.key)

    return engine.execute(_meta("JOB", Intent.THROW_ERROR, key), command)


# -- incidents ------------------------------------------------------------------------------
def resolve_incident(engine: Engine, key: int, element_id: str, retries: int = 1) -> Outcome:
    def command(p: Processing) -> None:
        state = running_instance(engine, key)
        incidents = sorted(
            (i for i in state.incidents.values() if i.element_id == element_id),
            key=lambda i: i.key,
        )
        if not incidents:
            raise Rejected(NOT_FOUND, NO_INCIDENT.format(element=element_id, key=key))
        incident = incidents[0]
        job = state.jobs.get(incident.job_key)
        if job is not None:
            p.write(state, "JOB", Intent.RETRIES_UPDATED, job.key, **(job_fields(job) | {"retries": retries}))
        ei = state.elements[incident.element_instance_key]
        p.write(
            state, "INCIDENT", Intent.RESOLVED, incident.key,
            errorType=incident.error_type, errorMessage=incident.error_message,
            elementId=incident.element_id, elementInstanceKey=incident.element_instance_key,
            jobKey=incident.job_key, variableScopeKey=incident.element_instance_key,
        )
        if job is None:
            p.later(engine.bpmn.retry, state, ei)

    return engine.execute(_meta("INCIDENT", Intent.RESOLVE, key), command)


# -- user tasks -----------------------------------------------------------------------------
def complete_user_task(engine: Engine, key: int, element_id: str,
                       variables: dict[str, Any] | None = None) -> Outcome:
    def command(p: Processing) -> None:
        state = running_instance(engine, key)
        variables_ = variables or {}
        for task in sorted(state.user_tasks.values(), key=lambda t: t.key):
            if task.element_id == element_id:
                p.write(state, "USER_TASK", Intent.COMPLETED, task.key, elementId=task.element_id,
                        elementInstanceKey=task.element_instance_key, variables=variables_)
                ei = state.elements[task.element_instance_key]
                p.later(engine.bpmn.complete, state, ei, variables_)
                return
        # a job-worker user task completes its job; a service task's job is no user task
        element = state.model.elements.get(element_id)
        is_user_task = element is not None and element.type is ElementType.USER_TASK
        if not is_user_task or not state.open_jobs_of(element_id):
            raise Rejected(NOT_FOUND, NO_USER_TASK.format(element=element_id, key=key))
        _complete_job(engine, p, state, open_job(state, element_id, "complete"), variables_)

    return engine.execute(_meta("USER_TASK", Intent.COMPLETE, key), command)


# -- variables and cancellation -------------------------------------------------------------
def set_variables(engine: Engine, key: int, variables: dict[str, Any],
                  element_id: str | None = None) -> Outcome:
    def command(p: Processing) -> None:
        state = running_instance(engine, key)
        scope_key = key if element_id is None else element_instance_of(state, element_id).key
        for name, value in variables.items():
            p.set_variable(state, scope_key, name, value)

    return engine.execute(_meta("VARIABLE_DOCUMENT", Intent.UPDATE, key), command)


def cancel_instance(engine: Engine, key: int) -> Outcome:
    def command(p: Processing) -> None:
        state = running_instance(engine, key)
        if state.parent_instance_key != -1:
            root = state.parent_instance_key
            while (parent := engine.instance(root)) is not None and parent.parent_instance_key != -1:
                root = parent.parent_instance_key
            raise Rejected(INVALID_STATE, CHILD_INSTANCE.format(key=key, root=root))
        root_instance = state.root
        assert root_instance is not None
        engine.bpmn.terminate(state, root_instance)

    return engine.execute(_meta("PROCESS_INSTANCE", Intent.CANCEL, key), command)

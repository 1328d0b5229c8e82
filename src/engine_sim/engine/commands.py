"""The engine's commands (typed, immutable) and their processors (Zeebe's
`TypedRecordProcessors`: one processor per command type, in `EngineProcessors.table`).

A processor validates and raises `Rejected` before writing anything, or writes events
through the behaviours. The module-level functions at the end (`create_instance`,
`complete_job`, ...) are the short Python face: each builds its command and executes it.
Rejection reasons are named templates: users and tests match on them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from engine_sim.engine.bpmn import incidents, jobs
from engine_sim.engine.bpmn.behaviors import Behaviors
from engine_sim.engine.bpmn.listeners import EXECUTION_LISTENER_NO_RETRIES
from engine_sim.engine.bpmn.variables import set_local
from engine_sim.engine.context import CommandContext, Rejected
from engine_sim.engine.state import ElementInstance, InstanceState, Job
from engine_sim.model import ElementType
from engine_sim.records import NO_KEY, Intent, RejectionType, ValueType
from engine_sim.timeutil import Duration

if TYPE_CHECKING:
    from engine_sim.engine.engine import Engine, Outcome

NOT_FOUND = RejectionType.NOT_FOUND
INVALID_STATE = RejectionType.INVALID_STATE
INVALID_ARGUMENT = RejectionType.INVALID_ARGUMENT

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
LISTENER_THROWS_ERROR = (
    "Cannot throw BPMN error from EXECUTION_LISTENER job with key '{job_key}', type '{type}' "
    "and processInstanceKey '{key}'"
)




# -- the commands ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Command:
    """A command: its rejection record names `VALUE_TYPE`, `INTENT`, `key` and the instance."""

    VALUE_TYPE: ClassVar[str]
    INTENT: ClassVar[str]

    @property
    def key(self) -> int:
        return NO_KEY

    @property
    def instance(self) -> int | None:
        """The instance the command is about (its rejection names it)."""
        return None


@dataclass(frozen=True)
class InstanceCommand(Command):
    instance_key: int

    @property
    def instance(self) -> int | None:
        return self.instance_key


@dataclass(frozen=True)
class CreateProcessInstance(Command):
    VALUE_TYPE = ValueType.PROCESS_INSTANCE_CREATION
    INTENT = Intent.CREATE
    process_id: str
    version: int | None = None
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CompleteJob(InstanceCommand):
    VALUE_TYPE = ValueType.JOB
    INTENT = Intent.COMPLETE
    element_id: str
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class FailJob(InstanceCommand):
    VALUE_TYPE = ValueType.JOB
    INTENT = Intent.FAIL
    element_id: str
    retries: int
    message: str | None = None


@dataclass(frozen=True)
class ThrowError(InstanceCommand):
    VALUE_TYPE = ValueType.JOB
    INTENT = Intent.THROW_ERROR
    element_id: str
    code: str
    message: str | None = None


@dataclass(frozen=True)
class ResolveIncident(InstanceCommand):
    VALUE_TYPE = ValueType.INCIDENT
    INTENT = Intent.RESOLVE
    element_id: str
    retries: int = 1


@dataclass(frozen=True)
class CompleteUserTask(InstanceCommand):
    VALUE_TYPE = ValueType.USER_TASK
    INTENT = Intent.COMPLETE
    element_id: str
    variables: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SetVariables(InstanceCommand):
    VALUE_TYPE = ValueType.VARIABLE_DOCUMENT
    INTENT = Intent.UPDATE
    variables: dict[str, Any]
    element_id: str | None = None


@dataclass(frozen=True)
class CancelProcessInstance(InstanceCommand):
    VALUE_TYPE = ValueType.PROCESS_INSTANCE
    INTENT = Intent.CANCEL


@dataclass(frozen=True)
class PublishMessage(Command):
    VALUE_TYPE = ValueType.MESSAGE
    INTENT = Intent.PUBLISH
    name: str
    correlation_key: str
    variables: dict[str, Any]
    ttl: Duration


@dataclass(frozen=True)
class BroadcastSignal(Command):
    VALUE_TYPE = ValueType.SIGNAL
    INTENT = Intent.BROADCAST
    name: str
    variables: dict[str, Any]


@dataclass(frozen=True)
class TriggerTimer(Command):
    VALUE_TYPE = ValueType.TIMER
    INTENT = Intent.TRIGGER
    timer_key: int

    @property
    def key(self) -> int:
        return self.timer_key


@dataclass(frozen=True)
class ExpireMessage(Command):
    VALUE_TYPE = ValueType.MESSAGE
    INTENT = Intent.EXPIRE
    message_key: int

    @property
    def key(self) -> int:
        return self.message_key


CommandProcessor = Callable[[CommandContext, Any], Any]


# -- shared look-ups ------------------------------------------------------------------------
def running_instance(ctx: CommandContext, key: int) -> InstanceState:
    state = ctx.instance(key)
    if state is None or not state.is_running:
        raise Rejected(NOT_FOUND, NO_RUNNING_INSTANCE.format(key=key))
    return state


def open_job(state: InstanceState, element_id: str, action: str) -> Job:
    """The oldest open job of the element, which must be activatable."""
    jobs_ = state.open_jobs_of(element_id)
    if not jobs_:
        raise Rejected(NOT_FOUND, NO_OPEN_JOB.format(action=action, element=element_id, key=state.key))
    job = jobs_[0]
    if job.state != "ACTIVATABLE":
        raise Rejected(INVALID_STATE, JOB_WRONG_STATE.format(action=action, job_key=job.key, state=job.state))
    return job


def element_instance_of(state: InstanceState, element_id: str) -> ElementInstance:
    for key in sorted(state.elements):
        ei = state.elements[key]
        if ei.element_id == element_id and key != state.key:
            return ei
    raise Rejected(NOT_FOUND, NO_ELEMENT_INSTANCE.format(element=element_id, key=state.key))


# -- the processors -------------------------------------------------------------------------
class EngineProcessors:
    """The processors of the engine's own commands, over the shared behaviours."""

    def __init__(self, behaviors: Behaviors) -> None:
        self.b = behaviors

    @property
    def table(self) -> dict[type[Command], CommandProcessor]:
        return {
            CreateProcessInstance: self.create_instance,
            CompleteJob: self.complete_job,
            FailJob: self.fail_job,
            ThrowError: self.throw_error,
            ResolveIncident: self.resolve_incident,
            CompleteUserTask: self.complete_user_task,
            SetVariables: self.set_variables,
            CancelProcessInstance: self.cancel_instance,
            PublishMessage: self.publish_message,
            BroadcastSignal: self.broadcast_signal,
            TriggerTimer: self.trigger_timer,
            ExpireMessage: self.expire_message,
        }

    # -- process instance creation ----------------------------------------------------------
    def create_instance(self, ctx: CommandContext, cmd: CreateProcessInstance) -> int:
        deployed = self.b.catalog.get(cmd.process_id, cmd.version)
        if deployed is None:
            template = NO_DEFINITION if cmd.version is None else NO_DEFINITION_VERSION
            raise Rejected(NOT_FOUND, template.format(process_id=cmd.process_id, version=cmd.version))
        start = deployed.model.none_start_event(deployed.process_id)
        if start is None:
            raise Rejected(INVALID_STATE, NO_NONE_START)
        return self.b.lifecycle.start_instance(ctx, deployed, cmd.variables, start).key

    # -- jobs -------------------------------------------------------------------------------
    def complete_job(self, ctx: CommandContext, cmd: CompleteJob) -> None:
        state = running_instance(ctx, cmd.instance_key)
        self._complete_job(ctx, state, open_job(state, cmd.element_id, "complete"), cmd.variables)

    def _complete_job(self, ctx: CommandContext, state: InstanceState, job: Job,
                      variables: dict[str, Any]) -> None:
        jobs.complete(ctx, state, job, variables)
        if job.listener is not None:
            ctx.later(self.b.listeners.job_completed, ctx, state, job, variables)
            return
        ei = state.elements[job.element_instance_key]
        ctx.later(self.b.lifecycle.complete, ctx, state, ei, variables)

    def fail_job(self, ctx: CommandContext, cmd: FailJob) -> None:
        state = running_instance(ctx, cmd.instance_key)
        job = open_job(state, cmd.element_id, "fail")
        jobs.fail(ctx, state, job, cmd.retries, cmd.message or "")
        if cmd.retries <= 0:
            ei = state.elements[job.element_instance_key]
            error_type = "JOB_NO_RETRIES" if job.listener is None else EXECUTION_LISTENER_NO_RETRIES
            incidents.raise_incident(ctx, state, ei, error_type,
                                     cmd.message or NO_RETRIES_LEFT, job.key)

    def throw_error(self, ctx: CommandContext, cmd: ThrowError) -> None:
        state = running_instance(ctx, cmd.instance_key)
        job = open_job(state, cmd.element_id, "throw an error for")
        if job.listener is not None:  # Zeebe: the element is not ACTIVATED, nothing can catch
            raise Rejected(INVALID_STATE, LISTENER_THROWS_ERROR.format(
                job_key=job.key, type=job.type, key=state.key))
        jobs.error_thrown(ctx, state, job, cmd.code, cmd.message or "")
        ei = state.elements[job.element_instance_key]
        if not self.b.errors.throw(ctx, state, ei, cmd.code, cmd.message or "", {}):
            with_message = f" with message '{cmd.message}'" if cmd.message else ""
            reason = UNHANDLED_ERROR.format(code=cmd.code, with_message=with_message)
            incidents.raise_incident(ctx, state, ei, "UNHANDLED_ERROR_EVENT", reason, job.key)

    # -- incidents --------------------------------------------------------------------------
    def resolve_incident(self, ctx: CommandContext, cmd: ResolveIncident) -> None:
        state = running_instance(ctx, cmd.instance_key)
        found = sorted((i for i in state.incidents.values() if i.element_id == cmd.element_id),
                       key=lambda i: i.key)
        if not found:
            raise Rejected(NOT_FOUND, NO_INCIDENT.format(element=cmd.element_id, key=cmd.instance_key))
        incident = found[0]
        job = state.jobs.get(incident.job_key)
        if job is not None:
            jobs.update_retries(ctx, state, job, cmd.retries)
        ei = state.elements[incident.element_instance_key]
        incidents.resolve(ctx, state, incident)
        if job is None:
            ctx.later(self.b.lifecycle.retry, ctx, state, ei)

    # -- user tasks -------------------------------------------------------------------------
    def complete_user_task(self, ctx: CommandContext, cmd: CompleteUserTask) -> None:
        state = running_instance(ctx, cmd.instance_key)
        for task in sorted(state.user_tasks.values(), key=lambda t: t.key):
            if task.element_id == cmd.element_id:
                ei = state.elements[task.element_instance_key]
                jobs.user_task_record(ctx, state, Intent.COMPLETED, task.key, ei,
                                      variables=cmd.variables)
                ctx.later(self.b.lifecycle.complete, ctx, state, ei, cmd.variables)
                return
        # a job-worker user task completes its job; a service task's job is no user task
        element = state.model.elements.get(cmd.element_id)
        is_user_task = element is not None and element.type is ElementType.USER_TASK
        bpmn_jobs = [job for job in state.open_jobs_of(cmd.element_id) if job.listener is None]
        if not is_user_task or not bpmn_jobs:
            raise Rejected(NOT_FOUND, NO_USER_TASK.format(element=cmd.element_id, key=cmd.instance_key))
        self._complete_job(ctx, state, open_job(state, cmd.element_id, "complete"), cmd.variables)

    # -- variables and cancellation ---------------------------------------------------------
    def set_variables(self, ctx: CommandContext, cmd: SetVariables) -> None:
        state = running_instance(ctx, cmd.instance_key)
        scope_key = (cmd.instance_key if cmd.element_id is None
                     else element_instance_of(state, cmd.element_id).key)
        set_local(ctx, state, scope_key, cmd.variables)

    def cancel_instance(self, ctx: CommandContext, cmd: CancelProcessInstance) -> None:
        state = running_instance(ctx, cmd.instance_key)
        if state.parent_instance_key != -1:
            root = state.parent_instance_key
            while (parent := ctx.instance(root)) is not None and parent.parent_instance_key != -1:
                root = parent.parent_instance_key
            raise Rejected(INVALID_STATE, CHILD_INSTANCE.format(key=cmd.instance_key, root=root))
        root_instance = state.root
        assert root_instance is not None
        self.b.lifecycle.terminate(ctx, state, root_instance)

    # -- messages, signals, timers ----------------------------------------------------------
    def publish_message(self, ctx: CommandContext, cmd: PublishMessage) -> int:
        return self.b.events.publish(ctx, cmd.name, cmd.correlation_key, cmd.variables, cmd.ttl)

    def broadcast_signal(self, ctx: CommandContext, cmd: BroadcastSignal) -> None:
        self.b.events.broadcast(ctx, cmd.name, cmd.variables)

    def trigger_timer(self, ctx: CommandContext, cmd: TriggerTimer) -> bool:
        return self.b.events.fire_timer(ctx, cmd.timer_key)

    def expire_message(self, ctx: CommandContext, cmd: ExpireMessage) -> None:
        self.b.events.expire(ctx, cmd.message_key)


# -- the short Python face ------------------------------------------------------------------
def create_instance(engine: Engine, process_id: str, version: int | None = None,
                    variables: dict[str, Any] | None = None) -> Outcome:
    return engine.execute(CreateProcessInstance(process_id, version, variables or {}))


def complete_job(engine: Engine, key: int, element_id: str,
                 variables: dict[str, Any] | None = None) -> Outcome:
    return engine.execute(CompleteJob(key, element_id, variables or {}))


def fail_job(engine: Engine, key: int, element_id: str, retries: int,
             message: str | None = None) -> Outcome:
    return engine.execute(FailJob(key, element_id, retries, message))


def throw_error(engine: Engine, key: int, element_id: str, code: str,
                message: str | None = None) -> Outcome:
    return engine.execute(ThrowError(key, element_id, code, message))


def resolve_incident(engine: Engine, key: int, element_id: str, retries: int = 1) -> Outcome:
    return engine.execute(ResolveIncident(key, element_id, retries))


def complete_user_task(engine: Engine, key: int, element_id: str,
                       variables: dict[str, Any] | None = None) -> Outcome:
    return engine.execute(CompleteUserTask(key, element_id, variables or {}))


def set_variables(engine: Engine, key: int, variables: dict[str, Any],
                  element_id: str | None = None) -> Outcome:
    return engine.execute(SetVariables(key, variables, element_id))


def cancel_instance(engine: Engine, key: int) -> Outcome:
    return engine.execute(CancelProcessInstance(key))


def publish_message(engine: Engine, name: str, correlation_key: str,
                    variables: dict[str, Any], ttl: Duration) -> Outcome:
    return engine.execute(PublishMessage(name, correlation_key, variables, ttl))


def broadcast_signal(engine: Engine, name: str, variables: dict[str, Any]) -> Outcome:
    return engine.execute(BroadcastSignal(name, variables))

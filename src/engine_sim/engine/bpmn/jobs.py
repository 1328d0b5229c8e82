"""The job behaviour (Zeebe's `BpmnJobBehavior`) and engine-managed user tasks: the only code
that writes JOB and USER_TASK records; a job's fields are built once, by `job_fields`."""

from __future__ import annotations

from typing import Any

from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState, Job
from engine_sim.model import Element
from engine_sim.records import Intent, ValueType

JOB = ValueType.JOB
USER_TASK = ValueType.USER_TASK


EXECUTION_LISTENER = "EXECUTION_LISTENER"


def job_fields(job: Job, element_id: str | None = None) -> dict[str, Any]:
    fields = {
        "type": job.type,
        "retries": job.retries,
        "elementId": job.element_id if element_id is None else element_id,
        "elementInstanceKey": job.element_instance_key,
        "customHeaders": job.custom_headers,
    }
    if job.listener is not None:  # only listener jobs name their kind (see docs/records.md)
        fields["jobKind"] = EXECUTION_LISTENER
        fields["jobListenerEventType"] = fields["listenerEventType"] = job.listener
    return fields


# -- jobs -----------------------------------------------------------------------------------
def create(ctx: CommandContext, state: InstanceState, ei: ElementInstance, element: Element,
           job_type: str, retries: int) -> None:
    _created(ctx, state, ei, element.id, job_type, retries, dict(element.task_headers))


def create_listener_job(ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                        job_type: str, retries: int, event_type: str) -> None:
    """An execution listener's job (Zeebe's `createNewExecutionListenerJob`): no headers."""
    _created(ctx, state, ei, ei.element_id, job_type, retries, {}, jobKind=EXECUTION_LISTENER,
             jobListenerEventType=event_type, listenerEventType=event_type)


def _created(ctx: CommandContext, state: InstanceState, ei: ElementInstance, element_id: str,
             job_type: str, retries: int, headers: dict[str, str], **kind: Any) -> None:
    ctx.write(state, JOB, Intent.CREATED, ctx.new_key(), type=job_type, retries=retries,
              elementId=element_id, elementInstanceKey=ei.key, customHeaders=headers,
              worker="", errorMessage="", **kind)


def complete(ctx: CommandContext, state: InstanceState, job: Job, variables: dict[str, Any]) -> None:
    ctx.write(state, JOB, Intent.COMPLETED, job.key, variables=variables, **job_fields(job))


def fail(ctx: CommandContext, state: InstanceState, job: Job, retries: int, message: str) -> None:
    ctx.write(state, JOB, Intent.FAILED, job.key,
              **(job_fields(job) | {"retries": retries, "errorMessage": message}))


def error_thrown(ctx: CommandContext, state: InstanceState, job: Job, code: str,
                 message: str) -> None:
    ctx.write(state, JOB, Intent.ERROR_THROWN, job.key,
              **job_fields(job), errorCode=code, errorMessage=message)


def update_retries(ctx: CommandContext, state: InstanceState, job: Job, retries: int) -> None:
    ctx.write(state, JOB, Intent.RETRIES_UPDATED, job.key, **(job_fields(job) | {"retries": retries}))


def cancel(ctx: CommandContext, state: InstanceState, job: Job) -> None:
    ctx.write(state, JOB, Intent.CANCELED, job.key, **job_fields(job))


def migrated(ctx: CommandContext, state: InstanceState, job: Job, target_id: str) -> None:
    ctx.write(state, JOB, Intent.MIGRATED, job.key, **job_fields(job, element_id=target_id))


# -- engine-managed user tasks --------------------------------------------------------------
def create_user_task(ctx: CommandContext, state: InstanceState, ei: ElementInstance) -> None:
    ctx.write(state, USER_TASK, Intent.CREATED, ctx.new_key(),
              elementId=ei.element_id, elementInstanceKey=ei.key)


def user_task_record(ctx: CommandContext, state: InstanceState, intent: str, task_key: int,
                     ei: ElementInstance, element_id: str | None = None, **extra: Any) -> None:
    """USER_TASK COMPLETED (with `variables`), CANCELED or MIGRATED (`element_id`: the target)."""
    ctx.write(state, USER_TASK, intent, task_key,
              elementId=ei.element_id if element_id is None else element_id,
              elementInstanceKey=ei.key, **extra)

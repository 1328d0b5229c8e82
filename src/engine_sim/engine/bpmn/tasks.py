"""Tasks: job workers, engine-managed user tasks, script tasks and pass-through tasks."""

from __future__ import annotations

from typing import Any

from engine_sim.engine.bpmn import jobs
from engine_sim.engine.bpmn.base import PREPARE_FAILED, ElementProcessor
from engine_sim.engine.bpmn.expressions import (
    EvaluationFailed,
    evaluate,
    evaluate_int,
    evaluate_string,
)
from engine_sim.engine.bpmn.incidents import EXTRACT_VALUE_ERROR, raise_incident
from engine_sim.engine.bpmn.transitions import transition
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState, Job
from engine_sim.model import USER_TASK_JOB_TYPE, Element, ElementType
from engine_sim.records import Intent

USER_TASK_JOB_RETRIES = 1  # Zeebe creates job-worker user task jobs with one retry


class JobWorkerTaskProcessor(ElementProcessor):
    """Service, send, business-rule, script (job) and job-worker user tasks; message throw
    events too. Zeebe: JOB CREATED, then ELEMENT_ACTIVATED; the job's completion completes it."""

    def prepare(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                element: Element) -> Any:
        """The job's type and retries (Zeebe's `evaluateJobExpressions`), before the boundary
        events subscribe."""
        if element.engine_user_task or element.script is not None:
            return None
        try:
            return self._job_properties(state, ei, element)
        except EvaluationFailed as failure:
            raise_incident(ctx, state, ei, EXTRACT_VALUE_ERROR, failure.message)
            return PREPARE_FAILED

    def on_activate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, prepared: Any = None) -> None:
        if element.engine_user_task:
            return self._create_user_task(ctx, state, ei)
        if element.script is not None:
            return self._run_script(ctx, state, ei, element)
        job_type, retries = prepared
        jobs.create(ctx, state, ei, element, job_type, retries)
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)

    @staticmethod
    def _job_properties(state: InstanceState, ei: ElementInstance, element: Element) -> tuple[str, int]:
        if element.task_definition is None:  # a job-worker user task
            return USER_TASK_JOB_TYPE, USER_TASK_JOB_RETRIES
        definition = element.task_definition
        job_type = evaluate_string(definition.type, state, ei.key, "job type")
        return job_type, evaluate_int(definition.retries, state, ei.key)

    @staticmethod
    def _create_user_task(ctx: CommandContext, state: InstanceState, ei: ElementInstance) -> None:
        jobs.create_user_task(ctx, state, ei)
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)

    def _run_script(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element) -> None:
        assert element.script is not None
        try:
            result = evaluate(element.script.expression, state, ei.key)
        except EvaluationFailed as failure:
            raise_incident(ctx, state, ei, EXTRACT_VALUE_ERROR, failure.message)
            return
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
        ctx.later(self.b.lifecycle.complete, ctx, state, ei, {element.script.result_variable: result})

    def on_terminate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                     element: Element) -> None:
        job = state.jobs.get(ei.job_key) if ei.job_key is not None else None
        if job is not None and not _caught_error(state, job):
            jobs.cancel(ctx, state, job)
        if ei.user_task_key is not None:
            jobs.user_task_record(ctx, state, Intent.CANCELED, ei.user_task_key, ei)
        super().on_terminate(ctx, state, ei, element)


def _caught_error(state: InstanceState, job: Job) -> bool:
    """Zeebe drops a job whose BPMN error was caught (its element is terminated by the catch
    without a JOB CANCELED); an uncaught one keeps its job, held by an incident."""
    return job.state == "ERROR_THROWN" and not any(
        incident.job_key == job.key for incident in state.incidents.values())


JOB_ELEMENT_TYPES = (
    ElementType.SERVICE_TASK,
    ElementType.SEND_TASK,
    ElementType.SCRIPT_TASK,
    ElementType.BUSINESS_RULE_TASK,
    ElementType.USER_TASK,
)

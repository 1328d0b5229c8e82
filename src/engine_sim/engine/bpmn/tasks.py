"""Tasks: job workers, engine-managed user tasks, script tasks and pass-through tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.bpmn.expressions import (
    EvaluationFailed,
    evaluate,
    evaluate_int,
    evaluate_string,
)
from engine_sim.engine.state import ElementInstance, InstanceState, Job
from engine_sim.model import USER_TASK_JOB_TYPE, Element, ElementType
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.dispatch import Bpmn

USER_TASK_JOB_RETRIES = 1  # Zeebe creates job-worker user task jobs with one retry


class JobWorkerTaskProcessor(ElementProcessor):
    """Service, send, business-rule, script (job) and job-worker user tasks; message throw
    events too. Zeebe: JOB CREATED, then ELEMENT_ACTIVATED; the job's completion completes it."""

    def on_activate(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                    element: Element) -> None:
        if element.engine_user_task:
            return self._create_user_task(bpmn, state, ei, element)
        if element.script is not None:
            return self._run_script(bpmn, state, ei, element)
        try:
            job_type, retries = self._job_properties(state, ei, element)
        except EvaluationFailed as failure:
            bpmn.p.raise_incident(state, ei, "EXTRACT_VALUE_ERROR", failure.message)
            return
        bpmn.p.write(
            state, "JOB", Intent.CREATED, bpmn.p.new_key(),
            type=job_type,
            retries=retries,
            elementId=element.id,
            elementInstanceKey=ei.key,
            customHeaders=dict(element.task_headers),
            worker="",
            errorMessage="",
        )
        bpmn.p.transition(state, ei, Intent.ELEMENT_ACTIVATED)

    @staticmethod
    def _job_properties(state: InstanceState, ei: ElementInstance, element: Element) -> tuple[str, int]:
        if element.task_definition is None:  # a job-worker user task
            return USER_TASK_JOB_TYPE, USER_TASK_JOB_RETRIES
        definition = element.task_definition
        job_type = evaluate_string(definition.type, state, ei.key, "job type")
        return job_type, evaluate_int(definition.retries, state, ei.key)

    @staticmethod
    def _create_user_task(bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                          element: Element) -> None:
        bpmn.p.write(
            state, "USER_TASK", Intent.CREATED, bpmn.p.new_key(),
            elementId=element.id,
            elementInstanceKey=ei.key,
        )
        bpmn.p.transition(state, ei, Intent.ELEMENT_ACTIVATED)

    @staticmethod
    def _run_script(bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                    element: Element) -> None:
        assert element.script is not None
        try:
            result = evaluate(element.script.expression, state, ei.key)
        except EvaluationFailed as failure:
            bpmn.p.raise_incident(state, ei, "EXTRACT_VALUE_ERROR", failure.message)
            return
        bpmn.p.transition(state, ei, Intent.ELEMENT_ACTIVATED)
        bpmn.p.later(bpmn.complete, state, ei, {element.script.result_variable: result})

    def on_terminate(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                     element: Element) -> None:
        job = state.jobs.get(ei.job_key) if ei.job_key is not None else None
        if job is not None and not _caught_error(state, job):
            bpmn.p.write(
                state, "JOB", Intent.CANCELED, job.key,
                type=job.type, retries=job.retries, elementId=job.element_id,
                elementInstanceKey=ei.key, customHeaders=job.custom_headers,
            )
        if ei.user_task_key is not None:
            bpmn.p.write(
                state, "USER_TASK", Intent.CANCELED, ei.user_task_key,
                elementId=ei.element_id, elementInstanceKey=ei.key,
            )
        super().on_terminate(bpmn, state, ei, element)


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

"""Execution listeners (Zeebe 8.6+'s `zeebe:executionListeners`), the one place that runs them.

A start listener is a job created once the element is ACTIVATING and its input mappings are
applied; the element waits in ACTIVATING until the job completes, then the next start
listener's job, and after the last one the activation goes on (`ElementLifecycle
.finish_activation`). End listeners run the same way while the element is COMPLETING, after
its output mappings, before ELEMENT_COMPLETED (`ElementLifecycle.finish_completion`). The
element instance counts the listener jobs of its current phase (`listener_index`, set by the
JOB CREATED applier), so the next listener is found from state alone.

Models without listeners never reach this module: the lifecycle tests the element's listener
tuples, which are empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_sim.engine.bpmn import jobs
from engine_sim.engine.bpmn.expressions import EvaluationFailed, evaluate_int, evaluate_string
from engine_sim.engine.bpmn.incidents import EXTRACT_VALUE_ERROR, raise_incident
from engine_sim.engine.bpmn.variables import set_local
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState, Job
from engine_sim.model import Element, ElementType, ExecutionListener

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.behaviors import Behaviors

START = "START"
END = "END"
EXECUTION_LISTENER_NO_RETRIES = "EXECUTION_LISTENER_NO_RETRIES"


def start_listeners(element: Element, ei: ElementInstance) -> tuple[ExecutionListener, ...]:
    """The start listeners that apply to `ei`: a multi-instance activity's listeners run for
    each inner instance, not for its body."""
    return () if ei.type is ElementType.MULTI_INSTANCE_BODY else element.start_listeners


def end_listeners(element: Element, ei: ElementInstance) -> tuple[ExecutionListener, ...]:
    return () if ei.type is ElementType.MULTI_INSTANCE_BODY else element.end_listeners


class ExecutionListeners:
    def __init__(self, behaviors: Behaviors) -> None:
        self.b = behaviors

    def create_job(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                   listener: ExecutionListener) -> None:
        """JOB CREATED for `listener`; its type and retries are evaluated in the element's
        scope, and a failure is an EXTRACT_VALUE_ERROR incident on the element (resolving it
        re-runs the phase from its first listener, as in Zeebe)."""
        try:
            job_type = evaluate_string(listener.type, state, ei.key, "execution listener job type")
            retries = evaluate_int(listener.retries, state, ei.key)
        except EvaluationFailed as failure:
            raise_incident(ctx, state, ei, EXTRACT_VALUE_ERROR, failure.message)
            return
        event_type = START if listener.event_type == "start" else END
        jobs.create_listener_job(ctx, state, ei, job_type, retries, event_type)

    def job_completed(self, ctx: CommandContext, state: InstanceState, job: Job,
                      variables: dict[str, Any]) -> None:
        """The listener's job completed (Zeebe's COMPLETE_EXECUTION_LISTENER): its variables
        are set locally on the element (start) or on its flow scope (end); then the next
        listener of the phase runs, or the phase goes on."""
        ei = state.elements[job.element_instance_key]
        element = state.model.elements[ei.element_id]
        if job.listener == START:
            scope_key, listeners = ei.key, start_listeners(element, ei)
        else:
            scope_key = ei.flow_scope_key if ei.flow_scope_key != -1 else ei.key
            listeners = end_listeners(element, ei)
        if variables:
            set_local(ctx, state, scope_key, variables)
        if ei.listener_index < len(listeners):
            self.create_job(ctx, state, ei, listeners[ei.listener_index])
        elif job.listener == START:
            self.b.lifecycle.finish_activation(ctx, state, ei)
        else:
            self.b.lifecycle.finish_completion(ctx, state, ei)

    @staticmethod
    def cancel_job(ctx: CommandContext, state: InstanceState, ei: ElementInstance) -> None:
        """A terminated element's waiting listener job is canceled (JOB CANCELED)."""
        job = state.jobs.get(ei.job_key) if ei.job_key is not None else None
        if job is not None and job.listener is not None:
            jobs.cancel(ctx, state, job)

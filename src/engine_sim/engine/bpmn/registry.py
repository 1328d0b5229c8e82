"""Element type -> processor (a registry instead of an if-chain; a test checks it is complete)."""

from __future__ import annotations

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.bpmn.containers import ContainerProcessor, ProcessProcessor
from engine_sim.engine.bpmn.events import (
    EndEventProcessor,
    IntermediateThrowEventProcessor,
    StartEventProcessor,
)
from engine_sim.engine.bpmn.gateways import (
    ExclusiveGatewayProcessor,
    InclusiveGatewayProcessor,
    ParallelGatewayProcessor,
)
from engine_sim.engine.bpmn.tasks import JOB_ELEMENT_TYPES, JobWorkerTaskProcessor
from engine_sim.model import ElementType

_job_worker = JobWorkerTaskProcessor()

PROCESSORS: dict[ElementType, ElementProcessor] = {
    ElementType.PROCESS: ProcessProcessor(),
    ElementType.SUB_PROCESS: ContainerProcessor(),
    ElementType.START_EVENT: StartEventProcessor(),
    ElementType.END_EVENT: EndEventProcessor(),
    ElementType.INTERMEDIATE_THROW_EVENT: IntermediateThrowEventProcessor(),
    ElementType.MANUAL_TASK: ElementProcessor(),
    ElementType.TASK: ElementProcessor(),
    ElementType.EXCLUSIVE_GATEWAY: ExclusiveGatewayProcessor(),
    ElementType.PARALLEL_GATEWAY: ParallelGatewayProcessor(),
    ElementType.INCLUSIVE_GATEWAY: InclusiveGatewayProcessor(),
    **{element_type: _job_worker for element_type in JOB_ELEMENT_TYPES},
}

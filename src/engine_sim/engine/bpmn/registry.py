"""Element type -> processor (a registry instead of an if-chain; a test checks it is complete)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.bpmn.boundary import BoundaryEventProcessor
from engine_sim.engine.bpmn.calls import CallActivityProcessor
from engine_sim.engine.bpmn.catch_events import CatchEventProcessor, EventBasedGatewayProcessor
from engine_sim.engine.bpmn.containers import ContainerProcessor, ProcessProcessor
from engine_sim.engine.bpmn.event_subprocesses import EventSubProcessProcessor, StartEventProcessor
from engine_sim.engine.bpmn.gateways import (
    ExclusiveGatewayProcessor,
    InclusiveGatewayProcessor,
    ParallelGatewayProcessor,
)
from engine_sim.engine.bpmn.multi_instance import MultiInstanceBodyProcessor
from engine_sim.engine.bpmn.tasks import JOB_ELEMENT_TYPES, JobWorkerTaskProcessor
from engine_sim.engine.bpmn.throw_events import ThrowEventProcessor, ThrowingEndEventProcessor
from engine_sim.model import ElementType

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.behaviors import Behaviors

PROCESSOR_CLASSES: dict[ElementType, type[ElementProcessor]] = {
    ElementType.PROCESS: ProcessProcessor,
    ElementType.SUB_PROCESS: ContainerProcessor,
    ElementType.START_EVENT: StartEventProcessor,
    ElementType.END_EVENT: ThrowingEndEventProcessor,
    ElementType.INTERMEDIATE_THROW_EVENT: ThrowEventProcessor,
    ElementType.INTERMEDIATE_CATCH_EVENT: CatchEventProcessor,
    ElementType.RECEIVE_TASK: CatchEventProcessor,
    ElementType.BOUNDARY_EVENT: BoundaryEventProcessor,
    ElementType.EVENT_BASED_GATEWAY: EventBasedGatewayProcessor,
    ElementType.EVENT_SUB_PROCESS: EventSubProcessProcessor,
    ElementType.MANUAL_TASK: ElementProcessor,
    ElementType.TASK: ElementProcessor,
    ElementType.EXCLUSIVE_GATEWAY: ExclusiveGatewayProcessor,
    ElementType.PARALLEL_GATEWAY: ParallelGatewayProcessor,
    ElementType.INCLUSIVE_GATEWAY: InclusiveGatewayProcessor,
    ElementType.CALL_ACTIVITY: CallActivityProcessor,
    ElementType.MULTI_INSTANCE_BODY: MultiInstanceBodyProcessor,
    **{element_type: JobWorkerTaskProcessor for element_type in JOB_ELEMENT_TYPES},
}


def element_processors(behaviors: Behaviors) -> dict[ElementType, ElementProcessor]:
    """One processor per element type, each built once with the behaviours it uses."""
    built = {cls: cls(behaviors) for cls in set(PROCESSOR_CLASSES.values())}
    return {element_type: built[cls] for element_type, cls in PROCESSOR_CLASSES.items()}

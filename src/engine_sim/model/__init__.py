"""The BPMN model: parse a BPMN 2.0 file with Zeebe extensions into immutable processes.

`parse_bpmn` / `load_bpmn_file` return `Definitions`, or raise `BpmnModelError` naming the
file, line and element of the first problem (a model the engine cannot run is refused at
deploy time, never half-run).
"""

from engine_sim.model.elements import (
    CONTAINER_TYPES,
    JOB_WORKER_TYPES,
    USER_TASK_JOB_TYPE,
    CalledElement,
    Element,
    ElementType,
    EventType,
    ExecutionListener,
    IoMapping,
    LoopCharacteristics,
    MessageDefinition,
    Process,
    ScriptDefinition,
    SequenceFlow,
    TaskDefinition,
    TimerDefinition,
    VariableMapping,
)
from engine_sim.model.errors import BpmnModelError
from engine_sim.model.loader import Definitions, load_bpmn_file, parse_bpmn

__all__ = [
    "CONTAINER_TYPES",
    "JOB_WORKER_TYPES",
    "USER_TASK_JOB_TYPE",
    "BpmnModelError",
    "CalledElement",
    "Definitions",
    "Element",
    "ElementType",
    "EventType",
    "ExecutionListener",
    "IoMapping",
    "LoopCharacteristics",
    "MessageDefinition",
    "Process",
    "ScriptDefinition",
    "SequenceFlow",
    "TaskDefinition",
    "TimerDefinition",
    "VariableMapping",
    "load_bpmn_file",
    "parse_bpmn",
]

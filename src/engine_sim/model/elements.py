"""The immutable BPMN model the engine runs: what the parser produces, what processors read.

One `Element` class carries every element kind (fields that do not apply keep their default),
so that element processors look up what they need without isinstance chains. Everything
expression-valued is compiled once at parse time (`engine_sim.feel.Expression`); a static
value (no leading `=`) compiles to a constant expression.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType

from engine_sim.feel import Expression


class ElementType(str, Enum):
    """Zeebe's `bpmnElementType` names."""

    PROCESS = "PROCESS"
    START_EVENT = "START_EVENT"
    END_EVENT = "END_EVENT"
    SERVICE_TASK = "SERVICE_TASK"
    USER_TASK = "USER_TASK"
    RECEIVE_TASK = "RECEIVE_TASK"
    SCRIPT_TASK = "SCRIPT_TASK"
    SEND_TASK = "SEND_TASK"
    BUSINESS_RULE_TASK = "BUSINESS_RULE_TASK"
    MANUAL_TASK = "MANUAL_TASK"
    TASK = "TASK"
    EXCLUSIVE_GATEWAY = "EXCLUSIVE_GATEWAY"
    PARALLEL_GATEWAY = "PARALLEL_GATEWAY"
    INCLUSIVE_GATEWAY = "INCLUSIVE_GATEWAY"
    EVENT_BASED_GATEWAY = "EVENT_BASED_GATEWAY"
    SUB_PROCESS = "SUB_PROCESS"
    EVENT_SUB_PROCESS = "EVENT_SUB_PROCESS"
    CALL_ACTIVITY = "CALL_ACTIVITY"
    MULTI_INSTANCE_BODY = "MULTI_INSTANCE_BODY"
    BOUNDARY_EVENT = "BOUNDARY_EVENT"
    INTERMEDIATE_CATCH_EVENT = "INTERMEDIATE_CATCH_EVENT"
    INTERMEDIATE_THROW_EVENT = "INTERMEDIATE_THROW_EVENT"
    SEQUENCE_FLOW = "SEQUENCE_FLOW"


class EventType(str, Enum):
    """Zeebe's `bpmnEventType`; UNSPECIFIED for elements that are not events."""

    UNSPECIFIED = "UNSPECIFIED"
    NONE = "NONE"
    MESSAGE = "MESSAGE"
    TIMER = "TIMER"
    SIGNAL = "SIGNAL"
    ERROR = "ERROR"
    ESCALATION = "ESCALATION"
    TERMINATE = "TERMINATE"
    LINK = "LINK"


# Element types whose work is done by a job (Zeebe's "job worker" elements).
JOB_WORKER_TYPES = frozenset(
    {
        ElementType.SERVICE_TASK,
        ElementType.SEND_TASK,
        ElementType.SCRIPT_TASK,
        ElementType.BUSINESS_RULE_TASK,
        ElementType.USER_TASK,
    }
)
CONTAINER_TYPES = frozenset(
    {ElementType.PROCESS, ElementType.SUB_PROCESS, ElementType.EVENT_SUB_PROCESS}
)
USER_TASK_JOB_TYPE = "io.camunda.zeebe:userTask"


@dataclass(frozen=True, slots=True)
class TaskDefinition:
    """`zeebe:taskDefinition`: job type and retries (both may be expressions)."""

    type: Expression
    retries: Expression  # static "3" when absent


@dataclass(frozen=True, slots=True)
class VariableMapping:
    """One `zeebe:input` / `zeebe:output`: `target` receives the value of `source`."""

    source: Expression
    target: str


@dataclass(frozen=True, slots=True)
class IoMapping:
    inputs: tuple[VariableMapping, ...] = ()
    outputs: tuple[VariableMapping, ...] = ()


@dataclass(frozen=True, slots=True)
class LoopCharacteristics:
    """`multiInstanceLoopCharacteristics` with `zeebe:loopCharacteristics`."""

    sequential: bool
    input_collection: Expression
    input_element: str | None = None
    output_collection: str | None = None
    output_element: Expression | None = None
    completion_condition: Expression | None = None


@dataclass(frozen=True, slots=True)
class CalledElement:
    """`zeebe:calledElement`."""

    process_id: Expression
    binding_type: str = "latest"  # latest | deployment | versionTag
    version_tag: str | None = None
    propagate_all_child_variables: bool = True
    propagate_all_parent_variables: bool = True


@dataclass(frozen=True, slots=True)
class TimerDefinition:
    """`timeDuration`, `timeDate` or `timeCycle` of a timer event definition."""

    kind: str  # "duration" | "date" | "cycle"
    expression: Expression


@dataclass(frozen=True, slots=True)
class MessageDefinition:
    """A `bpmn:message` referenced by an event or receive task."""

    message_id: str
    name: Expression
    correlation_key: Expression | None = None  # from zeebe:subscription


@dataclass(frozen=True, slots=True)
class ScriptDefinition:
    """`zeebe:script`: an engine-evaluated script task (no job)."""

    expression: Expression
    result_variable: str


@dataclass(frozen=True, slots=True)
class ExecutionListener:
    """One `zeebe:executionListener`: a job of type `type` run before the element activates
    (`event_type` "start") or before it completes ("end")."""

    event_type: str  # "start" | "end"
    type: Expression
    retries: Expression  # static "3" when absent


@dataclass(frozen=True, slots=True, eq=False)
class Element:
    """A flow node (or the process itself). Ids refer to other elements of the same process."""

    id: str
    type: ElementType
    line: int
    name: str | None = None
    flow_scope: str | None = None  # id of the enclosing PROCESS / SUB_PROCESS / EVENT_SUB_PROCESS
    event_type: EventType = EventType.UNSPECIFIED
    incoming: tuple[str, ...] = ()  # sequence flow ids, document order
    outgoing: tuple[str, ...] = ()
    default_flow: str | None = None
    # tasks
    task_definition: TaskDefinition | None = None
    task_headers: tuple[tuple[str, str], ...] = ()
    engine_user_task: bool = False  # zeebe:userTask present: no job, USER_TASK records
    script: ScriptDefinition | None = None
    io: IoMapping = IoMapping()
    loop: LoopCharacteristics | None = None
    # zeebe:executionListeners, in document order (empty for nearly every element: the
    # lifecycle only tests these tuples)
    start_listeners: tuple[ExecutionListener, ...] = ()
    end_listeners: tuple[ExecutionListener, ...] = ()
    called_element: CalledElement | None = None
    # events
    message: MessageDefinition | None = None
    timer: TimerDefinition | None = None
    signal_name: Expression | None = None
    error_code: str | None = None  # None on a catch event: catches every error
    escalation_code: str | None = None  # None on a catch event: catches every escalation
    interrupting: bool = True  # boundary cancelActivity / event-subprocess start isInterrupting
    attached_to: str | None = None  # boundary events: the activity id
    link_name: str | None = None  # link throw and catch events: the link's name
    link_target: str | None = None  # a link throw event: the catch event of its name and scope
    # containers and activities
    boundary_events: tuple[str, ...] = ()  # ids of the boundary events attached to this element
    start_events: tuple[str, ...] = ()  # direct child start events (containers, event subprocesses)
    event_subprocesses: tuple[str, ...] = ()  # direct child event subprocesses
    children: tuple[str, ...] = ()  # every direct child flow node

    @property
    def is_job_worker(self) -> bool:
        return self.type in JOB_WORKER_TYPES and not self.engine_user_task and self.script is None


@dataclass(frozen=True, slots=True, eq=False)
class SequenceFlow:
    id: str
    source: str
    target: str
    line: int
    flow_scope: str | None = None
    condition: Expression | None = None
    name: str | None = None


@dataclass(frozen=True, eq=False)
class Process:
    """One executable process of a BPMN file, with the look-ups the engine needs precomputed."""

    id: str  # bpmnProcessId
    name: str | None
    elements: Mapping[str, Element]  # every flow node at every depth, and the process itself
    flows: Mapping[str, SequenceFlow]
    checksum: str  # of the process's XML, to tell an identical redeploy
    resource_name: str = ""
    version_tag: str | None = None  # zeebe:versionTag of the process (call activity binding)
    # element id -> ids of the elements reachable from it along sequence flows (boundary events
    # of activities included), within its flow scope; used by the inclusive gateway's join.
    reachable: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def root(self) -> Element:
        return self.elements[self.id]

    def element(self, element_id: str) -> Element:
        return self.elements[element_id]

    def none_start_event(self, scope_id: str) -> Element | None:
        """The none start event of a process or embedded subprocess."""
        for start_id in self.elements[scope_id].start_events:
            start = self.elements[start_id]
            if start.event_type is EventType.NONE:
                return start
        return None

    def listened_start_event(self, scope_id: str) -> Element | None:
        """Where a process goes on after its start execution listeners: its only start event
        (of any kind: the one that started it), else its none start event."""
        starts = self.elements[scope_id].start_events
        return self.elements[starts[0]] if len(starts) == 1 else self.none_start_event(scope_id)

    def has_element(self, element_id: str) -> bool:
        """An id a mapping instruction may name: a flow node or a sequence flow."""
        return element_id in self.elements or element_id in self.flows

    def element_type_of(self, element_id: str) -> ElementType | None:
        if element_id in self.elements:
            return self.elements[element_id].type
        if element_id in self.flows:
            return ElementType.SEQUENCE_FLOW
        return None

"""One command's processing: the record writer, the follow-up queue and the shared behaviours.

Zeebe writes follow-up commands to its log and processes them one after another; we keep
them in a FIFO queue drained before the command returns, so a command and everything it
caused form one unit of work (one save). Every record written is applied to its instance
at once, as Zeebe's appliers do, so the processors always read current state.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from engine_sim.engine.appliers import apply_record
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element, ElementType, SequenceFlow
from engine_sim.records import NO_KEY, Intent, RecordType, RejectionType, ValueType

if TYPE_CHECKING:
    from engine_sim.engine.engine import Engine

Record = dict[str, Any]
PI = ValueType.PROCESS_INSTANCE.value
MAX_FOLLOW_UPS = 100_000  # follow-up steps one command may cause (README: Limits)
FOLLOW_UPS_EXCEEDED = (
    "Expected the command to finish within {limit:,} follow-up steps, but it caused "
    "more: the process loops without a wait state (a cycle of gateways, tasks or parallel "
    "forks that never waits); nothing was written"
)


def same_value(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (Zeebe compares the serialised documents:
    `1`, `1.0` and `true` differ, also inside lists and contexts, where Python's == says equal)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    return bool(a == b)


class Rejected(Exception):
    """A command processor's rejection: no state has changed when it is raised."""

    def __init__(self, rejection_type: str, reason: str) -> None:
        super().__init__(reason)
        self.rejection_type = rejection_type
        self.reason = reason


def instance_fields(state: InstanceState) -> Record:
    return {
        "processInstanceKey": state.key,
        "bpmnProcessId": state.process_id,
        "version": state.version,
        "processDefinitionKey": state.definition_key,
    }


class RecordOwner(Protocol):
    """An aggregate other than an instance that keeps some of a command's records."""

    def persist(self, records: list[Record], counters: list[int], timestamp: datetime) -> Any:
        """Trigger the aggregate's event holding `records`; return the aggregate to save."""

    def saved(self) -> None:
        """Called once the save succeeded (e.g. to publish new definitions)."""


class Processing:
    """The context of one external command: writes records and runs follow-ups."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.records: list[Record] = []
        self.touched: dict[int, InstanceState] = {}  # instances that received records
        self.queue: deque[Callable[[], None]] = deque()
        self.timestamp = engine.now_text()
        # records that belong to another aggregate than an instance (a deployment, a batch
        # operation): owner -> its records; see `RecordOwner`
        self.owned: dict[RecordOwner, list[Record]] = {}

    # -- writing -------------------------------------------------------------------------
    def write(self, state: InstanceState | None, value_type: str, intent: str, key: int,
              owner: RecordOwner | None = None, record_type: str = RecordType.EVENT.value,
              **fields: Any) -> Record:
        """Append a record; apply it to `state` (the instance it belongs to) unless an
        `owner` aggregate keeps it (then the instance's own stream does not change)."""
        record: Record = {
            "position": self.engine.next_position(),
            "key": key,
            "timestamp": self.timestamp,
            "recordType": record_type,
            "valueType": value_type,
            "intent": intent,
        }
        if state is not None:
            record.update(instance_fields(state))
        record.update(fields)
        self.records.append(record)
        if owner is not None:
            self.owned.setdefault(owner, []).append(record)
        elif state is not None:
            self.touched[state.key] = state
            apply_record(state, record)
        return record

    def new_key(self) -> int:
        return self.engine.keys()

    def later(self, action: Callable[..., None], *args: Any) -> None:
        """Queue a follow-up (Zeebe: a follow-up command written to the log)."""
        self.queue.append(lambda: action(*args))

    def drain(self) -> None:
        """Run the follow-ups, at most MAX_FOLLOW_UPS of them: a process that loops without
        a wait state (a gateway, task or parallel fork cycle) would otherwise run forever;
        past the bound the command is rejected and nothing it did is saved."""
        queue, steps = self.queue, 0
        while queue:
            steps += 1
            if steps > MAX_FOLLOW_UPS:
                raise Rejected(RejectionType.EXCEEDED_BATCH_RECORD_SIZE.value,
                               FOLLOW_UPS_EXCEEDED.format(limit=MAX_FOLLOW_UPS))
            queue.popleft()()

    # -- element records -----------------------------------------------------------------
    def element_record(self, state: InstanceState, ei: ElementInstance, intent: str,
                       **extra: Any) -> Record:
        """A lifecycle record of `ei`; `extra` fields are added (a call activity's child key)."""
        element = state.model.elements.get(ei.element_id)
        return self.write(
            state, PI, intent, ei.key,
            elementId=ei.element_id,
            bpmnElementType=ei.type.value,
            bpmnEventType=element.event_type.value if element is not None else "UNSPECIFIED",
            flowScopeKey=ei.flow_scope_key,
            parentProcessInstanceKey=state.parent_instance_key,
            parentElementInstanceKey=state.parent_element_instance_key,
            **extra,
        )

    def transition(self, state: InstanceState, ei: ElementInstance, intent: str) -> None:
        self.element_record(state, ei, intent)

    def activating(self, state: InstanceState, element: Element, flow_scope_key: int,
                   key: int | None = None, element_type: ElementType | None = None,
                   parent: tuple[int, int] | None = None) -> ElementInstance:
        """Write ELEMENT_ACTIVATING for a new element instance and return it. Every record of
        a called child carries its parent's keys (Zeebe copies them from the flow scope)."""
        key = self.new_key() if key is None else key
        if parent is None:
            parent = (state.parent_instance_key, state.parent_element_instance_key)
        self.write(
            state, PI, Intent.ELEMENT_ACTIVATING, key,
            elementId=element.id,
            bpmnElementType=(element_type or element.type).value,
            bpmnEventType=element.event_type.value,
            flowScopeKey=flow_scope_key,
            parentProcessInstanceKey=parent[0],
            parentElementInstanceKey=parent[1],
        )
        return state.elements[key]

    # -- sequence flows ------------------------------------------------------------------
    def take_flow(self, state: InstanceState, flow: SequenceFlow, scope_key: int) -> None:
        """SEQUENCE_FLOW_TAKEN, then the target's activation (or the join's bookkeeping)."""
        self.write(
            state, PI, Intent.SEQUENCE_FLOW_TAKEN, self.new_key(),
            elementId=flow.id,
            bpmnElementType=ElementType.SEQUENCE_FLOW.value,
            bpmnEventType="UNSPECIFIED",
            flowScopeKey=scope_key,
            parentProcessInstanceKey=state.parent_instance_key,
            parentElementInstanceKey=state.parent_element_instance_key,
        )
        scope = state.elements[scope_key]
        target = state.model.elements[flow.target]
        if target.id in scope.joins:
            self.later(self.engine.bpmn.try_join, state, scope_key, target.id)
        else:
            self.later(self.engine.bpmn.activate, state, target, scope_key)

    def take_outgoing(self, state: InstanceState, element: Element, scope_key: int,
                      flows: list[SequenceFlow] | None = None) -> None:
        model = state.model
        chosen = flows if flows is not None else [model.flows[f] for f in element.outgoing]
        for flow in chosen:
            self.take_flow(state, flow, scope_key)

    # -- variables -----------------------------------------------------------------------
    def set_variable(self, state: InstanceState, scope_key: int, name: str, value: Any) -> None:
        """Create or update a variable in exactly that scope (no record if unchanged)."""
        scope = state.variables.get(scope_key)
        existing = scope.get(name) if scope else None
        if existing is None:
            self.write(state, "VARIABLE", Intent.CREATED, self.new_key(),
                       name=name, value=value, scopeKey=scope_key)
        elif not same_value(existing.value, value):
            self.write(state, "VARIABLE", Intent.UPDATED, existing.key,
                       name=name, value=value, scopeKey=scope_key)

    def merge_variables(self, state: InstanceState, scope_key: int, variables: dict[str, Any]) -> None:
        """Zeebe's propagation: each variable goes to the nearest scope that already has it,
        else to the process scope."""
        for name, value in variables.items():
            found = state.lookup(scope_key, name)
            self.set_variable(state, found[0] if found else state.key, name, value)

    # -- incidents -----------------------------------------------------------------------
    def raise_incident(self, state: InstanceState, ei: ElementInstance, error_type: str,
                       message: str, job_key: int = NO_KEY) -> None:
        self.write(
            state, "INCIDENT", Intent.CREATED, self.new_key(),
            errorType=error_type,
            errorMessage=message,
            elementId=ei.element_id,
            elementInstanceKey=ei.key,
            jobKey=job_key,
            variableScopeKey=ei.key,
        )

    def resolve_incidents_of(self, state: InstanceState, ei: ElementInstance) -> None:
        for incident in sorted(state.incidents_of(ei.key), key=lambda i: i.key):
            self.write(
                state, "INCIDENT", Intent.RESOLVED, incident.key,
                errorType=incident.error_type,
                errorMessage=incident.error_message,
                elementId=incident.element_id,
                elementInstanceKey=incident.element_instance_key,
                jobKey=incident.job_key,
                variableScopeKey=incident.element_instance_key,
            )

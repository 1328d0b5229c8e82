"""The materialised state of one process instance.

Only appliers (`engine_sim.engine.appliers`) write it, each from one record, so live
processing and a replay of the stored records build the same state (Zeebe's
`EventApplier`s). Processors read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine_sim.model import ElementType, Process

ModelResolver = Callable[[int], Process]  # process definition key -> model


@dataclass(slots=True, eq=False)
class ElementInstance:
    key: int
    element_id: str
    type: ElementType
    flow_scope_key: int  # -1 for the process element instance
    lifecycle: str  # the last PROCESS_INSTANCE intent applied: ELEMENT_ACTIVATING, ...
    children: dict[int, None] = field(default_factory=dict)  # ordered set of child keys
    # tokens on sequence flows that have not reached their target yet (Zeebe's active
    # sequence flows), by target element id
    in_flight: dict[str, int] = field(default_factory=dict)
    # taken incoming flows of joining gateways in this scope: gateway id -> [(flow id, key)]
    joins: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    job_key: int | None = None
    user_task_key: int | None = None
    # multi-instance: on a body, the inner instances created so far; on an inner instance,
    # its 1-based position (Zeebe's multiInstanceLoopCounter)
    loop_counter: int = 0
    # a scope taken over by an interrupting event subprocess: no other token enters it
    interrupted: bool = False
    # execution listener jobs created in the current phase (activating or completing); Zeebe's
    # executionListenerIndex: the next listener to run
    listener_index: int = 0


@dataclass(slots=True, eq=False)
class Variable:
    key: int
    value: Any


@dataclass(slots=True, eq=False)
class Job:
    key: int
    element_instance_key: int
    element_id: str
    type: str
    retries: int
    custom_headers: dict[str, str]
    state: str = "ACTIVATABLE"  # ACTIVATABLE | FAILED | ERROR_THROWN
    error_message: str = ""
    listener: str | None = None  # an execution listener's job: START or END


@dataclass(slots=True, eq=False)
class UserTask:
    key: int
    element_instance_key: int
    element_id: str


@dataclass(slots=True, eq=False)
class Incident:
    key: int
    error_type: str
    error_message: str
    element_instance_key: int
    element_id: str
    job_key: int = -1


@dataclass(slots=True, eq=False)
class Subscription:
    """An open timer, message subscription or signal subscription of a catch event."""

    key: int
    value_type: str  # TIMER | PROCESS_MESSAGE_SUBSCRIPTION | SIGNAL_SUBSCRIPTION
    element_instance_key: int  # the element instance that owns the catch event
    element_id: str  # the catch event
    fields: dict[str, Any]  # dueDate, repetitions / messageName, correlationKey / signalName


class InstanceState:
    """Everything the engine knows about one running or finished process instance."""

    __slots__ = (
        "definition_key",
        "elements",
        "end_time",
        "incidents",
        "jobs",
        "key",
        "lifecycle",
        "models",
        "parent_element_instance_key",
        "parent_instance_key",
        "process_id",
        "start_time",
        "subscriptions",
        "user_tasks",
        "variables",
        "version",
    )

    def __init__(self, key: int, models: ModelResolver) -> None:
        self.key = key
        self.definition_key = -1
        self.process_id = ""
        self.version = 0
        self.parent_instance_key = -1
        self.parent_element_instance_key = -1
        self.lifecycle = ""  # ACTIVE, COMPLETED or TERMINATED once the process element moves
        self.start_time = ""
        self.end_time = ""
        self.elements: dict[int, ElementInstance] = {}
        self.variables: dict[int, dict[str, Variable]] = {}
        self.jobs: dict[int, Job] = {}
        self.user_tasks: dict[int, UserTask] = {}
        self.incidents: dict[int, Incident] = {}
        self.subscriptions: dict[int, Subscription] = {}
        self.models = models

    # -- reads -------------------------------------------------------------------------
    @property
    def model(self) -> Process:
        return self.models(self.definition_key)

    @property
    def is_running(self) -> bool:
        return self.lifecycle == "ACTIVE"

    @property
    def root(self) -> ElementInstance | None:
        return self.elements.get(self.key)

    def leaves(self) -> list[ElementInstance]:
        """Leaf element instances (tokens at rest), in key order; the process never counts. A
        multi-instance body is a leaf only while it has no inner instance (at rest: it holds
        an incident of its input collection), like any other container."""
        return [
            ei
            for key, ei in sorted(self.elements.items())
            if not ei.children and key != self.key
        ]

    def active_element_ids(self) -> list[str]:
        return [ei.element_id for ei in self.leaves()]

    def scope_chain(self, scope_key: int) -> list[int]:
        """The variable scopes from `scope_key` up to the process instance."""
        chain = []
        key = scope_key
        while key != -1:
            chain.append(key)
            ei = self.elements.get(key)
            key = ei.flow_scope_key if ei is not None else -1
        return chain

    def lookup(self, scope_key: int, name: str) -> tuple[int, Variable] | None:
        """The nearest scope (from `scope_key` up) that has variable `name`."""
        for key in self.scope_chain(scope_key):
            scope = self.variables.get(key)
            if scope is not None and name in scope:
                return key, scope[name]
        return None

    def visible_variables(self, scope_key: int) -> dict[str, Any]:
        """The variables an expression evaluated in `scope_key` sees (inner scopes shadow)."""
        merged: dict[str, Any] = {}
        for key in reversed(self.scope_chain(scope_key)):
            scope = self.variables.get(key)
            if scope:
                for name, variable in scope.items():
                    merged[name] = variable.value
        return merged

    def process_variables(self) -> dict[str, Any]:
        return {name: v.value for name, v in self.variables.get(self.key, {}).items()}

    def open_jobs_of(self, element_id: str) -> list[Job]:
        return sorted(
            (job for job in self.jobs.values() if job.element_id == element_id),
            key=lambda job: job.key,
        )

    def incidents_of(self, element_instance_key: int) -> list[Incident]:
        return [i for i in self.incidents.values() if i.element_instance_key == element_instance_key]

    def subscriptions_of(self, element_instance_key: int) -> list[Subscription]:
        return sorted(
            (s for s in self.subscriptions.values() if s.element_instance_key == element_instance_key),
            key=lambda s: s.key,
        )

"""The behaviours element and command processors share (Zeebe's `BpmnBehaviors`), built once
per engine and wired to each other here.

Each behaviour is an object holding only engine-lifetime collaborators (this bundle, the
catalog); the running command's `CommandContext` is an argument of every method. The record
builders without collaborators are plain modules: `transitions`, `variables`, `incidents`,
`jobs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine_sim.engine.bpmn.calls import CallActivities
from engine_sim.engine.bpmn.error_events import ErrorEvents
from engine_sim.engine.bpmn.event_triggers import EventTriggers
from engine_sim.engine.bpmn.lifecycle import ElementLifecycle
from engine_sim.engine.bpmn.listeners import ExecutionListeners
from engine_sim.engine.bpmn.start_events import StartEvents
from engine_sim.engine.bpmn.subscriptions import Subscriptions
from engine_sim.engine.bpmn.triggers import Triggers
from engine_sim.engine.catalog import ProcessCatalog


@dataclass(eq=False)
class Behaviors:
    catalog: ProcessCatalog
    lifecycle: ElementLifecycle = field(init=False)
    subscriptions: Subscriptions = field(init=False)
    triggers: Triggers = field(init=False)
    errors: ErrorEvents = field(init=False)
    calls: CallActivities = field(init=False)
    events: EventTriggers = field(init=False)
    starts: StartEvents = field(init=False)
    listeners: ExecutionListeners = field(init=False)

    def __post_init__(self) -> None:
        self.subscriptions = Subscriptions(self)
        self.triggers = Triggers(self)
        self.errors = ErrorEvents(self)
        self.calls = CallActivities(self)
        self.events = EventTriggers(self)
        self.starts = StartEvents(self)
        self.listeners = ExecutionListeners(self)
        self.lifecycle = ElementLifecycle(self)  # last: its processors read the others

"""What happens when a catch event is triggered (Zeebe's `EventTriggerBehavior` and
`BpmnEventSubscriptionBehavior`), whatever triggered it: a timer, a message, a signal, a
BPMN error or an escalation.

- an intermediate catch event or receive task completes with the trigger's variables;
- an event-based gateway completes (closing its other subscriptions) and takes the flow to
  the winning event, which activates and completes with the variables;
- a boundary event: an interrupting one terminates its activity first; then the boundary
  event activates in the activity's flow scope and completes with the variables;
- an event subprocess start event: an interrupting one closes the scope's other event
  subprocess subscriptions and terminates the scope's children first; then the event
  subprocess activates in the scope, and its start event completes with the variables.

The trigger's variables ride along to the element they belong to in a per-command stash,
keyed by (instance, flow scope, element id): the element takes them when it activates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element, ElementType
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.dispatch import Bpmn
    from engine_sim.engine.engine import Engine
    from engine_sim.engine.processing import Processing

StashKey = tuple[int, int, str]
ACTIVATING = Intent.ELEMENT_ACTIVATING
ACTIVATED = Intent.ELEMENT_ACTIVATED


class Triggers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._owner: Processing | None = None
        self._stash: dict[StashKey, dict[str, Any]] = {}
        self._choices: dict[tuple[int, int], str] = {}

    @property
    def bpmn(self) -> Bpmn:
        return self.engine.bpmn

    # -- the stash (lives as long as one command) ----------------------------------------
    def _fresh(self) -> None:
        if self._owner is not self.engine.processing:
            self._owner = self.engine.processing
            self._stash, self._choices = {}, {}

    def put(self, state: InstanceState, scope_key: int, element_id: str,
            variables: dict[str, Any]) -> None:
        self._fresh()
        self._stash[(state.key, scope_key, element_id)] = variables

    def take(self, state: InstanceState, ei: ElementInstance) -> dict[str, Any] | None:
        """The variables of the trigger that activates `ei`, or None when `ei` was reached
        by a plain sequence flow (it then waits for its event)."""
        self._fresh()
        return self._stash.pop((state.key, ei.flow_scope_key, ei.element_id), None)

    def chosen(self, state: InstanceState, gateway: ElementInstance) -> str | None:
        self._fresh()
        return self._choices.pop((state.key, gateway.key), None)

    # -- can it be triggered? ------------------------------------------------------------
    @staticmethod
    def can_trigger(state: InstanceState, owner: ElementInstance | None, event: Element) -> bool:
        """Zeebe accepts an event only while its owner is active: a scope that an
        interrupting event subprocess took over accepts no further start events."""
        if owner is None or state.elements.get(owner.key) is not owner:
            return False
        if event.type is ElementType.START_EVENT:
            return owner.lifecycle == ACTIVATED and not owner.interrupted
        if event.type is ElementType.BOUNDARY_EVENT:  # also an activity held by an incident
            return owner.lifecycle in (ACTIVATING, ACTIVATED)
        return owner.lifecycle == ACTIVATED

    # -- triggering ----------------------------------------------------------------------
    def trigger(self, state: InstanceState, owner: ElementInstance, event: Element,
                variables: dict[str, Any]) -> None:
        """Run the catch event `event` that `owner` subscribed to."""
        if event.type is ElementType.BOUNDARY_EVENT:
            self.boundary_event(state, owner, event, variables)
        elif event.type is ElementType.START_EVENT:
            self.event_subprocess(state, owner, event, variables)
        elif owner.type is ElementType.EVENT_BASED_GATEWAY:
            self.event_gateway(state, owner, event, variables)
        else:
            self.bpmn.complete(state, owner, variables)

    def boundary_event(self, state: InstanceState, activity: ElementInstance, event: Element,
                       variables: dict[str, Any]) -> None:
        """Zeebe: an interrupting boundary event's ELEMENT_ACTIVATING follows its activity's
        ELEMENT_TERMINATED."""
        scope_key = activity.flow_scope_key
        if event.interrupting:
            self.bpmn.terminate(state, activity)
        self.put(state, scope_key, event.id, variables)
        self.bpmn.activate(state, event, scope_key)

    def event_subprocess(self, state: InstanceState, scope: ElementInstance, start: Element,
                         variables: dict[str, Any]) -> None:
        """An interrupting start closes the scope's event-subprocess subscriptions and
        terminates the scope's children (leaves first) before the event subprocess
        activates; the scope then completes when the event subprocess does."""
        sub_process = state.model.elements[start.flow_scope or ""]
        if start.interrupting:
            self.engine.subscriptions.close_event_subprocess_starts(state, scope)
            self.bpmn.terminate_children(state, scope)
        key = self.engine.processing.new_key()
        self.put(state, key, start.id, variables)
        self.bpmn.activate(state, sub_process, scope.key, key)

    def event_gateway(self, state: InstanceState, gateway: ElementInstance, event: Element,
                      variables: dict[str, Any]) -> None:
        """The first event wins: the gateway completes (its other subscriptions close) and
        takes the flow to the winner, which activates and completes at once."""
        self._fresh()
        self._choices[(state.key, gateway.key)] = event.id
        self.put(state, gateway.flow_scope_key, event.id, variables)
        self.bpmn.complete(state, gateway)

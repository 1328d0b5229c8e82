"""The process and embedded subprocesses: they start their none start event and complete
when their last child is done."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.dispatch import Bpmn


class ContainerProcessor(ElementProcessor):
    def on_activate(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                    element: Element) -> None:
        bpmn.p.transition(state, ei, Intent.ELEMENT_ACTIVATED)
        bpmn.engine.subscriptions.open_event_subprocess_starts(state, ei, element)
        start = state.model.none_start_event(element.id)
        if start is not None:
            bpmn.p.later(bpmn.activate, state, start, ei.key)


class ProcessProcessor(ContainerProcessor):
    def after_completed(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                        element: Element) -> None:
        bpmn.engine.calls.child_completed(state)
        bpmn.p.later(bpmn.engine.events.instance_finished, state)

    def on_terminate(self, bpmn: Bpmn, state: InstanceState, ei: ElementInstance,
                     element: Element) -> None:
        super().on_terminate(bpmn, state, ei, element)
        # after ELEMENT_TERMINATED: a buffered message may start the next instance
        bpmn.p.later(bpmn.engine.events.instance_finished, state)

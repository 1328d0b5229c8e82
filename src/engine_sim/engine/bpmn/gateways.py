"""Exclusive, parallel and inclusive gateways (the event-based gateway lives with the events).

A gateway decides in its activation, as in Zeebe: when no flow can be chosen it keeps its
token in ELEMENT_ACTIVATING with a CONDITION_ERROR incident, and resolving the incident
re-runs the decision with the variables as they are then.
"""

from __future__ import annotations

from typing import Any

from engine_sim.engine.bpmn.base import ElementProcessor
from engine_sim.engine.bpmn.expressions import EvaluationFailed, evaluate_condition
from engine_sim.engine.bpmn.incidents import raise_incident
from engine_sim.engine.bpmn.transitions import transition
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element, SequenceFlow
from engine_sim.records import Intent

NO_FLOW_CHOSEN = (
    "Expected at least one condition to evaluate to true, or to have a default flow"
)


class ForkingGateway(ElementProcessor):
    """Choose outgoing flows, then ACTIVATED, COMPLETING, COMPLETED and take them at once."""

    def choose(self, state: InstanceState, ei: ElementInstance, element: Element) -> list[SequenceFlow]:
        raise NotImplementedError

    def on_activate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, prepared: Any = None) -> None:
        try:
            flows = self.choose(state, ei, element)
        except EvaluationFailed as failure:
            raise_incident(ctx, state, ei, "CONDITION_ERROR", failure.message)
            return
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
        transition(ctx, state, ei, Intent.ELEMENT_COMPLETING)
        transition(ctx, state, ei, Intent.ELEMENT_COMPLETED)
        self.b.lifecycle.take_outgoing(ctx, state, element, ei.flow_scope_key, flows)
        self.b.lifecycle.child_finished(ctx, state, ei.flow_scope_key)


def _conditional_flows(state: InstanceState, ei: ElementInstance, element: Element,
                       first_only: bool) -> list[SequenceFlow]:
    model = state.model
    chosen = []
    for flow_id in element.outgoing:
        if flow_id == element.default_flow:
            continue
        flow = model.flows[flow_id]
        if flow.condition is None or evaluate_condition(flow.condition, state, ei.flow_scope_key):
            chosen.append(flow)
            if first_only:
                break
    if not chosen and element.default_flow is not None:
        chosen.append(model.flows[element.default_flow])
    if not chosen:
        raise EvaluationFailed(NO_FLOW_CHOSEN)
    return chosen


class ExclusiveGatewayProcessor(ForkingGateway):
    def choose(self, state: InstanceState, ei: ElementInstance, element: Element) -> list[SequenceFlow]:
        return _conditional_flows(state, ei, element, first_only=True)


class InclusiveGatewayProcessor(ForkingGateway):
    def choose(self, state: InstanceState, ei: ElementInstance, element: Element) -> list[SequenceFlow]:
        return _conditional_flows(state, ei, element, first_only=False)


class ParallelGatewayProcessor(ForkingGateway):
    def choose(self, state: InstanceState, ei: ElementInstance, element: Element) -> list[SequenceFlow]:
        return [state.model.flows[f] for f in element.outgoing]

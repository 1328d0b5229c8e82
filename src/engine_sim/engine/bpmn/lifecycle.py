"""The element lifecycle shared by every element type (Zeebe's `BpmnStreamProcessor` with its
state-transition behaviour): activate, complete, terminate, joins and flow-scope completion.
What differs per element type lives in the processors of `registry.element_processors`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from engine_sim.engine.bpmn import incidents, transitions
from engine_sim.engine.bpmn.base import PREPARE_FAILED
from engine_sim.engine.bpmn.expressions import EvaluationFailed, evaluate
from engine_sim.engine.bpmn.listeners import end_listeners, start_listeners
from engine_sim.engine.bpmn.registry import element_processors
from engine_sim.engine.bpmn.variables import merge_variables, set_local, set_variable
from engine_sim.engine.catalog import DeployedProcess
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import Element, ElementType, SequenceFlow
from engine_sim.records import Intent, ValueType

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.behaviors import Behaviors

ACTIVATING = Intent.ELEMENT_ACTIVATING
ACTIVATED = Intent.ELEMENT_ACTIVATED
COMPLETING = Intent.ELEMENT_COMPLETING
TERMINATING = Intent.ELEMENT_TERMINATING


class ElementLifecycle:
    """Runs elements: every method works inside the command context `ctx` it is given."""

    def __init__(self, behaviors: Behaviors) -> None:
        self.b = behaviors
        self.processors = element_processors(behaviors)

    def processor(self, ei: ElementInstance) -> Any:
        return self.processors[ei.type]

    # -- instances -----------------------------------------------------------------------
    def start_instance(self, ctx: CommandContext, deployed: DeployedProcess,
                       variables_: dict[str, Any], start: Element,
                       parent: tuple[int, int] = (-1, -1), key: int | None = None) -> InstanceState:
        """A new instance of `deployed`, entering at `start` (a start event of the process).
        `key` is given when the caller announced it first (a start event's trigger record);
        `parent`: the call activity's instance and element instance keys for a called child,
        which Zeebe creates without a PROCESS_INSTANCE_CREATION record."""
        state = InstanceState(ctx.new_key() if key is None else key, self.b.catalog.model)
        # an instance is born with its definition; ELEMENT_ACTIVATING of the process restates it
        state.definition_key, state.process_id, state.version = (
            deployed.key, deployed.process_id, deployed.version,
        )
        state.parent_instance_key, state.parent_element_instance_key = parent
        set_local(ctx, state, state.key, variables_)
        if parent[0] == -1:
            ctx.write(state, ValueType.PROCESS_INSTANCE_CREATION, Intent.CREATED, state.key,
                      variables=variables_, parentProcessInstanceKey=-1,
                      parentElementInstanceKey=-1)
        root = transitions.activating(ctx, state, deployed.model.root, -1, state.key, parent=parent)
        if deployed.model.root.start_listeners:
            self.b.listeners.create_job(ctx, state, root, deployed.model.root.start_listeners[0])
            return state
        self._enter_process(ctx, state, root, start)
        return state

    def _enter_process(self, ctx: CommandContext, state: InstanceState, root: ElementInstance,
                       start: Element) -> None:
        transitions.transition(ctx, state, root, Intent.ELEMENT_ACTIVATED)
        self.b.subscriptions.open_event_subprocess_starts(ctx, state, root, state.model.root)
        ctx.later(self.activate, ctx, state, start, state.key)

    # -- activation ----------------------------------------------------------------------
    def activate(self, ctx: CommandContext, state: InstanceState, element: Element, scope_key: int,
                 key: int | None = None) -> ElementInstance | None:
        """Activate `element` in the flow scope `scope_key` (dropped when the scope is gone)."""
        scope = state.elements.get(scope_key)
        if scope is None or scope.lifecycle not in (ACTIVATED, ACTIVATING) or scope.interrupted:
            return None  # the scope was terminated (or taken over by an interrupting event
            # subprocess) while this token was on its way
        element_type = element.type
        if element.loop is not None and scope.type is not ElementType.MULTI_INSTANCE_BODY:
            element_type = ElementType.MULTI_INSTANCE_BODY
        ei = transitions.activating(ctx, state, element, scope_key, key, element_type)
        self.run_activation(ctx, state, ei)
        return ei

    def run_activation(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance) -> None:
        """The element-specific part of the activation, in Zeebe's order: input mappings, the
        start execution listeners' jobs (the element waits in ACTIVATING for each), then
        `finish_activation`. Re-run when its incident is resolved."""
        element = state.model.elements[ei.element_id]
        body = self.mi_body_of(state, ei)
        if body is not None and not self.processor(body).on_child_activating(ctx, state, body, ei):
            return  # the loop variables could not be set (an incident on the inner instance)
        if (ei.type is not ElementType.MULTI_INSTANCE_BODY and element.io.inputs
                and not self._apply_inputs(ctx, state, ei, element)):
            return
        if element.start_listeners and (listeners := start_listeners(element, ei)):
            self.b.listeners.create_job(ctx, state, ei, listeners[0])
            return
        self._activate_element(ctx, state, ei, element)

    def finish_activation(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance) -> None:
        """The activation after the last start listener's job completed."""
        element = state.model.elements[ei.element_id]
        if ei.key == state.key:  # deploy and migration checks guarantee there is one
            start = state.model.listened_start_event(element.id)
            assert start is not None
            self._enter_process(ctx, state, ei, start)
        else:
            self._activate_element(ctx, state, ei, element)

    def _activate_element(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                          element: Element) -> None:
        """What can fail (`prepare`), boundary-event subscriptions, then the element's own
        work (its job before ELEMENT_ACTIVATED)."""
        processor = self.processor(ei)
        prepared = processor.prepare(ctx, state, ei, element)
        if prepared is PREPARE_FAILED:
            return  # a job expression or the called process failed (an incident)
        if not self.b.subscriptions.open_boundary_events(ctx, state, ei, element):
            return  # a boundary event's timer or correlation key failed (an incident)
        processor.on_activate(ctx, state, ei, element, prepared)

    @staticmethod
    def mi_body_of(state: InstanceState, ei: ElementInstance) -> ElementInstance | None:
        """The multi-instance body of an inner instance (None for any other element)."""
        scope = state.elements.get(ei.flow_scope_key)
        return scope if scope is not None and scope.type is ElementType.MULTI_INSTANCE_BODY else None

    def _apply_inputs(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance, element: Element) -> bool:
        values = _evaluate_mappings(ctx, state, ei, element.io.inputs)
        if values is None:
            return False
        for target, value in values:
            set_variable(ctx, state, ei.key, target, value)
        return True

    def retry(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance) -> None:
        """Re-run the step that raised a resolved incident (Zeebe re-writes that command)."""
        if ei.lifecycle == ACTIVATING and ei.key == state.key:
            # only a process start listener holds the process here; a migration may have
            # brought it to a process without any
            listeners = state.model.root.start_listeners
            if listeners:
                self.b.listeners.create_job(ctx, state, ei, listeners[0])
            else:
                self.finish_activation(ctx, state, ei)
        elif ei.lifecycle == ACTIVATING:
            self.run_activation(ctx, state, ei)
        elif ei.lifecycle == COMPLETING:
            self.complete(ctx, state, ei)

    # -- completion ----------------------------------------------------------------------
    def complete(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                 variables: dict[str, Any] | None = None) -> None:
        """ELEMENT_COMPLETING, variables and output mappings, the end execution listeners'
        jobs (the element waits in COMPLETING for each), ELEMENT_COMPLETED, then onward."""
        if state.elements.get(ei.key) is not ei or ei.lifecycle not in (ACTIVATED, COMPLETING):
            return
        element = state.model.elements[ei.element_id]
        if ei.lifecycle != COMPLETING:
            transitions.transition(ctx, state, ei, COMPLETING)
        if variables:
            self._accept_variables(ctx, state, ei, element, variables)
        if (element.io.outputs and ei.type is not ElementType.MULTI_INSTANCE_BODY
                and not self._apply_outputs(ctx, state, ei, element)):
            return
        processor = self.processor(ei)
        if not processor.on_complete(ctx, state, ei, element):
            return
        body = self.mi_body_of(state, ei)  # Zeebe's beforeExecutionPathCompleted
        if body is not None and not self.processor(body).before_child_completed(ctx, state, body, ei):
            return
        self.b.subscriptions.close_all(ctx, state, ei)  # Zeebe: unsubscribe before COMPLETED
        if element.end_listeners and (listeners := end_listeners(element, ei)):
            self.b.listeners.create_job(ctx, state, ei, listeners[0])
            return
        self.finish_completion(ctx, state, ei)

    def finish_completion(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance) -> None:
        """ELEMENT_COMPLETED and onward: at once, or after the last end listener's job."""
        element = state.model.elements[ei.element_id]
        transitions.transition(ctx, state, ei, Intent.ELEMENT_COMPLETED)
        self.processor(ei).after_completed(ctx, state, ei, element)

    def _accept_variables(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance, element: Element,
                          variables: dict[str, Any]) -> None:
        """Zeebe: with output mappings the variables are local to the element (the mappings
        read them); without, they propagate to the nearest scope that has them."""
        if element.io.outputs:
            for name, value in variables.items():
                set_variable(ctx, state, ei.key, name, value)
        else:
            merge_variables(ctx, state, ei.key, variables)

    def _apply_outputs(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance, element: Element) -> bool:
        values = _evaluate_mappings(ctx, state, ei, element.io.outputs)
        if values is None:
            return False
        scope_key = ei.flow_scope_key if ei.flow_scope_key != -1 else ei.key
        merge_variables(ctx, state, scope_key, dict(values))
        return True

    def continue_after(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance, element: Element) -> None:
        """The default after completion: take every outgoing flow, or let the scope finish.
        An inner instance of a multi-instance activity takes no flow: its body decides."""
        if self.mi_body_of(state, ei) is not None:
            return
        if element.outgoing:
            self.take_outgoing(ctx, state, element, ei.flow_scope_key)
        self.child_finished(ctx, state, ei.flow_scope_key)

    # -- termination ---------------------------------------------------------------------
    def terminate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance) -> None:
        """Zeebe's order: the element's TERMINATING, its children (leaves first), cleanup,
        then its TERMINATED."""
        if state.elements.get(ei.key) is not ei:
            return
        if ei.lifecycle != TERMINATING:
            transitions.transition(ctx, state, ei, TERMINATING)
        for child_key in sorted(ei.children):
            child = state.elements.get(child_key)
            if child is not None:
                self.terminate(ctx, state, child)
        element = state.model.elements[ei.element_id]
        if ei.job_key is not None:
            self.b.listeners.cancel_job(ctx, state, ei)  # waiting on a listener's job
        self.processor(ei).on_terminate(ctx, state, ei, element)
        incidents.resolve_incidents_of(ctx, state, ei)
        transitions.transition(ctx, state, ei, Intent.ELEMENT_TERMINATED)

    def terminate_children(self, ctx: CommandContext, state: InstanceState, scope: ElementInstance,
                           keep: int | None = None) -> None:
        for child_key in sorted(scope.children):
            child = state.elements.get(child_key)
            if child is not None and child_key != keep:
                self.terminate(ctx, state, child)

    # -- sequence flows ------------------------------------------------------------------
    def take_flow(self, ctx: CommandContext, state: InstanceState, flow: SequenceFlow,
                  scope_key: int) -> None:
        """SEQUENCE_FLOW_TAKEN, then the target's activation (or the join's bookkeeping)."""
        transitions.flow_taken(ctx, state, flow, scope_key)
        scope = state.elements[scope_key]
        target = state.model.elements[flow.target]
        if target.id in scope.joins:
            ctx.later(self.try_join, ctx, state, scope_key, target.id)
        else:
            ctx.later(self.activate, ctx, state, target, scope_key)

    def take_outgoing(self, ctx: CommandContext, state: InstanceState, element: Element,
                      scope_key: int, flows: list[SequenceFlow] | None = None) -> None:
        model = state.model
        chosen = flows if flows is not None else [model.flows[f] for f in element.outgoing]
        for flow in chosen:
            self.take_flow(ctx, state, flow, scope_key)

    # -- flow scopes and joins -----------------------------------------------------------
    def child_finished(self, ctx: CommandContext, state: InstanceState, scope_key: int) -> None:
        """A child of `scope_key` completed or was terminated: re-check joins, then whether
        the scope itself can complete (no children, no tokens on flows, no waiting joins)."""
        scope = state.elements.get(scope_key)
        if scope is None or scope.lifecycle != ACTIVATED:
            return
        for gateway_id in list(scope.joins):
            if state.model.elements[gateway_id].type is ElementType.INCLUSIVE_GATEWAY:
                ctx.later(self.try_join, ctx, state, scope_key, gateway_id)
        if not scope.children and not scope.in_flight and not scope.joins:
            ctx.later(self.processor(scope).on_children_done, ctx, state, scope)

    def try_join(self, ctx: CommandContext, state: InstanceState, scope_key: int, gateway_id: str) -> None:
        scope = state.elements.get(scope_key)
        if scope is None or gateway_id not in scope.joins or scope.lifecycle != ACTIVATED:
            return
        gateway = state.model.elements[gateway_id]
        taken = {flow_id for flow_id, _ in scope.joins[gateway_id]}
        untaken = [f for f in gateway.incoming if f not in taken]
        if untaken and (
            gateway.type is ElementType.PARALLEL_GATEWAY
            or self._can_still_arrive(state, scope, gateway_id, untaken)
        ):
            return
        self.activate(ctx, state, gateway, scope_key)

    def _can_still_arrive(self, state: InstanceState, scope: ElementInstance, gateway_id: str,
                          untaken: list[str]) -> bool:
        """Could a token of this scope still reach one of the gateway's untaken flows?"""
        model = state.model
        sources = {model.flows[f].source for f in untaken}
        tokens = [state.elements[k].element_id for k in scope.children]
        tokens += list(scope.in_flight)
        tokens += [g for g in scope.joins if g != gateway_id]
        for token in tokens:
            if token in sources or not sources.isdisjoint(model.reachable.get(token, ())):
                return True
        return False


def _evaluate_mappings(ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                       mappings: Iterable[Any]) -> list[tuple[str, Any]] | None:
    """(target, value) of each input or output mapping; on a failure, an IO_MAPPING_ERROR
    incident on the element and None (nothing is written before every value is known)."""
    try:
        return [(m.target, evaluate(m.source, state, ei.key)) for m in mappings]
    except EvaluationFailed as failure:
        incidents.raise_incident(ctx, state, ei, "IO_MAPPING_ERROR", failure.message)
        return None

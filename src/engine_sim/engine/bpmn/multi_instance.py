"""Multi-instance activities (Zeebe's `MultiInstanceBodyProcessor`).

An activity with `loop` runs as two elements sharing its id: the body
(MULTI_INSTANCE_BODY, an ordinary element instance: boundary events attach to it) and inner
instances of the activity's own type, whose flow scope is the body. `Bpmn.activate` picks
the body when the flow scope is not a body, the inner type when it is.

- Body activation evaluates `inputCollection` in the body's scope; anything but a list is an
  EXTRACT_VALUE_ERROR incident on the body (it stays ACTIVATING; resolving re-runs it).
  Then ELEMENT_ACTIVATED, the `outputCollection` local variable (a list of nulls, one per
  item), and: nothing to do (an empty collection completes the body at once), one inner
  instance (sequential) or one per item (parallel), each a follow-up as in Zeebe.
- Each inner instance gets, before its input mappings (`on_child_activating`), local
  variables: `inputElement` (the item, re-read from the collection as Zeebe does), a null
  `outputElement` variable when that expression is a plain variable name (so a job's result
  of that name stays local), and `loopCounter` (1-based).
- When an inner instance completes (`before_child_completed`, between its COMPLETING and
  COMPLETED): `outputElement` is evaluated in its scope into the body's `outputCollection`
  at its position, and `completionCondition` is evaluated in its scope with Zeebe's
  `numberOfInstances`, `numberOfActiveInstances`, `numberOfCompletedInstances`,
  `numberOfTerminatedInstances`. A failure is an EXTRACT_VALUE_ERROR incident on the inner
  instance (it stays COMPLETING). Then (`after_child_completed`, a follow-up): a satisfied
  condition terminates the remaining inner instances and completes the body; a sequential
  body starts the next item (the collection re-read, as Zeebe does); a body without inner
  instances left completes.
- The body's completion propagates `outputCollection` from the body's flow scope upwards
  (Zeebe's `propagateVariable`), then takes the activity's outgoing flows. Inner instances
  never take flows (`Bpmn.continue_after`).
"""

from __future__ import annotations

import re
from typing import Any

from engine_sim.engine.bpmn.base import PREPARE_FAILED, ElementProcessor
from engine_sim.engine.bpmn.expressions import EvaluationFailed, ScopeVariables, evaluate, type_name
from engine_sim.engine.bpmn.incidents import EXTRACT_VALUE_ERROR, raise_incident
from engine_sim.engine.bpmn.transitions import transition
from engine_sim.engine.bpmn.variables import merge_variables, set_variable
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.feel import FeelError, evaluate_boolean
from engine_sim.model import Element, ElementType, LoopCharacteristics
from engine_sim.records import Intent

LOOP_COUNTER = "loopCounter"
# Zeebe's messages (ExpressionProcessor, MultiInstanceBodyProcessor, output collection behavior)
NOT_A_LIST = "Expected result of the expression '{expr}' to be 'ARRAY', but was '{type}'."
ITEM_MISSING = (
    "Expected to read item at index {index} of the multiInstanceBody input collection but it "
    "contains only {size} elements. The input collection might be modified while iterating "
    "over it."
)
OUTPUT_NOT_A_LIST = (
    "Unable to update an item in output collection '{name}' because the type of the output "
    "collection is: {type}. This may happen when multiple BPMN elements write to the same "
    "variable."
)
OUTPUT_TOO_SHORT = (
    "Unable to update an item in output collection '{name}' at position {position} because the "
    "size of the collection is: {size}. This may happen when multiple BPMN elements write to "
    "the same variable."
)
_VARIABLE_PATH = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)(\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*\s*$")


def is_inner_instance(state: InstanceState, ei: ElementInstance) -> bool:
    """An inner instance of a multi-instance activity (its flow scope is the body)."""
    scope = state.elements.get(ei.flow_scope_key)
    return scope is not None and scope.type is ElementType.MULTI_INSTANCE_BODY


def input_collection(state: InstanceState, scope_key: int, loop: LoopCharacteristics) -> list[Any]:
    """`inputCollection` evaluated in `scope_key`; anything but a list fails as in Zeebe."""
    value = evaluate(loop.input_collection, state, scope_key)
    if not isinstance(value, list):
        raise EvaluationFailed(NOT_A_LIST.format(expr=loop.input_collection.body.strip(),
                                                 type=type_name(value)))
    return value


def output_variable(loop: LoopCharacteristics) -> str | None:
    """The variable `outputElement` reads when it is just a variable (or a path into one)."""
    if loop.output_element is None or loop.output_element.is_static:
        return None
    match = _VARIABLE_PATH.match(loop.output_element.body)
    return match.group(1) if match else None


class MultiInstanceBodyProcessor(ElementProcessor):
    # -- the body ------------------------------------------------------------------------
    def prepare(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                element: Element) -> Any:
        """Zeebe reads the input collection before the body subscribes to boundary events."""
        try:
            return input_collection(state, ei.key, _loop(element))
        except EvaluationFailed as failure:
            raise_incident(ctx, state, ei, EXTRACT_VALUE_ERROR, failure.message)
            return PREPARE_FAILED

    def on_activate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, prepared: Any = None) -> None:
        loop = _loop(element)
        collection = prepared
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
        if loop.output_collection:
            set_variable(ctx, state, ei.key, loop.output_collection, [None] * len(collection))
        if not collection:
            ctx.later(self.b.lifecycle.complete, ctx, state, ei)
            return
        for _ in range(1 if loop.sequential else len(collection)):
            ctx.later(self.b.lifecycle.activate, ctx, state, element, ei.key)

    def on_complete(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element) -> bool:
        """Zeebe's `propagateVariable`: the output collection goes to the body's flow scope
        (the nearest scope from there that has the name, else the process)."""
        name = _loop(element).output_collection
        variable = state.variables.get(ei.key, {}).get(name or "")
        if name and variable is not None:
            merge_variables(ctx, state, ei.flow_scope_key, {name: variable.value})
        return True

    def on_children_done(self, ctx: CommandContext, state: InstanceState, scope: ElementInstance) -> None:
        """The body decides itself when it completes (`after_child_completed`)."""

    # -- its inner instances -------------------------------------------------------------
    def on_child_activating(self, ctx: CommandContext, state: InstanceState, body: ElementInstance,
                            inner: ElementInstance) -> bool:
        """The loop variables, local to the inner instance; False after an incident."""
        loop = _loop(state.model.elements[body.element_id])
        index = inner.loop_counter - 1
        try:
            collection = input_collection(state, inner.key, loop)
            if index >= len(collection):
                raise EvaluationFailed(ITEM_MISSING.format(index=index, size=len(collection)))
        except EvaluationFailed as failure:
            raise_incident(ctx, state, inner, EXTRACT_VALUE_ERROR, failure.message)
            return False
        if loop.input_element:
            set_variable(ctx, state, inner.key, loop.input_element, collection[index])
        output = output_variable(loop)
        if output and output not in (loop.input_element, LOOP_COUNTER):
            set_variable(ctx, state, inner.key, output, None)
        set_variable(ctx, state, inner.key, LOOP_COUNTER, inner.loop_counter)
        return True

    def before_child_completed(self, ctx: CommandContext, state: InstanceState, body: ElementInstance,
                               inner: ElementInstance) -> bool:
        """Output element and completion condition, read while the inner instance's local
        variables still exist; then queue the body's decision. False after an incident."""
        loop = _loop(state.model.elements[body.element_id])
        try:
            self._update_output(ctx, state, body, inner, loop)
            satisfied = self._completion_condition(state, body, inner, loop)
            size = len(input_collection(state, body.key, loop))
        except EvaluationFailed as failure:
            raise_incident(ctx, state, inner, EXTRACT_VALUE_ERROR, failure.message)
            return False
        ctx.later(self.after_child_completed, ctx, state, body, size, satisfied)
        return True

    def after_child_completed(self, ctx: CommandContext, state: InstanceState, body: ElementInstance,
                              size: int, satisfied: bool) -> None:
        if state.elements.get(body.key) is not body or body.lifecycle != Intent.ELEMENT_ACTIVATED:
            return  # already completing (an earlier inner instance satisfied the condition)
        element = state.model.elements[body.element_id]
        if satisfied:
            self.b.lifecycle.terminate_children(ctx, state, body)
            self.b.lifecycle.complete(ctx, state, body)
        elif _loop(element).sequential and body.loop_counter < size:
            self.b.lifecycle.activate(ctx, state, element, body.key)
        elif not body.children:
            self.b.lifecycle.complete(ctx, state, body)

    # -- helpers -------------------------------------------------------------------------
    def _update_output(self, ctx: CommandContext, state: InstanceState, body: ElementInstance,
                       inner: ElementInstance, loop: LoopCharacteristics) -> None:
        if not loop.output_collection or loop.output_element is None:
            return
        value = evaluate(loop.output_element, state, inner.key)
        name = loop.output_collection
        variable = state.variables.get(body.key, {}).get(name)
        current = variable.value if variable is not None else None
        if not isinstance(current, list):
            raise EvaluationFailed(OUTPUT_NOT_A_LIST.format(name=name, type=type_name(current)))
        position = inner.loop_counter
        if position > len(current):
            raise EvaluationFailed(OUTPUT_TOO_SHORT.format(name=name, position=position, size=len(current)))
        updated = list(current)
        updated[position - 1] = value
        set_variable(ctx, state, body.key, name, updated)

    @staticmethod
    def _completion_condition(state: InstanceState, body: ElementInstance,
                              inner: ElementInstance, loop: LoopCharacteristics) -> bool:
        if loop.completion_condition is None:
            return False
        # the inner instance is completing: Zeebe counts it as completed, no longer active;
        # inner instances are terminated only when the body finishes, so none is terminated yet
        active = len(body.children)
        counts = {
            "numberOfInstances": body.loop_counter,
            "numberOfActiveInstances": active - 1,
            "numberOfCompletedInstances": body.loop_counter - active + 1,
            "numberOfTerminatedInstances": 0,
        }
        try:
            return evaluate_boolean(loop.completion_condition, ScopeVariables(state, inner.key, counts))
        except FeelError as error:
            raise EvaluationFailed(str(error)) from None


def _loop(element: Element) -> LoopCharacteristics:
    assert element.loop is not None  # only elements with loop characteristics get a body
    return element.loop

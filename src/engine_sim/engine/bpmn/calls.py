"""Call activities (Zeebe's `CallActivityProcessor`): each activation starts a child instance.

- Activation evaluates `zeebe:calledElement processId` in the call activity's scope (a
  failure is an EXTRACT_VALUE_ERROR incident), picks the called definition by binding type,
  writes the call activity's ELEMENT_ACTIVATED and starts the child with the parent's
  variables: every variable visible from the call activity (`propagateAllParentVariables`,
  default true), else only the call activity's local ones (its input mappings' results).
  A called process that cannot be found, or has no none start event, is a
  CALLED_ELEMENT_ERROR incident on the call activity (it stays ACTIVATING; resolving the
  incident re-runs the activation, as Zeebe does).
- Binding types: `latest` (Zeebe's default) takes the latest version. `deployment` takes the
  version deployed with the calling definition: a definition new in the calling definition's
  deployment, else (our deployments keep an unchanged process's earlier definition) the
  latest version deployed before it from a resource of the same name. `versionTag` takes the
  latest version deployed with that `zeebe:versionTag` (kept on each deployed definition's
  model); none is Zeebe's "no such process" CALLED_ELEMENT_ERROR incident.
- The child's records go to the child's own stream (its aggregate), saved with the parent's
  in the same command; Zeebe writes no PROCESS_INSTANCE_CREATION record for it. The link is
  the child's ELEMENT_ACTIVATING of its process, which carries `parentElementInstanceKey`:
  the engine's index folds it (`EventIndex.called_child`, rebuilt from the whole log when a
  store is reopened), where Zeebe keeps the child's key on the call activity's element
  instance. So the parent's stream needs no extra field, and a rebuilt parent still finds
  its child.
- When the child completes, its process variables go to the call activity like a job's
  variables (`propagateAllChildVariables`, default true; with output mappings Zeebe passes
  them to the mappings instead), and the call activity completes.
- Terminating the call activity terminates the child (its records in its own stream),
  between the call activity's TERMINATING and TERMINATED, as Zeebe orders them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine_sim.engine.bpmn.base import PREPARE_FAILED, ElementProcessor
from engine_sim.engine.bpmn.expressions import EvaluationFailed, evaluate_string
from engine_sim.engine.bpmn.incidents import EXTRACT_VALUE_ERROR, raise_incident
from engine_sim.engine.bpmn.transitions import transition
from engine_sim.engine.catalog import DeployedProcess
from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.model import CalledElement, Element
from engine_sim.records import Intent

if TYPE_CHECKING:
    from engine_sim.engine.bpmn.behaviors import Behaviors

CALLED_ELEMENT_ERROR = "CALLED_ELEMENT_ERROR"
# Zeebe's messages (CallActivityProcessor); the deployment one names the resource, not a
# deployment key, which our catalog does not keep.
NOT_DEPLOYED = "Expected process with BPMN process id '{id}' to be deployed, but not found."
NO_NONE_START = (
    "Expected process with BPMN process id '{id}' to have a none start event, but not found."
)
NOT_IN_DEPLOYMENT = (
    "Expected to call process with BPMN process id '{id}' with binding type 'deployment', but "
    "no such process found in the deployment of resource '{resource}' which contained the "
    "current process. To resolve this incident, migrate the process instance to a process "
    "definition that is deployed together with the intended process definition to call."
)
NO_VERSION_TAG = (
    "Expected to call process with BPMN process id '{id}' and version tag '{tag}', but no such "
    "process found. To resolve this incident, deploy a process with the given process id and "
    "version tag."
)


class CalledElementError(Exception):
    """The called process cannot be started: a CALLED_ELEMENT_ERROR incident."""


class CallActivityProcessor(ElementProcessor):
    def prepare(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                element: Element) -> Any:
        """The called definition and its start event, before the boundary events subscribe."""
        try:
            return self.b.calls.called_process(state, ei, element)
        except EvaluationFailed as failure:
            raise_incident(ctx, state, ei, EXTRACT_VALUE_ERROR, failure.message)
        except CalledElementError as error:
            raise_incident(ctx, state, ei, CALLED_ELEMENT_ERROR, str(error))
        return PREPARE_FAILED

    def on_activate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, prepared: Any = None) -> None:
        calls = self.b.calls
        deployed, start = prepared
        transition(ctx, state, ei, Intent.ELEMENT_ACTIVATED)
        calls.start_child(ctx, state, ei, element, deployed, start)

    def on_terminate(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                     element: Element) -> None:
        child_key = ctx.index.called_child(ei.key)
        child = ctx.instance(child_key) if child_key is not None else None
        if child is not None and child.is_running and child.root is not None:
            self.b.lifecycle.terminate(ctx, child, child.root)
        super().on_terminate(ctx, state, ei, element)


class CallActivities:
    """The call activity behaviour: finding the called definition, starting the child, and
    the child's completion reaching back to its parent."""

    def __init__(self, behaviors: Behaviors) -> None:
        self.b = behaviors

    # -- activation ----------------------------------------------------------------------
    def called_process(self, state: InstanceState, ei: ElementInstance,
                       element: Element) -> tuple[DeployedProcess, Element]:
        """The definition to call and its none start event (raises EvaluationFailed or
        CalledElementError)."""
        called = element.called_element
        assert called is not None  # the model requires zeebe:calledElement
        process_id = evaluate_string(called.process_id, state, ei.key, "called element")
        deployed = self._by_binding(state, called, process_id)
        start = deployed.model.none_start_event(deployed.process_id)
        if start is None:
            raise CalledElementError(NO_NONE_START.format(id=process_id))
        return deployed, start

    def _by_binding(self, state: InstanceState, called: CalledElement,
                    process_id: str) -> DeployedProcess:
        if called.binding_type == "versionTag":
            tagged = self.b.catalog.with_version_tag(process_id, called.version_tag or "")
            if tagged is None:
                raise CalledElementError(
                    NO_VERSION_TAG.format(id=process_id, tag=called.version_tag))
            return tagged
        if called.binding_type == "deployment":
            return self._in_same_deployment(state.definition_key, process_id)
        deployed = self.b.catalog.latest(process_id)
        if deployed is None:
            raise CalledElementError(NOT_DEPLOYED.format(id=process_id))
        return deployed

    def _in_same_deployment(self, caller_key: int, process_id: str) -> DeployedProcess:
        catalog = self.b.catalog
        resource_name = catalog.by_key[caller_key].resource_name
        for deployed in catalog.deployed_with(caller_key):
            if deployed.process_id == process_id:
                return deployed
        # a process unchanged in the caller's deployment kept its earlier definition
        earlier = [d for d in catalog.versions.get(process_id, ())
                   if d.key < caller_key and d.resource_name == resource_name]
        if earlier:
            return earlier[-1]
        raise CalledElementError(NOT_IN_DEPLOYMENT.format(id=process_id, resource=resource_name))

    def start_child(self, ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                    element: Element, deployed: DeployedProcess, start: Element) -> None:
        """Zeebe: copy all variables visible from the call activity, or only its local ones."""
        called = element.called_element
        assert called is not None
        if called.propagate_all_parent_variables:
            variables = state.visible_variables(ei.key)
        else:
            variables = {name: v.value for name, v in state.variables.get(ei.key, {}).items()}
        self.b.lifecycle.start_instance(ctx, deployed, variables, start,
                                        parent=(state.key, ei.key))

    # -- completion ----------------------------------------------------------------------
    def child_completed(self, ctx: CommandContext, child: InstanceState) -> None:
        """A called instance completed: its call activity in the parent completes, receiving
        the child's process variables (Zeebe's `ProcessProcessor` / `propagateVariables`)."""
        if child.parent_instance_key == -1:
            return
        parent = ctx.instance(child.parent_instance_key)
        ei = parent.elements.get(child.parent_element_instance_key) if parent else None
        if parent is None or ei is None or ei.lifecycle != Intent.ELEMENT_ACTIVATED:
            return
        element = parent.model.elements[ei.element_id]
        variables = child.process_variables() if _propagates(element) else {}
        ctx.later(self.b.lifecycle.complete, ctx, parent, ei, variables)


def _propagates(element: Element) -> bool:
    """Zeebe passes the child's variables on with `propagateAllChildVariables` or when the
    call activity has output mappings (which then decide what reaches the parent)."""
    called = element.called_element
    return called is None or called.propagate_all_child_variables or bool(element.io.outputs)

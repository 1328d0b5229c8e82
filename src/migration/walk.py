"""What the migration checks produce: a rejection, or the walk of one instance (its models,
the effective mapping and each element instance's target)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine_sim.engine import DeployedProcess, ElementInstance, InstanceState
from engine_sim.model import Element, ElementType, Process
from engine_sim.records import RejectionType

NOT_FOUND = RejectionType.NOT_FOUND
INVALID_ARGUMENT = RejectionType.INVALID_ARGUMENT
INVALID_STATE = RejectionType.INVALID_STATE


@dataclass(frozen=True)
class Rejection:
    type: str
    reason: str


@dataclass(eq=False)
class CompiledPlan:
    """A plan resolved against one source and one target definition, shared by every
    instance that takes it (a batch): the effective mapping, and what depends only on the
    models and the mapping, computed once per element-instance shape."""

    source: Process
    target: DeployedProcess
    mapping: Mapping[str, str]
    instructed_targets: frozenset[str]
    # (element id, type, is root, parent id, parent type, parent is root) -> rules 6-13
    element_rules: dict[tuple[object, ...], Rejection | None] = field(default_factory=dict)
    # (target element id, instance type) -> subscribing catch events of the target
    catch_events: dict[tuple[str, ElementType], tuple[Element, ...]] = field(default_factory=dict)


@dataclass
class Walk:
    """What the checks know while walking one instance: models, mapping, targets so far;
    once every check passed, the resolved migration the handler applies."""

    state: InstanceState
    plan: CompiledPlan
    # element instance key -> target id, in walk order (the order the records are written)
    targets: dict[int, str] = field(default_factory=dict)

    @property
    def source(self) -> Process:
        return self.plan.source

    @property
    def target(self) -> DeployedProcess:
        return self.plan.target

    @property
    def mapping(self) -> Mapping[str, str]:
        return self.plan.mapping

    @property
    def target_model(self) -> Process:
        return self.plan.target.model

    def target_id(self, ei: ElementInstance) -> str | None:
        if ei.key == self.state.key:
            return self.target_model.id  # the process is always mapped implicitly
        return self.mapping.get(ei.element_id)

    def parent_target_id(self, ei: ElementInstance) -> str:
        return self.targets[ei.flow_scope_key]

    def is_inner_instance(self, ei: ElementInstance) -> bool:
        parent = self.state.elements.get(ei.flow_scope_key)
        return parent is not None and parent.type is ElementType.MULTI_INSTANCE_BODY



"""What the migration checks produce: a rejection, or the walk of one instance (its models,
the effective mapping and each element instance's target)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from engine_sim.engine import DeployedProcess, ElementInstance, InstanceState
from engine_sim.model import ElementType, Process
from engine_sim.records import RejectionType

NOT_FOUND = RejectionType.NOT_FOUND
INVALID_ARGUMENT = RejectionType.INVALID_ARGUMENT
INVALID_STATE = RejectionType.INVALID_STATE


@dataclass(frozen=True)
class Rejection:
    type: str
    reason: str


@dataclass
class Walk:
    """What the checks know while walking one instance: models, mapping, targets so far;
    once every check passed, the resolved migration the handler applies."""

    state: InstanceState
    source: Process
    target: DeployedProcess
    mapping: Mapping[str, str]
    # element instance key -> target id, in walk order (the order the records are written)
    targets: dict[int, str] = field(default_factory=dict)

    @property
    def target_model(self) -> Process:
        return self.target.model

    def target_id(self, ei: ElementInstance) -> str | None:
        if ei.key == self.state.key:
            return self.target_model.id  # the process is always mapped implicitly
        return self.mapping.get(ei.element_id)

    def parent_target_id(self, ei: ElementInstance) -> str:
        return self.targets[ei.flow_scope_key]

    def is_inner_instance(self, ei: ElementInstance) -> bool:
        parent = self.state.elements.get(ei.flow_scope_key)
        return parent is not None and parent.type is ElementType.MULTI_INSTANCE_BODY



"""Migration plans: the target definition and the mapping instructions, validated with
pydantic at the edge, and the auto-mapping of same-id, same-type elements."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property, lru_cache
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from engine_sim.engine import DeployedProcess
from engine_sim.model import Process
from migration.walk import CompiledPlan


class MappingInstruction(BaseModel):
    """Zeebe's `MigrationMappingInstruction`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source_element_id: str = Field(min_length=1)
    target_element_id: str = Field(min_length=1)


class MigrationPlan(BaseModel):
    """`MigrateProcessInstance`'s plan. `auto_map` adds the same-id, same-type pairs."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    target_process_definition_key: int
    mapping_instructions: tuple[MappingInstruction, ...] = ()
    auto_map: bool = False

    @classmethod
    def of(cls, target_key: int, pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]],
           auto_map: bool = False) -> MigrationPlan:
        return cls(
            target_process_definition_key=target_key,
            mapping_instructions=tuple(
                MappingInstruction(source_element_id=s, target_element_id=t) for s, t in pairs
            ),
            auto_map=auto_map,
        )

    @cached_property
    def pairs(self) -> list[tuple[str, str]]:
        return [(i.source_element_id, i.target_element_id) for i in self.mapping_instructions]


def auto_mapped_pairs(source: Process, target: Process, explicit: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """docs/migration.md, `auto_map`: every source element (flow nodes, sequence flows, catch events)
    without an explicit instruction, whose id exists in the target with the same element type
    and is not already an explicit target, maps to that id."""
    sources = {s for s, _ in explicit}
    targets = {t for _, t in explicit}
    pairs = []
    for element_id in (*source.elements, *source.flows):
        if element_id in sources or element_id in targets or element_id == source.id:
            continue
        source_type = source.element_type_of(element_id)
        if source_type is not None and target.element_type_of(element_id) is source_type:
            pairs.append((element_id, element_id))
    return pairs


@lru_cache(maxsize=256)  # a batch applies one plan between the same two models many times
def effective_mapping(source: Process, target: Process, plan: MigrationPlan) -> Mapping[str, str]:
    """Source element id -> target element id: explicit instructions, then auto-mapped ones.
    (Rule 2 rejects duplicate sources before this is built.) Read-only: it is shared."""
    explicit = plan.pairs
    mapping = dict(explicit)
    if plan.auto_map:
        mapping.update(auto_mapped_pairs(source, target, explicit))
    return MappingProxyType(mapping)


@lru_cache(maxsize=256)
def compile_plan(source: Process, target: DeployedProcess, plan: MigrationPlan) -> CompiledPlan:
    """The plan resolved against two definitions, shared by every instance that takes it."""
    mapping = effective_mapping(source, target.model, plan)
    return CompiledPlan(source, target, mapping, frozenset(mapping.values()))

"""The `MigrateProcessInstance` processor: all checks first, then the migration events.

All or nothing: a rejection writes one COMMAND_REJECTION record and leaves the instance's
stream untouched; an accepted migration writes, per element instance in walk order, the
records of the migration rules (docs/migration.md, "What an accepted migration writes") and then one
PROCESS_INSTANCE_MIGRATION MIGRATED. Nothing is created or removed and no expression is
re-evaluated, except for catch events the target adds (their subscriptions open now).
"""

from __future__ import annotations

from dataclasses import dataclass

from engine_sim.engine import (
    Behaviors,
    CommandContext,
    ElementInstance,
    InstanceCommand,
    InstanceState,
    ProcessCatalog,
    Rejected,
    incidents,
    jobs,
    transitions,
    variables,
)
from engine_sim.records import Intent, ValueType
from migration import checks
from migration.catch_migration import migrate_catch_events
from migration.plan import MigrationPlan, compile_plan
from migration.walk import Rejection, Walk


@dataclass(frozen=True)
class MigrateProcessInstance(InstanceCommand):
    VALUE_TYPE = ValueType.PROCESS_INSTANCE_MIGRATION
    INTENT = Intent.MIGRATE
    plan: MigrationPlan
    # what the caller found wrong before it could build a plan (e.g. no such target version)
    problem: Rejection | None = None

    @property
    def key(self) -> int:
        return self.instance_key


def validate(catalog: ProcessCatalog, state: InstanceState | None, key: int,
             plan: MigrationPlan) -> Rejection | Walk:
    """Rules 1-16 in order, reading state only: the dry run and the command share it."""
    pairs = plan.pairs
    target = catalog.by_key.get(plan.target_process_definition_key)
    rejection = (
        checks.check_running(state, key)
        or checks.check_duplicate_sources(pairs)
        or checks.check_target_exists(target, plan.target_process_definition_key)
    )
    if rejection is not None:
        return rejection
    assert state is not None and target is not None
    source = catalog.by_key[state.definition_key]
    rejection = checks.check_sources_exist(pairs, source) or checks.check_targets_exist(pairs, target)
    if rejection is not None:
        return rejection
    return checks.check_elements(state, compile_plan(source.model, target, plan))


class MigrationProcessor:
    """Registered with the engine for `MigrateProcessInstance`; writes through behaviours."""

    def __init__(self, behaviors: Behaviors) -> None:
        self.b = behaviors

    def __call__(self, ctx: CommandContext, cmd: MigrateProcessInstance) -> None:
        result = cmd.problem or validate(self.b.catalog, ctx.instance(cmd.instance_key),
                                         cmd.instance_key, cmd.plan)
        if isinstance(result, Rejection):
            raise Rejected(result.type, result.reason)
        self.apply(ctx, result)

    def apply(self, ctx: CommandContext, walk: Walk) -> None:
        state = walk.state
        source = (state.process_id, state.version, state.definition_key)
        for key in walk.targets:  # the checks' walk order
            self._migrate_element(ctx, walk, state.elements[key])
        ctx.write(
            state, ValueType.PROCESS_INSTANCE_MIGRATION, Intent.MIGRATED, state.key,
            targetProcessDefinitionKey=walk.target.key,
            mappingInstructions=[
                {"sourceElementId": s, "targetElementId": t} for s, t in walk.mapping.items()
            ],
            sourceProcessDefinitionKey=source[2],
            sourceBpmnProcessId=source[0],
            sourceVersion=source[1],
        )

    def _migrate_element(self, ctx: CommandContext, walk: Walk, ei: ElementInstance) -> None:
        state = walk.state
        target_id = walk.targets[ei.key]
        target = walk.target_model.elements[target_id]
        definition = {}
        if ei.key == state.key:  # the first record carries the new definition
            definition = {"processDefinitionKey": walk.target.key,
                          "bpmnProcessId": walk.target.process_id, "version": walk.target.version}
        transitions.migrated(ctx, state, ei, target, **definition)
        _replace_taken_flows(ctx, walk, ei)
        if ei.job_key is not None:
            jobs.migrated(ctx, state, state.jobs[ei.job_key], target_id)
        if ei.user_task_key is not None:
            jobs.user_task_record(ctx, state, Intent.MIGRATED, ei.user_task_key, ei,
                                  element_id=target_id)
        for incident in sorted(state.incidents_of(ei.key), key=lambda i: i.key):
            incidents.migrated(ctx, state, incident, target_id)
        for name, variable in sorted(state.variables.get(ei.key, {}).items(),
                                     key=lambda v: v[1].key):
            variables.migrated(ctx, state, ei.key, name, variable)
        migrate_catch_events(self.b, ctx, walk, ei)


def _replace_taken_flows(ctx: CommandContext, walk: Walk, ei: ElementInstance) -> None:
    """Each taken flow of a waiting join is deleted and its mapped flow taken."""
    state = walk.state
    taken = sorted((key, flow_id) for flows in ei.joins.values() for flow_id, key in flows)
    for key, flow_id in taken:
        transitions.sequence_flow(ctx, state, Intent.SEQUENCE_FLOW_DELETED, key, flow_id, ei.key)
        transitions.sequence_flow(ctx, state, Intent.SEQUENCE_FLOW_TAKEN, ctx.new_key(),
                                  walk.mapping[flow_id], ei.key)

"""The `MigrateProcessInstance` processor: all checks first, then the migration events.

All or nothing: a rejection writes one COMMAND_REJECTION record and leaves the instance's
stream untouched; an accepted migration writes, per element instance in walk order, the
records of docs/migration.md ("What an accepted migration writes") and then one PROCESS_INSTANCE_MIGRATION MIGRATED.
Nothing is created or removed and no expression is re-evaluated, except for catch events
the target adds (their subscriptions open now).
"""

from __future__ import annotations

from typing import Any

from engine_sim.engine.engine import CommandMeta, Engine, Outcome
from engine_sim.engine.processing import Processing, Rejected
from engine_sim.engine.state import ElementInstance, InstanceState
from engine_sim.records import Intent
from migration import checks
from migration.checks import Rejection, Walk
from migration.plan import MigrationPlan, effective_mapping

PI = "PROCESS_INSTANCE"


def validate(engine: Engine, key: int, plan: MigrationPlan) -> Rejection | Walk:
    """Rules 1-16 in order, reading state only: the dry run and the command share it."""
    state = engine.instance(key)
    pairs = plan.pairs
    target = engine.catalog.by_key.get(plan.target_process_definition_key)
    rejection = (
        checks.check_running(state, key)
        or checks.check_duplicate_sources(pairs)
        or checks.check_target_exists(target, plan.target_process_definition_key)
    )
    if rejection is not None:
        return rejection
    assert state is not None and target is not None
    source = engine.catalog.by_key[state.definition_key]
    rejection = checks.check_sources_exist(pairs, source) or checks.check_targets_exist(pairs, target)
    if rejection is not None:
        return rejection
    walk = Walk(state, source.model, target, effective_mapping(source.model, target.model, plan))
    return checks.check_elements(walk) or walk


def migrate_instance(engine: Engine, key: int, plan: MigrationPlan) -> Outcome:
    def command(p: Processing) -> None:
        result = validate(engine, key, plan)
        if isinstance(result, Rejection):
            raise Rejected(result.type, result.reason)
        apply_migration(engine, p, result, plan)

    meta = CommandMeta("PROCESS_INSTANCE_MIGRATION", Intent.MIGRATE, key=key, instance_key=key)
    return engine.execute(meta, command)


def apply_migration(engine: Engine, p: Processing, walk: Walk, plan: MigrationPlan) -> None:
    state = walk.state
    source = {"bpmnProcessId": state.process_id, "version": state.version,
              "processDefinitionKey": state.definition_key}
    for key in walk.targets:  # the checks' walk order, already computed
        _migrate_element(engine, p, walk, state.elements[key])
    p.write(
        state, "PROCESS_INSTANCE_MIGRATION", Intent.MIGRATED, state.key,
        targetProcessDefinitionKey=walk.target.key,
        mappingInstructions=[
            {"sourceElementId": s, "targetElementId": t} for s, t in walk.mapping.items()
        ],
        sourceProcessDefinitionKey=source["processDefinitionKey"],
        sourceBpmnProcessId=source["bpmnProcessId"],
        sourceVersion=source["version"],
    )


def _migrate_element(engine: Engine, p: Processing, walk: Walk, ei: ElementInstance) -> None:
    state = walk.state
    target_id = walk.targets[ei.key]
    target_element = walk.target_model.elements[target_id]
    definition: dict[str, Any] = {}
    if ei.key == state.key:  # the first record carries the new definition
        definition = {"processDefinitionKey": walk.target.key,
                      "bpmnProcessId": walk.target.process_id, "version": walk.target.version}
    p.write(
        state, PI, Intent.ELEMENT_MIGRATED, ei.key,
        elementId=target_id,
        bpmnElementType=ei.type.value,
        bpmnEventType=target_element.event_type.value,
        flowScopeKey=ei.flow_scope_key,
        parentProcessInstanceKey=state.parent_instance_key,
        parentElementInstanceKey=state.parent_element_instance_key,
        **definition,
    )
    _replace_taken_flows(p, walk, ei)
    _migrate_job_or_task(p, state, ei, target_id)
    for incident in sorted(state.incidents_of(ei.key), key=lambda i: i.key):
        p.write(state, "INCIDENT", Intent.MIGRATED, incident.key,
                errorType=incident.error_type, errorMessage=incident.error_message,
                elementId=target_id, elementInstanceKey=ei.key, jobKey=incident.job_key,
                variableScopeKey=ei.key)
    for name, variable in sorted(state.variables.get(ei.key, {}).items(), key=lambda v: v[1].key):
        p.write(state, "VARIABLE", Intent.MIGRATED, variable.key,
                name=name, value=variable.value, scopeKey=ei.key)
    engine.subscriptions.migrate_catch_events(walk, ei)


def _replace_taken_flows(p: Processing, walk: Walk, ei: ElementInstance) -> None:
    """§3 step 2: each taken flow of a waiting join is deleted and its mapped flow taken."""
    state = walk.state
    taken = sorted((key, flow_id) for flows in ei.joins.values() for flow_id, key in flows)
    common = {"bpmnElementType": "SEQUENCE_FLOW", "bpmnEventType": "UNSPECIFIED",
              "flowScopeKey": ei.key, "parentProcessInstanceKey": state.parent_instance_key,
              "parentElementInstanceKey": state.parent_element_instance_key}
    for key, flow_id in taken:
        p.write(state, PI, Intent.SEQUENCE_FLOW_DELETED, key, elementId=flow_id, **common)
        p.write(state, PI, Intent.SEQUENCE_FLOW_TAKEN, p.new_key(), elementId=walk.mapping[flow_id], **common)


def _migrate_job_or_task(p: Processing, state: InstanceState, ei: ElementInstance, target_id: str) -> None:
    if ei.job_key is not None:
        job = state.jobs[ei.job_key]
        p.write(state, "JOB", Intent.MIGRATED, job.key,
                type=job.type, retries=job.retries, elementId=target_id,
                elementInstanceKey=ei.key, customHeaders=job.custom_headers)
    if ei.user_task_key is not None:
        p.write(state, "USER_TASK", Intent.MIGRATED, ei.user_task_key,
                elementId=target_id, elementInstanceKey=ei.key)

"""The incident behaviour (Zeebe's `IncidentBehavior`): the only code that writes INCIDENT
records; every one carries the same fields, built by `incident_fields`."""

from __future__ import annotations

from typing import Any

from engine_sim.engine.context import CommandContext
from engine_sim.engine.state import ElementInstance, Incident, InstanceState
from engine_sim.records import NO_KEY, Intent, ValueType

INCIDENT = ValueType.INCIDENT
EXTRACT_VALUE_ERROR = "EXTRACT_VALUE_ERROR"


def incident_fields(incident: Incident, element_id: str | None = None) -> dict[str, Any]:
    return {
        "errorType": incident.error_type,
        "errorMessage": incident.error_message,
        "elementId": incident.element_id if element_id is None else element_id,
        "elementInstanceKey": incident.element_instance_key,
        "jobKey": incident.job_key,
        "variableScopeKey": incident.element_instance_key,
    }


def raise_incident(ctx: CommandContext, state: InstanceState, ei: ElementInstance,
                   error_type: str, message: str, job_key: int = NO_KEY) -> None:
    ctx.write(
        state, INCIDENT, Intent.CREATED, ctx.new_key(),
        errorType=error_type,
        errorMessage=message,
        elementId=ei.element_id,
        elementInstanceKey=ei.key,
        jobKey=job_key,
        variableScopeKey=ei.key,
    )


def resolve(ctx: CommandContext, state: InstanceState, incident: Incident) -> None:
    ctx.write(state, INCIDENT, Intent.RESOLVED, incident.key, **incident_fields(incident))


def resolve_incidents_of(ctx: CommandContext, state: InstanceState, ei: ElementInstance) -> None:
    for incident in sorted(state.incidents_of(ei.key), key=lambda i: i.key):
        resolve(ctx, state, incident)


def migrated(ctx: CommandContext, state: InstanceState, incident: Incident, target_id: str) -> None:
    ctx.write(state, INCIDENT, Intent.MIGRATED, incident.key,
              **incident_fields(incident, element_id=target_id))

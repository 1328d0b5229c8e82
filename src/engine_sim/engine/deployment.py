"""Deploying BPMN resources (Zeebe's `DeploymentCreateProcessor`).

Every process of a resource gets version = latest version + 1 and a new key, except one
whose XML is identical to its latest version (same checksum): that one keeps its definition.

On a partitioned store a resource is deployed on partition 1, then distributed to every
other partition (`DistributeDeployment`, Zeebe's `DeploymentDistributeProcessor`): the
same definitions with the same keys and versions, PROCESS CREATED and DEPLOYMENT
DISTRIBUTED records, and only the message start events subscribed there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine_sim.engine.aggregates import Definitions
from engine_sim.engine.bpmn.behaviors import Behaviors
from engine_sim.engine.catalog import DeployedProcess, ProcessCatalog
from engine_sim.engine.commands import Command
from engine_sim.engine.context import CommandContext, Rejected
from engine_sim.model import BpmnModelError, EventType, parse_bpmn
from engine_sim.records import Intent, Record, RejectionType, ValueType


@dataclass(frozen=True)
class DeployResource(Command):
    VALUE_TYPE = ValueType.DEPLOYMENT
    INTENT = Intent.CREATE
    xml: bytes
    resource_name: str


class DeploymentProcessor:
    """Zeebe's `DeploymentCreateProcessor`; the resources go to the `Definitions` aggregate."""

    def __init__(self, behaviors: Behaviors, definitions: Callable[[], Definitions]) -> None:
        self.b = behaviors
        self.definitions = definitions

    def __call__(self, ctx: CommandContext, cmd: DeployResource) -> list[DeployedProcess]:
        xml, resource_name = cmd.xml, cmd.resource_name
        try:
            definitions = parse_bpmn(xml, resource_name)
        except BpmnModelError as error:
            raise Rejected(RejectionType.INVALID_ARGUMENT, str(error)) from None
        catalog = self.b.catalog
        deployed = []
        metadata = []
        new = []
        for process in definitions.processes:
            latest = catalog.latest(process.id)
            if latest is not None and latest.model.checksum == process.checksum:
                deployed.append(latest)
                metadata.append(_metadata(latest, duplicate=True))
                continue
            version = latest.version + 1 if latest else 1
            entry = DeployedProcess(ctx.new_key(), process.id, version, process, resource_name)
            new.append(entry)
            deployed.append(entry)
            metadata.append(_metadata(entry, duplicate=False))
            ctx.write(None, ValueType.PROCESS, Intent.CREATED, entry.key,
                    bpmnProcessId=entry.process_id, version=entry.version,
                    processDefinitionKey=entry.key, resourceName=resource_name,
                    checksum=process.checksum)
        self.b.starts.deployed(ctx, new)  # timer, message and signal start events
        ctx.write(None, ValueType.DEPLOYMENT, Intent.CREATED, ctx.new_key(),
                resources=[{"resourceName": resource_name}], processesMetadata=metadata)
        resources = [{
            "name": resource_name,
            "xml": xml,
            "processes": [{"id": e.process_id, "key": e.key, "version": e.version} for e in new],
        }]
        owner = DeploymentOwner(self.definitions(), catalog, resources, new)
        ctx.owned[owner] = list(ctx.records)
        return deployed


@dataclass(frozen=True)
class DistributeDeployment(Command):
    """Partition 1's deployment of `xml`, for another partition: its new definitions as
    (bpmnProcessId, key, version) and the deployment's key."""

    VALUE_TYPE = ValueType.DEPLOYMENT
    INTENT = Intent.DISTRIBUTE
    deployment_key: int
    xml: bytes
    resource_name: str
    processes: tuple[tuple[str, int, int], ...]

    @property
    def key(self) -> int:
        return self.deployment_key


class DistributionProcessor:
    """Zeebe's `DeploymentDistributeProcessor`: the definitions another partition deployed,
    with its keys and versions."""

    def __init__(self, behaviors: Behaviors, definitions: Callable[[], Definitions]) -> None:
        self.b = behaviors
        self.definitions = definitions

    def __call__(self, ctx: CommandContext, cmd: DistributeDeployment) -> list[DeployedProcess]:
        try:
            models = {p.id: p for p in parse_bpmn(cmd.xml, cmd.resource_name).processes}
        except BpmnModelError as error:
            raise Rejected(RejectionType.INVALID_ARGUMENT, str(error)) from None
        catalog = self.b.catalog
        new = [DeployedProcess(key, process_id, version, models[process_id], cmd.resource_name)
               for process_id, key, version in cmd.processes
               if process_id in models and key not in catalog]
        for entry in new:
            ctx.write(None, ValueType.PROCESS, Intent.CREATED, entry.key,
                      bpmnProcessId=entry.process_id, version=entry.version,
                      processDefinitionKey=entry.key, resourceName=cmd.resource_name,
                      checksum=entry.model.checksum)
        self.b.starts.deployed(ctx, new, frozenset({EventType.MESSAGE}))
        ctx.write(None, ValueType.DEPLOYMENT, Intent.DISTRIBUTED, cmd.deployment_key,
                  resources=[{"resourceName": cmd.resource_name}],
                  processesMetadata=[_metadata(entry, duplicate=False) for entry in new])
        resources = [{
            "name": cmd.resource_name,
            "xml": cmd.xml,
            "processes": [{"id": e.process_id, "key": e.key, "version": e.version} for e in new],
        }]
        owner = DeploymentOwner(self.definitions(), catalog, resources, new)
        ctx.owned[owner] = list(ctx.records)
        return new


class DeploymentOwner:
    """The deployment's records and resources go to the Definitions aggregate; the new
    definitions become visible once saved."""

    def __init__(self, definitions: Definitions, catalog: ProcessCatalog,
                 resources: list[dict[str, Any]], new: list[DeployedProcess]) -> None:
        self.definitions = definitions
        self.catalog = catalog
        self.resources = resources
        self.new = new

    def persist(self, records: list[Record], counters: list[int], timestamp: datetime) -> Any:
        self.definitions.deployed(records, counters, timestamp, self.resources)
        return self.definitions

    def saved(self) -> None:
        self.catalog.add(self.new)


def _metadata(entry: DeployedProcess, duplicate: bool) -> dict[str, Any]:
    return {
        "bpmnProcessId": entry.process_id,
        "version": entry.version,
        "processDefinitionKey": entry.key,
        "resourceName": entry.resource_name,
        "isDuplicate": duplicate,
    }

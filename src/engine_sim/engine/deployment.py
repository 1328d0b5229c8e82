"""Deploying BPMN resources (Zeebe's `DeploymentCreateProcessor`).

Every process of a resource gets version = latest version + 1 and a new key, except one
whose XML is identical to its latest version (same checksum): that one keeps its definition.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine_sim.engine.catalog import DeployedProcess
from engine_sim.engine.processing import Processing, Rejected
from engine_sim.model import BpmnModelError, parse_bpmn
from engine_sim.records import Intent, RejectionType

if TYPE_CHECKING:
    from engine_sim.engine.engine import Engine, Outcome


def deploy_resource(engine: Engine, xml: bytes, resource_name: str) -> Outcome:
    from engine_sim.engine.engine import CommandMeta

    def command(p: Processing) -> list[DeployedProcess]:
        try:
            definitions = parse_bpmn(xml, resource_name)
        except BpmnModelError as error:
            raise Rejected(RejectionType.INVALID_ARGUMENT.value, str(error)) from None
        deployed = []
        metadata = []
        new = []
        for process in definitions.processes:
            latest = engine.catalog.latest(process.id)
            if latest is not None and latest.model.checksum == process.checksum:
                deployed.append(latest)
                metadata.append(_metadata(latest, duplicate=True))
                continue
            version = latest.version + 1 if latest else 1
            entry = DeployedProcess(p.new_key(), process.id, version, process, resource_name)
            new.append(entry)
            deployed.append(entry)
            metadata.append(_metadata(entry, duplicate=False))
            p.write(None, "PROCESS", Intent.CREATED, entry.key,
                    bpmnProcessId=entry.process_id, version=entry.version,
                    processDefinitionKey=entry.key, resourceName=resource_name,
                    checksum=process.checksum)
        engine.events.starts.deployed(p, new)  # timer, message and signal start events
        p.write(None, "DEPLOYMENT", Intent.CREATED, p.new_key(),
                resources=[{"resourceName": resource_name}], processesMetadata=metadata)
        resources = [{
            "name": resource_name,
            "xml": xml,
            "processes": [{"id": e.process_id, "key": e.key, "version": e.version} for e in new],
        }]
        owner = DeploymentOwner(engine, resources, new)
        for record in p.records:
            p.owned.setdefault(owner, []).append(record)
        return deployed

    return engine.execute(CommandMeta("DEPLOYMENT", Intent.CREATE), command)


class DeploymentOwner:
    """The deployment's records and resources go to the Definitions aggregate; the new
    definitions become visible once saved."""

    def __init__(self, engine: Engine, resources: list[dict[str, Any]],
                 new: list[DeployedProcess]) -> None:
        self.engine = engine
        self.resources = resources
        self.new = new

    def persist(self, records: list[dict[str, Any]], counters: list[int], timestamp: datetime) -> Any:
        definitions = self.engine.definitions_aggregate()
        definitions.deployed(records, counters, timestamp, self.resources)
        return definitions

    def saved(self) -> None:
        for deployed in self.new:
            self.engine.catalog.add(deployed)


def _metadata(entry: DeployedProcess, duplicate: bool) -> dict[str, Any]:
    return {
        "bpmnProcessId": entry.process_id,
        "version": entry.version,
        "processDefinitionKey": entry.key,
        "resourceName": entry.resource_name,
        "isDuplicate": duplicate,
    }

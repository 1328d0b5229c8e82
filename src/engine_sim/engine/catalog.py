"""Deployed process definitions: versions per bpmnProcessId, keys, the models by key."""

from __future__ import annotations

from dataclasses import dataclass

from engine_sim.model import Process


@dataclass(frozen=True, slots=True)
class DeployedProcess:
    key: int
    process_id: str
    version: int
    model: Process
    resource_name: str


class ProcessCatalog:
    """The definitions the engine knows, built from deployments (never from instances)."""

    def __init__(self) -> None:
        self.by_key: dict[int, DeployedProcess] = {}
        self.versions: dict[str, list[DeployedProcess]] = {}
        self._deployed_with: dict[int, tuple[DeployedProcess, ...]] = {}

    def add(self, new: list[DeployedProcess]) -> None:
        """The new definitions of one deployed resource."""
        for deployed in new:
            self.by_key[deployed.key] = deployed
            self.versions.setdefault(deployed.process_id, []).append(deployed)
            self._deployed_with[deployed.key] = tuple(new)

    def clear(self) -> None:
        self.by_key.clear()
        self.versions.clear()
        self._deployed_with.clear()

    def deployed_with(self, key: int) -> tuple[DeployedProcess, ...]:
        """The definitions that the deployment of definition `key` created (itself included)."""
        return self._deployed_with.get(key, ())

    def latest(self, process_id: str) -> DeployedProcess | None:
        versions = self.versions.get(process_id)
        return versions[-1] if versions else None

    def get(self, process_id: str, version: int | None = None) -> DeployedProcess | None:
        if version is None:
            return self.latest(process_id)
        for deployed in self.versions.get(process_id, ()):
            if deployed.version == version:
                return deployed
        return None

    def with_version_tag(self, process_id: str, tag: str) -> DeployedProcess | None:
        """The latest deployed version of `process_id` whose zeebe:versionTag is `tag`."""
        for deployed in reversed(self.versions.get(process_id, ())):
            if deployed.model.version_tag == tag:
                return deployed
        return None

    def model(self, key: int) -> Process:
        return self.by_key[key].model

    def __contains__(self, key: int) -> bool:
        return key in self.by_key

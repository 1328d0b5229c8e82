"""Deployed process definitions: versions per bpmnProcessId, keys, the models by key."""

from __future__ import annotations

from engine_sim.model import Process, parse_bpmn


class StoredResource:
    """A deployed BPMN resource read back from the store, parsed when one of its processes
    is first needed: reopening a store parses no model, and a command parses only the
    models it uses (a 20,000-task model takes a second or two to parse)."""

    __slots__ = ("xml", "name", "_models")

    def __init__(self, xml: bytes, name: str) -> None:
        self.xml = xml
        self.name = name
        self._models: dict[str, Process] | None = None

    def process(self, process_id: str) -> Process:
        if self._models is None:
            definitions = parse_bpmn(self.xml, self.name)
            self._models = {process.id: process for process in definitions.processes}
        return self._models[process_id]


class DeployedProcess:
    """One deployed definition; its model is given, or parsed from its resource on first use."""

    __slots__ = ("key", "process_id", "version", "resource_name", "_model", "_resource")

    def __init__(self, key: int, process_id: str, version: int, model: Process | StoredResource,
                 resource_name: str) -> None:
        self.key = key
        self.process_id = process_id
        self.version = version
        self.resource_name = resource_name
        self._model = model if isinstance(model, Process) else None
        self._resource = model if isinstance(model, StoredResource) else None

    @property
    def model(self) -> Process:
        model = self._model
        if model is None:
            assert self._resource is not None
            model = self._model = self._resource.process(self.process_id)
        return model

    def __repr__(self) -> str:
        return f"DeployedProcess({self.process_id!r} version {self.version}, key {self.key})"


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

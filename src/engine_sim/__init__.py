"""engine-sim: an event-sourced simulator of a Zeebe-like BPMN engine.

The public Python API (docs/python-api.md) is importable from here:
`from engine_sim import Engine, CommandRejected, Record`. It is loaded on first use, so that
`engine-sim --help` and imports of single submodules stay fast and free of import cycles.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from engine_sim.api import (
        CommandRejected,
        CommandResult,
        DeployedProcess,
        Deployment,
        Engine,
        IncidentInfo,
        InstanceInfo,
        Operation,
        OperationInfo,
        Preview,
        ProcessInstance,
        Record,
        Rejection,
    )

__all__ = [
    "CommandRejected",
    "CommandResult",
    "DeployedProcess",
    "Deployment",
    "Engine",
    "IncidentInfo",
    "InstanceInfo",
    "Operation",
    "OperationInfo",
    "Preview",
    "ProcessInstance",
    "Record",
    "Rejection",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module("engine_sim.api"), name)
    raise AttributeError(f"module 'engine_sim' has no attribute {name!r}")

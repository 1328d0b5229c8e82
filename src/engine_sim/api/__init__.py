"""The public Python API of engine-sim (docs/python-api.md).

`Engine` runs commands and reads the views; commands return typed results (`CommandResult`,
`ProcessInstance`, `Operation`, `Deployment`), a refused command raises `CommandRejected`
(or, with `raise_on_reject=False`, returns its `Rejection`), and `Record` is one record of the
log, exportable to the JSON lines of `engine-sim replay --records`.
"""

from engine_sim.api.engine import Engine
from engine_sim.api.handles import IncidentInfo, Operation, ProcessInstance
from engine_sim.api.results import (
    CommandRejected,
    CommandResult,
    DeployedProcess,
    Deployment,
    InstanceInfo,
    OperationInfo,
    Preview,
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

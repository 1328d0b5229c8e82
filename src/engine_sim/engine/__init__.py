"""The engine's public face: what the layers above it (migration, projections' users, the
CLI, the scenario runner) may use. Everything else in `engine_sim.engine` is internal.

- running commands: `Engine` (`execute`, `register`, `instance`, `deploy`, `advance_clock`),
  `Outcome`, the typed commands of `commands`, `Command`/`InstanceCommand` to define more,
  `CommandContext` (what a processor gets) and `Rejected`;
- reading state: `InstanceState`, `ElementInstance`, `Subscription`, `DeployedProcess`;
- writing records from a processor defined outside the engine: the behaviour modules
  (`transitions`, `jobs`, `incidents`, `variables`), `Behaviors` (subscriptions and the
  rest), `rejection_record`;
- expressions and catch events: `evaluate`, `EvaluationFailed`, `Scope`, `opening_for`,
  `subscribes`;
- storage: `RecordsAggregate` (an aggregate whose events carry pre-applied records);
- partitions: `partition_of` (a key names its partition), `DeployResource` and
  `DistributeDeployment` (a deployment handed from partition 1 to the others),
  `message_subscriptions` (subscriptions registered on their message's partition).
"""

from engine_sim.engine import commands, message_subscriptions
from engine_sim.engine.aggregates import RecordsAggregate
from engine_sim.engine.bpmn import incidents, jobs, transitions, variables
from engine_sim.engine.bpmn.behaviors import Behaviors
from engine_sim.engine.bpmn.catch_definitions import Scope, opening_for
from engine_sim.engine.bpmn.expressions import EvaluationFailed, evaluate
from engine_sim.engine.bpmn.subscriptions import subscribes
from engine_sim.engine.catalog import DeployedProcess, ProcessCatalog
from engine_sim.engine.commands import Command, InstanceCommand
from engine_sim.engine.context import CommandContext, Rejected
from engine_sim.engine.deployment import DeployResource, DistributeDeployment
from engine_sim.engine.engine import Engine, Outcome, rejection_record
from engine_sim.engine.keys import partition_of
from engine_sim.engine.state import ElementInstance, InstanceState, Subscription

__all__ = [
    "Behaviors",
    "Command",
    "CommandContext",
    "DeployResource",
    "DeployedProcess",
    "DistributeDeployment",
    "ElementInstance",
    "Engine",
    "EvaluationFailed",
    "InstanceCommand",
    "InstanceState",
    "Outcome",
    "ProcessCatalog",
    "RecordsAggregate",
    "Rejected",
    "Scope",
    "Subscription",
    "commands",
    "evaluate",
    "incidents",
    "jobs",
    "message_subscriptions",
    "opening_for",
    "partition_of",
    "rejection_record",
    "subscribes",
    "transitions",
    "variables",
]

"""Replaying a scenario: each step against an emptied store, expectations against its views.

A command step that the engine rejects fails the scenario unless the step says `reject`.
Expectation steps read the materialised instances (`expect`), the record log and the list
view (projections that follow the event stream) and the operations view.

The store is one partition (memory, SQLite, PostgreSQL) or a partitioned PostgreSQL store
(docs/scaling.md). Both are driven through a `Target` (`partitions.targets`), as the public
API drives them: on one partition that is the one `EngineApp`, so records are those one
engine writes; on a partitioned store each command goes to its partition through `Cluster`,
an instance is read on its partition, the list view covers every partition, a batch step's
label names its operations (one per partition holding selected instances), and the whole log
is every partition's records in the order they were written (`WrittenOrder`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar, cast

from engine_sim.engine import DeployResource, Outcome, commands
from engine_sim.engine.state import InstanceState
from engine_sim.partitions.cluster import Cluster
from engine_sim.partitions.targets import open_target
from engine_sim.persistence import Store
from engine_sim.persistence.lease import StoreBusy
from engine_sim.persistence.partitions import partition_count
from engine_sim.projections import AnyListView
from engine_sim.records import Record, ValueType
from engine_sim.scenarios import doc_steps as steps
from engine_sim.scenarios.document import Scenario, Step
from engine_sim.scenarios.expectations import ExpectationFailed, Expectations, list_filter
from migration.operate import Selection

C = TypeVar("C", bound=steps.StepCommand)


@dataclass
class ScenarioResult:
    name: str
    passed: bool
    message: str = ""  # expected / found / where, for a FAIL
    records: list[Record] | None = None  # the whole log (`ScenarioRun.records`)
    # a partitioned store: each partition's log, by partition id (`replay --records`)
    partition_logs: list[tuple[int, list[Record]]] | None = None


class StepFailed(Exception):
    def __init__(self, expected: str, found: str) -> None:
        super().__init__(expected, found)
        self.expected = expected
        self.found = found


def emptied(store: Store) -> Store:
    """`store` emptied for a scenario, keeping its partition count: the one its URL asks
    for, or else the one it was created with (emptying it drops the table recording it)."""
    count = store.partitions or partition_count(store)
    store.clear()
    return replace(store, partitions=count) if count > 1 else store


class WrittenOrder:
    """A partitioned store's records in the order this process wrote them, every
    partition's (each partition's log holds only its own, in its own positions): the whole
    log `expect_records` reads, as one partition's log is in the order it was written."""

    def __init__(self, cluster: Cluster) -> None:
        self.records: list[Record] = []
        for app in cluster.apps:
            app.engine.saved_listeners.append(self.saved)

    def saved(self, written: list[tuple[int, Sequence[Record]]]) -> None:
        """What one partition just wrote, in position order (as its own log is: a command's
        events do not hold their records in position order)."""
        self.records.extend(sorted((r for _, records in written for r in records),
                                   key=lambda r: r["position"]))


def hold_every_partition(cluster: Cluster) -> None:
    """The runner writes every partition itself (its whole log is what it wrote): a
    partition whose lease a worker or another client holds is refused, not waited for."""
    for partition in range(1, cluster.count + 1):
        if not cluster.local(partition):
            raise StoreBusy(f"the store '{cluster.store.url}' (partition {partition}) is in "
                            "use by another writer: replay writes every partition itself "
                            "(stop its worker)")


class ScenarioRun:
    """The state of one scenario's replay: the store's target, views and labels."""

    def __init__(self, scenario: Scenario, store: Store) -> None:
        self.scenario = scenario
        self.target = open_target(emptied(store), scenario.start_time)
        self.written: WrittenOrder | None = None
        if self.target.cluster is not None:
            try:
                hold_every_partition(self.target.cluster)
            except StoreBusy:
                self.target.close()
                raise
            self.written = WrittenOrder(self.target.cluster)
        self.instances: dict[str, int] = {}
        self.operations: dict[str, list[int]] = {}  # a label: its operation on each partition
        self.expectations = Expectations(self)
        self.commands: dict[str, Callable[[Step], list[Outcome]]] = {
            "deploy": self._deploy,
            "create": self._create,
            "complete_job": self._on_instance(commands.CompleteJob, "element", "variables"),
            "fail_job": self._on_instance(commands.FailJob, "element", "retries", "message"),
            "throw_error": self._on_instance(commands.ThrowError, "element", "code", "message"),
            "resolve_incident": self._on_instance(commands.ResolveIncident, "element", "retries"),
            "complete_user_task": self._on_instance(commands.CompleteUserTask, "element",
                                                    "variables"),
            "set_variables": self._on_instance(commands.SetVariables, "variables", "element"),
            "cancel": self._on_instance(commands.CancelProcessInstance),
            "publish_message": self._publish_message,
            "broadcast_signal": self._broadcast_signal,
            "advance_clock": self._advance_clock,
            "migrate_instance": self._migrate_instance,
            "migrate": self._migrate,
            "revert_operation": self._revert_operation,
            "run_operations": self._run_operations,
        }

    def close(self) -> None:
        self.target.close()

    # -- reads ---------------------------------------------------------------------------
    @property
    def partitioned(self) -> bool:
        return self.target.partitions > 1

    def records(self, instance: int | None = None) -> list[Record]:
        """Instance `instance`'s record stream (on its partition), or the whole log: one
        partition's, or every partition's in the order they were written."""
        if instance is not None or self.written is None:
            return self.target.log(instance, None)
        return self.written.records

    def instance(self, key: int) -> InstanceState | None:
        return self.target.instance(key)

    def views(self) -> AnyListView:
        """The list view of the whole store, caught up."""
        return self.target.views()

    # -- running -------------------------------------------------------------------------
    def run(self) -> ScenarioResult:
        for step in self.scenario.steps:
            try:
                self._run_step(step)
            except (StepFailed, ExpectationFailed) as failure:
                return self._failed(step, failure.expected, failure.found)
            except Exception as error:
                found = f"internal error {type(error).__name__}: {error}"
                return self._failed(step, "the step to run", found)
        return self._result(True)

    def _failed(self, step: Step, expected: str, found: str) -> ScenarioResult:
        where = f"{self.scenario.display_name}:{step.line}"
        message = f"  step: {where} ({step.kind})\n  expected: {expected}\n  found: {found}"
        return self._result(False, message)

    def _result(self, passed: bool, message: str = "") -> ScenarioResult:
        logs = self.target.logs() if self.partitioned else None
        return ScenarioResult(self.scenario.name, passed, message, self.records(), logs)

    def _run_step(self, step: Step) -> None:
        """A command step, or an expectation (each read catches its views up first)."""
        if step.kind in self.commands:
            self._check_rejections(step, self.commands[step.kind](step))
        else:
            self.expectations.check(step)

    @staticmethod
    def _check_rejections(step: Step, outcomes: list[Outcome]) -> None:
        rejected = [o.rejection for o in outcomes if o.rejection is not None]
        if step.reject is None:
            if rejected:
                r = rejected[0]
                raise StepFailed(
                    "the command to be accepted",
                    f"rejected with {r['rejectionType']}: {r['rejectionReason']}",
                )
            return
        want = step.reject.type + (f" containing '{step.reject.message}'" if step.reject.message else "")
        if not rejected:
            raise StepFailed(f"a rejection {want}", "the command was accepted")
        r = rejected[0]
        if r["rejectionType"] != step.reject.type or (
            step.reject.message and step.reject.message not in r["rejectionReason"]
        ):
            raise StepFailed(f"a rejection {want}", f"{r['rejectionType']}: {r['rejectionReason']}")

    # -- label resolution ----------------------------------------------------------------
    def operation_keys(self, label: str) -> list[int]:
        """The operations a batch step made (one per partition holding selected instances;
        one on a store of one partition)."""
        keys = self.operations.get(label)
        if keys is None:  # the document defines the label; the step that defines it was rejected
            raise StepFailed(f"the operation labelled '{label}'",
                             "none: the step that was to create it was rejected")
        return keys

    def instance_key(self, ref: Any) -> int:
        key = self.instances.get(ref.label)
        if key is None:  # the document defines the label; the step that defines it was rejected
            raise StepFailed(f"the instance labelled '{ref.label}'",
                             "none: the step that was to create it was rejected")
        if ref.element is None:
            return key
        child = self._called_child(key, ref.element)
        if child is None:
            raise StepFailed(
                f"a child instance started by call activity '{ref.element}' of '{ref.label}'",
                "none",
            )
        return child

    def _called_child(self, parent_key: int, element_id: str) -> int | None:
        """The latest child of call activity `element_id` (its id when activated, or the id a
        migration gave it; inner instances of a multi-instance call activity included)."""
        call_keys = {
            r["key"]
            for r in self.records(parent_key)
            if r["valueType"] == ValueType.PROCESS_INSTANCE
            and r["intent"] in ("ELEMENT_ACTIVATING", "ELEMENT_MIGRATED")
            and r["elementId"] == element_id and r["bpmnElementType"] == "CALL_ACTIVITY"
        }
        children = [
            row.key for row in self.views().children(parent_key)
            if row.parent_element_key in call_keys
        ]
        return max(children) if children else None

    # -- command steps -------------------------------------------------------------------
    def _deploy(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.Deploy)
        path: Path = cmd.resolved_path
        return [self.target.execute(DeployResource(path.read_bytes(), path.name))]

    def _create(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.Create)
        outcomes = []
        with self.target.group_commit():
            for index in range(cmd.count):
                outcome = self.target.execute(commands.CreateProcessInstance(
                    cmd.process, cmd.version, dict(cmd.variables)))
                outcomes.append(outcome)
                if outcome.result is not None and index < len(step.labels):
                    self.instances[step.labels[index]] = outcome.result
        return outcomes

    def _on_instance(self, command: Callable[..., commands.Command],
                     *fields: str) -> Callable[[Step], list[Outcome]]:
        def run(step: Step) -> list[Outcome]:
            cmd: Any = step.command  # one of the instance steps (see the table above)
            args = [_plain(getattr(cmd, name)) for name in fields]
            return [self.target.execute(command(self.instance_key(cmd.instance), *args))]

        return run

    def _publish_message(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.PublishMessage)
        return [self.target.execute(commands.PublishMessage(
            cmd.name, cmd.correlation_key, dict(cmd.variables), cmd.ttl))]

    def _broadcast_signal(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.BroadcastSignal)
        return [self.target.execute(commands.BroadcastSignal(cmd.name, dict(cmd.variables)))]

    def _advance_clock(self, step: Step) -> list[Outcome]:
        return self.target.advance_clock(command_of(step, steps.AdvanceClock).duration)

    def _migrate_instance(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.MigrateInstance)
        key = self.instance_key(cmd.instance)
        return [self.target.migrate_instance(key, cmd.target.process, cmd.target.version,
                                             pairs(cmd.mapping), cmd.auto_map)]

    def _migrate(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.Migrate)
        selection = self.selection(cmd.instances, cmd.filter)
        outcome, keys = self.target.migrate(
            selection, cmd.target.process, cmd.target.version, pairs(cmd.mapping), cmd.auto_map,
            cmd.run)
        if keys and step.labels:
            self.operations[step.labels[0]] = keys
        return [outcome]

    def _revert_operation(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.RevertOperation)
        outcome, keys = self.target.revert(self.operation_keys(cmd.operation), cmd.run)
        if keys and step.labels:
            self.operations[step.labels[0]] = keys
        return [outcome]

    def _run_operations(self, step: Step) -> list[Outcome]:
        label = command_of(step, steps.RunOperations).operation
        outcomes: list[Outcome] = []
        self.target.run_operations(self.operation_keys(label) if label else None,
                                   on_chunk=outcomes.append)
        return outcomes

    def selection(self, instances: Any, flt: Any) -> Any:
        if instances is not None:
            return Selection(keys=tuple(self.instance_key(ref) for ref in instances))
        return Selection(filter=list_filter(flt))


def command_of(step: Step, kind: type[C]) -> C:
    """The step's command, as the model its step name chose (checked while loading)."""
    command = step.command
    assert isinstance(command, kind), (step.kind, type(command))
    return command


def pairs(mapping: object) -> tuple[tuple[str, str], ...]:
    """A step's `mapping`, which the document's validator turned into (source, target)
    pairs whichever form the file used (`doc_fields.MappingPairs`)."""
    return cast(tuple[tuple[str, str], ...], mapping)


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else value

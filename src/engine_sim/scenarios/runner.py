"""Replaying a scenario: each step against a fresh engine, expectations against its views.

A command step that the engine rejects fails the scenario unless the step says `reject`.
Expectation steps read the engine's materialised instances (`expect`), the record log and
the list view (projections that follow the event stream) and the operations view.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, cast

from engine_sim.app import EngineApp
from engine_sim.engine import Outcome, commands
from engine_sim.persistence import Store, StoreURLError
from engine_sim.records import ValueType
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
    records: list[dict[str, Any]] | None = None


class StepFailed(Exception):
    def __init__(self, expected: str, found: str) -> None:
        super().__init__(expected, found)
        self.expected = expected
        self.found = found


def check_one_partition(store: Store) -> None:
    """The runner drives one engine (its `expect` steps read that engine's state and views):
    refuse a URL asking for a partitioned store rather than replay on partition 1 alone."""
    if store.partitions is not None and store.partitions > 1:
        raise StoreURLError(f"the store '{store.url}' asks for {store.partitions} partitions: "
                            "scenarios replay on one partition (drop partitions=; "
                            "docs/scaling.md)")


class ScenarioRun:
    """The state of one scenario's replay: engine, views and labels."""

    def __init__(self, scenario: Scenario, store: Store) -> None:
        check_one_partition(store)
        store.clear()
        self.scenario = scenario
        self.app = EngineApp(store, start_time=scenario.start_time, record_log=True)
        self.engine = self.app.engine
        self.operate = self.app.operate
        self.list_view = self.app.list_view  # durable on SQLite and PostgreSQL
        self.follower = self.app.follower
        assert self.app.log is not None
        self.log = self.app.log
        self.instances: dict[str, int] = {}
        self.operations: dict[str, Any] = {}
        self.expectations = Expectations(self)
        self.commands: dict[str, Callable[[Step], list[Outcome]]] = {
            "deploy": self._deploy,
            "create": self._create,
            "complete_job": self._on_instance(commands.complete_job, "element", "variables"),
            "fail_job": self._on_instance(commands.fail_job, "element", "retries", "message"),
            "throw_error": self._on_instance(commands.throw_error, "element", "code", "message"),
            "resolve_incident": self._on_instance(commands.resolve_incident, "element", "retries"),
            "complete_user_task": self._on_instance(commands.complete_user_task, "element", "variables"),
            "set_variables": self._on_instance(commands.set_variables, "variables", "element"),
            "cancel": self._on_instance(commands.cancel_instance),
            "publish_message": self._publish_message,
            "broadcast_signal": self._broadcast_signal,
            "advance_clock": self._advance_clock,
            "migrate_instance": self._migrate_instance,
            "migrate": self._migrate,
            "revert_operation": self._revert_operation,
            "run_operations": self._run_operations,
        }

    def close(self) -> None:
        self.app.close()

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
        return ScenarioResult(self.scenario.name, True, records=self.log.records)

    def _failed(self, step: Step, expected: str, found: str) -> ScenarioResult:
        where = f"{self.scenario.display_name}:{step.line}"
        message = f"  step: {where} ({step.kind})\n  expected: {expected}\n  found: {found}"
        return ScenarioResult(self.scenario.name, False, message, self.log.records)

    def _run_step(self, step: Step) -> None:
        if step.kind in self.commands:
            outcomes = self.commands[step.kind](step)
            self.follower.catch_up()
            self._check_rejections(step, outcomes)
        else:
            self.follower.catch_up()
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
    def operation_key(self, label: str) -> int:
        key: int | None = self.operations.get(label)
        if key is None:  # the document defines the label; the step that defines it was rejected
            raise StepFailed(f"the operation labelled '{label}'",
                             "none: the step that was to create it was rejected")
        return key

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
            for r in self.log.stream(parent_key)
            if r["valueType"] == ValueType.PROCESS_INSTANCE
            and r["intent"] in ("ELEMENT_ACTIVATING", "ELEMENT_MIGRATED")
            and r["elementId"] == element_id and r["bpmnElementType"] == "CALL_ACTIVITY"
        }
        children = [
            row.key for row in self.list_view.children(parent_key)
            if row.parent_element_key in call_keys
        ]
        return max(children) if children else None

    # -- command steps -------------------------------------------------------------------
    def _deploy(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.Deploy)
        path: Path = cmd.resolved_path
        return [self.engine.deploy(path.read_bytes(), path.name)]

    def _create(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.Create)
        outcomes = []
        with self.engine.group_commit():
            for index in range(cmd.count):
                outcome = commands.create_instance(self.engine, cmd.process, cmd.version,
                                                   dict(cmd.variables))
                outcomes.append(outcome)
                if outcome.result is not None and index < len(step.labels):
                    self.instances[step.labels[index]] = outcome.result
        return outcomes

    def _on_instance(self, command: Callable[..., Outcome], *fields: str) -> Callable[[Step], list[Outcome]]:
        def run(step: Step) -> list[Outcome]:
            cmd: Any = step.command  # one of the instance steps (see the table above)
            args = [_plain(getattr(cmd, name)) for name in fields]
            return [command(self.engine, self.instance_key(cmd.instance), *args)]

        return run

    def _publish_message(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.PublishMessage)
        return [commands.publish_message(self.engine, 
            cmd.name, cmd.correlation_key, dict(cmd.variables), cmd.ttl)]

    def _broadcast_signal(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.BroadcastSignal)
        return [commands.broadcast_signal(self.engine, cmd.name, dict(cmd.variables))]

    def _advance_clock(self, step: Step) -> list[Outcome]:
        return self.engine.advance_clock(command_of(step, steps.AdvanceClock).duration)

    def _migrate_instance(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.MigrateInstance)
        key = self.instance_key(cmd.instance)
        return [self.operate.migrate_instance(key, cmd.target.process, cmd.target.version,
                                              pairs(cmd.mapping), cmd.auto_map)]

    def _migrate(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.Migrate)
        selection = self.selection(cmd.instances, cmd.filter)
        outcome, operation = self.operate.migrate(
            selection, cmd.target.process, cmd.target.version, pairs(cmd.mapping), cmd.auto_map,
            cmd.run)
        if operation is not None and step.labels:
            self.operations[step.labels[0]] = operation
        return [outcome]

    def _revert_operation(self, step: Step) -> list[Outcome]:
        cmd = command_of(step, steps.RevertOperation)
        outcome, operation = self.operate.revert(self.operation_key(cmd.operation), cmd.run)
        if operation is not None and step.labels:
            self.operations[step.labels[0]] = operation
        return [outcome]

    def _run_operations(self, step: Step) -> list[Outcome]:
        label = command_of(step, steps.RunOperations).operation
        outcomes: list[Outcome] = []
        self.operate.run_operations(self.operation_key(label) if label else None,
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

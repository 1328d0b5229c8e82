"""Assertions in the style of Camunda's BpmnAssert, over the public API's handles.

    assert_that(instance).is_active().is_waiting_at("checkPayment").has_passed("start")
    assert_that(instance).was_migrated(to_version=2, mapping={"checkPayment": "checkPayment"})
    assert_that(operation).completed(3).failed(1, reason="no mapping instruction")
    records(instance).contains_in_order({"intent": "ELEMENT_COMPLETED", "elementId": "start"})

Each check returns the assertion, so checks chain; a failing check raises `AssertionError`
whose message says what was expected, what was found, and shows the records that matter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, overload

from engine_sim.api import Engine, Operation, ProcessInstance, Record
from engine_sim.scenarios.expectations import record_matches
from engine_sim.testing.excerpts import describe, excerpt, partial

_ANY = object()
PI = "PROCESS_INSTANCE"


class InstanceAssert:
    """Checks on one process instance (its state now, and its record stream)."""

    def __init__(self, instance: ProcessInstance) -> None:
        if instance.key is None:
            raise AssertionError(f"the instance was not created: {instance.rejection}")
        self.instance = instance
        self.key = instance.key

    def _fail(self, message: str, focus: Any = None) -> None:
        stream = self.instance.stream()
        raise AssertionError(f"{message}\n{excerpt(stream, f'instance {self.key}', focus)}")

    # -- state ---------------------------------------------------------------------------
    def _has_state(self, *states: str) -> InstanceAssert:
        state = self.instance.state
        if state not in states:
            self._fail(f"Expected instance {self.key} to be {' or '.join(states)}, "
                       f"but it is {state}")
        return self

    def is_active(self) -> InstanceAssert:
        """Running, with or without incidents."""
        return self._has_state("ACTIVE", "INCIDENT")

    def is_completed(self) -> InstanceAssert:
        return self._has_state("COMPLETED")

    def is_canceled(self) -> InstanceAssert:
        return self._has_state("CANCELED")

    is_terminated = is_canceled

    # -- tokens --------------------------------------------------------------------------
    def is_waiting_at(self, *element_ids: str) -> InstanceAssert:
        active = self.instance.active_elements
        missing = [e for e in element_ids if e not in active]
        if missing:
            self._fail(f"Expected instance {self.key} to be waiting at {missing}, "
                       f"but its active elements are {active}",
                       lambda r: r.get("elementId") in missing)
        return self

    def is_not_waiting_at(self, *element_ids: str) -> InstanceAssert:
        active = self.instance.active_elements
        there = [e for e in element_ids if e in active]
        if there:
            self._fail(f"Expected instance {self.key} not to be waiting at {there}, "
                       f"but its active elements are {active}",
                       lambda r: r.get("elementId") in there)
        return self

    def _completed_elements(self) -> set[str]:
        return {r["elementId"] for r in self.instance.stream()
                if r.get("valueType") == PI and r.get("intent") == "ELEMENT_COMPLETED"}

    def has_passed(self, *element_ids: str) -> InstanceAssert:
        """Each element completed at least once."""
        passed = self._completed_elements()
        missing = [e for e in element_ids if e not in passed]
        if missing:
            self._fail(f"Expected instance {self.key} to have passed {missing}, but no "
                       f"ELEMENT_COMPLETED record of them was written",
                       lambda r: r.get("elementId") in missing)
        return self

    def has_not_passed(self, *element_ids: str) -> InstanceAssert:
        passed = self._completed_elements()
        wrong = [e for e in element_ids if e in passed]
        if wrong:
            self._fail(f"Expected instance {self.key} not to have passed {wrong}",
                       lambda r: r.get("elementId") in wrong)
        return self

    # -- variables and incidents ---------------------------------------------------------
    def has_variable(self, name: str, value: Any = _ANY) -> InstanceAssert:
        """The process scope has `name` (equal to `value` when given; `True` is not `1`)."""
        variables = self.instance.variables
        if name not in variables:
            self._fail(f"Expected instance {self.key} to have variable '{name}', but its "
                       f"variables are {variables}", lambda r: r.get("name") == name)
        elif value is not _ANY and not _same(value, variables[name]):
            self._fail(f"Expected variable '{name}' of instance {self.key} to be {value!r}, "
                       f"but it is {variables[name]!r}", lambda r: r.get("name") == name)
        return self

    def has_no_variable(self, name: str) -> InstanceAssert:
        if name in self.instance.variables:
            self._fail(f"Expected instance {self.key} to have no variable '{name}'",
                       lambda r: r.get("name") == name)
        return self

    def has_incident(self, element_id: str | None = None, *, error_type: str | None = None,
                     message: str | None = None) -> InstanceAssert:
        """An open incident (of `element_id`, of `error_type`, its message containing
        `message`, where given)."""
        found = [i for i in self.instance.incidents
                 if (element_id is None or i.element_id == element_id)
                 and (error_type is None or i.error_type == error_type)
                 and (message is None or message in i.error_message)]
        if not found:
            wanted = ", ".join(f"{k}={v!r}" for k, v in (("element", element_id),
                               ("error_type", error_type), ("message", message)) if v)
            have = [(i.element_id, i.error_type, i.error_message) for i in self.instance.incidents]
            self._fail(f"Expected instance {self.key} to have an open incident"
                       f"{' (' + wanted + ')' if wanted else ''}, but its open incidents are "
                       f"{have}", lambda r: r.get("valueType") == "INCIDENT")
        return self

    def has_no_incident(self) -> InstanceAssert:
        if self.instance.incidents:
            have = [(i.element_id, i.error_message) for i in self.instance.incidents]
            self._fail(f"Expected instance {self.key} to have no open incident, but it has "
                       f"{have}", lambda r: r.get("valueType") == "INCIDENT")
        return self

    # -- migration -----------------------------------------------------------------------
    def was_migrated(self, *, to_version: int | None = None, to_process: str | None = None,
                     mapping: Mapping[str, str] | None = None) -> InstanceAssert:
        """Its last PROCESS_INSTANCE_MIGRATION MIGRATED record went to `to_process` /
        `to_version`, and applied each pair of `mapping` (source element -> target)."""
        def is_migration(r: Record) -> bool:
            return r.get("valueType") == "PROCESS_INSTANCE_MIGRATION"

        migrations = [r for r in self.instance.stream()
                      if is_migration(r) and r.get("intent") == "MIGRATED"]
        if not migrations:
            self._fail(f"Expected instance {self.key} to have been migrated, but it never was",
                       is_migration)
        last = migrations[-1]
        problems = []
        if to_version is not None and last["version"] != to_version:
            problems.append(f"to version {to_version}, but it went to {last['version']}")
        if to_process is not None and last["bpmnProcessId"] != to_process:
            problems.append(f"to '{to_process}', but it went to '{last['bpmnProcessId']}'")
        applied = {(m["sourceElementId"], m["targetElementId"])
                   for m in last.get("mappingInstructions", ())}
        missing = [pair for pair in (mapping or {}).items() if pair not in applied]
        if missing:
            problems.append(f"with the mapping {dict(missing)}, but it applied {sorted(applied)}")
        if problems:
            self._fail(f"Expected instance {self.key}'s last migration to go "
                       + "; and ".join(problems), is_migration)
        return self


class OperationAssert:
    """Checks on one batch operation's row of the operations view."""

    def __init__(self, operation: Operation) -> None:
        if operation.key is None:
            raise AssertionError(f"the operation was not created: {operation.rejection}")
        self.operation = operation

    def _fail(self, message: str) -> None:
        info = self.operation.info()
        raise AssertionError(
            f"{message}\noperation {info.key}: {info.type} {info.state}, total {info.total}, "
            f"completed {info.completed}, failed {info.failed}, ignored {info.ignored}, "
            f"failures {info.failures}\n"
            + excerpt(self.operation.stream(), f"operation {info.key}"))

    def is_completed(self) -> OperationAssert:
        """Every item was processed (migrated or failed)."""
        if self.operation.info().state != "COMPLETED":
            self._fail("Expected the operation to be COMPLETED")
        return self

    def completed(self, count: int) -> OperationAssert:
        """`count` instances were migrated."""
        if self.operation.info().completed != count:
            self._fail(f"Expected {count} completed items")
        return self

    def failed(self, count: int, reason: str | None = None) -> OperationAssert:
        """`count` items failed (each reason containing `reason`, when given)."""
        info = self.operation.info()
        if info.failed != count:
            self._fail(f"Expected {count} failed items")
        if reason is not None and any(reason not in r for r in info.failures.values()):
            self._fail(f"Expected every failure to say '{reason}'")
        return self

    def ignored(self, count: int) -> OperationAssert:
        """`count` selected instances were not running, so were ignored."""
        if self.operation.info().ignored != count:
            self._fail(f"Expected {count} ignored instances")
        return self


@overload
def assert_that(subject: ProcessInstance) -> InstanceAssert: ...
@overload
def assert_that(subject: Operation) -> OperationAssert: ...
def assert_that(subject: ProcessInstance | Operation) -> InstanceAssert | OperationAssert:
    """Start a chain of checks on a process instance or a batch operation."""
    if isinstance(subject, ProcessInstance):
        return InstanceAssert(subject)
    if isinstance(subject, Operation):
        return OperationAssert(subject)
    raise TypeError(f"assert_that() takes a ProcessInstance or an Operation, not "
                    f"{type(subject).__name__}")


class RecordsAssert:
    """Checks on a record stream with partial records: a partial record gives some fields
    (`{"intent": "ELEMENT_COMPLETED", "elementId": "start"}`, or in keywords with snake_case
    names); messages (`errorMessage`, `rejectionReason`) match as substrings."""

    def __init__(self, stream: Sequence[Record], title: str) -> None:
        self.stream = list(stream)
        self.title = title

    def contains(self, spec: dict[str, Any] | None = None, **fields: Any) -> RecordsAssert:
        return self.contains_in_order(partial(spec, **fields))

    def contains_in_order(self, *partials: dict[str, Any]) -> RecordsAssert:
        """Records matching each partial record, in this order (others may lie between)."""
        wanted = [partial(p) for p in partials]
        position = 0
        for index, want in enumerate(wanted):
            while position < len(self.stream) and not _matches(want, self.stream[position]):
                position += 1
            if position == len(self.stream):
                after = (f" after the record matching {wanted[index - 1]}" if index else "")
                raise AssertionError(
                    f"Expected a record matching {want}{after} (partial record {index + 1} "
                    f"of {len(wanted)}), but none was found\n"
                    + excerpt(self.stream, self.title, _sharing(want)))
            position += 1
        return self

    def does_not_contain(self, *partials: dict[str, Any], **fields: Any) -> RecordsAssert:
        """No record matches any of the partial records."""
        wanted = [partial(p) for p in partials] + ([partial(**fields)] if fields else [])
        for want in wanted:
            for record in self.stream:
                if _matches(want, record):
                    raise AssertionError(
                        f"Expected no record matching {want}, but found {describe(record)}\n"
                        + excerpt(self.stream, self.title, _matching(want)))
        return self


def _sharing(want: dict[str, Any]) -> Callable[[Record], bool] | None:
    """Records that match the most telling fields of `want` (its element, or its intent)."""
    for name in ("elementId", "name", "intent", "valueType"):
        if name in want:
            return _matching({name: want[name]})
    return None


def _matches(want: dict[str, Any], record: Record) -> bool:
    return record_matches(want, record.to_dict())


def _matching(want: dict[str, Any]) -> Callable[[Record], bool]:
    return lambda record: _matches(want, record)


def records(subject: ProcessInstance | Operation | Engine | Sequence[Record]) -> RecordsAssert:
    """Checks on the record stream of an instance, of an operation, or of the whole log."""
    if isinstance(subject, ProcessInstance):
        return RecordsAssert(subject.stream(), f"instance {subject.key}")
    if isinstance(subject, Operation):
        return RecordsAssert(subject.stream(), f"operation {subject.key}")
    if isinstance(subject, Engine):
        return RecordsAssert(subject.records(), "the log")
    return RecordsAssert(list(subject), "the records")


def _same(want: Any, have: Any) -> bool:
    if isinstance(want, bool) or isinstance(have, bool):
        return type(want) is type(have) and want == have
    return bool(want == have)

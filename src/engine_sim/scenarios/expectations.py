"""Expectation steps: compare what a scenario states with what the engine and its views show.

On a partitioned store (docs/scaling.md) an instance is read on its partition and its record
stream is its partition's; the whole log is every partition's records in the order they were
written; the list view covers every partition; a preview is summed over the partitions
holding selected instances; an operation label names one operation per partition, whose
counts are summed (`summed_view`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from engine_sim.projections import ListFilter
from engine_sim.scenarios.document import Step

if TYPE_CHECKING:
    from engine_sim.scenarios.runner import ScenarioRun

SUBSTRING_FIELDS = ("errorMessage", "rejectionReason")
LIFECYCLE_STATE = {"COMPLETED": "COMPLETED", "TERMINATED": "CANCELED"}


class ExpectationFailed(Exception):
    def __init__(self, expected: Any, found: Any) -> None:
        super().__init__(expected, found)
        self.expected = _text(expected)
        self.found = _text(found)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)


def record_matches(partial: dict[str, Any], record: dict[str, Any]) -> bool:
    """Every field the partial record gives is equal (substring for messages). A variable's
    `value` also matches its JSON text, as Zeebe's exporters write it."""
    for name, want in partial.items():
        if name not in record:
            return False
        have = record[name]
        if name in SUBSTRING_FIELDS:
            if not isinstance(want, str) or want not in str(have):
                return False
        elif not _equal_deep(want, have) and not (  # true is not 1, also inside lists
                name == "value" and isinstance(want, str) and _json_equal(want, have)):
            return False
    return True


def _equal(want: Any, have: Any) -> bool:
    if isinstance(want, bool) or isinstance(have, bool):
        return type(want) is type(have) and want == have
    return bool(want == have)


def _json_equal(text: str, value: Any) -> bool:
    try:
        return bool(json.loads(text) == value)
    except ValueError:
        return False


class Expectations:
    def __init__(self, run: ScenarioRun) -> None:
        self.run = run
        self.checks = {
            "expect": self.expect,
            "expect_records": self.expect_records,
            "expect_list": self.expect_list,
            "expect_preview": self.expect_preview,
            "expect_operation": self.expect_operation,
        }

    def check(self, step: Step) -> None:
        self.checks[step.kind](step.command)

    # -- expect --------------------------------------------------------------------------
    def expect(self, cmd: Any) -> None:
        key = self.run.instance_key(cmd.instance)
        state = self.run.instance(key)
        assert state is not None
        found: dict[str, Any] = {}
        wanted: dict[str, Any] = {}
        if cmd.state is not None:
            wanted["state"] = cmd.state
            if state.is_running:
                found["state"] = "INCIDENT" if state.incidents else "ACTIVE"
            else:
                found["state"] = LIFECYCLE_STATE.get(state.lifecycle, state.lifecycle)
        if cmd.process is not None:
            wanted["process"], found["process"] = cmd.process, state.process_id
        if cmd.version is not None:
            wanted["version"], found["version"] = cmd.version, state.version
        if cmd.active_elements is not None:
            wanted["active_elements"] = sorted(cmd.active_elements)
            found["active_elements"] = sorted(state.active_element_ids())
        if cmd.incidents is not None:
            wanted["incidents"], found["incidents"] = cmd.incidents, len(state.incidents)
        if cmd.jobs is not None:
            wanted["jobs"] = dict(cmd.jobs)
            found["jobs"] = {job.element_id: job.type for job in state.jobs.values()}
        mismatch = {k for k in wanted if not _equal_deep(wanted[k], found[k])}
        if cmd.variables is not None:
            actual = state.process_variables()
            wrong = {
                name: actual.get(name, "<missing>") for name, value in cmd.variables.items()
                if name not in actual or not _equal_deep(value, actual[name])
            }
            if wrong:
                wanted["variables"] = dict(cmd.variables)
                found["variables"] = actual
                mismatch.add("variables")
        if mismatch:
            raise ExpectationFailed(
                {k: wanted[k] for k in sorted(mismatch)}, {k: found[k] for k in sorted(mismatch)}
            )

    # -- expect_records ------------------------------------------------------------------
    def expect_records(self, cmd: Any) -> None:
        key = self.run.instance_key(cmd.instance) if cmd.instance is not None else None
        stream = self.run.records(key)
        position = 0
        for partial in cmd.contains:
            while position < len(stream) and not record_matches(partial, stream[position]):
                position += 1
            if position == len(stream):
                raise ExpectationFailed(
                    f"a record matching {_text(partial)} (in order after the previous ones)",
                    _closest(partial, stream),
                )
            position += 1
        for partial in cmd.not_contains:
            for record in stream:
                if record_matches(partial, record):
                    raise ExpectationFailed(f"no record matching {_text(partial)}", record)

    # -- expect_list ---------------------------------------------------------------------
    def expect_list(self, cmd: Any) -> None:
        rows = self.run.views().query(list_filter(cmd.filter))
        names = self._names()
        if len(rows) != cmd.count:
            raise ExpectationFailed(
                f"{cmd.count} instances", f"{len(rows)}: {[names.get(r.key, r.key) for r in rows]}"
            )
        if cmd.instances is not None:
            wanted = {self.run.instance_key(ref) for ref in cmd.instances}
            have = {row.key for row in rows}
            if wanted != have:
                raise ExpectationFailed(
                    sorted(str(ref) for ref in cmd.instances),
                    sorted(str(names.get(k, k)) for k in have),
                )

    def _names(self) -> dict[int, str]:
        return {key: label for label, key in self.run.instances.items()}

    # -- migration views -----------------------------------------------------------------
    def expect_preview(self, cmd: Any) -> None:
        selection = self.run.selection(cmd.instances, cmd.filter)
        target = self.run.target
        written_before = target.log_ends()
        preview = target.preview(
            selection, cmd.target.process, cmd.target.version, cmd.mapping, cmd.auto_map)
        if target.log_ends() != written_before:
            raise ExpectationFailed("a preview that writes nothing", "the preview stored events")
        names = self._names()
        self._compare_counts(cmd, preview, names)

    def expect_operation(self, cmd: Any) -> None:
        keys = self.run.operation_keys(cmd.operation)
        view = summed_view([self.run.target.operation_row(key) for key in keys])
        self._compare_counts(cmd, view, self._names())

    def _compare_counts(self, cmd: Any, view: dict[str, Any], names: dict[int, str]) -> None:
        wanted: dict[str, Any] = {}
        found: dict[str, Any] = {}
        for name in ("counts", "targets", "ignored", "type", "state", "total", "completed", "failed"):
            want = getattr(cmd, name, None)
            if want is None or name not in view:
                continue
            want = dict(want) if isinstance(want, dict) else want
            if not _equal_deep(want, view[name]):
                wanted[name], found[name] = want, view[name]
        failures = getattr(cmd, "failures", None)
        if failures is not None:
            problem = _failure_mismatch(self.run, failures, view["failures"])
            if problem:
                wanted["failures"] = [f"{f.instance}: {f.message or ''}" for f in failures]
                found["failures"] = [
                    f"{names.get(k, k)}: {reason}" for k, reason in sorted(view["failures"].items())
                ]
        if wanted:
            raise ExpectationFailed(wanted, found)


def summed_view(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The operations view's row of one operation, or of a batch step's operations on a
    partitioned store (one per partition) as one: counts added, failures gathered,
    COMPLETED once every one is."""
    if len(rows) == 1:
        return rows[0]
    summed = {name: sum(row[name] for row in rows)
              for name in ("total", "completed", "failed", "ignored")}
    return {**rows[0], **summed,
            "state": "COMPLETED" if all(row["state"] == "COMPLETED" for row in rows)
            else "ACTIVE",
            "failures": {key: reason for row in rows for key, reason in row["failures"].items()},
            "ignoredKeys": [key for row in rows for key in row["ignoredKeys"]]}


def _failure_mismatch(run: ScenarioRun, failures: Any, actual: dict[int, str]) -> bool:
    wanted = {run.instance_key(f.instance): f.message for f in failures}
    if set(wanted) != set(actual):
        return True
    return any(message and message not in actual[key] for key, message in wanted.items())


def _equal_deep(want: Any, have: Any) -> bool:
    if isinstance(want, dict) and isinstance(have, dict):
        return want.keys() == have.keys() and all(_equal_deep(want[k], have[k]) for k in want)
    if isinstance(want, (list, tuple)) and isinstance(have, (list, tuple)):
        return len(want) == len(have) and all(_equal_deep(a, b) for a, b in zip(want, have, strict=True))
    return _equal(want, have)


def _closest(partial: dict[str, Any], stream: list[dict[str, Any]]) -> str:
    """The records that share the most fields with what was expected (at most three)."""
    def score(record: dict[str, Any]) -> int:
        return sum(1 for k, v in partial.items() if k in record and record_matches({k: v}, record))

    best = sorted(stream, key=score, reverse=True)[:3]
    if not best:
        return "no records"
    shown = [{k: r.get(k) for k in ("position", "valueType", "intent", *partial)} for r in best]
    return "closest: " + "; ".join(_text(s) for s in shown)


def list_filter(flt: Any) -> ListFilter:
    if flt is None:
        return ListFilter()
    return ListFilter(
        process=flt.process, version=flt.version, states=tuple(flt.state or ()), element=flt.element
    )

"""Given / when / then helpers for the engine-core tests (tests/unit/engine, tests/property).

A model is a small BPMN document built with `bpmn_builders`, a command is one of
`engine_sim.engine.commands`, and the outcome is read as a trace: one line per record,
`"INTENT elementId"` for PROCESS_INSTANCE records (the bulk of every trace),
`"VALUE_TYPE INTENT elementId"` for the others (`name` instead of the element for a
VARIABLE), `"REJECTED VALUE_TYPE INTENT REJECTION_TYPE"` for a rejection.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from engine_sim.engine import commands
from engine_sim.engine.aggregates import ProcessInstance, instance_id
from engine_sim.engine.engine import Engine, Outcome
from engine_sim.engine.state import InstanceState


# -- reading outcomes ---------------------------------------------------------------------
def line(record: dict[str, Any]) -> str:
    if record["recordType"] == "COMMAND_REJECTION":
        return f"REJECTED {record['valueType']} {record['intent']} {record['rejectionType']}"
    if record["valueType"] == "PROCESS_INSTANCE":
        return f"{record['intent']} {record['elementId']}"
    if record["valueType"] == "VARIABLE":
        return f"VARIABLE {record['intent']} {record['name']}"
    element = record.get("elementId")
    return " ".join(str(x) for x in (record["valueType"], record["intent"], element) if x)


def trace(outcome: Outcome | Iterable[dict[str, Any]]) -> list[str]:
    records = outcome.records if isinstance(outcome, Outcome) else outcome
    return [line(r) for r in records]


def passes(element_id: str) -> list[str]:
    """The four lifecycle records of an element that passes its token straight through."""
    return [f"{intent} {element_id}" for intent in
            ("ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED", "ELEMENT_COMPLETING", "ELEMENT_COMPLETED")]


def taken(flow_id: str) -> str:
    return f"SEQUENCE_FLOW_TAKEN {flow_id}"


def started(process_id: str = "p", variables: Iterable[str] = ()) -> list[str]:
    """What every creation writes before the start event: variables, creation, the process."""
    return [
        *(f"VARIABLE CREATED {name}" for name in variables),
        "PROCESS_INSTANCE_CREATION CREATED",
        f"ELEMENT_ACTIVATING {process_id}",
        f"ELEMENT_ACTIVATED {process_id}",
    ]


def completed(process_id: str = "p") -> list[str]:
    return [f"ELEMENT_COMPLETING {process_id}", f"ELEMENT_COMPLETED {process_id}"]


# -- given / when ---------------------------------------------------------------------------
class Given:
    """An engine with one deployed model: `when_created` starts instances, `state` reads them."""

    def __init__(self, xml: bytes, engine: Engine | None = None) -> None:
        self.engine = engine if engine is not None else Engine()
        outcome = self.engine.deploy(xml, "model.bpmn")
        assert outcome.rejection is None, outcome.rejection
        self.process_id = outcome.result[0].process_id
        self.key = -1

    def when_created(self, **variables: Any) -> Outcome:
        outcome = commands.create_instance(self.engine, self.process_id, None, variables)
        assert outcome.rejection is None, outcome.rejection
        self.key = outcome.result
        return outcome

    def do(self, command: Any, *args: Any) -> Outcome:
        """Run `command(engine, instance key, *args)` on the latest instance."""
        return command(self.engine, self.key, *args)

    @property
    def state(self) -> InstanceState:
        state = self.engine.instance(self.key)
        assert state is not None
        return state


# -- state dumps ----------------------------------------------------------------------------
def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):  # as pairs: insertion order (e.g. of children) is compared too
        return [[k, _plain(v)] for k, v in value.items()]
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and type(value).__module__.startswith("engine_sim.model"):
        return value.value  # enums
    return value


STATE_SKIP = ("models", "pending")


def dump(state: InstanceState) -> dict[str, Any]:
    """Everything an `InstanceState` holds, as plain data; mappings become lists of pairs, so
    two dumps are equal only if every mapping was filled in the same order."""
    return {name: _plain(getattr(state, name)) for name in type(state).__slots__
            if name not in STATE_SKIP}


def rebuilt(engine: Engine, key: int) -> InstanceState:
    """The instance rebuilt from its stored events alone (a fresh aggregate, then `bind`)."""
    aggregate = engine.app.repository.get(instance_id(key))
    assert isinstance(aggregate, ProcessInstance)
    return aggregate.bind(engine.catalog.model)


def assert_rebuilds(engine: Engine, key: int) -> None:
    live = engine.instance(key)
    assert live is not None
    assert dump(rebuilt(engine, key)) == dump(live)


def find(outcome: Outcome, text: str) -> dict[str, Any]:
    """The first record of `outcome` whose trace line is `text`."""
    for record in outcome.records:
        if line(record) == text:
            return record
    raise AssertionError(f"no record {text!r} in {trace(outcome)}")

"""Given / when / then helpers for the event tests (timers, messages, signals, errors,
escalations, boundary events, event subprocesses, event-based gateways).

A model is a small BPMN document built with `bpmn_builders`; an outcome is read as a trace of one line per
record: `"INTENT elementId"` for PROCESS_INSTANCE records, `"VALUE_TYPE INTENT elementId"`
for the others (`name` for a VARIABLE, the message or signal name for MESSAGE / SIGNAL).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine, Outcome
from engine_sim.engine.state import InstanceState
from engine_sim.timeutil import parse_duration


# -- reading outcomes -------------------------------------------------------------------------
def line(record: dict[str, Any]) -> str:
    if record["recordType"] == "COMMAND_REJECTION":
        return f"REJECTED {record['valueType']} {record['intent']} {record['rejectionType']}"
    value_type = record["valueType"]
    if value_type == "PROCESS_INSTANCE":
        return f"{record['intent']} {record['elementId']}"
    if value_type == "VARIABLE":
        return f"VARIABLE {record['intent']} {record['name']}"
    if value_type == "MESSAGE":
        return f"MESSAGE {record['intent']} {record['name']}"
    if value_type == "SIGNAL":
        return f"SIGNAL {record['intent']} {record['signalName']}"
    element = record.get("elementId") or record.get("throwElementId")
    return " ".join(str(x) for x in (value_type, record["intent"], element) if x)


def trace(outcomes: Outcome | Iterable[Outcome]) -> list[str]:
    if isinstance(outcomes, Outcome):
        outcomes = [outcomes]
    return [line(r) for o in outcomes for r in o.records]


def lifecycle(element_id: str, *intents: str) -> list[str]:
    return [f"ELEMENT_{intent} {element_id}" for intent in intents]


def passes(element_id: str) -> list[str]:
    return lifecycle(element_id, "ACTIVATING", "ACTIVATED", "COMPLETING", "COMPLETED")


# -- given / when -----------------------------------------------------------------------------
class Given:
    """An engine with models deployed; `create` starts instances, `state` reads them."""

    def __init__(self, *models: bytes, engine: Engine | None = None) -> None:
        self.engine = engine if engine is not None else Engine()
        for index, xml in enumerate(models):
            outcome = self.engine.deploy(xml, f"model{index}.bpmn")
            assert outcome.rejection is None, outcome.rejection
        self.key = -1

    def create(self, process_id: str = "p", version: int | None = None, **variables: Any) -> Outcome:
        outcome = commands.create_instance(self.engine, process_id, version, variables)
        assert outcome.rejection is None, outcome.rejection
        self.key = outcome.result
        return outcome

    def advance(self, duration: str) -> list[Outcome]:
        return self.engine.advance_clock(parse_duration(duration))

    def publish(self, name: str, key: str, ttl: str = "PT0S", **variables: Any) -> Outcome:
        return commands.publish_message(self.engine, name, key, variables, parse_duration(ttl))

    def broadcast(self, name: str, **variables: Any) -> Outcome:
        return commands.broadcast_signal(self.engine, name, variables)

    def complete_job(self, element_id: str, key: int | None = None, **variables: Any) -> Outcome:
        return commands.complete_job(self.engine, self.key if key is None else key,
                                     element_id, variables)

    def instance(self, key: int | None = None) -> InstanceState:
        state = self.engine.instance(self.key if key is None else key)
        assert state is not None
        return state

    @property
    def state(self) -> InstanceState:
        return self.instance()

    def active(self, key: int | None = None) -> list[str]:
        return self.instance(key).active_element_ids()

    def variables(self, key: int | None = None) -> dict[str, Any]:
        return self.instance(key).process_variables()

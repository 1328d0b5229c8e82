"""Given / when / then helpers for the event tests (timers, messages, signals, errors,
escalations, boundary events, event subprocesses, event-based gateways).

A model is a small inline BPMN document; an outcome is read as a trace of one line per
record: `"INTENT elementId"` for PROCESS_INSTANCE records, `"VALUE_TYPE INTENT elementId"`
for the others (`name` for a VARIABLE, the message or signal name for MESSAGE / SIGNAL).
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise
from typing import Any

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine, Outcome
from engine_sim.engine.state import InstanceState
from engine_sim.timeutil import parse_duration

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="urn:t">'
)


def definitions(*parts: str) -> bytes:
    return (HEAD + "".join(parts) + "</bpmn:definitions>").encode()


def process(*nodes: str, process_id: str = "p", extra: str = "") -> bytes:
    """A document with one process of `nodes` (flows included) and root elements `extra`
    (messages, signals, errors, escalations)."""
    return definitions(extra, f'<bpmn:process id="{process_id}" isExecutable="true">',
                       *nodes, "</bpmn:process>")


def flow(source: str, target: str, flow_id: str | None = None) -> str:
    flow_id = flow_id or f"{source}_{target}"
    return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'


def chain(*ids: str) -> str:
    return "".join(flow(a, b) for a, b in pairwise(ids))


def start(element_id: str = "start", definition: str = "", attrs: str = "") -> str:
    return f'<bpmn:startEvent id="{element_id}"{attrs}>{definition}</bpmn:startEvent>'


def end(element_id: str = "end", definition: str = "") -> str:
    return f'<bpmn:endEvent id="{element_id}">{definition}</bpmn:endEvent>'


def task(element_id: str, job_type: str = "work", extra: str = "") -> str:
    return (f'<bpmn:serviceTask id="{element_id}"><bpmn:extensionElements>'
            f'<zeebe:taskDefinition type="{job_type}"/>{extra}</bpmn:extensionElements>'
            "</bpmn:serviceTask>")


def catch(element_id: str, definition: str, extra: str = "") -> str:
    ext = f"<bpmn:extensionElements>{extra}</bpmn:extensionElements>" if extra else ""
    return f'<bpmn:intermediateCatchEvent id="{element_id}">{ext}{definition}</bpmn:intermediateCatchEvent>'


def boundary(element_id: str, attached: str, definition: str, interrupting: bool = True) -> str:
    cancel = "true" if interrupting else "false"
    return (f'<bpmn:boundaryEvent id="{element_id}" attachedToRef="{attached}" '
            f'cancelActivity="{cancel}">{definition}</bpmn:boundaryEvent>')


def timer(kind: str, value: str) -> str:
    return f"<bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>"


def message_def(ref: str = "msg") -> str:
    return f'<bpmn:messageEventDefinition messageRef="{ref}"/>'


def message(name: str, key: str | None = "=orderId", ref: str = "msg") -> str:
    sub = (f'<bpmn:extensionElements><zeebe:subscription correlationKey="{key}"/>'
           "</bpmn:extensionElements>") if key else ""
    return f'<bpmn:message id="{ref}" name="{name}">{sub}</bpmn:message>'


def signal_def(ref: str = "sig") -> str:
    return f'<bpmn:signalEventDefinition signalRef="{ref}"/>'


def signal(name: str, ref: str = "sig") -> str:
    return f'<bpmn:signal id="{ref}" name="{name}"/>'


def error_def(ref: str | None = "err") -> str:
    return f'<bpmn:errorEventDefinition errorRef="{ref}"/>' if ref else "<bpmn:errorEventDefinition/>"


def error(code: str, ref: str = "err") -> str:
    return f'<bpmn:error id="{ref}" errorCode="{code}"/>'


def escalation_def(ref: str | None = "esc") -> str:
    return (f'<bpmn:escalationEventDefinition escalationRef="{ref}"/>' if ref
            else "<bpmn:escalationEventDefinition/>")


def escalation(code: str, ref: str = "esc") -> str:
    return f'<bpmn:escalation id="{ref}" escalationCode="{code}"/>'


def sub_process(element_id: str, *nodes: str, triggered: bool = False) -> str:
    attr = ' triggeredByEvent="true"' if triggered else ""
    return f'<bpmn:subProcess id="{element_id}"{attr}>{"".join(nodes)}</bpmn:subProcess>'


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

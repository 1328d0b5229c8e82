"""Engine helpers for the call-activity and multi-instance tests (their models come from
`bpmn_builders`)."""

from __future__ import annotations

from typing import Any

from bpmn_builders import definitions

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine, Outcome


def deploy(engine: Engine, *processes: str, name: str = "r.bpmn") -> list[int]:
    outcome = engine.deploy(definitions(*processes), name)
    assert outcome.rejection is None, outcome.rejection
    return [d.key for d in outcome.result]


def start_instance(engine: Engine, pid: str, **variables: Any) -> int:
    outcome = commands.create_instance(engine, pid, None, dict(variables))
    assert outcome.rejection is None, outcome.rejection
    return int(outcome.result)


def accepted(outcome: Outcome) -> Outcome:
    assert outcome.rejection is None, outcome.rejection
    return outcome


def child_of(engine: Engine, parent_key: int, element_id: str) -> int:
    """The child instance the (latest) call activity instance `element_id` started."""
    state = engine.instance(parent_key)
    assert state is not None
    found = (engine.event_index.called_child(ei.key) for ei in state.elements.values()
             if ei.element_id == element_id)
    keys = [key for key in found if key is not None]
    assert keys, f"no child of {element_id}"
    return max(keys)


def shape(records: list[dict[str, Any]], key: int | None = None) -> list[tuple[Any, ...]]:
    """(valueType, intent, elementId or variable name) of the records, of one instance if given."""
    return [
        (r["valueType"], r["intent"], r.get("elementId", r.get("name")))
        for r in records
        if key is None or r.get("processInstanceKey") == key
    ]

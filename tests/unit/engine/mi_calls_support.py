"""Inline BPMN builders and engine helpers for the call-activity and multi-instance tests."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from engine_sim.engine import commands
from engine_sim.engine.engine import Engine, Outcome

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">'
)
TAIL = "</bpmn:definitions>"


def definitions(*processes: str) -> bytes:
    return (HEAD + "".join(processes) + TAIL).encode()


def process(pid: str, *nodes: str, flows: str = "") -> str:
    """A process with a start event `<pid>_start`, `nodes` in a chain, and an end event
    `<pid>_end` (flows `<pid>_f0`, `<pid>_f1`, ...), unless `flows` is given. Ids are unique
    per file, so several processes share one resource."""
    ids = [f"{pid}_start", *(_id_of(n) for n in nodes), f"{pid}_end"]
    chain = flows or "".join(
        flow(f"{pid}_f{i}", a, b) for i, (a, b) in enumerate(pairwise(ids)))
    return (f'<bpmn:process id="{pid}" isExecutable="true"><bpmn:startEvent id="{pid}_start"/>'
            + "".join(nodes) + f'<bpmn:endEvent id="{pid}_end"/>' + chain + "</bpmn:process>")


def _id_of(node: str) -> str:
    return node.split('id="', 1)[1].split('"', 1)[0]


def flow(flow_id: str, source: str, target: str) -> str:
    return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'


def io(inputs: dict[str, str] | None = None, outputs: dict[str, str] | None = None) -> str:
    """zeebe:ioMapping: target -> source expression."""
    parts = [f'<zeebe:input source="{s}" target="{t}"/>' for t, s in (inputs or {}).items()]
    parts += [f'<zeebe:output source="{s}" target="{t}"/>' for t, s in (outputs or {}).items()]
    return f"<zeebe:ioMapping>{''.join(parts)}</zeebe:ioMapping>" if parts else ""


def loop(collection: str, sequential: bool = False, element: str | None = None,
         output: tuple[str, str] | None = None, condition: str | None = None) -> str:
    attrs = f'inputCollection="{collection}"'
    if element:
        attrs += f' inputElement="{element}"'
    if output:
        attrs += f' outputCollection="{output[0]}" outputElement="{output[1]}"'
    cond = f"<bpmn:completionCondition>{condition}</bpmn:completionCondition>" if condition else ""
    return (f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}">'
            f"<bpmn:extensionElements><zeebe:loopCharacteristics {attrs}/></bpmn:extensionElements>"
            f"{cond}</bpmn:multiInstanceLoopCharacteristics>")


def service(element_id: str, mapping: str = "", loop_xml: str = "") -> str:
    return (f'<bpmn:serviceTask id="{element_id}"><bpmn:extensionElements>'
            f'<zeebe:taskDefinition type="{element_id}"/>{mapping}</bpmn:extensionElements>'
            f"{loop_xml}</bpmn:serviceTask>")


def call(element_id: str, process_id: str, mapping: str = "", loop_xml: str = "",
         **attrs: str) -> str:
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    return (f'<bpmn:callActivity id="{element_id}"><bpmn:extensionElements>'
            f'<zeebe:calledElement processId="{process_id}"{extra}/>{mapping}'
            f"</bpmn:extensionElements>{loop_xml}</bpmn:callActivity>")


# -- engine helpers --------------------------------------------------------------------------
def deploy(engine: Engine, *processes: str, name: str = "r.bpmn") -> list[int]:
    outcome = engine.deploy(definitions(*processes), name)
    assert outcome.rejection is None, outcome.rejection
    return [d.key for d in outcome.result]


def start(engine: Engine, pid: str, **variables: Any) -> int:
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

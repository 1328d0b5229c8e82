"""BPMN XML builders for every test folder: one document head, one `process`, one `flow`, one
`chain`, and a builder per element kind (tasks, events, event definitions, root elements,
multi-instance loops, call activities, io mappings).

Each builder returns the XML of one element as a string; `definitions` and `process` wrap them
into a document (bytes). Ids are given by the caller, so traces and expectations can name them.
The last section builds the scaffolds of the parser's refusal cases (an element between a start
and an end event, in a subprocess, ...), each of them a valid model until a case breaks it.

`tests/conftest.py` puts this folder on `sys.path`, so every test module imports it by name.
"""

from __future__ import annotations

from itertools import pairwise

# Three lines, so that a process document's first element sits on line 5 (refusal tests
# check the line an error names).
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"\
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="urn:test">
"""
TAIL = "</bpmn:definitions>\n"


# -- documents ------------------------------------------------------------------------------
def definitions(*roots: str) -> bytes:
    """A document holding the root elements `roots` (processes, messages, errors, ...)."""
    return (HEAD + "\n".join(roots) + "\n" + TAIL).encode()


def process_element(*nodes: str, process_id: str = "p", attrs: str | None = None) -> str:
    """A `bpmn:process` (executable, unless `attrs` replaces its attributes) holding `nodes`."""
    attrs = f'id="{process_id}" isExecutable="true"' if attrs is None else attrs
    return f"  <bpmn:process {attrs}>\n{''.join(nodes)}\n  </bpmn:process>"


def process(*nodes: str, process_id: str = "p", extra: str = "", attrs: str | None = None) -> bytes:
    """A document with one process holding `nodes` (flows included), then the root elements
    `extra` (messages, signals, errors, escalations)."""
    return definitions(process_element(*nodes, process_id=process_id, attrs=attrs), extra)


def chained_process(process_id: str, *nodes: str, flows: str = "") -> str:
    """A process element: start event `<id>_start`, `nodes` in a chain, end event `<id>_end`,
    flows `<id>_f0`, `<id>_f1`, ... (or `flows`). Its ids are its own, so several such
    processes share one document."""
    ids = [f"{process_id}_start", *(_id_of(n) for n in nodes), f"{process_id}_end"]
    flows = flows or chain(*ids, flow_ids=process_id + "_f{index}")
    return process_element(start(f"{process_id}_start"), *nodes, end(f"{process_id}_end"),
                           flows, process_id=process_id)


def linear(process_id: str, *task_ids: str, extra: str = "") -> bytes:
    """start -> service tasks `task_ids` (job type = id) -> end, flows named `f_<source>`."""
    return process(start(), *(task(t) for t in task_ids), end(),
                   chain("start", *task_ids, "end", flow_ids=BY_SOURCE), extra,
                   process_id=process_id)


def _id_of(node: str) -> str:
    return node.split('id="', 1)[1].split('"', 1)[0]


# -- sequence flows -------------------------------------------------------------------------
BY_SOURCE = "f_{source}"  # a `chain` naming: one flow per source element


def flow(flow_id: str, source: str, target: str, condition: str | None = None) -> str:
    """A sequence flow, with a FEEL `condition` (escaped here) when given."""
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}"/>'
    condition = condition.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def chain(*ids: str, flow_ids: str = "{source}_{target}") -> str:
    """Sequence flows `a->b`, `b->c`, ...; `flow_ids` names each one from its `source`,
    `target` and `index` (`a_b`, `b_c` by default; `BY_SOURCE` gives `f_a`, `f_b`)."""
    return "".join(flow(flow_ids.format(source=a, target=b, index=i), a, b)
                   for i, (a, b) in enumerate(pairwise(ids)))


# -- activities -----------------------------------------------------------------------------
def ext(*children: str) -> str:
    """A bpmn:extensionElements holding `children`."""
    return f"<bpmn:extensionElements>{''.join(children)}</bpmn:extensionElements>"


def task_definition(job_type: str, retries: str | None = None) -> str:
    retries_attr = f' retries="{retries}"' if retries is not None else ""
    return f'<zeebe:taskDefinition type="{job_type}"{retries_attr}/>'


def task(element_id: str, job_type: str | None = None, *, tag: str = "serviceTask",
         extensions: str = "", retries: str | None = None, loop: str = "") -> str:
    """A job worker task (`tag`: serviceTask, sendTask, ...) of `job_type` (its id if not
    given), with more zeebe `extensions` (headers, io mapping) and a `loop`."""
    definition = task_definition(element_id if job_type is None else job_type, retries)
    return f'<bpmn:{tag} id="{element_id}">{ext(definition, extensions)}{loop}</bpmn:{tag}>'


def user_task(element_id: str = "u", managed: bool = False) -> str:
    """A user task: a job (`managed=False`) or an engine-managed zeebe:userTask."""
    extensions = ext("<zeebe:userTask/>") if managed else ""
    return f'<bpmn:userTask id="{element_id}">{extensions}</bpmn:userTask>'


def call(element_id: str, process_id: str, extensions: str = "", loop: str = "",
         **attrs: str) -> str:
    """A call activity of `process_id`; `attrs` go on zeebe:calledElement."""
    extra = "".join(f' {k}="{v}"' for k, v in attrs.items())
    called = f'<zeebe:calledElement processId="{process_id}"{extra}/>'
    return (f'<bpmn:callActivity id="{element_id}">{ext(called, extensions)}{loop}'
            "</bpmn:callActivity>")


def sub_process(element_id: str, *nodes: str, triggered: bool = False) -> str:
    """An embedded subprocess, or an event subprocess when `triggered`."""
    attr = ' triggeredByEvent="true"' if triggered else ""
    return f'<bpmn:subProcess id="{element_id}"{attr}>{"".join(nodes)}</bpmn:subProcess>'


def io(inputs: dict[str, str] | None = None, outputs: dict[str, str] | None = None) -> str:
    """zeebe:ioMapping: target -> source expression."""
    parts = [f'<zeebe:input source="{s}" target="{t}"/>' for t, s in (inputs or {}).items()]
    parts += [f'<zeebe:output source="{s}" target="{t}"/>' for t, s in (outputs or {}).items()]
    return f"<zeebe:ioMapping>{''.join(parts)}</zeebe:ioMapping>" if parts else ""


def loop(collection: str, sequential: bool = False, element: str | None = None,
         output: tuple[str, str] | None = None, condition: str | None = None) -> str:
    """multiInstanceLoopCharacteristics over `collection`; `output` = (collection, element)."""
    attrs = f'inputCollection="{collection}"'
    if element:
        attrs += f' inputElement="{element}"'
    if output:
        attrs += f' outputCollection="{output[0]}" outputElement="{output[1]}"'
    cond = f"<bpmn:completionCondition>{condition}</bpmn:completionCondition>" if condition else ""
    return (f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}">'
            f"{ext(f'<zeebe:loopCharacteristics {attrs}/>')}"
            f"{cond}</bpmn:multiInstanceLoopCharacteristics>")


# -- events ---------------------------------------------------------------------------------
def start(element_id: str = "start", definition: str = "", attrs: str = "") -> str:
    return f'<bpmn:startEvent id="{element_id}"{attrs}>{definition}</bpmn:startEvent>'


def end(element_id: str = "end", definition: str = "") -> str:
    return f'<bpmn:endEvent id="{element_id}">{definition}</bpmn:endEvent>'


def catch(element_id: str, definition: str, extensions: str = "") -> str:
    """An intermediate catch event."""
    extension = ext(extensions) if extensions else ""
    return (f'<bpmn:intermediateCatchEvent id="{element_id}">{extension}{definition}'
            "</bpmn:intermediateCatchEvent>")


def throw(element_id: str, definition: str) -> str:
    """An intermediate throw event."""
    return (f'<bpmn:intermediateThrowEvent id="{element_id}">{definition}'
            "</bpmn:intermediateThrowEvent>")


def boundary(element_id: str, attached: str, definition: str, interrupting: bool = True) -> str:
    cancel = "true" if interrupting else "false"
    return (f'<bpmn:boundaryEvent id="{element_id}" attachedToRef="{attached}" '
            f'cancelActivity="{cancel}">{definition}</bpmn:boundaryEvent>')


# -- event definitions and the root elements they refer to -----------------------------------
def timer(kind: str, value: str) -> str:
    """A timer definition: `kind` is timeDuration, timeDate or timeCycle."""
    return (f"<bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}>"
            "</bpmn:timerEventDefinition>")


def message_def(ref: str = "msg") -> str:
    return f'<bpmn:messageEventDefinition messageRef="{ref}"/>'


def message(name: str | None, key: str | None = "=orderId", ref: str = "msg") -> str:
    """A bpmn:message (no name attribute if `name` is None), with a zeebe:subscription when
    `key` is given."""
    name_attr = f' name="{name}"' if name is not None else ""
    sub = ext(f'<zeebe:subscription correlationKey="{key}"/>') if key else ""
    return f'<bpmn:message id="{ref}"{name_attr}>{sub}</bpmn:message>'


def signal_def(ref: str = "sig") -> str:
    return f'<bpmn:signalEventDefinition signalRef="{ref}"/>'


def signal(name: str, ref: str = "sig") -> str:
    return f'<bpmn:signal id="{ref}" name="{name}"/>'


def error_def(ref: str | None = "err") -> str:
    return (f'<bpmn:errorEventDefinition errorRef="{ref}"/>' if ref
            else "<bpmn:errorEventDefinition/>")


def error(code: str, ref: str = "err") -> str:
    return f'<bpmn:error id="{ref}" errorCode="{code}"/>'


def escalation_def(ref: str | None = "esc") -> str:
    return (f'<bpmn:escalationEventDefinition escalationRef="{ref}"/>' if ref
            else "<bpmn:escalationEventDefinition/>")


def escalation(code: str, ref: str = "esc") -> str:
    return f'<bpmn:escalation id="{ref}" escalationCode="{code}"/>'


def link_def(name: str) -> str:
    return f'<bpmn:linkEventDefinition name="{name}"/>'


# -- scaffolds for the parser's refusal cases -----------------------------------------------
# A minimal valid flow to embed cases in: start -> end, one element a line.
MINIMAL_FLOW = """
  <bpmn:startEvent id="start" />
  <bpmn:sequenceFlow id="toEnd" sourceRef="start" targetRef="end" />
  <bpmn:endEvent id="end" />
"""


def node(tag: str, node_id: str = "x", inner: str = "", attrs: str = "") -> str:
    """`<bpmn:tag id="node_id" attrs>inner</bpmn:tag>`: any element, valid or not."""
    return f'<bpmn:{tag} id="{node_id}"{attrs}>{inner}</bpmn:{tag}>'


def between(element: str, node_id: str = "x") -> str:
    """`element` (with id `node_id`) between a start and an end event, one a line."""
    return f"""
  <bpmn:startEvent id="start" />
  {flow("in", "start", node_id)}
  {element}
  {flow("out", node_id, "end")}
  <bpmn:endEvent id="end" />"""


def in_sub_process(body: str, sub_id: str = "sub") -> str:
    """A subprocess `sub_id` between a start and an end event, holding `body`."""
    return between(node("subProcess", sub_id, body), sub_id)


def with_boundary(definition: str, attrs: str = "", host: str = "task",
                  outgoing: bool = True) -> str:
    """Task `task` between start and end, and a boundary event `b` holding `definition`
    attached to `host`."""
    out = flow("bOut", "b", "bEnd") if outgoing else ""
    event = node("boundaryEvent", "b", definition, f' attachedToRef="{host}"{attrs}')
    return between(node("task", "task"), "task") + f'\n  {event}{out}<bpmn:endEvent id="bEnd" />'


def with_catch(definition: str) -> str:
    """An intermediate catch event `x` holding `definition`, between start and end."""
    return between(node("intermediateCatchEvent", "x", definition))


def with_event_sub_process(start_definition: str, extra: str = "") -> str:
    """MINIMAL_FLOW and an event subprocess `esp` whose start event `es` holds
    `start_definition`."""
    inner = node("startEvent", "es", start_definition) + flow("esf", "es", "ee") + end("ee")
    return MINIMAL_FLOW + node("subProcess", "esp", inner, ' triggeredByEvent="true"') + extra


def fork(gateway: str, flows: str) -> str:
    """`gateway` (id `gw`) after a start event, with `flows` to end events `a` and `b`."""
    return f"""
  <bpmn:startEvent id="start" />
  {flow("in", "start", "gw")}
  {gateway}{flows}
  <bpmn:endEvent id="a" /><bpmn:endEvent id="b" />"""


def listeners(*specs: tuple[str, str] | tuple[str, str, str]) -> str:
    """zeebe:executionListeners from (eventType, type[, retries]) triples, in order."""
    parts = []
    for spec in specs:
        retries = f' retries="{spec[2]}"' if len(spec) > 2 else ""  # type: ignore[misc]
        parts.append(f'<zeebe:executionListener eventType="{spec[0]}" type="{spec[1]}"{retries}/>')
    return f"<zeebe:executionListeners>{''.join(parts)}</zeebe:executionListeners>"

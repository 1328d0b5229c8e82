"""Every element type and Zeebe extension, read from tests/data/bpmn/element-zoo.bpmn."""

from __future__ import annotations

import pytest
from model_helpers import DATA, line_of

from engine_sim.feel import Expression, compile_expression
from engine_sim.model import (
    USER_TASK_JOB_TYPE,
    Element,
    ElementType,
    EventType,
    Process,
    load_bpmn_file,
)

ZOO = DATA / "element-zoo.bpmn"
ZOO_BYTES = ZOO.read_bytes()


@pytest.fixture(scope="module")
def zoo() -> Process:
    definitions = load_bpmn_file(ZOO)
    assert definitions.source == str(ZOO)
    assert [p.id for p in definitions.processes] == ["zoo"]
    return definitions.processes[0]


def el(process: Process, element_id: str) -> Element:
    element = process.element(element_id)
    assert element.line == line_of(ZOO_BYTES, element_id)
    return element


def expr(text: str) -> Expression:
    return compile_expression(text)


def test_process_element(zoo: Process) -> None:
    root = el(zoo, "zoo")
    assert zoo.root is root
    assert (root.type, root.name, root.flow_scope) == (ElementType.PROCESS, "Element zoo", None)
    assert zoo.name == "Element zoo"
    assert root.start_events == ("start", "startMsg", "startTimer", "startSignal")
    assert root.event_subprocesses == ("espMsg", "espTimer", "espError")
    assert root.children[:5] == ("start", "startMsg", "startTimer", "startSignal", "svc")
    assert "subStart" not in root.children and "note" not in zoo.elements
    assert zoo.none_start_event("zoo") is zoo.element("start")


def test_every_flow_node_at_every_depth(zoo: Process) -> None:
    assert {"subStart", "subTask", "subEnd", "espMsgStart", "espErrorEnd"} <= set(zoo.elements)
    assert all(e.flow_scope in zoo.elements for e in zoo.elements.values() if e.id != "zoo")
    assert zoo.element("subTask").flow_scope == "sub"
    assert zoo.element("espMsgEnd").flow_scope == "espMsg"


def test_start_events(zoo: Process) -> None:
    start = el(zoo, "start")
    assert (start.type, start.event_type, start.name) == (
        ElementType.START_EVENT,
        EventType.NONE,
        "Start",
    )
    assert start.outgoing == ("f1",) and start.incoming == ()
    message_start = el(zoo, "startMsg")
    assert message_start.event_type is EventType.MESSAGE
    assert message_start.message is not None
    assert message_start.message.message_id == "Msg_Start"
    assert message_start.message.name == expr("order-created")
    assert message_start.message.correlation_key is None
    timer_start = el(zoo, "startTimer")
    assert timer_start.event_type is EventType.TIMER
    assert timer_start.timer is not None
    assert (timer_start.timer.kind, timer_start.timer.expression) == ("cycle", expr("R/PT24H"))
    signal_start = el(zoo, "startSignal")
    assert (signal_start.event_type, signal_start.signal_name) == (
        EventType.SIGNAL,
        expr("start-sig"),
    )


def test_service_task_with_extensions(zoo: Process) -> None:
    svc = el(zoo, "svc")
    assert svc.type is ElementType.SERVICE_TASK and svc.event_type is EventType.UNSPECIFIED
    assert svc.task_definition is not None
    assert svc.task_definition.type == expr("=jobType")
    assert svc.task_definition.retries == expr("5")
    assert svc.task_headers == (("k1", "v1"), ("k2", "v2"))
    assert [(m.source, m.target) for m in svc.io.inputs] == [(expr("=a"), "b")]
    assert [(m.source, m.target) for m in svc.io.outputs] == [(expr("=c"), "d")]
    assert svc.incoming == ("f1", "fsm", "fst", "fss")  # from the flows, not bpmn:incoming
    assert svc.outgoing == ("f2",)
    assert svc.boundary_events == ("svcTimer", "svcError")
    assert svc.is_job_worker


def test_boundary_events(zoo: Process) -> None:
    timer = el(zoo, "svcTimer")
    assert (timer.type, timer.event_type) == (ElementType.BOUNDARY_EVENT, EventType.TIMER)
    assert (timer.attached_to, timer.interrupting) == ("svc", False)
    assert timer.timer is not None and timer.timer.kind == "cycle"
    error = el(zoo, "svcError")
    assert (error.event_type, error.error_code, error.interrupting) == (EventType.ERROR, "E1", True)
    escalation = el(zoo, "callEsc")
    assert (escalation.event_type, escalation.escalation_code) == (EventType.ESCALATION, None)
    assert (escalation.attached_to, escalation.interrupting) == ("call", False)


def test_exclusive_gateway_and_conditions(zoo: Process) -> None:
    xor = el(zoo, "xor")
    assert (xor.type, xor.default_flow, xor.outgoing) == (
        ElementType.EXCLUSIVE_GATEWAY,
        "f4",
        ("f3", "f4"),
    )
    f3 = zoo.flows["f3"]
    assert (f3.source, f3.target, f3.condition, f3.name) == ("xor", "userEngine", expr("=x > 1"), "big")
    assert f3.line == line_of(ZOO_BYTES, "f3") and f3.flow_scope == "zoo"
    assert zoo.flows["f4"].condition is None


def test_user_tasks(zoo: Process) -> None:
    engine = el(zoo, "userEngine")
    assert engine.type is ElementType.USER_TASK and engine.engine_user_task
    assert engine.task_definition is None and not engine.is_job_worker
    job = el(zoo, "userJob")
    assert not job.engine_user_task and job.is_job_worker
    assert job.task_definition is not None
    assert job.task_definition.type == expr(USER_TASK_JOB_TYPE)
    assert job.task_definition.retries == expr("1")  # as Zeebe's UserTaskTransformer


def test_parallel_and_inclusive_gateways(zoo: Process) -> None:
    join = el(zoo, "join")
    assert (join.type, join.incoming, join.outgoing) == (
        ElementType.PARALLEL_GATEWAY,
        ("f5", "f6"),
        ("f7",),
    )
    inclusive = el(zoo, "or")
    assert (inclusive.type, inclusive.default_flow) == (ElementType.INCLUSIVE_GATEWAY, "f16")
    assert zoo.flows["f15"].condition == expr("=y")


def test_receive_task(zoo: Process) -> None:
    receive = el(zoo, "receive")
    assert receive.type is ElementType.RECEIVE_TASK
    assert receive.event_type is EventType.UNSPECIFIED
    assert receive.message is not None
    assert receive.message.name == expr("receive-msg")
    assert receive.message.correlation_key == expr("=orderId")


def test_script_tasks(zoo: Process) -> None:
    script = el(zoo, "script")
    assert script.type is ElementType.SCRIPT_TASK and script.script is not None
    assert (script.script.expression, script.script.result_variable) == (expr("=a + 1"), "sum")
    assert script.task_definition is None and not script.is_job_worker
    script_job = el(zoo, "scriptJob")
    assert script_job.script is None and script_job.is_job_worker
    assert script_job.task_definition is not None
    assert script_job.task_definition.retries == expr("3")  # the default


def test_send_and_business_rule_tasks(zoo: Process) -> None:
    send = el(zoo, "send")
    assert send.type is ElementType.SEND_TASK and send.task_definition is not None
    assert send.task_definition.type == expr("send-job")
    rule = el(zoo, "rule")
    assert rule.type is ElementType.BUSINESS_RULE_TASK and rule.task_definition is not None
    assert rule.task_definition.retries == expr("=retryCount")


def test_manual_task_and_task(zoo: Process) -> None:
    assert el(zoo, "manual").type is ElementType.MANUAL_TASK
    plain = el(zoo, "plain")
    assert plain.type is ElementType.TASK and plain.task_definition is None


def test_event_based_gateway_and_catch_events(zoo: Process) -> None:
    gateway = el(zoo, "ebg")
    assert (gateway.type, gateway.outgoing) == (ElementType.EVENT_BASED_GATEWAY, ("f17", "f18"))
    catch = el(zoo, "catchMsg")
    assert (catch.type, catch.event_type) == (
        ElementType.INTERMEDIATE_CATCH_EVENT,
        EventType.MESSAGE,
    )
    assert catch.message is not None
    assert catch.message.name == expr('="catch-" + kind')
    timer = el(zoo, "catchTimer")
    assert timer.timer is not None
    assert (timer.timer.kind, timer.timer.expression) == ("duration", expr("PT5M"))


def test_embedded_subprocess(zoo: Process) -> None:
    sub = el(zoo, "sub")
    assert sub.type is ElementType.SUB_PROCESS
    assert (sub.children, sub.start_events) == (("subStart", "subTask", "subEnd"), ("subStart",))
    assert zoo.none_start_event("sub") is zoo.element("subStart")
    assert zoo.flows["sf1"].flow_scope == "sub"


def test_call_activity(zoo: Process) -> None:
    call = el(zoo, "call")
    assert call.type is ElementType.CALL_ACTIVITY and call.called_element is not None
    called = call.called_element
    assert called.process_id == expr("child")
    assert (called.binding_type, called.version_tag) == ("deployment", None)
    assert called.propagate_all_child_variables is False
    assert called.propagate_all_parent_variables is True
    assert call.boundary_events == ("callEsc",)


def test_multi_instance(zoo: Process) -> None:
    mi = el(zoo, "mi")
    assert mi.type is ElementType.SERVICE_TASK and mi.loop is not None
    loop = mi.loop
    assert loop.sequential is True
    assert (loop.input_collection, loop.input_element) == (expr("=items"), "item")
    assert (loop.output_collection, loop.output_element) == ("results", expr("=item * 2"))
    assert loop.completion_condition == expr("=done")


def test_throw_events(zoo: Process) -> None:
    signal = el(zoo, "throwSignal")
    assert (signal.type, signal.event_type, signal.signal_name) == (
        ElementType.INTERMEDIATE_THROW_EVENT,
        EventType.SIGNAL,
        expr("sig-name"),
    )
    escalation = el(zoo, "throwEsc")
    assert (escalation.event_type, escalation.escalation_code) == (EventType.ESCALATION, "ESC1")
    assert el(zoo, "throwNone").event_type is EventType.NONE
    message = el(zoo, "throwMsg")
    assert message.event_type is EventType.MESSAGE and message.message is None
    assert message.task_definition is not None
    assert message.task_definition.type == expr("publish")


def test_end_events(zoo: Process) -> None:
    assert el(zoo, "end").event_type is EventType.NONE
    error = el(zoo, "endError")
    assert (error.type, error.event_type, error.error_code) == (
        ElementType.END_EVENT,
        EventType.ERROR,
        "E2",
    )
    assert el(zoo, "endSignal").signal_name == expr("sig-name")
    assert el(zoo, "espTimerEnd").event_type is EventType.TERMINATE
    assert el(zoo, "espMsgEnd").escalation_code == "ESC1"
    message_end = el(zoo, "espErrorEnd")
    assert message_end.event_type is EventType.MESSAGE and message_end.task_definition is not None


def test_event_subprocesses(zoo: Process) -> None:
    message = el(zoo, "espMsg")
    assert (message.type, message.start_events) == (ElementType.EVENT_SUB_PROCESS, ("espMsgStart",))
    assert (message.incoming, message.outgoing) == ((), ())
    start = el(zoo, "espMsgStart")
    assert (start.event_type, start.interrupting, start.flow_scope) == (
        EventType.MESSAGE,
        False,
        "espMsg",
    )
    assert start.message is not None and start.message.correlation_key == expr("=orderId")
    timer_start = el(zoo, "espTimerStart")
    assert timer_start.interrupting is True and timer_start.timer is not None
    assert (timer_start.timer.kind, timer_start.timer.expression) == (
        "date",
        expr("2026-03-01T10:00:00Z"),
    )
    error_start = el(zoo, "espErrorStart")
    assert (error_start.event_type, error_start.error_code) == (EventType.ERROR, None)
    assert zoo.none_start_event("espError") is None


def test_flows_cover_every_depth(zoo: Process) -> None:
    assert {"f1", "sf1", "sf2", "e1", "e2", "e3", "fce"} <= set(zoo.flows)
    assert zoo.element_type_of("f1") is ElementType.SEQUENCE_FLOW
    assert zoo.element_type_of("svc") is ElementType.SERVICE_TASK
    assert zoo.element_type_of("nope") is None
    for flow in zoo.flows.values():
        assert flow.id in zoo.element(flow.source).outgoing
        assert flow.id in zoo.element(flow.target).incoming

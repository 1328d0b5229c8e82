"""A corpus of real BPMN files: each one deploys or is refused cleanly, never crashes.

The corpus is kept outside the repository and only read from there (its licences forbid
copying the files into the project); where it is absent, these tests skip.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from engine_sim.model import BpmnModelError, load_bpmn_file, parse_bpmn

CORPUS = (Path(__file__).resolve().parents[3] / ".." / "shared" / "bpmn-corpus").resolve()

# Camunda 8 models of the migration series: these must keep deploying.
MUST_DEPLOY = [
    "camunda-camunda/camunda-license-1.0/orderProcessMigration_v_1.bpmn",
    "camunda-camunda/camunda-license-1.0/orderProcessMigration_v_2.bpmn",
    "camunda-camunda/camunda-license-1.0/orderProcessMigration_v_3.bpmn",
    "camunda-camunda/camunda-license-1.0/callActivityParentProcess.bpmn",
    "camunda-camunda/camunda-license-1.0/childProcess_v_1.bpmn",
    "camunda-camunda/camunda-license-1.0/childProcess_v_2.bpmn",
    "camunda-camunda/camunda-license-1.0/complexProcess_v_1.bpmn",
    "camunda-camunda/camunda-license-1.0/complexProcess_v_2.bpmn",
    "camunda-camunda/camunda-license-1.0/eventBasedGatewayProcess_v_1.bpmn",
    "camunda-camunda/camunda-license-1.0/interruptingBoundaryEvent_v_1.bpmn",
    "camunda-camunda/camunda-license-1.0/escalationEvents_v_2.bpmn",
    "camunda-camunda-8-js-sdk/MigrateProcess-Version-1.bpmn",
    "camunda-camunda-8-js-sdk/MigrateProcess-Version-2.bpmn",
    "camunda-zeebe-process-test/named-elements.bpmn",
    "camunda-zeebe-process-test/named-elements-v2.bpmn",
    # link throw/catch events (Zeebe's valid link fixture)
    "camunda-camunda/apache-2.0/LinkEventTest.testValidEventLink.bpmn",
    # execution listeners (Zeebe's model fixture: two start and two end listeners on a task)
    "camunda-camunda/apache-2.0/ZeebeExecutionListenersTest.bpmn",
]
# Files Zeebe itself refuses (see the corpus's SOURCES.md, "Negative / edge-case fixtures").
MUST_REFUSE = {
    "camunda-camunda/apache-2.0/multiple-timer-start-event-sub-process.bpmn": "subprocess start",
    "camunda-camunda/apache-2.0/default-flow-inclusive-gateway.bpmn": "default",
    "camunda-camunda/apache-2.0/AdHocSubProcess.bpmn": "adHocSubProcess",
    "bpmn-io-bpmn-js/boundary-events.bpmn": "not executable",
}

needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir(), reason="the external BPMN corpus is absent"
)


def _corpus_files() -> list[Path]:
    return sorted([*CORPUS.rglob("*.bpmn"), *CORPUS.rglob("*.bpmn20.xml")])


def _kind(reason: str) -> str:
    """Group refusal reasons: drop quoted ids and parenthesised details."""
    words = []
    for word in reason.split():
        if word.startswith("'") or word.startswith("("):
            words.append("…")
        else:
            words.append(word)
    return " ".join(words)


@needs_corpus
def test_every_corpus_file_deploys_or_is_refused_cleanly() -> None:
    parsed: list[str] = []
    refused: Counter[str] = Counter()
    for path in _corpus_files():
        try:
            definitions = load_bpmn_file(path)
        except BpmnModelError as error:
            assert error.source == str(path) and error.reason
            refused[_kind(error.reason)] += 1
            continue
        assert definitions.processes
        parsed.append(str(path.relative_to(CORPUS)))
    print(f"\ncorpus: {len(parsed)} deployed, {sum(refused.values())} refused")
    for reason, count in refused.most_common():
        print(f"  {count:3d} x {reason}")
    assert len(parsed) >= 30


@needs_corpus
@pytest.mark.parametrize("name", MUST_DEPLOY)
def test_migration_series_deploys(name: str) -> None:
    definitions = load_bpmn_file(CORPUS / name)
    for process in definitions.processes:
        assert process.elements[process.id].start_events


@needs_corpus
@pytest.mark.parametrize("name", sorted(MUST_REFUSE))
def test_invalid_fixtures_are_refused(name: str) -> None:
    with pytest.raises(BpmnModelError) as caught:
        load_bpmn_file(CORPUS / name)
    assert MUST_REFUSE[name] in caught.value.reason
    assert caught.value.line is not None and caught.value.element_id


@needs_corpus
def test_execution_listener_fixtures_are_read() -> None:
    """Zeebe's fixture deploys with its listeners; bpmn-moddle's fixture is a modeler test
    whose exclusive gateway has no outgoing flow (refused for that, as Zeebe does): without
    the gateway, its end listeners on the process, events, task and subprocess are read."""
    task = load_bpmn_file(CORPUS / "camunda-camunda/apache-2.0/ZeebeExecutionListenersTest.bpmn")
    element = task.processes[0].element("service_task")
    assert (len(element.start_listeners), len(element.end_listeners)) == (2, 2)

    moddle = CORPUS / "camunda-zeebe-bpmn-moddle/zeebe-execution-listeners.bpmn"
    with pytest.raises(BpmnModelError) as caught:
        load_bpmn_file(moddle)
    assert caught.value.element_id == "Gateway_0j5ev99"
    assert "outgoing sequence flow" in caught.value.reason
    data = re.sub(rb"<bpmn:exclusiveGateway.*?</bpmn:exclusiveGateway>", b"",
                  moddle.read_bytes(), flags=re.S)
    process = parse_bpmn(data, str(moddle)).processes[0]
    listening = sorted(e.id for e in process.elements.values() if e.end_listeners)
    assert listening == sorted(["ZeebePropertiesTest", "Event_17qas0b", "Event_0eh64r2",
                                "Event_1mgtnh6", "Activity_0ls77qd", "Activity_1yf35jc",
                                "Event_06ifkc6"])


@needs_corpus
def test_identical_processes_have_identical_checksums() -> None:
    """The js-sdk migration pair differs only in task headers: same ids, other checksum."""
    first = load_bpmn_file(CORPUS / "camunda-camunda-8-js-sdk/MigrateProcess-Version-1.bpmn")
    again = load_bpmn_file(CORPUS / "camunda-camunda-8-js-sdk/MigrateProcess-Version-1.bpmn")
    second = load_bpmn_file(CORPUS / "camunda-camunda-8-js-sdk/MigrateProcess-Version-2.bpmn")
    assert first.processes[0].checksum == again.processes[0].checksum
    assert first.processes[0].checksum != second.processes[0].checksum

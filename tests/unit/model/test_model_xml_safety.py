"""The hardened XML layer: malicious documents are refused fast and never expanded or fetched."""

from __future__ import annotations

import pickle
import socket
import threading
import time
from pathlib import Path

import pytest
from bpmn_builders import MINIMAL_FLOW, process
from model_helpers import DATA, SOURCE

from engine_sim.model import BpmnModelError, load_bpmn_file, parse_bpmn
from engine_sim.model.safe_xml import DOCTYPE_REASON, MAX_BPMN_BYTES

MALICIOUS = DATA / "malicious"


def _refuse_fast(data: bytes) -> BpmnModelError:
    started = time.monotonic()
    with pytest.raises(BpmnModelError) as caught:
        parse_bpmn(data, "evil.bpmn")
    assert time.monotonic() - started < 1.0
    return caught.value


@pytest.mark.parametrize("name", ["xxe.bpmn", "billion-laughs.bpmn", "parameter-entity.bpmn"])
def test_doctype_files_are_refused_fast(name: str) -> None:
    data = (MALICIOUS / name).read_bytes()
    error = _refuse_fast(data)
    assert error.reason == DOCTYPE_REASON
    assert error.line == 2
    assert str(error).startswith("evil.bpmn, line 2: ")
    assert b"root:" not in str(error).encode()  # /etc/passwd never appears


def test_xxe_is_never_expanded_even_past_the_doctype_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the DOCTYPE scan disabled, lxml itself must still not read the file."""
    from engine_sim.model import safe_xml as parser

    monkeypatch.setattr(parser, "_doctype_line", lambda data: None)
    error = _refuse_fast((MALICIOUS / "xxe.bpmn").read_bytes())
    assert error.reason == DOCTYPE_REASON  # caught afterwards through docinfo
    assert "root:" not in str(error)


def test_billion_laughs_is_never_expanded_even_past_the_doctype_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from engine_sim.model import safe_xml as parser

    monkeypatch.setattr(parser, "_doctype_line", lambda data: None)
    error = _refuse_fast((MALICIOUS / "billion-laughs.bpmn").read_bytes())
    assert error.reason == DOCTYPE_REASON or error.reason.startswith("invalid XML")


class _Listener:
    """A local TCP server that records whether anyone connected (for network-fetch tests)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.mark.parametrize("skip_scan", [False, True])
def test_parameter_entity_is_never_fetched(
    skip_scan: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine_sim.model import safe_xml as parser

    if skip_scan:
        monkeypatch.setattr(parser, "_doctype_line", lambda data: None)
    listener = _Listener()
    try:
        template = (MALICIOUS / "parameter-entity.bpmn").read_bytes()
        data = template.replace(b"127.0.0.1:9", f"127.0.0.1:{listener.port}".encode())
        error = _refuse_fast(data)
        time.sleep(0.3)
    finally:
        listener.close()
    assert error.reason == DOCTYPE_REASON
    assert listener.connections == 0


def test_doctype_in_utf16_is_refused() -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<x>&a;</x>'
    error = _refuse_fast(text.encode("utf-16"))
    assert error.reason == DOCTYPE_REASON
    assert error.line == 2


def test_oversized_file_is_refused_before_parsing() -> None:
    data = process(MINIMAL_FLOW) + b" " * (MAX_BPMN_BYTES + 1)
    error = _refuse_fast(data)
    assert "larger than 10 MiB" in error.reason


def test_syntax_error_reports_lxml_line_and_message() -> None:
    data = b'<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="x">\n  <a>\n</bpmn:definitions>\n'
    error = _refuse_fast(data)
    assert error.line == 4
    assert error.reason.startswith("invalid XML: Opening and ending tag mismatch")
    assert str(error).startswith("evil.bpmn, line 4: invalid XML: ")


def test_empty_file_is_invalid_xml() -> None:
    assert _refuse_fast(b"").reason.startswith("invalid XML")


def test_root_must_be_bpmn_definitions() -> None:
    error = _refuse_fast(b'<?xml version="1.0"?>\n<definitions id="x"/>\n')
    assert "not bpmn:definitions" in error.reason
    assert error.line == 2


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.bpmn"
    with pytest.raises(BpmnModelError) as caught:
        load_bpmn_file(missing)
    assert caught.value.reason == "file not found"
    assert str(caught.value) == f"{missing}: file not found"


def test_unreadable_path_gives_the_os_reason(tmp_path: Path) -> None:
    with pytest.raises(BpmnModelError) as caught:
        load_bpmn_file(tmp_path)  # a directory
    assert caught.value.reason.startswith("cannot read the file: ")
    assert caught.value.line is None


def test_load_bpmn_file_uses_the_path_as_source(tmp_path: Path) -> None:
    path = tmp_path / "ok.bpmn"
    path.write_bytes(process(MINIMAL_FLOW))
    definitions = load_bpmn_file(str(path))
    assert definitions.source == str(path)
    assert definitions.processes[0].resource_name == str(path)


def test_error_message_format_and_pickling() -> None:
    full = BpmnModelError(SOURCE, "bad", line=3, element_id="x")
    assert str(full) == "case.bpmn, line 3: element 'x': bad"
    assert str(BpmnModelError(SOURCE, "bad", line=3)) == "case.bpmn, line 3: bad"
    assert str(BpmnModelError(SOURCE, "bad", element_id="x")) == "case.bpmn: element 'x': bad"
    assert str(BpmnModelError(SOURCE, "bad")) == "case.bpmn: bad"
    copy = pickle.loads(pickle.dumps(full))
    assert (copy.source, copy.line, copy.element_id, copy.reason) == (SOURCE, 3, "x", "bad")
    assert str(copy) == str(full)

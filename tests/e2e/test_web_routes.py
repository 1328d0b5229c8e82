"""Every route of the web view through Starlette's TestClient, on a SQLite store seeded by the
CLI: the screens, the seed's migration flow, and bad input (a clear message, the CLI's own
wording, and no stored event written)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from web_support import cli, seed, store_digest

from engine_sim.web.app import create_app
from engine_sim.web.common import CSRF_COOKIE
from engine_sim.web.service import WebService

SOURCE = {"process": "orderProcess", "version": "1"}


@pytest.fixture
def store(tmp_path: Path) -> tuple[str, Path]:
    path = tmp_path / "engine.db"
    return f"sqlite:///{path}", path


@pytest.fixture
def keys(store: tuple[str, Path]) -> dict[str, int]:
    return seed(store[0])


@pytest.fixture
def client(store: tuple[str, Path], keys: dict[str, int]) -> Iterator[TestClient]:
    service = WebService(store[0], chunk_size=2)
    with TestClient(create_app(service)) as test_client:
        test_client.get("/processes")  # sets the CSRF cookie
        yield test_client


def token(client: TestClient) -> str:
    return client.cookies[CSRF_COOKIE]


def listed(html: str) -> list[int]:
    """The instance keys of the list's rows, in order."""
    return [int(k) for k in re.findall(r'<tr data-key="(\d+)"', html)]


def error_of(html: str) -> str:
    found = re.search(r'<div class="alert error" role="alert" id="error">(.*?)</div>', html, re.DOTALL)
    assert found, "no error shown"
    return found.group(1).replace("&#39;", "'").replace("&gt;", ">").strip()


def cli_error(store: str, *argv: object) -> str:
    """What the CLI says about the same input (after `engine-sim COMMAND: `)."""
    code, _, err = cli(store, *argv)
    assert code == 2, err
    return err.strip().split(": ", 1)[1]


def as_on_the_web(cli_message: str) -> str:
    """`--map: reason` as the web shows it: `Mapping (--map): reason`."""
    argument, message = cli_message.split(": ", 1)
    return f"({argument}): {message}"


def migration_form(client: TestClient, pairs: list[str], **extra: str) -> dict[str, object]:
    return {"csrf_token": token(client), **SOURCE, "all": "1", "to_process": "orderProcess",
            "to_version": "2", "map": pairs, **extra}


# -- Processes ---------------------------------------------------------------------------------
def test_home_redirects_to_the_processes(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"] == "/processes"


def test_the_list_opens_on_the_running_instances(client: TestClient, keys: dict[str, int]) -> None:
    html = client.get("/processes").text
    assert listed(html) == [keys["a"], keys["b"], keys["c"], keys["paid"]]
    assert "Choose one process and one version" in html
    assert re.search(r'<button type="submit" id="migrate"[^>]*disabled', html)


def test_filters_sorting_and_the_diagram_with_token_counts(client: TestClient,
                                                           keys: dict[str, int]) -> None:
    html = client.get("/processes", params={**SOURCE, "state": "ACTIVE",
                                            "element": "checkPayment"}).text
    assert listed(html) == [keys["a"], keys["b"], keys["c"]]
    # the diagram is drawn from the model's BPMNDI, with 3 tokens at checkPayment, 1 at shipArticles
    assert '<rect class="body" x="240" y="80" width="100" height="80" rx="10"/>' in html
    assert "This model has no diagram interchange" not in html
    assert "<title>3 active in checkPayment</title>" in html
    assert "<title>1 active in shipArticles</title>" in html
    html = client.get("/processes", params={**SOURCE, "sortby": "key:desc"}).text
    assert listed(html) == sorted(keys.values(), reverse=True)
    assert 'aria-sort="descending"' in html
    html = client.get("/processes", params={**SOURCE, "state": "COMPLETED"}).text
    assert listed(html) == [keys["done"]]


def test_paging_keeps_the_selection(client: TestClient, keys: dict[str, int],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from engine_sim.web.routes import processes

    monkeypatch.setattr(processes, "PAGE_SIZE", 2)
    first = client.get("/processes", params={**SOURCE, "state": ""}).text
    assert listed(first) == [keys["a"], keys["b"]] and "Page 1 of 3" in first
    # check b on page 1, then go to page 2: b is carried, a is not
    second = client.get("/processes", params={
        **SOURCE, "page_key": [keys["a"], keys["b"]], "key": [keys["b"]], "page": "2"}).text
    assert listed(second) == [keys["c"], keys["done"]] and "Page 2 of 3" in second
    assert f'name="carried_key" value="{keys["b"]}"' in second
    assert f'name="carried_key" value="{keys["a"]}"' not in second
    assert re.search(r'<button type="submit" id="migrate"(?![^>]*disabled)', second)


def test_migrate_is_enabled_only_with_one_version_and_running_instances(
        client: TestClient, keys: dict[str, int]) -> None:
    def enabled(params: dict[str, object]) -> bool:
        html = client.get("/processes", params=params).text
        return re.search(r'<button type="submit" id="migrate"[^>]*disabled', html) is None

    assert not enabled({**SOURCE, "state": ""})  # nothing selected
    assert enabled({**SOURCE, "page_key": keys["a"], "key": keys["a"]})
    assert not enabled({**SOURCE, "page_key": keys["done"], "key": keys["done"]})  # finished
    assert not enabled({"process": "orderProcess", "page_key": keys["a"], "key": keys["a"]})
    assert enabled({**SOURCE, "all": "1"})


@pytest.mark.parametrize(("params", "argv"), [
    ({"process": "nope"}, ["instances", "--process", "nope"]),
    ({"process": "orderProcess", "version": "7"}, ["instances", "--process", "orderProcess",
                                                    "--version", "7"]),
    ({**SOURCE, "element": "nowhere"}, ["instances", "--process", "orderProcess", "--version",
                                        "1", "--element", "nowhere"]),
    ({"version": "9"}, ["instances", "--version", "9"]),
])
def test_a_bad_filter_gets_the_cli_message(client: TestClient, store: tuple[str, Path],
                                           params: dict[str, str], argv: list[str]) -> None:
    response = client.get("/processes", params=params)
    assert response.status_code == 400
    assert as_on_the_web(cli_error(store[0], *argv)) in error_of(response.text)


def test_a_malformed_filter_or_sort_is_refused(client: TestClient) -> None:
    for params, expected in [({"state": "DONE"}, "invalid choice: 'DONE'"),
                             ({"version": "x"}, "invalid int value: 'x'"),
                             ({"sortby": "colour:asc"}, "'colour asc' is not one of"),
                             ({"operation": "12"}, "no batch operation with key 12")]:
        response = client.get("/processes", params=params)
        assert response.status_code == 400 and expected in error_of(response.text), params


# -- Diagram -----------------------------------------------------------------------------------
def test_the_diagram_screen(client: TestClient) -> None:
    html = client.get("/diagram", params={"process": "orderProcess", "version": "2"}).text
    assert 'data-element="notifyCustomer"' in html and 'data-element="toNotify"' in html
    assert '<polyline points="600,120 650,120"' in html  # toNotify's DI waypoints
    assert "Payment OK?" in html
    response = client.get("/diagram", params={"process": "nope"})
    assert response.status_code == 404
    assert "no deployed process 'nope' (deployed: orderProcess)" in error_of(response.text)


# -- Migration ---------------------------------------------------------------------------------
def test_the_migration_screen_maps_same_id_elements_automatically(client: TestClient) -> None:
    html = client.get("/migrate", params={**SOURCE, "all": "1"}).text
    assert 'id="source-diagram"' in html and 'id="target-diagram"' in html
    assert "Target: orderProcess version 2" in html  # the latest other version by default
    row = re.search(r'<tr data-source="checkPayment".*?</tr>', html, re.DOTALL)
    assert row and 'value="checkPayment=checkPayment" data-target="checkPayment" selected' in row[0]
    assert '<span class="auto">auto</span>' in row[0]
    # only targets of the same type: a service task offers no gateway
    assert "paymentOk" not in row[0] and "notifyCustomer" in row[0]
    assert "4 running instances selected, 1 finished (ignored)" in html


def test_the_migration_screen_refuses_bad_sources_and_targets(client: TestClient,
                                                              store: tuple[str, Path]) -> None:
    response = client.get("/migrate", params={"all": "1"})
    assert response.status_code == 400
    assert "choose one process and one version" in error_of(response.text)
    response = client.get("/migrate", params={**SOURCE, "all": "1", "to_version": "5"})
    expected = cli_error(store[0], "migrate", "--process", "orderProcess", "--version", "1",
                         "--all", "--to-process", "orderProcess", "--to-version", "5")
    assert response.status_code == 400 and as_on_the_web(expected) in error_of(response.text)
    response = client.get("/migrate", params={**SOURCE, "carried_key": "123"})
    assert "no process instance with key 123" in error_of(response.text)


def test_preview_counts_ignored_and_dry_run_failures(client: TestClient, store: tuple[str, Path],
                                                     keys: dict[str, int]) -> None:
    before = store_digest(store[1])
    response = client.post("/migrate/preview", data=migration_form(
        client, ["checkPayment=checkPayment", "", ""]))
    html = response.text
    assert response.status_code == 200, html
    summary = re.sub(r"<[^>]+>", "", re.search(r'id="preview-summary">(.*?)</p>', html, re.DOTALL)[1])
    assert summary == ("4 running instances selected: 3 would migrate, 1 would fail; "
                       "1 ignored (not running).")
    assert f"{keys['paid']}</a></td><td>active element &#39;shipArticles&#39; has no mapping " \
           "instruction" in html
    # the target diagram shows where the instances would be
    target = html[html.index('id="target-diagram"'):]
    assert "<title>3 active in checkPayment</title>" in target
    assert 'id="confirm"' in html
    assert store_digest(store[1]) == before


@pytest.mark.parametrize(("pairs", "argv_map", "message"), [
    (["checkPayment"], ["checkPayment"], "'checkPayment' is not SOURCE=TARGET (two element ids)"),
    (["=checkPayment"], ["=checkPayment"], "is not SOURCE=TARGET"),
    (["nope=checkPayment"], ["nope=checkPayment"],
     "source element 'nope' does not exist in orderProcess version 1"),
    (["checkPayment=nope"], ["checkPayment=nope"],
     "target element 'nope' does not exist in orderProcess version 2"),
    (["checkPayment=checkPayment", "checkPayment=shipArticles"],
     ["checkPayment=checkPayment", "checkPayment=shipArticles"],
     "duplicate source element id 'checkPayment'"),
])
def test_a_bad_mapping_gets_the_cli_message_and_writes_nothing(
        client: TestClient, store: tuple[str, Path], pairs: list[str], argv_map: list[str],
        message: str) -> None:
    before = store_digest(store[1])
    argv = ["migrate", "--process", "orderProcess", "--version", "1", "--all", "--to-process",
            "orderProcess", "--to-version", "2", "--yes"]
    for item in argv_map:
        argv += ["--map", item]
    expected = cli_error(store[0], *argv)
    assert message in expected
    for url in ("/migrate/preview", "/migrate/run"):
        response = client.post(url, data=migration_form(client, pairs, confirm="MIGRATE"))
        assert response.status_code == 400, url
        assert f"Mapping (--map): {expected.split(': ', 1)[1]}" == error_of(response.text)
    assert store_digest(store[1]) == before


def test_migrating_needs_the_typed_confirmation(client: TestClient, store: tuple[str, Path]) -> None:
    before = store_digest(store[1])
    for word in ("", "migrate", "yes"):
        response = client.post("/migrate/run", data=migration_form(
            client, ["checkPayment=checkPayment"], confirm=word))
        assert response.status_code == 400
        assert "type MIGRATE to confirm the migration" in error_of(response.text)
    assert store_digest(store[1]) == before


def test_a_selection_without_running_instances_migrates_nothing(
        client: TestClient, store: tuple[str, Path], keys: dict[str, int]) -> None:
    before = store_digest(store[1])
    form = {**migration_form(client, ["checkPayment=checkPayment"], confirm="MIGRATE"),
            "all": "", "carried_key": str(keys["done"])}
    html = client.post("/migrate/preview", data=form).text
    assert "No running instance selected: nothing to migrate." in html
    response = client.post("/migrate/run", data=form)
    assert response.status_code == 400
    assert "no running instance selected: nothing to migrate" in error_of(response.text)
    response = client.post("/migrate/run", data={**form, "carried_key": ""})
    assert error_of(response.text) == "Selection (selection): no process instance selected"
    assert store_digest(store[1]) == before


def test_posts_without_the_csrf_token_or_from_elsewhere_are_refused(
        client: TestClient, store: tuple[str, Path], keys: dict[str, int]) -> None:
    before = store_digest(store[1])
    form = migration_form(client, ["checkPayment=checkPayment"], confirm="MIGRATE")
    for data, headers in [({**form, "csrf_token": "forged"}, {}),
                          ({k: v for k, v in form.items() if k != "csrf_token"}, {}),
                          (form, {"origin": "http://evil.example"})]:
        response = client.post("/migrate/run", data=data, headers=headers)
        assert response.status_code == 403
    response = client.post("/operations/1/revert", data={})
    assert response.status_code == 403
    assert store_digest(store[1]) == before


def test_the_seed_flow_then_revert(client: TestClient, keys: dict[str, int]) -> None:
    response = client.post("/migrate/run", data=migration_form(
        client, ["checkPayment=checkPayment"], confirm="MIGRATE"), follow_redirects=False)
    assert response.status_code == 303, response.text
    operation = int(response.headers["location"].rsplit("/", 1)[1])
    service: WebService = client.app.state.service  # type: ignore[attr-defined]
    view = service.wait(operation)
    assert (view["state"], view["total"], view["completed"], view["failed"], view["ignored"]) == (
        "COMPLETED", 4, 3, 1, 1)
    html = client.get(f"/operations/{operation}").text
    assert "active element &#39;shipArticles&#39; has no mapping instruction" in html
    assert f'href="/processes?operation={operation}"' in html and 'id="revert"' in html
    progress = client.get(f"/operations/{operation}/progress").json()
    assert progress["failures"] == {str(keys["paid"]): "active element 'shipArticles' has no "
                                    "mapping instruction"}
    assert str(operation) in client.get("/operations").text
    # the instances of the operation: its items and the ignored one, whatever their state
    html = client.get("/processes", params={"operation": operation}).text
    assert sorted(listed(html)) == sorted(keys.values())
    # a migrated instance: version 2, its migration with the mapping
    html = client.get(f"/instances/{keys['a']}").text
    assert "orderProcess <a href=\"/diagram?process=orderProcess&amp;version=2\">version 2</a>" in html
    migrations = html[html.index('id="migrations"'):html.index('id="records"')]
    assert "orderProcess v1" in migrations and "orderProcess v2" in migrations
    assert "checkPayment → checkPayment" in migrations
    assert "<td>orderId</td><td>process</td><td><code>&#34;o-1&#34;</code></td>" in html
    assert "PROCESS_INSTANCE_MIGRATION" in html
    # revert: a new operation migrating the three back
    response = client.post(f"/operations/{operation}/revert", data={"csrf_token": token(client)},
                           follow_redirects=False)
    assert response.status_code == 303
    reverted = int(response.headers["location"].rsplit("/", 1)[1])
    assert service.wait(reverted)["completed"] == 3
    html = client.get("/processes", params=SOURCE).text
    assert sorted(listed(html)) == sorted(keys.values())


def test_unknown_operations_and_instances(client: TestClient) -> None:
    assert client.get("/operations/42").status_code == 404
    assert client.get("/operations/42/progress").json() == {
        "error": "ID: no batch operation with key 42"}
    assert client.get("/operations/x").status_code == 404
    response = client.post("/operations/42/revert", data={"csrf_token": token(client)})
    assert response.status_code == 404
    assert "no batch operation with key 42" in error_of(response.text)
    response = client.post("/operations/42/resume", data={"csrf_token": token(client)})
    assert response.status_code == 404
    response = client.get("/instances/42")
    assert response.status_code == 404
    assert error_of(response.text) == "Instance (KEY): no process instance with key 42"
    assert client.get("/instances/abc").status_code == 404
    assert client.get("/nowhere").status_code == 404
    assert client.post("/processes", data={}).status_code == 405


def test_an_instance_with_an_incident(client: TestClient, store: tuple[str, Path],
                                      keys: dict[str, int]) -> None:
    code, _, err = cli(store[0], "jobs", "fail", keys["b"], "checkPayment", "--retries", "0",
                       "--message", "card declined")
    assert code == 0, err
    html = client.get(f"/instances/{keys['b']}").text
    assert "card declined" in html and "<title>1 with an incident in checkPayment</title>" in html
    html = client.get("/processes", params={**SOURCE, "state": "INCIDENT"}).text
    assert listed(html) == [keys["b"]]


def test_the_csrf_cookie_is_set_once_and_matches_the_forms(client: TestClient) -> None:
    client.cookies.clear()
    first = client.get("/operations")
    cookies = first.headers.get_list("set-cookie")
    assert len(cookies) == 1 and "HttpOnly" in cookies[0] and "SameSite=strict" in cookies[0]
    value = cookies[0].split(";")[0].split("=", 1)[1]
    assert f'<meta name="csrf-token" content="{value}">' in first.text
    assert client.get("/operations").headers.get_list("set-cookie") == []


def test_static_assets_and_security_headers(client: TestClient) -> None:
    for path in ("/static/app.css", "/static/app.js"):
        assert client.get(path).status_code == 200
    headers = client.get("/processes").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    html = client.get("/processes").text
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_serve_refuses_bad_options(store: tuple[str, Path], tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    code, _, err = cli(f"sqlite:///{tmp_path}/a-file/engine.db", "serve", "--port", "0")
    assert code == 2 and "engine-sim serve: --store: invalid SQLite store" in err
    code, _, err = cli(store[0], "serve", "--chunk-size", "0")
    assert code == 2 and "--chunk-size: '0' must be from 1 to 100000" in err
    code, _, err = cli(store[0], "serve", "--port", "70000")
    assert code == 2 and "--port: '70000' must be from 0 to 65535" in err


def test_engine_sim_serve_serves_the_store(store: tuple[str, Path], keys: dict[str, int]) -> None:
    """The command itself: it binds to 127.0.0.1, serves the screens, stops on a signal."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "engine_sim.cli.main", "serve", "--store", store[0], "--port",
         str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/processes", timeout=5) as page:
                    html = page.read().decode()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "it did not start"
                time.sleep(0.2)
        assert listed(html) == [keys["a"], keys["b"], keys["c"], keys["paid"]]
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=30)
    assert f"engine-sim serve: http://127.0.0.1:{port}/ on {store[0]}" in out


def test_an_operation_stopped_by_a_restart_is_resumed_from_its_page(
        store: tuple[str, Path], keys: dict[str, int]) -> None:
    class OneChunkThenStop(WebService):
        def _step(self, operation: int) -> None:
            super()._step(operation)
            self._closing = True  # as when the server stops between two chunks

    first = WebService(store[0], chunk_size=1)
    first.__class__ = OneChunkThenStop
    with TestClient(create_app(first)) as client:
        client.get("/processes")
        response = client.post("/migrate/run", data=migration_form(
            client, ["checkPayment=checkPayment"], confirm="MIGRATE"), follow_redirects=False)
        operation = int(response.headers["location"].rsplit("/", 1)[1])
        view = first.wait(operation)
        assert (view["state"], view["done"]) == ("ACTIVE", 1)
    with TestClient(create_app(WebService(store[0], chunk_size=1))) as client:
        html = client.get(f"/operations/{operation}").text
        assert 'id="resume"' in html and "1</span> of <span id=\"op-total\">4" in html
        response = client.post(f"/operations/{operation}/resume",
                               data={"csrf_token": token(client)}, follow_redirects=False)
        assert response.status_code == 303
        service: WebService = client.app.state.service  # type: ignore[attr-defined]
        view = service.wait(operation)
        assert (view["state"], view["completed"], view["failed"]) == ("COMPLETED", 3, 1)

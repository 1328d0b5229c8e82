"""The web view on a partitioned store (2 partitions), through Starlette's TestClient: the
list, diagrams and token counts over the whole store, an instance read on its partition,
the preview summed over the partitions, a confirmation fanned out to one batch operation per
partition and shown as one, its revert, and the same migration with partition 2 run by a
worker process."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from test_worker import start_worker

from engine_sim.engine.commands import CompleteJob, CreateProcessInstance
from engine_sim.partitions import Cluster, partition_of
from engine_sim.web.app import create_app
from engine_sim.web.common import CSRF_COOKIE
from engine_sim.web.service import CliError, WebService
from migration.operate import Selection

MODELS = Path(__file__).resolve().parents[2] / "scenarios" / "operate" / "bpmn"
SOURCE = {"process": "orderProcess", "version": "1"}


@pytest.fixture
def store(database_url: str) -> tuple[str, dict[str, int]]:
    return seed(database_url)


def seed(database_url: str) -> tuple[str, dict[str, int]]:
    """A 2-partition store (its URL without the count): orderProcess v1 and v2; six v1 instances, three a partition: a, b, c, d at
    checkPayment, `done` finished, `paid` at shipArticles."""
    url = database_url + "?partitions=2"
    setup = Cluster(url)
    try:
        for name in ("order-v1.bpmn", "order-v2.bpmn"):
            assert not setup.deploy((MODELS / name).read_bytes(), name).rejected
        names = ("a", "b", "c", "d", "done", "paid")
        keys = {name: setup.execute(CreateProcessInstance(
            "orderProcess", 1, {"orderId": f"o-{name}"})).result for name in names}
        for name in ("done", "paid"):
            setup.execute(CompleteJob(keys[name], "checkPayment", {"paid": True}))
        setup.execute(CompleteJob(keys["done"], "shipArticles"))
    finally:
        setup.close()  # gives every partition's lease back
    assert [partition_of(keys[n]) for n in names] == [1, 2, 1, 2, 1, 2]
    return url.split("?")[0], keys


def serving(url: str) -> Iterator[TestClient]:
    service = WebService(url, chunk_size=1)
    with TestClient(create_app(service)) as client:
        client.get("/processes")  # sets the CSRF cookie
        yield client


@pytest.fixture
def client(store: tuple[str, dict[str, int]]) -> Iterator[TestClient]:
    yield from serving(store[0])


def listed(html: str) -> list[int]:
    return [int(k) for k in re.findall(r'<tr data-key="(\d+)"', html)]


def migration_form(client: TestClient, **extra: str) -> dict[str, object]:
    return {"csrf_token": client.cookies[CSRF_COOKIE], **SOURCE, "all": "1",
            "to_process": "orderProcess", "to_version": "2", "map": ["checkPayment=checkPayment"],
            **extra}


def service_of(client: TestClient) -> WebService:
    return client.app.state.service  # type: ignore[attr-defined, no-any-return]


def test_the_list_and_the_diagram_cover_every_partition(
        client: TestClient, store: tuple[str, dict[str, int]]) -> None:
    keys = store[1]
    running = sorted(keys[n] for n in ("a", "b", "c", "d", "paid"))
    assert sorted(listed(client.get("/processes").text)) == running
    html = client.get("/processes", params={**SOURCE, "state": ["COMPLETED"]}).text
    assert listed(html) == [keys["done"]]
    html = client.get("/processes", params={**SOURCE, "sort": "key", "order": "desc"}).text
    assert listed(html) == sorted(keys.values(), reverse=True)  # every state
    diagram = html[html.index('id="process-diagram"'):]
    assert "<title>4 active in checkPayment</title>" in diagram
    assert "<title>1 active in shipArticles</title>" in diagram
    assert "Select all 6 matching" in html


def test_an_instance_is_read_on_its_partition(client: TestClient,
                                              store: tuple[str, dict[str, int]]) -> None:
    keys = store[1]
    html = client.get(f"/instances/{keys['paid']}").text
    assert f"instance {keys['paid']}" in html and "JOB" in html
    assert "<td>paid</td><td>process</td><td><code>true</code></td>" in html
    response = client.get(f"/instances/{9 << 51}")  # a key of a partition the store lacks
    assert response.status_code == 404 and "no process instance with key" in response.text


def test_the_preview_sums_the_partitions(client: TestClient,
                                         store: tuple[str, dict[str, int]]) -> None:
    keys = store[1]
    html = client.post("/migrate/preview", data=migration_form(client)).text
    summary = re.sub(r"<[^>]+>", "", re.search(r'id="preview-summary">(.*?)</p>', html,
                                               re.DOTALL)[1])
    assert summary == ("5 running instances selected: 4 would migrate, 1 would fail; "
                       "1 ignored (not running).")
    assert f"{keys['paid']}</a></td><td>active element &#39;shipArticles&#39;" in html
    target = html[html.index('id="target-diagram"'):]
    assert "<title>4 active in checkPayment</title>" in target
    bad = client.post("/migrate/preview", data={**migration_form(client),
                                                "map": ["nope=checkPayment"]})
    assert bad.status_code == 400
    assert "source element &#39;nope&#39; does not exist in orderProcess version 1" in bad.text


def test_a_confirmation_fans_out_and_shows_as_one_operation(
        client: TestClient, store: tuple[str, dict[str, int]]) -> None:
    keys = store[1]
    response = client.post("/migrate/run", data=migration_form(client, confirm="MIGRATE"),
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    operation = int(response.headers["location"].rsplit("/", 1)[1])
    view = service_of(client).wait(operation)
    assert [partition_of(k) for k in view["operations"]] == [1, 2]
    assert view["operations"][0] == operation
    assert (view["state"], view["total"], view["completed"], view["failed"],
            view["ignored"]) == ("COMPLETED", 5, 4, 1, 1)
    assert view["endDate"] is not None
    progress = client.get(f"/operations/{operation}/progress").json()
    assert progress["failures"] == {str(keys["paid"]): "active element 'shipArticles' has no "
                                    "mapping instruction"}
    html = client.get(f"/operations/{operation}").text
    assert re.findall(r'data-partition="(\d)">(\d+) \(partition \d, (\d) of (\d)\)', html) == [
        ("1", str(view["operations"][0]), "2", "2"), ("2", str(view["operations"][1]), "3", "3")]
    html = client.get("/operations").text
    assert re.findall(r'<a href="/operations/(\d+)">', html) == [str(operation)]  # one row
    html = client.get("/processes", params={"operation": operation}).text
    assert sorted(listed(html)) == sorted(keys.values())
    html = client.get(f"/instances/{keys['b']}").text  # partition 2's, migrated there
    assert "orderProcess <a href=\"/diagram?process=orderProcess&amp;version=2\">version 2</a>" \
        in html
    assert "checkPayment → checkPayment" in html

    response = client.post(f"/operations/{operation}/revert",
                           data={"csrf_token": client.cookies[CSRF_COOKIE]}, follow_redirects=False)
    assert response.status_code == 303, response.text
    reverted = service_of(client).wait(int(response.headers["location"].rsplit("/", 1)[1]))
    assert [partition_of(k) for k in reverted["operations"]] == [1, 2]
    assert (reverted["state"], reverted["completed"]) == ("COMPLETED", 4)
    html = client.get("/processes", params={**SOURCE, "state": ["ACTIVE"]}).text
    assert sorted(listed(html)) == sorted(keys[n] for n in ("a", "b", "c", "d", "paid"))
    assert len(re.findall(r'<a href="/operations/(\d+)">', client.get("/operations").text)) == 2


def test_a_partition_a_worker_runs_migrates_in_the_worker(
        store: tuple[str, dict[str, int]]) -> None:
    url, keys = store
    worker = start_worker(url + "?partitions=2", 2)
    try:
        for client in serving(url):
            response = client.post("/migrate/run", data=migration_form(client, confirm="MIGRATE"),
                                   follow_redirects=False)
            assert response.status_code == 303, response.text
            operation = int(response.headers["location"].rsplit("/", 1)[1])
            view = service_of(client).wait(operation)
            assert (view["state"], view["completed"], view["failed"]) == ("COMPLETED", 4, 1)
            cluster = service_of(client)._target.root()
            assert isinstance(cluster, Cluster)
            assert cluster.app(1).engine.writer_lease.held  # the server runs partition 1
            assert not cluster.app(2).engine.writer_lease.held  # and the worker partition 2
            html = client.get(f"/instances/{keys['d']}").text
            assert "version 2</a>" in html
    finally:
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0


def test_with_workers_the_server_runs_no_partition(store: tuple[str, dict[str, int]]) -> None:
    url, keys = store
    worker = start_worker(url + "?partitions=2", 2)
    service = WebService(url, chunk_size=1, workers=True)
    try:
        with TestClient(create_app(service, close_on_shutdown=False)) as client:
            client.get("/processes")
            on_two = {**migration_form(client, confirm="MIGRATE"), "all": "",
                      "carried_key": [str(keys["b"]), str(keys["d"])]}
            response = client.post("/migrate/run", data=on_two, follow_redirects=False)
            assert response.status_code == 303, response.text
            view = service.wait(int(response.headers["location"].rsplit("/", 1)[1]))
            assert (view["state"], view["completed"]) == ("COMPLETED", 2)
            cluster = service._target.root()
            assert isinstance(cluster, Cluster)
            cluster.timeout = 1  # partition 1 has no worker: the page says so
            on_one = {**on_two, "carried_key": str(keys["a"])}
            response = client.post("/migrate/run", data=on_one)
            assert response.status_code == 400
            assert "--store: partition 1: no outcome of request" in response.text
            assert not any(app.engine.writer_lease.held for app in cluster.apps)
    finally:
        service.close()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0


def test_workers_needs_a_partitioned_store(tmp_path: Path) -> None:
    with pytest.raises(CliError, match="has one partition and no workers"):
        WebService(f"sqlite:///{tmp_path / 'engine.db'}", workers=True)


def test_revert_leaves_out_a_partition_that_migrated_nothing(
        client: TestClient, store: tuple[str, dict[str, int]]) -> None:
    keys = store[1]  # a (partition 1) migrates, paid (partition 2) fails
    form = {**migration_form(client, confirm="MIGRATE"), "all": "",
            "carried_key": [str(keys["a"]), str(keys["paid"])]}
    response = client.post("/migrate/run", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    operation = int(response.headers["location"].rsplit("/", 1)[1])
    view = service_of(client).wait(operation)
    assert (len(view["operations"]), view["completed"], view["failed"]) == (2, 1, 1)
    response = client.post(f"/operations/{operation}/revert",
                           data={"csrf_token": client.cookies[CSRF_COOKIE]}, follow_redirects=False)
    assert response.status_code == 303, response.text
    reverted = service_of(client).wait(int(response.headers["location"].rsplit("/", 1)[1]))
    assert "operations" not in reverted  # partition 1's only
    assert partition_of(reverted["key"]) == 1
    assert (reverted["state"], reverted["total"], reverted["completed"]) == ("COMPLETED", 1, 1)


def test_operations_the_cli_left_active_are_resumed_one_by_one(
        store: tuple[str, dict[str, int]]) -> None:
    url, keys = store
    setup = Cluster(url)
    try:  # as `engine-sim migrate` interrupted: one ACTIVE operation per partition
        created = setup.migrate(Selection(keys=(keys["a"], keys["b"])), "orderProcess", 2,
                                (("checkPayment", "checkPayment"),), False, run=False)
    finally:
        setup.close()
    operations = [key for _, _, key in created if key is not None]
    assert [partition_of(k) for k in operations] == [1, 2]
    for client in serving(url):
        html = client.get("/operations").text
        assert sorted(re.findall(r'<a href="/operations/(\d+)">', html)) == \
            sorted(str(k) for k in operations)  # not grouped: one row each
        for operation in operations:
            assert 'id="resume"' in client.get(f"/operations/{operation}").text
            response = client.post(f"/operations/{operation}/resume",
                                   data={"csrf_token": client.cookies[CSRF_COOKIE]},
                                   follow_redirects=False)
            assert response.status_code == 303
            view = service_of(client).wait(operation)
            assert (view["state"], view["completed"]) == ("COMPLETED", 1)
        html = client.get("/processes", params={"process": "orderProcess", "version": "2"}).text
        assert sorted(listed(html)) == sorted((keys["a"], keys["b"]))


def test_a_partition_another_command_holds_is_waited_for_then_named(
        store: tuple[str, dict[str, int]]) -> None:
    url, keys = store
    other = Cluster(url)  # e.g. `engine-sim jobs complete` running partition 2 in its process
    service = WebService(url, chunk_size=1, wait=0.2)
    try:
        assert other.local(2)
        with TestClient(create_app(service, close_on_shutdown=False)) as client:
            client.get("/processes")
            form = {**migration_form(client, confirm="MIGRATE"), "all": "",
                    "carried_key": str(keys["b"])}
            response = client.post("/migrate/run", data=form)
            assert response.status_code == 400
            assert "is in use by another writer" in response.text
            assert "after waiting 0.2 s" in response.text
            assert client.get("/operations").text.count('<a href="/operations/') == 0
    finally:
        service.close()
        other.close()

"""The migration flow in a real browser (headless Chromium through Playwright, as
tests/e2e/test_web_browser.py) on a 2-partition store: the list shows both partitions'
instances, the preview sums them, and the confirmation's operation (one per partition) is
followed live as one until it completes. Screenshots go to `test-artifacts/web/`."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_web_partitions import seed

from engine_sim.partitions import partition_of
from engine_sim.web.app import create_app
from engine_sim.web.service import WebService

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ENGINE_SIM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "web"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                               "(pip install -e '.[test]')")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package (as .ci/run "
                "does) or set ENGINE_SIM_CHROMIUM", allow_module_level=True)


class UnhurriedService(WebService):
    """Pauses before each chunk, so the browser sees the operation run (one item a chunk)."""

    def _step(self, operation: int) -> None:
        time.sleep(0.5)
        super()._step(operation)


@pytest.fixture
def server(database_url: str) -> Iterator[tuple[str, dict[str, int]]]:
    import uvicorn

    url, keys = seed(database_url)
    config = uvicorn.Config(create_app(UnhurriedService(url, chunk_size=1)), host="127.0.0.1",
                            port=0, log_level="warning", lifespan="on")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    port = instance.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", keys
    instance.should_exit = True
    thread.join(timeout=20)


@pytest.fixture
def page(server: tuple[str, dict[str, int]]) -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--no-sandbox", "--disable-gpu"])
        except sync_api.Error as error:
            pytest.skip(f"Chromium at {CHROMIUM} cannot start: {str(error).splitlines()[0]}")
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      base_url=server[0])
        context.set_default_timeout(15_000)
        yield context.new_page()
        browser.close()


def shot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"partitions-{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_the_migration_flow_on_two_partitions(page: sync_api.Page,
                                              server: tuple[str, dict[str, int]]) -> None:
    expect = sync_api.expect
    keys = server[1]
    page.goto("/processes?process=orderProcess&version=1")
    expect(page.locator("tr[data-key]")).to_have_count(6)  # both partitions' instances
    for key in (keys["a"], keys["b"]):
        expect(page.locator(f'tr[data-key="{key}"]')).to_be_visible()
    assert {partition_of(keys["a"]), partition_of(keys["b"])} == {1, 2}
    expect(page.locator('#process-diagram .badge.active').first).to_be_visible()
    page.get_by_label(re.compile("Select all 6 matching")).check()
    shot(page, "01-selected")
    page.locator("#migrate").click()
    page.wait_for_url(re.compile(r"/migrate\?"))
    for source in ("paymentOk", "requestPayment", "shipArticles"):
        page.locator(f'select[data-source="{source}"]').select_option("")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-summary")).to_have_text(
        "5 running instances selected: 4 would migrate, 1 would fail; 1 ignored (not running).")
    shot(page, "02-preview")
    page.get_by_label(re.compile("Type MIGRATE")).fill("MIGRATE")
    page.locator("#migrate-button").click()
    page.wait_for_url(re.compile(r"/operations/\d+$"))
    expect(page.locator("#op-state")).to_have_text("ACTIVE")
    shot(page, "03-operation-running")
    expect(page.locator("#op-state")).to_have_text("COMPLETED", timeout=30_000)
    expect(page.locator("#op-completed")).to_have_text("4")
    expect(page.locator("#op-failed")).to_have_text("1")
    expect(page.locator("#op-partitions")).to_contain_text("(partition 2, 3 of 3)")
    shot(page, "04-operation-done")
    page.locator("#op-instances").click()
    expect(page.locator("tr[data-key]")).to_have_count(6)
    page.get_by_role("link", name=str(keys["b"])).click()
    expect(page.locator("p.lead")).to_contain_text("version 2")
    shot(page, "05-instance-on-partition-2")

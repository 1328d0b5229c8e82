"""The migration flow in a real browser (headless Chromium through Playwright, as
tests/e2e/test_web_browser.py) on a 2-partition store: the list shows both partitions'
instances, the preview sums them, and the confirmation's operation (one per partition) is
followed live as one until it completes. Screenshots go to `test-artifacts/web/`."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from browser_support import UnhurriedService, browser_page, served, sync_api
from browser_support import shot as saved
from test_web_partitions import seed

from engine_sim.partitions import partition_of


class Unhurried(UnhurriedService):
    pause = 0.5


@pytest.fixture
def server(database_url: str) -> Iterator[tuple[str, dict[str, int]]]:
    url, keys = seed(database_url)
    with served(Unhurried(url, chunk_size=1)) as base_url:
        yield base_url, keys


@pytest.fixture
def page(server: tuple[str, dict[str, int]]) -> Iterator[object]:
    with browser_page(server[0]) as opened:
        yield opened


def shot(page: object, name: str) -> None:
    saved(page, f"partitions-{name}")


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

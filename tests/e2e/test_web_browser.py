"""The seed's whole flow in a real browser (headless Chromium driven by Playwright) on the
project's order-process models: filter, select, map, preview, confirm, watch the operation
finish, open a migrated instance. Each step's screenshot is saved under
`test-artifacts/web/` (git-ignored) for people to look at.

Playwright cannot download its own browser here: it drives the system's Chromium
(`/usr/bin/chromium`, installed by `.ci/run`; `ENGINE_SIM_CHROMIUM` names another). Without
one, the test is skipped and says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import UnhurriedService, browser_page, served, shot, sync_api
from web_support import seed


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, dict[str, int]]]:
    store = f"sqlite:///{tmp_path / 'engine.db'}"
    keys = seed(store)
    with served(UnhurriedService(store, chunk_size=1)) as url:
        yield url, keys


@pytest.fixture
def page(server: tuple[str, dict[str, int]]) -> Iterator[object]:
    with browser_page(server[0]) as opened:
        yield opened


def test_the_seed_flow_in_a_browser(page: sync_api.Page, server: tuple[str, dict[str, int]]) -> None:
    expect = sync_api.expect
    keys = server[1]
    # 1. the running instances
    page.goto("/processes")
    expect(page.locator("tr[data-key]")).to_have_count(4)
    shot(page, "01-processes")
    # 2. filter: process and version (each choice reloads the list), the diagram appears
    page.get_by_label("Process", exact=True).select_option("orderProcess")
    page.wait_for_url(re.compile(r"process=orderProcess"))
    page.get_by_label("Version", exact=True).select_option("1")
    page.wait_for_url(re.compile(r"version=1"))
    diagram = page.locator("#process-diagram")
    expect(diagram.locator('.el[data-element="checkPayment"]')).to_be_visible()
    expect(diagram.locator(".badge.active").first).to_be_visible()
    # every state: the finished instance too (the migration will ignore it)
    page.get_by_label("Active").uncheck()
    page.get_by_label("Incident").uncheck()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("tr[data-key]")).to_have_count(5)
    migrate = page.locator("#migrate")
    expect(migrate).to_be_disabled()
    shot(page, "02-filtered")
    # 3. select: all matching, less one excluded, then that one again
    page.get_by_label(re.compile("Select all 5 matching")).check()
    expect(migrate).to_be_enabled()
    page.get_by_label(f"Select instance {keys['b']}").uncheck()
    expect(page.locator("#selected-count")).to_have_text("4")
    page.get_by_label(f"Select instance {keys['b']}").check()
    expect(page.locator("#selected-count")).to_have_text("5")
    shot(page, "03-selected")
    migrate.click()
    # 4. map: the seed maps checkPayment only
    page.wait_for_url(re.compile(r"/migrate\?"))
    expect(page.locator("#source-diagram")).to_be_visible()
    expect(page.locator("#target-diagram .el[data-element='notifyCustomer']")).to_be_visible()
    for source in ("paymentOk", "requestPayment", "shipArticles"):
        page.locator(f'select[data-source="{source}"]').select_option("")
    page.get_by_label("Show only elements that are not mapped").check()
    expect(page.locator('tr[data-source="checkPayment"]')).to_be_hidden()
    expect(page.locator('tr[data-source="shipArticles"]')).to_be_visible()
    page.get_by_label("Show only elements that are not mapped").uncheck()
    # clicking (or pressing Enter on) a source element highlights the pair in both diagrams
    page.locator('#source-diagram .el[data-element="checkPayment"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator('#target-diagram .el[data-element="checkPayment"]')).to_have_class(
        re.compile("highlight"))
    expect(page.locator('tr[data-source="checkPayment"]')).to_have_class(re.compile("highlight"))
    shot(page, "04-mapping")
    # 5. preview: 3 would migrate, 1 would fail (with its reason), 1 ignored
    page.get_by_role("button", name="Preview").click()
    summary = page.locator("#preview-summary")
    expect(summary).to_have_text("4 running instances selected: 3 would migrate, 1 would fail; "
                                 "1 ignored (not running).")
    expect(page.locator("table.failures")).to_contain_text(
        "active element 'shipArticles' has no mapping instruction")
    expect(page.locator("#target-diagram .badge.active")).to_have_count(1)
    shot(page, "05-preview")
    # 6. confirm by typing MIGRATE
    run = page.locator("#migrate-button")
    expect(run).to_be_disabled()
    page.get_by_label(re.compile("Type MIGRATE")).fill("MIGRATE")
    expect(run).to_be_enabled()
    run.click()
    # 7. the operation runs (the page follows its progress) and finishes
    page.wait_for_url(re.compile(r"/operations/\d+$"))
    expect(page.locator("#op-state")).to_have_text("ACTIVE")
    shot(page, "06-operation-running")
    expect(page.locator("#op-state")).to_have_text("COMPLETED", timeout=20_000)
    expect(page.locator("#op-completed")).to_have_text("3")
    expect(page.locator("#op-failed")).to_have_text("1")
    expect(page.locator("#op-ignored")).to_have_text("1")
    expect(page.locator("#op-failures")).to_contain_text("has no mapping instruction")
    shot(page, "07-operation-done")
    # 8. the operation's instances, then a migrated one
    page.locator("#op-instances").click()
    expect(page.locator("tr[data-key]")).to_have_count(5)
    page.get_by_role("link", name=str(keys["a"])).click()
    expect(page.locator("main h1")).to_have_text(f"Process instance {keys['a']}")
    expect(page.locator("p.lead")).to_contain_text("version 2")
    expect(page.locator("#migrations")).to_contain_text("checkPayment → checkPayment")
    expect(page.locator("#instance-diagram .badge.active")).to_have_count(1)
    shot(page, "08-instance")

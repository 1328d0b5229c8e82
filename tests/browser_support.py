"""What the browser tests share: the system's Chromium driven by Playwright (which cannot
download a browser of its own here: `.ci/run` installs Debian's chromium;
`ENGINE_SIM_CHROMIUM` names another), a web server in a thread, and screenshots under
`test-artifacts/web/` (git-ignored) for people to look at. A module importing this is
skipped, saying why, where Playwright or Chromium is missing."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from engine_sim.web.app import create_app
from engine_sim.web.service import WebService

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("ENGINE_SIM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "web"

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                               "(pip install -e '.[test]')")
if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package (as .ci/run "
                "does) or set ENGINE_SIM_CHROMIUM", allow_module_level=True)


class UnhurriedService(WebService):
    """Pauses before each chunk, so the browser sees the operation run (one item a chunk)."""

    pause = 0.8

    def _step(self, operation: int) -> None:
        time.sleep(self.pause)
        super()._step(operation)


@contextmanager
def served(service: WebService) -> Iterator[str]:
    """The web view of `service` on a free local port, in a thread: its base URL."""
    import uvicorn

    config = uvicorn.Config(create_app(service), host="127.0.0.1", port=0,
                            log_level="warning", lifespan="on")
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the server did not start"
        time.sleep(0.05)
    port = instance.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=20)


@contextmanager
def browser_page(base_url: str) -> Iterator[Any]:
    """A page of headless Chromium at `base_url` (skipped, saying why, if it cannot start)."""
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--no-sandbox", "--disable-gpu"])
        except sync_api.Error as error:
            pytest.skip(f"Chromium at {CHROMIUM} cannot start: {str(error).splitlines()[0]}")
        context = browser.new_context(viewport={"width": 1280, "height": 900},
                                      base_url=base_url)
        context.set_default_timeout(15_000)
        try:
            yield context.new_page()
        finally:
            browser.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

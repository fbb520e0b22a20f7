"""Browser journeys: Playwright drives Debian's chromium against a live server of the product.

No browser is downloaded: chromium comes from the system (``.ci/run`` installs it). Without it
the journeys skip with the reason, or fail under ANSWERFIRST_REQUIRE_SERVICES=1. A failing
journey leaves a full-page screenshot under ``var/test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import service_missing

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
# Playwright's sync API keeps an event loop on the test thread; Django would then refuse the
# test's own (synchronous) database calls. The server under test runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        service_missing(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: object, live_server: object, request: pytest.FixtureRequest) -> Iterator[object]:
    """A factory of pages in fresh browser contexts (one per simulated person)."""
    contexts = []

    def make(locale: str = "en-US") -> object:
        context = browser.new_context(base_url=live_server.url, locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for number, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            for page_number, page in enumerate(context.pages):
                name = f"{request.node.name}-{number}-{page_number}.png"
                page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        context.close()

"""Fixtures shared by the whole suite: service requirements, a real Celery worker, a real browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker

REQUIRE_SERVICES = os.environ.get("ANSWERFIRST_REQUIRE_SERVICES") == "1"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")


def service_missing(reason: str) -> None:
    """Skip for a missing external service, or fail when CI demands every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (ANSWERFIRST_REQUIRE_SERVICES=1 forbids skipping)", pytrace=False)
    pytest.skip(reason)


def redis_available(url: str = REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None) -> Iterator[None]:
    """Keep the post-migration snapshot available to every database connection object.

    Django restores a transactional test's data (serialized rollback) from an attribute of the
    connection object that created the test database. Playwright's sync API switches the test
    code into another greenlet, where Django creates new connection objects without it, and the
    browser tests would then run on a flushed, empty database.
    """
    from django.db import connections
    from django.db.utils import ConnectionHandler

    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    create_connection = ConnectionHandler.create_connection

    def create_connection_with_snapshot(self: ConnectionHandler, alias: str) -> object:
        connection = create_connection(self, alias)
        if alias in snapshots:
            connection._test_serialized_contents = snapshots[alias]
        return connection

    ConnectionHandler.create_connection = create_connection_with_snapshot
    yield
    ConnectionHandler.create_connection = create_connection


@pytest.fixture(autouse=True)
def _empty_search_index_after_a_flush(request: pytest.FixtureRequest) -> None:
    """Transactional tests start with an empty search index.

    Their database is flushed and restored between tests, but the search index lives in tables
    (or an engine) Django's flush does not know about; documents of deleted pages would linger.
    """
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from search.backends import get_backend

    get_backend().rebuild([])


@pytest.fixture(autouse=True)
def _project_celery_app() -> Iterator[None]:
    """Every test starts and ends with the project's Celery app as the current one.

    Celery's test worker makes the app it runs current; a throwaway app left current would
    send the project's shared tasks to its broker in every later test.
    """
    from portal.celery import app

    app.set_current()
    yield
    app.set_current()
    app.set_default()


@pytest.fixture
def redis_url() -> str:
    if not redis_available():
        service_missing(f"Redis is not reachable at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture
def celery_worker(transactional_db: None) -> Iterator[object]:
    """A real worker consuming the project's broker in a thread, for the length of one test.

    Tests using it see committed data only (``transactional_db``), as a real worker would.
    """
    from portal.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def celery_app_for(broker_url: str, **conf: object) -> object:
    """A throwaway Celery app on ``broker_url``.

    Celery lets the CELERY_BROKER_URL environment variable override ``broker=``; the explicit
    read and write URLs win over it, so a test can pick its broker whatever CI exported.
    """
    from celery import Celery

    # Not the current app: shared tasks queued by the code under test keep using the project's.
    app = Celery(f"test-{broker_url.split(':', 1)[0]}", set_as_current=False)
    app.conf.update(broker_read_url=broker_url, broker_write_url=broker_url, **conf)
    return app


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests restore the migrated data (plans, groups, Wagtail's root) afterwards.

    A transactional test ends with a flush, which would also delete what data migrations
    created and leave every later test without it; serialized rollback puts it back.
    """
    transactional_fixtures = {"transactional_db", "live_server", "celery_worker"}
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        if marker is None and transactional_fixtures & set(getattr(item, "fixturenames", ())):
            kwargs["transaction"] = True
        if kwargs.get("transaction") and "serialized_rollback" not in kwargs:
            item.own_markers.insert(0, pytest.mark.django_db(**kwargs, serialized_rollback=True).mark)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove this run's broker folders (the test database is dropped by pytest-django)."""
    from django.conf import settings

    shutil.rmtree(settings.VAR_DIR / f"test-broker-{os.environ['ANSWERFIRST_TEST_RUN']}", ignore_errors=True)


# --- Browser journeys ---------------------------------------------------------------------------
# Playwright drives Debian's chromium against a live server of the product. No browser is
# downloaded: chromium comes from the system (.ci/run installs it). Without it browser tests skip
# with the reason, or fail under ANSWERFIRST_REQUIRE_SERVICES=1. A failing browser test leaves a
# full-page screenshot under var/test-artifacts/. Defined once here: a second session-scoped
# Playwright in the same thread would refuse to start.

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "var" / "test-artifacts"
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

"""Fixtures shared by the whole suite: service requirements and a real Celery worker."""

from __future__ import annotations

import os
from collections.abc import Iterator

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

    app = Celery(f"test-{broker_url.split(':', 1)[0]}")
    app.conf.update(broker_read_url=broker_url, broker_write_url=broker_url, **conf)
    return app


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests restore the migrated data (plans, groups, Wagtail's root) afterwards.

    A transactional test ends with a flush, which would also delete what data migrations
    created and leave every later test without it; serialized rollback puts it back.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and "serialized_rollback" not in marker.kwargs:
            item.own_markers.insert(0, pytest.mark.django_db(**marker.kwargs, serialized_rollback=True).mark)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Remove this run's broker folders (the test database is dropped by pytest-django)."""
    import shutil

    from django.conf import settings

    shutil.rmtree(settings.VAR_DIR / f"test-broker-{os.environ['ANSWERFIRST_TEST_RUN']}", ignore_errors=True)

"""A task travels through a real broker to a real worker and its result comes back."""

from pathlib import Path

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker

from portal.tasks import ping  # shared_task: every Celery app below gets it on finalize
from tests.conftest import celery_app_for


def _round_trip(app: Celery) -> str:
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        return app.send_task("portal.ping", args=["hello through the broker"]).get(timeout=20)


def test_round_trip_through_the_filesystem_broker(tmp_path: Path) -> None:
    queue = tmp_path / "queue"
    queue.mkdir()
    (tmp_path / "done").mkdir()
    app = celery_app_for(
        "filesystem://",
        result_backend=f"file://{tmp_path}",
        broker_transport_options={
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(tmp_path / "done"),
            "control_folder": str(tmp_path / "control"),
        },
    )
    assert app.connection_for_write().transport.driver_type == "filesystem"
    assert _round_trip(app) == "hello through the broker"


def test_round_trip_through_redis(redis_url: str) -> None:
    app = celery_app_for(redis_url, result_backend=redis_url)
    assert app.connection_for_write().transport.driver_type == "redis"
    assert _round_trip(app) == "hello through the broker"


@pytest.mark.django_db(transaction=True)
def test_the_project_app_round_trips_on_its_configured_broker(celery_worker: object) -> None:
    assert ping.delay("configured").get(timeout=20) == "configured"

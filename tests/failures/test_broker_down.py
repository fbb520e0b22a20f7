"""Tickets filed while the Redis broker is down are accepted, then processed once when it is back.

A redis-server of the test's own, on a free port, is stopped while customers file tickets and
started again afterwards; the outbox sweeper queues the work the broker refused.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import service_missing
from tests.failures.conftest import (
    SWEEPERS,
    Product,
    acknowledgements,
    beat,
    create_ticket,
    free_port,
    let_time_pass,
    state,
    wait_for,
)


class RedisServer:
    """A throwaway redis-server (no persistence) that can be stopped and started on the same port."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import redis

        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)

        def answers() -> bool:
            try:
                return bool(client.ping())
            except redis.RedisError:
                return False

        wait_for(answers, timeout=10, what="redis-server to start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        service_missing("redis-server is not installed")
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def test_tickets_filed_while_the_broker_is_down_are_processed_once_when_it_is_back(
    product: Product, redis_server: RedisServer
) -> None:
    broker = {"CELERY_BROKER_URL": redis_server.url}
    started = time.monotonic()
    first = create_ticket(product, "Broker outage one", env=broker)
    second = create_ticket(product, "Broker outage two", env=broker)
    assert time.monotonic() - started < 40, "filing a ticket must not hang while the broker is down"
    for created in (first, second):
        now = state(product, created["ticket"])
        assert now["outbox_attempts"] == 1  # the promise was made and the queueing was tried
        assert not now["triaged"] and not now["outbox_done"]

    redis_server.start()
    product.start_worker(env=broker)
    let_time_pass(product)
    beat(product, *SWEEPERS, broker_url=redis_server.url)
    for created in (first, second):
        wait_for(
            lambda created=created: state(product, created["ticket"])["outbox_done"],
            timeout=40,
            what=f"ticket {created['number']} to be processed",
        )
    wait_for(
        lambda: all(acknowledgements(product, created["number"]) for created in (first, second)),
        timeout=10,
        what="both acknowledgements",
    )

    # Another tick later: nothing is queued or sent again.
    finished = product.succeeded()
    let_time_pass(product)
    beat(product, *SWEEPERS, broker_url=redis_server.url)
    wait_for(lambda: product.succeeded() >= finished + 2, timeout=30, what="the second sweep")
    time.sleep(1)
    for created in (first, second):
        final = state(product, created["ticket"])
        assert final["triaged"] and final["ack_status"] == "sent"
        assert final["outbox_attempts"] == 2  # the refused try and the sweeper's
        assert len(acknowledgements(product, created["number"])) == 1, product.worker_logs()

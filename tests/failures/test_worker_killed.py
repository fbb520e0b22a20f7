"""A Celery worker killed with SIGKILL while it sends a ticket's acknowledgement.

The first worker reaches the SMTP step and hangs there (the mail server accepts the connection
and never greets), holding the email's claim; it is then killed for real. The filesystem broker
had already handed its message over, so nothing is redelivered: recovery is the outbox. A second
worker starts, the sweepers run as beat would once their delays are over, and the ticket ends up
processed with exactly one acknowledgement.
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Iterator

import pytest

from tests.failures.conftest import (
    SWEEPERS,
    Product,
    acknowledgements,
    beat,
    create_ticket,
    let_time_pass,
    state,
    wait_for,
)


class SilentSmtpServer:
    """Accepts SMTP connections and never sends the greeting: the client blocks mid-send."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _address = self.sock.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.sock.close()
        for connection in self.connections:
            connection.close()


@pytest.fixture
def silent_smtp() -> Iterator[SilentSmtpServer]:
    server = SilentSmtpServer()
    yield server
    server.close()


def test_a_worker_killed_mid_send_leaves_the_ticket_processed_exactly_once(
    product: Product, silent_smtp: SilentSmtpServer
) -> None:
    created = create_ticket(product, "Export stuck")
    ticket_id, number = created["ticket"], created["number"]
    assert created["attempts"] == 1  # queued on commit

    first = product.start_worker(env={"EMAIL_URL": f"smtp://127.0.0.1:{silent_smtp.port}"})
    wait_for(lambda: silent_smtp.connections, timeout=30, what="the worker to connect to the mail server")
    during = state(product, ticket_id)
    assert during["triaged"] and during["ack_claimed"] and during["ack_status"] == "pending"
    assert not during["outbox_done"]

    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=10) == -signal.SIGKILL
    assert acknowledgements(product, number) == []

    product.start_worker()  # file-based email this time: the mail server is back
    # Right away, the sweepers leave the dead worker's claim alone (it might still be sending).
    beat(product, *SWEEPERS)
    product.settle()
    assert product.succeeded() == 2, product.worker_logs()
    assert state(product, ticket_id)["ack_status"] == "pending"
    assert acknowledgements(product, number) == []

    # Once their delays are over, they queue the unfinished work again.
    let_time_pass(product)
    beat(product, *SWEEPERS)
    wait_for(lambda: state(product, ticket_id)["outbox_done"], timeout=30, what="the ticket to be processed again")
    product.settle()
    assert len(acknowledgements(product, number)) == 1, product.worker_logs()

    # Later beat ticks find nothing left to do and send nothing more.
    let_time_pass(product)
    beat(product, *SWEEPERS)
    product.settle()
    final = state(product, ticket_id)
    assert final["ack_status"] == "sent"
    assert final["ack_rows"] == 1
    assert len(acknowledgements(product, number)) == 1, product.worker_logs()

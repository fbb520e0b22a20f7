"""A real product in a temporary VAR_DIR, run as separate processes, for the failure tests.

Each test gets its own folder with a copy of the migrated test database (a fresh ``migrate``
takes over a minute on SQLite; the copy takes milliseconds), the filesystem broker or a Redis
of its own, and file-based email. Scripts run in their own Python processes through the same
settings module a deployment uses, and Celery workers are real ``celery worker`` processes, so a
SIGKILL kills them for real.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
_STRIPPED = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "ELASTICSEARCH_URL",
    "EMAIL_URL",
    "REDIS_CACHE_URL",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser journeys for their own process; never in a deployment
)
PRELUDE = "import json, django\ndjango.setup()\n"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Callable[[], object], *, timeout: float, what: str, interval: float = 0.25) -> object:
    """Poll ``check`` until it returns something truthy; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")


class Product:
    """One deployment of the product: environment, database file, scripts and workers."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.env = {key: value for key, value in os.environ.items() if key not in _STRIPPED}
        self.env.update(
            {
                "VAR_DIR": str(var_dir),
                "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
                "DEBUG": "false",
                "PYTHONPATH": str(ROOT),
                "LOG_LEVEL": "INFO",
            }
        )
        self.workers: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    @property
    def database(self) -> Path:
        return self.var_dir / "answerfirst.sqlite3"

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    def python(self, code: str, *, timeout: float = 60, env: dict[str, str] | None = None) -> object:
        """Run ``code`` after ``django.setup()`` in a new process; returns the JSON it prints last."""
        completed = subprocess.run(
            [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
            cwd=ROOT,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            pytest.fail(f"script failed ({completed.returncode}):\n{completed.stderr[-4000:]}")
        lines = [line for line in completed.stdout.splitlines() if line.strip()]
        return json.loads(lines[-1]) if lines else None

    def start_worker(self, *, env: dict[str, str] | None = None) -> subprocess.Popen:
        """A ``celery worker --pool solo`` process; returns once it consumes from the broker."""
        number = len(self.workers) + 1
        log = self.var_dir / f"worker-{number}.log"
        self.logs.append(log)
        with log.open("wb") as output:
            process = subprocess.Popen(
                [
                    str(BIN / "celery"),
                    "-A",
                    "portal",
                    "worker",
                    "--pool",
                    "solo",
                    "--loglevel",
                    "INFO",
                    "--hostname",
                    f"failure-{number}@localhost",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env={**self.env, **(env or {})},
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.workers.append(process)
        wait_for(
            lambda: process.poll() is not None or b" ready." in log.read_bytes(),
            timeout=30,
            what=f"worker {number} to start",
        )
        if process.poll() is not None:
            pytest.fail(f"worker {number} exited:\n{log.read_text()[-4000:]}")
        return process

    def stop_all(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=5)

    def succeeded(self) -> int:
        """Tasks the workers finished, from their logs."""
        return sum(log.read_text(errors="replace").count(" succeeded in ") for log in self.logs)

    def settle(self, *, timeout: float = 30) -> None:
        """Wait until the broker's queue is empty and the workers have finished for a moment."""
        queue = self.var_dir / "broker" / "queue"
        seen: list[int] = []

        def quiet() -> bool:
            seen.append(self.succeeded())
            empty = not queue.exists() or not any(queue.iterdir())
            return empty and len(seen) >= 6 and len(set(seen[-6:])) == 1

        wait_for(quiet, timeout=timeout, what="the workers to finish their tasks")

    def worker_logs(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in self.logs)

    def emails(self) -> list[str]:
        """Every message the file email backend wrote (one file per connection, messages split by a rule)."""
        if not self.mail_dir.exists():
            return []
        messages = []
        for path in sorted(self.mail_dir.iterdir()):
            for chunk in path.read_text(errors="replace").split("-" * 79):
                if chunk.strip():
                    messages.append(chunk)
        return messages


@pytest.fixture
def product(tmp_path: Path, db: None, django_db_blocker: object) -> Iterator[Product]:
    """A product deployment whose database starts as a copy of the migrated test database."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the failure tests copy the migrated SQLite test database; this run uses another engine")
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    with django_db_blocker.unblock():
        source = sqlite3.connect(connection.settings_dict["NAME"])
        target = sqlite3.connect(var_dir / "answerfirst.sqlite3")
        with target:
            source.backup(target)
        source.close()
        target.close()
    deployment = Product(var_dir)
    yield deployment
    deployment.stop_all()


# A customer on a paid plan and a ticket, created the way the portal does (service + commit).
CREATE_TICKET = """
from django.db import transaction
from accounts.models import Membership, Organization, Plan, User
from tickets.models import OutboxTask
from tickets.services import ticket_create

user = User.objects.filter(email="failing@example.com").first()
if user is None:
    user = User.objects.create_user("failing@example.com", "pw")
    organization = Organization.objects.create(name="Failing Org", plan=Plan.objects.get(code="pro"))
    Membership.objects.create(user=user, organization=organization, role="licensed")
with transaction.atomic():
    ticket = ticket_create(requester=user, subject=SUBJECT, description="Nothing works after the update.")
outbox = OutboxTask.objects.get(ticket=ticket)
print(json.dumps({"ticket": ticket.pk, "number": ticket.number, "attempts": outbox.attempts}))
"""


def create_ticket(product: Product, subject: str, *, env: dict[str, str] | None = None) -> dict:
    return product.python(f"SUBJECT = {subject!r}\n" + CREATE_TICKET, env=env)


# Tables whose stored times move back when "time passes" (the sweepers act on old work only).
_AGED = {
    "tickets_outboxtask": ("created_at", "enqueued_at"),
    "tickets_mail_outboundmessage": ("created_at", "claimed_at"),
}


def sql(product: Product, query: str, params: tuple = ()) -> list[tuple]:
    """Read the product's database directly (a plain SQLite connection, as any other client)."""
    connection = sqlite3.connect(product.database, timeout=20)
    try:
        return connection.execute(query, params).fetchall()
    finally:
        connection.close()


def let_time_pass(product: Product, minutes: int = 30) -> None:
    """Move the stored times of pending work ``minutes`` back, as if that long had passed."""
    connection = sqlite3.connect(product.database, timeout=20)
    try:
        with connection:
            for table, columns in _AGED.items():
                for column in columns:
                    connection.execute(
                        f"UPDATE {table} SET {column} = strftime('%Y-%m-%d %H:%M:%f', {column}, ?) "
                        f"WHERE {column} IS NOT NULL",
                        (f"-{minutes} minutes",),
                    )
    finally:
        connection.close()


def beat(product: Product, *task_names: str, broker_url: str = "filesystem://") -> None:
    """Send periodic tasks by name to the product's broker, as ``celery beat`` does."""
    from tests.conftest import celery_app_for

    options: dict[str, object] = {}
    if broker_url.startswith("filesystem"):
        queue = str(product.var_dir / "broker" / "queue")
        options = {
            "data_folder_in": queue,
            "data_folder_out": queue,
            "processed_folder": str(product.var_dir / "broker" / "processed"),
            "control_folder": str(product.var_dir / "broker" / "control"),
        }
    app = celery_app_for(broker_url, broker_transport_options=options, task_serializer="json")
    try:
        for name in task_names:
            app.send_task(name)
    finally:
        app.close()


SWEEPERS = ("tickets.sweep_outbox", "tickets_mail.sweep_outbound")


def state(product: Product, ticket_id: int) -> dict:
    """Where the processing of one ticket stands, read from the database."""
    (triaged,) = sql(product, "SELECT triaged_at FROM tickets_ticket WHERE id = ?", (ticket_id,))[0]
    done, attempts = sql(product, "SELECT done_at, attempts FROM tickets_outboxtask WHERE ticket_id = ?", (ticket_id,))[
        0
    ]
    acks = sql(
        product,
        "SELECT status, claimed_at, attempts FROM tickets_mail_outboundmessage WHERE key = ?",
        (f"ack:{ticket_id}",),
    )
    status, claimed, ack_attempts = acks[0] if acks else (None, None, 0)
    return {
        "triaged": triaged is not None,
        "outbox_done": done is not None,
        "outbox_attempts": attempts,
        "ack_status": status,
        "ack_claimed": claimed is not None,
        "ack_attempts": ack_attempts,
        "ack_rows": len(acks),
    }


def acknowledgements(product: Product, number: int) -> list[str]:
    """The acknowledgement emails of ticket ``number`` that the file backend wrote."""
    return [message for message in product.emails() if f"[#{number}] We received your request" in message]

"""SQLite busy: another connection holds the write lock for seconds while a ticket is filed and processed.

Writers take the lock up front (IMMEDIATE transactions) and wait for it (busy timeout) instead of
failing half-way, so the ticket and its processing go through once the lock is released.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.failures.conftest import PRELUDE, ROOT, Product, acknowledgements, sql, state, wait_for

LOCK_SECONDS = 3.0

FILE_WHEN_LOCKED = """
import time
from pathlib import Path
from django.db import transaction
from accounts.models import Membership, Organization, Plan, User
from tickets.services import ticket_create

user = User.objects.create_user("busy@example.com", "pw")
Membership.objects.create(
    user=user, organization=Organization.objects.create(name="Busy", plan=Plan.objects.get(code="pro")), role="licensed"
)
folder = Path(FOLDER)
(folder / "ready").touch()
while not (folder / "locked").exists():
    time.sleep(0.05)
started = time.monotonic()
with transaction.atomic():
    ticket = ticket_create(requester=user, subject="Busy database", description="Filed while another writer works.")
print(json.dumps({"ticket": ticket.pk, "number": ticket.number, "waited": time.monotonic() - started}))
"""


class WriteLock:
    """A plain SQLite client holding the database's write lock (BEGIN IMMEDIATE) until released."""

    def __init__(self, database: Path) -> None:
        self.connection = sqlite3.connect(database, timeout=20, isolation_level=None)
        self.connection.execute("BEGIN IMMEDIATE")
        self.connection.execute("UPDATE accounts_plan SET name = name")  # a real pending write
        self.taken = time.monotonic()

    def release(self) -> float:
        self.connection.execute("COMMIT")
        self.connection.close()
        return time.monotonic() - self.taken


def test_a_ticket_filed_while_the_database_is_locked_waits_and_is_kept(product: Product, tmp_path: Path) -> None:
    script = subprocess.Popen(
        [sys.executable, "-c", PRELUDE + f"FOLDER = {str(tmp_path)!r}\n" + FILE_WHEN_LOCKED],
        cwd=ROOT,
        env=product.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for(lambda: (tmp_path / "ready").exists() or script.poll() is not None, timeout=40, what="the script")
        lock = WriteLock(product.database)
        (tmp_path / "locked").touch()
        time.sleep(LOCK_SECONDS)
        assert script.poll() is None, "the writer must wait for the lock, not fail"
        lock.release()
        out, err = script.communicate(timeout=30)
    finally:
        if script.poll() is None:
            script.kill()
    assert script.returncode == 0, err[-3000:]
    created = json.loads(out.strip().splitlines()[-1])
    assert created["waited"] >= LOCK_SECONDS - 0.5
    assert sql(product, "SELECT count(*) FROM tickets_ticket") == [(1,)]

    # The worker meets a locked database too: its task waits, then processes the ticket once.
    lock = WriteLock(product.database)
    product.start_worker()
    time.sleep(LOCK_SECONDS)
    assert not state(product, created["ticket"])["triaged"]  # readers still read while the writer waits
    lock.release()
    wait_for(lambda: state(product, created["ticket"])["outbox_done"], timeout=30, what="the ticket to be processed")
    wait_for(lambda: acknowledgements(product, created["number"]), timeout=10, what="the acknowledgement")
    assert len(acknowledgements(product, created["number"])) == 1
    assert "database is locked" not in product.worker_logs()

"""``make run``'s terminal: with LOG_DIR, details go to LOG_DIR/answerfirst.log, warnings and errors stay on screen."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.failures.conftest import ROOT, Product, product  # noqa: F401 - the fixture, shared

SCRIPT = """
import logging
import django
django.setup()
from django.conf import settings
from portal.celery import app
logging.getLogger("celery.app.trace").info("Task search.reindex[1] succeeded in 0.01s: None")
logging.getLogger("tickets.tasks").warning("the outbox is late")
print("hijack", app.conf.worker_hijack_root_logger)
"""


def run(deployment: Product, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env={**deployment.env, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_with_log_dir_the_console_keeps_warnings_and_the_file_has_the_details(product: Product, tmp_path: Path) -> None:  # noqa: F811
    logs = tmp_path / "log"
    completed = run(product, LOG_DIR=str(logs))
    assert completed.returncode == 0, completed.stderr
    assert "the outbox is late" in completed.stderr
    assert "succeeded in" not in completed.stderr + completed.stdout
    assert "hijack False" in completed.stdout  # Celery's worker and beat log through these settings
    details = (logs / "answerfirst.log").read_text()
    assert "Task search.reindex[1] succeeded" in details and "the outbox is late" in details


def test_without_log_dir_everything_goes_to_the_console(product: Product) -> None:  # noqa: F811
    completed = run(product)
    assert "succeeded in" in completed.stderr and "the outbox is late" in completed.stderr
    assert "hijack True" in completed.stdout

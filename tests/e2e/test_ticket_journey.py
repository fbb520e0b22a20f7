"""Journeys (c) and (d): a customer escalates a draft into a ticket with an attachment and gets
the acknowledgement; an agent replies, the customer reads it in the portal and answers by email
through ``manage.py ingest_email``; the thread shows both."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection

from accounts.models import User
from tests.e2e.helpers import customer, sign_in, subscription_article
from tickets.models import Queue, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def _wait_for(predicate: object, seconds: float = 20) -> None:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def _file_ticket(page: object, tmp_path: Path) -> Ticket:
    page.goto("/requests/new")
    page.get_by_label("Subject").fill("Export to Excel fails")
    page.get_by_label("Description").fill("Every export stops at 50% with an error since Monday.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Before you contact us").wait_for()
    page.get_by_role("button", name="I still need help").click()

    page.wait_for_url("**/requests/new/ticket**")
    assert page.get_by_label("Subject").input_value() == "Export to Excel fails"
    screenshot = tmp_path / "error.png"
    screenshot.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    )
    page.locator("input[type=file]").set_input_files(str(screenshot))
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: re.search(r"/requests/\d+$", url) is not None)
    return Ticket.objects.get(subject="Export to Excel fails")


def _agent() -> User:
    return User.objects.create_user("agent@support.test", "correct horse battery", is_staff=True, first_name="Alex")


def test_escalated_draft_becomes_a_ticket_with_an_attachment_and_an_acknowledgement(
    new_page: object, celery_worker: object, tmp_path: Path
) -> None:
    subscription_article()
    user = customer("business", "licensed")
    page = new_page()
    sign_in(page, user)
    ticket = _file_ticket(page, tmp_path)

    assert ticket.requester == user
    assert ticket.deflection_session is not None
    assert ticket.deflection_session.outcome == "escalated"
    attachment = ticket.attachments.get()
    assert attachment.original_name == "error.png"
    assert attachment.content_type == "image/png"
    _wait_for(lambda: any(user.email in message.to for message in mail.outbox))
    acknowledgement = next(message for message in mail.outbox if user.email in message.to)
    assert f"#{ticket.number}" in acknowledgement.subject
    assert page.get_by_text("error.png").first.is_visible()


def _ingest(raw: bytes) -> subprocess.CompletedProcess[bytes]:
    """Run the real MTA pipe command against the test database."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{settings['NAME']}"
    else:
        host = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        url = f"postgres://{settings['USER']}@{host}/{settings['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings.dev", "DEBUG": "false"}
    return subprocess.run(
        [sys.executable, "manage.py", "ingest_email"], input=raw, cwd=ROOT, env=env, capture_output=True, timeout=120
    )


def test_agent_reply_read_in_the_portal_then_answered_by_email(
    new_page: object, celery_worker: object, tmp_path: Path
) -> None:
    agent = _agent()
    standard, _ = Queue.objects.get_or_create(code="standard", defaults={"name": "Standard", "route": "standard"})
    standard.agents.add(agent)
    user = customer("pro", "licensed")
    customer_page = new_page()
    sign_in(customer_page, user)
    ticket = _file_ticket(customer_page, tmp_path)
    _wait_for(lambda: Ticket.objects.get(pk=ticket.pk).queue_id is not None)  # triaged by the worker
    agent_page = new_page()
    sign_in(agent_page, agent)
    agent_page.goto(f"/agent/tickets/{ticket.number}")
    agent_page.get_by_label("Message").fill("Thanks! Please try the export again now, we fixed the limit.")
    agent_page.get_by_label("Status").select_option("pending")
    agent_page.get_by_role("button", name="Send and update").click()
    agent_page.get_by_text("we fixed the limit").first.wait_for()

    customer_page.goto(f"/requests/{ticket.number}")
    customer_page.get_by_text("Please try the export again now").wait_for()

    _wait_for(lambda: any("we fixed the limit" in m.body for m in mail.outbox if user.email in m.to))
    agent_mail = next(m for m in mail.outbox if user.email in m.to and "we fixed the limit" in m.body)
    reply = EmailMessage()
    reply["From"] = user.email
    reply["To"] = agent_mail.reply_to[0]
    reply["Subject"] = f"Re: {agent_mail.subject}"
    reply["Message-ID"] = "<reply-1@mail.customer.test>"
    reply["In-Reply-To"] = agent_mail.extra_headers.get("Message-ID", "")
    reply.set_content(
        "It works again, thank you!\n\n"
        "On Monday, Support wrote:\n"
        "> Thanks! Please try the export again now, we fixed the limit.\n"
    )
    result = _ingest(reply.as_bytes())
    assert result.returncode == 0, result.stderr.decode()

    customer_page.reload()
    thread = customer_page.locator("main").inner_text()
    assert "Please try the export again now" in thread
    assert "It works again, thank you!" in thread
    assert thread.count("we fixed the limit") == 1  # the quoted history was stripped
    ticket.refresh_from_db()
    assert ticket.comments.filter(channel="email", body__startswith="It works again").count() == 1
    assert ticket.status == "open"  # the customer's reply reopened the pending ticket

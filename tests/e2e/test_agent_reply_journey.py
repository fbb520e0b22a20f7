"""An agent's reply: "Insert link" puts the article where the caret is, and above the sign-off when
the caret is in or after it; the customer's email shows the link in that place."""

from __future__ import annotations

import time

import pytest
from django.core import mail

from accounts.models import User
from tests.e2e.helpers import PASSWORD, customer, sign_in, subscription_article
from tickets import services
from tickets.models import Queue, Ticket

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

DRAFT = "Hello Sam,\n\nYou can stop the renewal yourself, see\n\nBest regards,\nAlex"


def _wait_for(predicate: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_insert_link_goes_to_the_caret_or_above_the_signature_and_is_mailed_there(
    new_page: object, celery_worker: object
) -> None:
    subscription_article()
    agent = User.objects.create_user("agent@support.test", PASSWORD, is_staff=True, first_name="Alex")
    standard, _ = Queue.objects.get_or_create(code="standard", defaults={"name": "Standard", "route": "standard"})
    standard.agents.add(agent)
    requester = customer("pro", "licensed")
    ticket = services.ticket_create(requester=requester, subject="Stop renewal", description="How do I stop it?")
    _wait_for(lambda: Ticket.objects.get(pk=ticket.pk).queue_id is not None)  # triaged by the worker

    page = new_page()
    sign_in(page, agent)
    page.goto(f"/agent/tickets/{ticket.number}")
    box = page.get_by_label("Message")
    box.fill(DRAFT)
    page.locator("#article-q").fill("cancel subscription")
    page.get_by_role("button", name="Search", exact=True).click()
    insert = page.get_by_role("button", name="Insert link").first
    insert.wait_for()
    link = f"{insert.get_attribute('data-title')}: {insert.get_attribute('data-url')}"

    # A conventional "-- " signature block counts too, whatever name it holds.
    box.fill("Hi,\n\nThis should help:\n-- \nThe support team")
    box.press("Control+End")
    insert.click()
    assert box.input_value() == f"Hi,\n\nThis should help:\n\n{link}\n\n-- \nThe support team"

    box.fill(DRAFT)

    # The caret at the end of "…yourself, see": the link lands right there.
    box.click()
    box.press("Control+Home")
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("End")
    insert.click()
    at_caret = DRAFT.replace("yourself, see", f"yourself, see {link}")
    assert box.input_value() == at_caret

    # The caret after the sign-off: the link goes above it, in its own paragraph.
    box.click()
    box.press("Control+End")
    insert.click()
    expected = at_caret.replace("\n\nBest regards,", f"\n\n{link}\n\nBest regards,")
    assert box.input_value() == expected

    page.get_by_label("Status").select_option("pending")
    page.get_by_role("button", name="Send and update").click()
    _wait_for(lambda: ticket.comments.filter(author=agent).exists())
    comment = ticket.comments.filter(author=agent).get()
    assert comment.body.replace("\r\n", "\n") == expected

    _wait_for(lambda: any(link in m.body for m in mail.outbox if requester.email in m.to))
    sent = next(m for m in mail.outbox if requester.email in m.to and link in m.body).body
    assert sent.rindex(link) < sent.index("Best regards,") < sent.index("Alex", sent.index("Best regards,"))

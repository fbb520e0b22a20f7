"""The quarantine review in Django's admin: read the raw message, process it again once fixed."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.tickets.conftest import World
from tests.tickets.mail.conftest import ingest, processed_ticket, set_contact
from tickets.mail.models import InboundMessage

pytestmark = pytest.mark.django_db


def test_a_quarantined_reply_is_released_once_the_sender_is_known(world: World, client: Client) -> None:
    ticket = processed_ticket(world)
    message = ingest("gmail_reply_en.eml", ticket, **{"alice@acme.test": "alice.home@perso.example"})
    assert (message.status, message.reason) == ("quarantined", "unknown_sender")

    client.force_login(world.admin)
    page = client.get(f"/django-admin/tickets_mail/inboundmessage/{message.pk}/change/")
    assert page.status_code == 200 and "I restarted the sync agent" in page.content.decode()

    set_contact(world.alice, "alice.home@perso.example")  # the agent confirmed and verified the address
    response = client.post(
        "/django-admin/tickets_mail/inboundmessage/",
        {"action": "process_again", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert (message.status, message.reason, message.reviewed_by) == ("processed", "comment", world.admin)
    assert ticket.comments.get().author == world.alice

    # A second run does nothing: the message is no longer in quarantine.
    again = {"action": "process_again", "_selected_action": [message.pk]}
    client.post("/django-admin/tickets_mail/inboundmessage/", again)
    assert ticket.comments.count() == 1 and InboundMessage.objects.count() == 1


def test_customers_cannot_open_the_quarantine(world: World, client: Client) -> None:
    client.force_login(world.alice)
    assert client.get("/django-admin/tickets_mail/inboundmessage/").status_code == 302

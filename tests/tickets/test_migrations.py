"""The migration that removes SentNotification keeps its history as OutboundMessage rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("tickets", "0003_attachments_private_storage"), ("tickets_mail", "0003_outbound_agent_notifications")]
AFTER = [("tickets", "0004_sent_notifications_into_outbound")]


def _migrate(targets: list[tuple[str, str]]):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_sent_notifications_become_sent_outbound_messages() -> None:
    apps = _migrate(BEFORE)
    User = apps.get_model("accounts", "User")
    Ticket = apps.get_model("tickets", "Ticket")
    SentNotification = apps.get_model("tickets", "SentNotification")
    OutboundMessage = apps.get_model("tickets_mail", "OutboundMessage")
    requester = User.objects.create(email="old@acme.test")
    ticket = Ticket.objects.create(number=77, requester=requester, subject="Old", description="Old request")
    sent = timezone.now() - dt.timedelta(days=30)
    SentNotification.objects.create(
        key=f"agent-new:{ticket.pk}:9",
        ticket=ticket,
        kind="agent_new_ticket",
        recipient="a@support.test",
        claimed_at=sent,
        sent_at=sent,
    )
    SentNotification.objects.create(  # also in OutboundMessage already (the acknowledgement was written twice)
        key=f"ack:{ticket.pk}",
        ticket=ticket,
        kind="acknowledgement",
        recipient="old@acme.test",
        claimed_at=sent,
        sent_at=sent,
    )
    OutboundMessage.objects.create(
        key=f"ack:{ticket.pk}",
        kind="acknowledgement",
        ticket=ticket,
        recipient="old@acme.test",
        message_id="<ack@af>",
        status="sent",
        sent_at=sent,
    )
    SentNotification.objects.create(  # a claim never sent: nothing to keep
        key=f"agent-new:{ticket.pk}:10",
        ticket=ticket,
        kind="agent_new_ticket",
        recipient="b@support.test",
        claimed_at=sent,
    )

    apps = _migrate(AFTER)
    OutboundMessage = apps.get_model("tickets_mail", "OutboundMessage")
    rows = {row.key: row for row in OutboundMessage.objects.filter(ticket_id=ticket.pk)}
    assert sorted(rows) == [f"ack:{ticket.pk}", f"agent-new:{ticket.pk}:9"]
    copied = rows[f"agent-new:{ticket.pk}:9"]
    assert (copied.kind, copied.status, copied.recipient) == ("agent_new_ticket", "sent", "a@support.test")
    assert copied.sent_at == sent and copied.created_at == sent and copied.message_id
    assert rows[f"ack:{ticket.pk}"].message_id == "<ack@af>"  # the existing row is left as it was
    assert "tickets_sentnotification" not in connection.introspection.table_names()

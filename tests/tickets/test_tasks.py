"""Crash-proof processing: queued on commit, a real worker round trip, idempotent reruns, the sweeper."""

from __future__ import annotations

import datetime as dt
import smtplib
import time
from collections.abc import Iterator

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from accounts.models import support_profile_for
from portal.celery import app
from tests.tickets.conftest import World
from tickets import services
from tickets.mail.models import OutboundMessage
from tickets.models import OutboxTask, Priority, Ticket
from tickets.tasks import auto_close_solved, process_new_ticket, sweep_outbox


@pytest.fixture
def eager() -> Iterator[None]:
    """Run tasks in-process, as a worker would, so a test can watch their effects."""
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


def new_ticket(world: World, **overrides: object) -> Ticket:
    values = {"requester": world.alice, "subject": "Sync stopped", "description": "Nothing syncs since Monday."}
    values.update(overrides)
    return services.ticket_create(**values)


@pytest.mark.django_db
def test_processing_is_queued_only_when_the_transaction_commits(
    world: World, eager: None, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = new_ticket(world)
    assert len(callbacks) == 1
    ticket.refresh_from_db()
    assert ticket.triaged_at is None and mail.outbox == []  # nothing ran inside the transaction

    callbacks[0]()  # the commit happens
    ticket.refresh_from_db()
    assert ticket.queue == world.standard and ticket.triaged_at is not None
    assert ticket.first_response_due_at is not None and ticket.resolution_due_at > ticket.first_response_due_at
    assert OutboxTask.objects.get(ticket=ticket).done_at is not None
    assert sorted(m.to[0] for m in mail.outbox) == ["agent@support.test", "alice@acme.test"]


@pytest.mark.django_db
def test_with_captured_callbacks_executed(world: World, eager: None, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        ticket = new_ticket(world)
    assert OutboundMessage.objects.filter(ticket=ticket, status=OutboundMessage.Status.SENT).count() == 2


@pytest.mark.django_db
def test_running_the_task_twice_does_the_work_once(world: World) -> None:
    ticket = new_ticket(world)
    assert process_new_ticket.apply(args=[ticket.pk]).get() is True
    assert process_new_ticket.apply(args=[ticket.pk]).get() is False
    # Even with the outbox row forgotten, the notification keys stop a second email.
    OutboxTask.objects.filter(ticket=ticket).update(done_at=None)
    process_new_ticket.apply(args=[ticket.pk]).get()
    assert len(mail.outbox) == 2
    assert OutboundMessage.objects.filter(ticket=ticket).count() == 2
    assert ticket.events.filter(kind="queue").count() == 1


@pytest.mark.django_db
def test_a_missing_ticket_is_ignored_quietly(db: None) -> None:
    assert process_new_ticket.apply(args=[987654]).get() is False


@pytest.mark.django_db
def test_the_sweeper_recovers_work_whose_task_never_ran(
    world: World, eager: None, django_capture_on_commit_callbacks
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=False):
        ticket = new_ticket(world)  # committed, but the process died before queuing the task
    with time_machine.travel(start + dt.timedelta(minutes=2), tick=False):
        assert sweep_outbox.apply().get() == 0  # too early: the task may still be on its way
    assert mail.outbox == []
    with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
        assert sweep_outbox.apply().get() == 1
    outbox = OutboxTask.objects.get(ticket=ticket)
    assert outbox.done_at is not None and outbox.attempts == 1
    assert len(mail.outbox) == 2
    with time_machine.travel(start + dt.timedelta(minutes=30), tick=False):
        assert sweep_outbox.apply().get() == 0  # done work is never queued again


class FlakyBackend(EmailBackend):
    """The mail server refuses the first message it is given, then recovers."""

    failures = 1

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("connection lost")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_a_transient_mail_error_retries_and_sends_once(world: World, settings) -> None:
    settings.EMAIL_BACKEND = "tests.tickets.test_tasks.FlakyBackend"
    FlakyBackend.failures = 1
    ticket = new_ticket(world)
    process_new_ticket.apply(args=[ticket.pk]).get()
    assert FlakyBackend.failures == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["agent@support.test", "alice@acme.test"]
    assert not OutboundMessage.objects.exclude(status=OutboundMessage.Status.SENT).exists()
    assert OutboxTask.objects.get(ticket=ticket).done_at is not None


@pytest.mark.django_db
def test_gov_tickets_notify_cleared_agents_only(world: World) -> None:
    ticket = new_ticket(world, requester=world.gina)
    process_new_ticket.apply(args=[ticket.pk]).get()
    ticket.refresh_from_db()
    assert ticket.queue == world.gov
    assert sorted(m.to[0] for m in mail.outbox) == ["gina@agency.test", "gov@support.test"]
    [to_agent] = [m for m in mail.outbox if m.to == ["gov@support.test"]]
    assert f"http://127.0.0.1:8000/agent/tickets/{ticket.number}" in to_agent.body
    assert f"[#{ticket.number}]" in to_agent.subject and to_agent.alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_triage_priority_rules(world: World) -> None:
    chosen = new_ticket(world, requester=world.carol, priority=Priority.LOW)  # business plan may choose
    outage = new_ticket(world, subject="Complete outage", description="Everything is down.")
    gov_low = new_ticket(world, requester=world.gina, priority=Priority.LOW)  # pro plan: choice ignored
    for ticket in (chosen, outage, gov_low):
        services.ticket_triage(ticket_id=ticket.pk)
        ticket.refresh_from_db()
    assert (chosen.priority, outage.priority, gov_low.priority) == ("low", "high", "normal")


@pytest.mark.django_db
def test_auto_close_task(world: World) -> None:
    ticket = new_ticket(world)
    services.ticket_transition(ticket=ticket, target="solved", actor_user=world.alice)
    with time_machine.travel(timezone.now() + dt.timedelta(days=5), tick=False):
        assert auto_close_solved.apply().get() == 1


def test_a_real_worker_processes_a_new_ticket(celery_worker: object, world: World) -> None:
    ticket = new_ticket(world)  # autocommit: the task is queued on the real broker at commit
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        outbox = OutboxTask.objects.get(ticket=ticket)
        if outbox.done_at is not None:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the worker did not process the ticket within 30 s")
    ticket.refresh_from_db()
    assert ticket.queue == world.standard
    assert sorted(m.to[0] for m in mail.outbox) == ["agent@support.test", "alice@acme.test"]


@pytest.mark.django_db
def test_the_sweeper_gives_up_after_too_many_attempts(
    world: World, settings, django_capture_on_commit_callbacks
) -> None:
    settings.TICKETS_OUTBOX_MAX_ATTEMPTS = 2
    start = timezone.now()
    with time_machine.travel(start, tick=False), django_capture_on_commit_callbacks(execute=False):
        ticket = new_ticket(world)
    OutboxTask.objects.filter(ticket=ticket).update(attempts=2)
    with time_machine.travel(start + dt.timedelta(minutes=10), tick=False):
        assert sweep_outbox.apply().get() == 0
    outbox = OutboxTask.objects.get(ticket=ticket)
    assert outbox.done_at is None and outbox.last_error == "gave up: too many attempts"


@pytest.mark.django_db
def test_a_lasting_failure_is_recorded_on_the_outbox_row(world: World, settings) -> None:
    settings.EMAIL_BACKEND = "tests.tickets.test_tasks.FlakyBackend"
    FlakyBackend.failures = 100
    ticket = new_ticket(world)
    result = process_new_ticket.apply(args=[ticket.pk])
    assert result.failed()
    outbox = OutboxTask.objects.get(ticket=ticket)
    assert outbox.done_at is None and "SMTPServerDisconnected" in outbox.last_error
    # failed sends leave no claim behind: the rows stay pending, for the retry or the sweeper
    assert not OutboundMessage.objects.filter(claimed_at__isnull=False).exists()
    assert not OutboundMessage.objects.exclude(status=OutboundMessage.Status.PENDING).exists()


@pytest.mark.django_db
def test_a_superuser_in_the_gov_queue_is_cleared_and_notified(world: World) -> None:
    """One Gov rule (accounts.selectors): superusers are cleared, for notifications as for lists."""
    world.gov.agents.add(world.admin)
    ticket = new_ticket(world, requester=world.gina)
    process_new_ticket.apply(args=[ticket.pk]).get()
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@support.test", "gina@agency.test", "gov@support.test"]


@pytest.mark.django_db
def test_agent_notices_go_through_the_outbox_once_in_the_agents_language(world: World) -> None:
    profile = support_profile_for(world.agent)
    profile.language = "fr"
    profile.save()
    ticket = new_ticket(world)
    process_new_ticket.apply(args=[ticket.pk]).get()
    row = OutboundMessage.objects.get(kind="agent_new_ticket")
    assert (row.key, row.status, row.recipient, row.language) == (
        f"agent-new:{ticket.pk}:{world.agent.pk}",
        "sent",
        "agent@support.test",
        "fr",
    )
    [notice] = [m for m in mail.outbox if m.to == ["agent@support.test"]]
    assert notice.subject == f"[#{ticket.number}] Nouvelle demande dans Standard : Sync stopped"
    assert notice.extra_headers["Message-ID"] == row.message_id
    services.agents_notify_new(ticket_id=ticket.pk)  # a rerun sends nothing more
    assert len([m for m in mail.outbox if m.to == ["agent@support.test"]]) == 1

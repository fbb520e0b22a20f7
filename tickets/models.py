"""Tickets and what hangs off them: queues, comments, attachments, the audit trail and the outbox.

Models hold fields, constraints and small properties only; every write goes through
``tickets.services`` and every read a view needs through ``tickets.selectors``.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _


class Route(models.TextChoices):
    """Which support line a ticket was filed on (decided by ``accounts.entitlements``)."""

    STANDARD = "standard", _("Standard support")
    BILLING = "billing", _("Billing")
    GOV = "gov", _("Public sector (Gov)")


class ProductArea(models.TextChoices):
    ACCOUNT = "account", _("Account and sign-in")
    BILLING = "billing", _("Billing and invoices")
    INTEGRATIONS = "integrations", _("Integrations and API")
    USAGE = "usage", _("Using the product")
    OTHER = "other", _("Something else")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Awaiting your reply")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    WEB = "web", _("Web")
    EMAIL = "email", _("Email")
    API = "api", _("API")


def _default_business_hours() -> dict[str, list[str]]:
    """Monday to Friday, 09:00-17:00 (weekday numbers as Python's ``date.weekday()``)."""
    return {str(day): ["09:00", "17:00"] for day in range(5)}


class Queue(models.Model):
    """A group of agents working one support route (and optionally one product area).

    SLA targets are in business hours of the queue's own calendar: its weekly hours, its time
    zone and the public holidays of ``holiday_country``.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    route = models.CharField(_("route"), max_length=20, choices=Route.choices, default=Route.STANDARD)
    product_area = models.CharField(
        _("product area"),
        max_length=20,
        choices=ProductArea.choices,
        blank=True,
        help_text=_("Empty: the route's default queue."),
    )
    agents = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="ticket_queues", blank=True, verbose_name=_("agents")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Paris")
    business_hours = models.JSONField(
        _("business hours"),
        default=_default_business_hours,
        help_text=_('Weekday number (0 = Monday) to ["HH:MM", "HH:MM"]; missing days are closed.'),
    )
    holiday_country = models.CharField(_("holiday country"), max_length=8, blank=True, default="FR")
    first_response_hours = models.PositiveIntegerField(_("first response target (business hours)"), default=8)
    resolution_hours = models.PositiveIntegerField(_("resolution target (business hours)"), default=40)

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["route", "product_area"], name="tickets_queue_route_area_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_gov(self) -> bool:
        return self.route == Route.GOV


class TicketNumberSequence(models.Model):
    """The last human-friendly number given out; one row, locked while a number is allocated."""

    name = models.CharField(max_length=40, unique=True)
    last_value = models.PositiveBigIntegerField(default=1000)

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"


class Ticket(models.Model):
    number = models.PositiveBigIntegerField(_("number"), unique=True)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets", verbose_name=_("requester")
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("organization"),
    )
    route = models.CharField(_("route"), max_length=20, choices=Route.choices, default=Route.STANDARD)
    product_area = models.CharField(
        _("product area"), max_length=20, choices=ProductArea.choices, default=ProductArea.OTHER
    )
    queue = models.ForeignKey(
        Queue, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets", verbose_name=_("queue")
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), max_length=20000)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(_("priority"), max_length=20, choices=Priority.choices, default=Priority.NORMAL)
    requested_priority = models.CharField(_("requested priority"), max_length=20, choices=Priority.choices, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    deflection_session = models.ForeignKey(
        "deflection.DeflectionSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("deflection session"),
    )
    follow_up_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follow-up of"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last update"), auto_now=True)
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    solved_at = models.DateTimeField(_("solved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["requester", "status"]),
            models.Index(fields=["queue", "status"]),
            models.Index(fields=["status", "solved_at"]),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return f"/requests/{self.number}"

    @property
    def is_gov(self) -> bool:
        return self.route == Route.GOV

    @property
    def is_active(self) -> bool:
        return self.status not in {Status.SOLVED, Status.CLOSED}


class Comment(models.Model):
    """One message in a ticket's thread: a public reply, or an internal note agents alone see."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments", verbose_name=_("ticket"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ticket_comments",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"), max_length=20000, blank=True)
    is_public = models.BooleanField(_("public reply"), default=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.ticket_id}/{self.pk}"


ATTACHMENTS_DIR = "tickets/attachments"


def private_storage() -> Storage:
    """The storage of ticket files: no public URL (settings ``STORAGES["private"]``)."""
    return storages["private"]


def attachment_upload_to(instance: Attachment, filename: str) -> str:
    """A random path: the original name never reaches the storage (it is kept on the row)."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"{ATTACHMENTS_DIR}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("ticket"))
    comment = models.ForeignKey(
        Comment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("comment"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_to, storage=private_storage, max_length=255)
    original_name = models.CharField(_("file name"), max_length=150)
    size = models.PositiveBigIntegerField(_("size"))
    content_type = models.CharField(_("content type"), max_length=120)
    checksum = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class TicketEvent(models.Model):
    """Audit trail: who changed what on a ticket, when, from what to what."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        PRIORITY = "priority", _("Priority changed")
        QUEUE = "queue", _("Queue changed")
        ASSIGNEE = "assignee", _("Assignee changed")
        COMMENT = "comment", _("Comment added")
        ATTACHMENT = "attachment", _("File attached")
        FOLLOW_UP = "follow_up", _("Follow-up created")
        SLA = "sla", _("SLA targets set")
        NOTIFIED = "notified", _("Notification sent")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", verbose_name=_("ticket"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    field = models.CharField(_("field"), max_length=40, blank=True)
    old_value = models.CharField(_("from"), max_length=200, blank=True)
    new_value = models.CharField(_("to"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.kind} {self.old_value}->{self.new_value}"


class OutboxTask(models.Model):
    """Work promised in the same transaction as a write, done later by a Celery task.

    The row commits with the ticket, so a crash between the commit and the broker (or a lost
    task) leaves a trace the sweeper finds and queues again.
    """

    class Kind(models.TextChoices):
        PROCESS_NEW_TICKET = "process_new_ticket", _("Process a new ticket")

    kind = models.CharField(max_length=40, choices=Kind.choices)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="outbox")
    created_at = models.DateTimeField(auto_now_add=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "ticket"], name="tickets_outbox_kind_ticket_unique")]
        indexes = [models.Index(fields=["done_at", "enqueued_at"])]

    def __str__(self) -> str:
        return f"{self.kind}#{self.ticket_id}"

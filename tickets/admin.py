"""Admin of received email (tickets.mail's InboundMessage): kept with ingest, whose reprocessing it runs."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tickets.ingest.inbound import inbound_reprocess
from tickets.mail.models import InboundMessage

_PREVIEW_BYTES = 20000


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    list_display = ("received_at", "status", "reason", "sender", "subject", "ticket", "reviewed_at")
    list_filter = ("status", "reason", "source", "matched_by")
    search_fields = ("sender", "subject", "message_id")
    date_hierarchy = "received_at"
    actions = ("process_again", "mark_reviewed")
    exclude = ("raw",)
    readonly_fields = (
        "message_id",
        "received_at",
        "source",
        "sender",
        "sender_user",
        "subject",
        "status",
        "reason",
        "detail",
        "matched_by",
        "ticket",
        "comment",
        "created_ticket",
        "size",
        "sha256",
        "processed_at",
        "reviewed_by",
        "reviewed_at",
        "raw_preview",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundMessage]:
        return super().get_queryset(request).defer("raw")  # lists never load message bodies

    @admin.display(description=_("raw message"))
    def raw_preview(self, obj: InboundMessage) -> str:
        text = bytes(obj.raw[:_PREVIEW_BYTES]).decode("utf-8", errors="replace")
        return format_html("<pre style='white-space: pre-wrap; max-height: 40rem; overflow: auto'>{}</pre>", text)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: InboundMessage | None = None) -> bool:
        return bool(request.user.is_superuser)

    @admin.action(description=_("Process the selected quarantined messages again"))
    def process_again(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        done = [inbound_reprocess(message=message, reviewer=request.user) for message in queryset]
        released = sum(1 for message in done if message.status != InboundMessage.Status.QUARANTINED)
        self.message_user(
            request,
            ngettext("%(count)d message left the quarantine.", "%(count)d messages left the quarantine.", released)
            % {"count": released},
            messages.SUCCESS if released else messages.WARNING,
        )

    @admin.action(description=_("Mark the selected messages as reviewed"))
    def mark_reviewed(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        count = queryset.update(reviewed_by=request.user, reviewed_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d message marked as reviewed.", "%(count)d messages marked as reviewed.", count)
            % {"count": count},
        )

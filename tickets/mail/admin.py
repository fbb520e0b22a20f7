"""Django admin for ticket email: sent messages and satisfaction ratings (the quarantine review of
received email is in ``tickets.admin``, next to the ingest it runs again)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from tickets.mail.models import OutboundMessage, SatisfactionRating


@admin.register(OutboundMessage)
class OutboundMessageAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "status", "recipient", "ticket", "language", "sent_at", "attempts")
    list_filter = ("kind", "status", "language")
    search_fields = ("recipient", "message_id", "key", "subject")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: OutboundMessage | None = None) -> list[str]:
        return [field.name for field in OutboundMessage._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(admin.ModelAdmin):
    list_display = ("updated_at", "ticket", "rating", "agent", "queue", "channel")
    list_filter = ("rating", "queue", "channel")
    search_fields = ("ticket__number", "comment", "agent__email")
    raw_id_fields = ("ticket", "agent")

    def get_readonly_fields(self, request: HttpRequest, obj: SatisfactionRating | None = None) -> list[str]:
        return [field.name for field in SatisfactionRating._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

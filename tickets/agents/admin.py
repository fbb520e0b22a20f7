from django.contrib import admin

from tickets.agents.models import Macro, SlaMark


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ("name", "language", "is_internal_note", "active", "updated_at")
    list_filter = ("language", "active", "is_internal_note")
    search_fields = ("name", "body")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(SlaMark)
class SlaMarkAdmin(admin.ModelAdmin):
    list_display = (
        "ticket",
        "breached",
        "first_response_breached_at",
        "next_response_due_at",
        "resolution_breached_at",
    )
    list_filter = ("breached",)
    readonly_fields = [f.name for f in SlaMark._meta.fields]

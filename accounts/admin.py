"""Admin for accounts (/django-admin/): users, plans, organizations, route hours and sync files."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import (
    AccountImport,
    Membership,
    Organization,
    Plan,
    PlanChange,
    RouteHours,
    SupportProfile,
    User,
)
from accounts.services import organization_set_plan
from accounts.sync import ImportFileError, import_file


class SupportProfileInline(admin.StackedInline):
    model = SupportProfile
    can_delete = False
    fields = (
        "contact_email",
        "contact_email_verified",
        "pending_contact_email",
        "language",
        "region",
        "time_zone",
        "email_notifications",
    )
    readonly_fields = ("contact_email", "contact_email_verified", "pending_contact_email")


class UserMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ("organization",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = (SupportProfileInline, UserMembershipInline)


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_paid", "can_file_tickets", "can_set_priority", "sort_order")
    list_editable = ("can_file_tickets", "can_set_priority")
    readonly_fields = ("code",)

    def has_delete_permission(self, request: HttpRequest, obj: Plan | None = None) -> bool:
        return False  # plans are referenced by organizations and by the sync's codes


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organization"
    extra = 0
    autocomplete_fields = ("user",)


class PlanChangeInline(admin.TabularInline):
    model = PlanChange
    extra = 0
    can_delete = False
    readonly_fields = ("old_plan", "new_plan", "source", "changed_at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "external_id", "plan", "is_government", "members_see_each_others_tickets")
    list_filter = ("plan", "is_government")
    search_fields = ("name", "external_id")
    inlines = (MembershipInline, PlanChangeInline)

    def save_model(self, request: HttpRequest, obj: Organization, form: object, change: bool) -> None:
        if change and "plan" in form.changed_data:
            new_plan = obj.plan
            obj.plan_id = form.initial["plan"]
            super().save_model(request, obj, form, change)
            organization_set_plan(organization=obj, plan=new_plan, source="admin")
            return
        super().save_model(request, obj, form, change)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organization", "role")
    list_filter = ("role", "organization__plan", "organization__is_government")
    search_fields = ("user__email", "organization__name")
    autocomplete_fields = ("user", "organization")


@admin.register(RouteHours)
class RouteHoursAdmin(admin.ModelAdmin):
    list_display = ("route", "active", "time_zone", "opens_at", "closes_at", "weekdays", "holiday_country")


@admin.register(AccountImport)
class AccountImportAdmin(admin.ModelAdmin):
    list_display = ("file", "created_at", "ran_at", "error_count")
    readonly_fields = ("uploaded_by", "created_at", "ran_at", "report", "error_count")
    actions = ("run_import",)

    def save_model(self, request: HttpRequest, obj: AccountImport, form: object, change: bool) -> None:
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Import the selected files (safe to repeat)"))
    def run_import(self, request: HttpRequest, queryset: QuerySet[AccountImport]) -> None:
        for upload in queryset:
            with upload.file.open("rb") as handle:
                content = handle.read()
            try:
                report = import_file(upload.file.name, content, source="admin")
            except ImportFileError as error:
                upload.report, upload.error_count = str(error), 1
                self.message_user(request, f"{upload.file.name}: {error}", messages.ERROR)
            else:
                upload.report, upload.error_count = "\n".join(report.lines()), len(report.errors)
                level = messages.WARNING if report.errors else messages.SUCCESS
                self.message_user(request, f"{upload.file.name}: {report.lines()[0]}", level)
            upload.ran_at = timezone.now()
            upload.save(update_fields=["report", "error_count", "ran_at"])
        self.message_user(
            request,
            ngettext("%(count)d file processed.", "%(count)d files processed.", queryset.count())
            % {"count": queryset.count()},
        )

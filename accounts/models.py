"""People who sign in: customers, agents and editors, identified by their email address."""

from __future__ import annotations

from typing import Any

import holidays
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.hours import parse_weekdays, valid_time_zone


class UserManager(DjangoUserManager):
    """Creates users from an email address; there is no username."""

    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> User:  # type: ignore[override]
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> User:  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> User:  # type: ignore[override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not (extra_fields["is_staff"] and extra_fields["is_superuser"]):
            raise ValueError("A superuser must have is_staff and is_superuser set.")
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in with their email address.

    The sign-in email never changes when a customer changes their support contact email
    (that one lives on the support profile).
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class PlanCode(models.TextChoices):
    FREE = "free", _("Free")
    TRIAL = "trial", _("Trial")
    PRO = "pro", _("Pro")
    BUSINESS = "business", _("Business")
    ENTERPRISE = "enterprise", _("Enterprise")


class Plan(models.Model):
    """A subscription plan of the product, kept as data so its flags can change without a release.

    The rows are created by a data migration; the account sync (``import_accounts``) refers to
    them by ``code``.
    """

    code = models.CharField(_("code"), max_length=20, unique=True, choices=PlanCode.choices)
    name = models.CharField(_("name"), max_length=100)
    is_paid = models.BooleanField(_("paid plan"), default=False)
    can_file_tickets = models.BooleanField(
        _("can file tickets"),
        default=False,
        help_text=_("Members may open technical support tickets (owners and admins can always reach billing)."),
    )
    can_set_priority = models.BooleanField(
        _("can set priority"), default=False, help_text=_("Members may choose a ticket's priority when filing.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ("sort_order", "code")
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.name


class Organization(models.Model):
    """A customer account of the product: the unit that holds a plan and its members."""

    external_id = models.CharField(
        _("external id"),
        max_length=100,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The account's id in the product's account system; the sync matches on it."),
    )
    name = models.CharField(_("name"), max_length=200)
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("plan"))
    is_government = models.BooleanField(
        _("public sector (Gov)"),
        default=False,
        help_text=_("Members file through the Gov route and read Gov articles; only cleared agents see their tickets."),
    )
    members_see_each_others_tickets = models.BooleanField(
        _("members see each other's tickets"),
        default=False,
        help_text=_("When on, every member can follow the tickets filed by other members of this organization."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("name",)
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class PlanChange(models.Model):
    """One change of an organization's plan, kept so that history survives the change.

    Tickets point at the organization, never at the plan, so a plan change does not rewrite them;
    this table tells an agent which plan the customer had when an older ticket was filed.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="plan_changes")
    old_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    new_plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("source"), max_length=50, default="sync")
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)

    class Meta:
        ordering = ("-changed_at", "-id")
        verbose_name = _("plan change")
        verbose_name_plural = _("plan changes")

    def __str__(self) -> str:
        return f"{self.organization}: {self.old_plan} → {self.new_plan}"


class Role(models.TextChoices):
    """What a member may do in the product's account; support eligibility is derived from it.

    - owner: holds the subscription; manages billing, licenses and members (billing route).
    - admin: manages members, licenses and settings for the owner (billing route).
    - licensed: a member with a paid seat who creates and owns content.
    - unlicensed: a member without a seat who works in content shared with them.
    - editor: may edit content shared with them, without a seat.
    - viewer: may only read content shared with them.

    On a paid plan every role may file technical tickets (licensed or not); on the free plan
    nobody may, and only owners and admins reach the billing route.
    """

    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Admin")
    LICENSED = "licensed", _("Licensed user")
    UNLICENSED = "unlicensed", _("Unlicensed user")
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


BILLING_ROLES = frozenset({Role.OWNER, Role.ADMIN})


class Membership(models.Model):
    """A user's role in one organization (a user may belong to several)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organization")
    )
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=Role.choices,
        help_text=_(
            "Owner and admin manage billing and licenses; licensed and unlicensed users work in the product "
            "with or without a seat; editors edit and viewers read shared content."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ("organization__name", "user__email")
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=("user", "organization"), name="accounts_membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} ({self.get_role_display()})"


class Region(models.TextChoices):
    """Where the customer works: sets their regional formats and a sensible default time zone."""

    UNITED_STATES = "US", _("United States")
    CANADA = "CA", _("Canada")
    MEXICO = "MX", _("Mexico")
    BRAZIL = "BR", _("Brazil")
    UNITED_KINGDOM = "GB", _("United Kingdom")
    IRELAND = "IE", _("Ireland")
    FRANCE = "FR", _("France")
    BELGIUM = "BE", _("Belgium")
    SWITZERLAND = "CH", _("Switzerland")
    GERMANY = "DE", _("Germany")
    AUSTRIA = "AT", _("Austria")
    SPAIN = "ES", _("Spain")
    ITALY = "IT", _("Italy")
    PORTUGAL = "PT", _("Portugal")
    JAPAN = "JP", _("Japan")
    INDIA = "IN", _("India")
    AUSTRALIA = "AU", _("Australia")
    OTHER = "ZZ", _("Other")


class SupportProfile(models.Model):
    """A customer's support preferences, separate from their sign-in identity.

    ``contact_email`` is where support writes to; it is only ever set from a verified link, so it
    is either blank or verified. A requested change waits in ``pending_contact_email``. The
    sign-in email (``User.email``) is never touched from here.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="support_profile")
    contact_email = models.EmailField(_("support contact email"), blank=True)
    contact_email_verified = models.BooleanField(_("contact email verified"), default=False)
    pending_contact_email = models.EmailField(_("contact email awaiting verification"), blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("Language of the portal, emails and articles; blank follows the browser."),
    )
    region = models.CharField(_("region"), max_length=2, choices=Region.choices, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    email_notifications = models.BooleanField(
        _("email notifications"), default=True, help_text=_("Send me an email when my tickets are updated.")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("support profile")
        verbose_name_plural = _("support profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'}, {self.time_zone})"


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class RouteCode(models.TextChoices):
    STANDARD = "standard", _("Technical support")
    BILLING = "billing", _("Billing and licensing")
    GOV = "gov", _("Public sector (Gov) support")


class RouteHours(models.Model):
    """Staffed hours of one support route, editable in the admin.

    A route without a row (or with ``active`` off) takes requests at any time: the standard and
    billing routes ship that way (requests are answered by the follow-the-sun team). The Gov
    route ships with Monday-Friday 06:00-18:00 America/Los_Angeles, closed on US federal holidays.
    """

    route = models.CharField(_("route"), max_length=20, choices=RouteCode.choices, unique=True)
    active = models.BooleanField(_("active"), default=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="America/Los_Angeles")
    opens_at = models.TimeField(_("opens at"))
    closes_at = models.TimeField(_("closes at"), help_text=_("Must be later than the opening time, same day."))
    weekdays = models.CharField(
        _("weekdays"),
        max_length=20,
        default="0,1,2,3,4",
        help_text=_("Open days as numbers separated by commas, 0 = Monday … 6 = Sunday."),
    )
    holiday_country = models.CharField(
        _("holiday calendar"),
        max_length=2,
        blank=True,
        default="US",
        help_text=_("Country code of the public holidays (holidays package) on which the route is closed."),
    )
    holiday_subdivision = models.CharField(_("holiday subdivision"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("route hours")
        verbose_name_plural = _("route hours")

    def __str__(self) -> str:
        return f"{self.get_route_display()}: {self.opens_at:%H:%M}-{self.closes_at:%H:%M} {self.time_zone}"

    def clean(self) -> None:
        errors = {}
        if not valid_time_zone(self.time_zone):
            errors["time_zone"] = _("Unknown time zone.")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The closing time must be later than the opening time.")
        try:
            parse_weekdays(self.weekdays)
        except ValueError:
            errors["weekdays"] = _("Use numbers from 0 (Monday) to 6 (Sunday) separated by commas.")
        if self.holiday_country and self.holiday_country.upper() not in holidays.list_supported_countries():
            errors["holiday_country"] = _("Unknown holiday calendar.")
        if errors:
            raise ValidationError(errors)


class AccountImport(models.Model):
    """An uploaded sync file (CSV or JSON); the admin action runs it and keeps the report here."""

    file = models.FileField(
        _("file"),
        upload_to="account-imports/",
        validators=[FileExtensionValidator(["csv", "json"])],
        help_text=_("A .csv or .json export of organizations, plans and memberships."),
    )
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    ran_at = models.DateTimeField(_("last run"), null=True, blank=True)
    report = models.TextField(_("report"), blank=True)
    error_count = models.PositiveIntegerField(_("errors"), default=0)

    class Meta:
        ordering = ("-created_at",)
        verbose_name = _("account import")
        verbose_name_plural = _("account imports")

    def __str__(self) -> str:
        return self.file.name


def support_profile_for(user: User) -> SupportProfile:
    """The user's support profile to read; one never saved is an unsaved profile with the defaults.

    Reads only (a read path must not write): ``accounts.services.support_profile_ensure`` stores
    the profile before a change.
    """
    try:
        return user.support_profile
    except SupportProfile.DoesNotExist:
        return SupportProfile(user=user)

"""Reads other apps need about a person: where to write to them, in which language and time zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet

from accounts.hours import valid_time_zone
from accounts.models import Membership, Organization, SupportProfile, User, support_profile_for

GOV_CLEARED_GROUP = "Gov cleared"

__all__ = [
    "GOV_CLEARED_GROUP",
    "gov_cleared",
    "is_gov_cleared",
    "memberships_for",
    "notification_email_for",
    "organizations_for",
    "preferences_for",
    "support_profile_for",
    "user_language",
    "user_time_zone",
]


def _profile(user: User) -> SupportProfile | None:
    try:
        return user.support_profile
    except SupportProfile.DoesNotExist:
        return None


def notification_email_for(user: User) -> str:
    """Where support writes to: the verified contact email, else the sign-in email."""
    profile = _profile(user)
    if profile and profile.contact_email and profile.contact_email_verified:
        return profile.contact_email
    return user.email


def wants_email_notifications(user: User) -> bool:
    profile = _profile(user)
    return profile.email_notifications if profile else True


def user_language(user: User) -> str:
    """The user's preferred language code, else the site default."""
    profile = _profile(user)
    codes = {code for code, _name in settings.LANGUAGES}
    if profile and profile.language in codes:
        return profile.language
    return settings.LANGUAGE_CODE


def user_time_zone(user: object | None) -> ZoneInfo:
    """The user's time zone (UTC for anonymous visitors and unknown values)."""
    profile = _profile(user) if user is not None and getattr(user, "is_authenticated", False) else None
    if profile and valid_time_zone(profile.time_zone):
        return ZoneInfo(profile.time_zone)
    return ZoneInfo("UTC")


def preferences_for(user: User) -> SupportProfile:
    return support_profile_for(user)


def memberships_for(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization__plan")


def organizations_for(user: User) -> QuerySet[Organization]:
    return Organization.objects.filter(memberships__user=user).select_related("plan").distinct()


def is_gov_cleared(user: User) -> bool:
    """Agents allowed to see Gov tickets: active staff in the "Gov cleared" group, and superusers
    (who can read every row through the admin anyway). ``gov_cleared`` is the same rule as a query."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff:
        return False
    return user.is_superuser or Group.objects.filter(name=GOV_CLEARED_GROUP, user=user).exists()


def gov_cleared(users: QuerySet[User]) -> QuerySet[User]:
    """The Gov-cleared users among ``users`` (the rule of ``is_gov_cleared``); may repeat rows: add
    ``distinct()``."""
    return users.filter(is_staff=True).filter(Q(is_superuser=True) | Q(groups__name=GOV_CLEARED_GROUP))

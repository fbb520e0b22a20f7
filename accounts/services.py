"""Every write to accounts: profile preferences, the contact email change, plan changes.

Services are keyword-only, typed and atomic; they raise the domain errors below, which the
views turn into messages.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from accounts.hours import valid_time_zone
from accounts.models import Organization, Plan, PlanChange, SupportProfile, User
from portal.links import absolute_url

__all__ = [
    "ContactEmailLinkError",
    "contact_email_change_request",
    "contact_email_token",
    "contact_email_verify",
    "organization_set_plan",
    "profile_set_language",
    "profile_update_preferences",
    "support_profile_ensure",
]

logger = logging.getLogger(__name__)

CONTACT_EMAIL_SALT = "accounts.contact-email"


def support_profile_ensure(user: User) -> SupportProfile:
    """The user's stored support profile, created with the defaults before its first change."""
    profile, _created = SupportProfile.objects.get_or_create(user=user)
    user.support_profile = profile
    return profile


def contact_email_link_max_age() -> int:
    """Seconds a verification link stays valid (``CONTACT_EMAIL_LINK_MAX_AGE``, default 2 days)."""
    return int(getattr(settings, "CONTACT_EMAIL_LINK_MAX_AGE", 2 * 24 * 3600))


class ContactEmailLinkError(Exception):
    """A verification link that cannot be used; ``message`` says why, for the reader."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


def _supported_language(code: str) -> bool:
    return code in {language for language, _name in settings.LANGUAGES}


@transaction.atomic
def profile_update_preferences(
    *, user: User, language: str, region: str, time_zone: str, email_notifications: bool
) -> SupportProfile:
    """Save the settings page's preferences; the caller has validated them (checked again here)."""
    if language and not _supported_language(language):
        raise ValueError(f"unsupported language {language!r}")
    if not valid_time_zone(time_zone):
        raise ValueError(f"unknown time zone {time_zone!r}")
    profile = support_profile_ensure(user)
    profile.language = language
    profile.region = region
    profile.time_zone = time_zone
    profile.email_notifications = email_notifications
    profile.full_clean(exclude=["user"])
    profile.save()
    return profile


@transaction.atomic
def profile_set_language(*, user: User, language: str) -> None:
    """Remember a language the signed-in user picked in the header's switcher."""
    if not _supported_language(language):
        raise ValueError(f"unsupported language {language!r}")
    profile = support_profile_ensure(user)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language", "updated_at"])


def contact_email_token(*, user: User, email: str) -> str:
    """A signed, timestamped token naming the user and the address to verify."""
    return signing.dumps({"u": user.pk, "e": email}, salt=CONTACT_EMAIL_SALT)


@transaction.atomic
def contact_email_change_request(*, user: User, new_email: str) -> bool:
    """Ask for ``new_email`` to become the support contact email; returns True if a link was sent.

    Nothing changes until the emailed link is followed: the address waits in
    ``pending_contact_email``. An empty address drops the contact email at once (support then
    writes to the sign-in email, which is verified already). The sign-in email is never touched.
    """
    profile = support_profile_ensure(user)
    new_email = User.objects.normalize_email(new_email.strip()).lower()
    if not new_email:
        profile.contact_email = ""
        profile.contact_email_verified = False
        profile.pending_contact_email = ""
        profile.save(update_fields=["contact_email", "contact_email_verified", "pending_contact_email", "updated_at"])
        return False
    if new_email == profile.contact_email and profile.contact_email_verified:
        if profile.pending_contact_email:
            profile.pending_contact_email = ""
            profile.save(update_fields=["pending_contact_email", "updated_at"])
        return False
    profile.pending_contact_email = new_email
    profile.save(update_fields=["pending_contact_email", "updated_at"])

    token = contact_email_token(user=user, email=new_email)
    link = absolute_url(reverse("accounts-contact-email-verify", args=[token]))
    language = profile.language or translation.get_language() or settings.LANGUAGE_CODE
    with translation.override(language):
        subject = str(_("Confirm your support contact email"))
        body = render_to_string(
            "accounts/email/contact_email_verify.txt",
            {"user": user, "email": new_email, "link": link, "hours": contact_email_link_max_age() // 3600},
        )
    # Promised in this transaction, sent after the commit (no email for a change rolled back) by
    # the product's one outbox, which lives in an app accounts may not import: the setting names it.
    outbox_promise = import_string(settings.ACCOUNTS_MAIL_OUTBOX)
    outbox_promise(
        key=f"contact-email:{user.pk}:{hashlib.sha256(token.encode()).hexdigest()[:32]}",
        kind="contact_email",
        recipient=new_email,
        subject=subject,
        body=body,
        recipient_user=user,
    )
    logger.info("contact email change requested for user %s", user.pk)
    return True


@transaction.atomic
def contact_email_verify(*, user: User, token: str) -> SupportProfile:
    """Apply a verified contact email change; raises ContactEmailLinkError for an unusable link."""
    try:
        data = signing.loads(token, salt=CONTACT_EMAIL_SALT, max_age=contact_email_link_max_age())
    except signing.SignatureExpired:
        raise ContactEmailLinkError(
            "expired", str(_("This confirmation link has expired. Enter the address again to get a new link."))
        ) from None
    except signing.BadSignature:
        raise ContactEmailLinkError("invalid", str(_("This confirmation link is not valid."))) from None
    if not isinstance(data, dict) or data.get("u") != user.pk:
        raise ContactEmailLinkError("other_user", str(_("This confirmation link belongs to another account.")))
    profile = SupportProfile.objects.select_for_update().get(pk=support_profile_ensure(user).pk)
    email = data.get("e", "")
    if profile.contact_email == email and profile.contact_email_verified:
        return profile  # followed twice: already done
    if profile.pending_contact_email != email:
        raise ContactEmailLinkError(
            "superseded", str(_("This confirmation link was replaced by a newer request. Use the latest email."))
        )
    profile.contact_email = email
    profile.contact_email_verified = True
    profile.pending_contact_email = ""
    profile.save(update_fields=["contact_email", "contact_email_verified", "pending_contact_email", "updated_at"])
    logger.info("contact email verified for user %s", user.pk)
    return profile


@transaction.atomic
def organization_set_plan(*, organization: Organization, plan: Plan, source: str = "admin") -> bool:
    """Move an organization to ``plan``, recording the change; tickets keep pointing at the organization."""
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    if locked.plan_id == plan.pk:
        return False
    PlanChange.objects.create(organization=locked, old_plan_id=locked.plan_id, new_plan=plan, source=source)
    locked.plan = plan
    locked.save(update_fields=["plan", "updated_at"])
    organization.plan = plan
    return True

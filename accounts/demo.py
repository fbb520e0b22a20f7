"""Demo accounts for ``seed_demo``: one organization per plan plus a Gov one, a user per role, staff.

Idempotent: everything is matched by email or external id; users get ``settings.DEMO_PASSWORD``
when they are created.
"""

from __future__ import annotations

from typing import TextIO

from django.conf import settings
from django.contrib.auth.models import Group

from accounts.models import Membership, Organization, Plan, Role, User
from accounts.selectors import GOV_CLEARED_GROUP
from accounts.services import support_profile_ensure

ADMIN_EMAIL = "admin@answerfirst.localhost"
DOMAIN = "answerfirst.localhost"

# external id, name, plan, is_government, members see each other's tickets
ORGANIZATIONS = [
    ("demo-free", "Free Studio", "free", False, False),
    ("demo-trial", "Trial Works", "trial", False, False),
    ("demo-pro", "Pro Partners", "pro", False, True),
    ("demo-business", "Business Logistics", "business", False, True),
    ("demo-enterprise", "Enterprise Group", "enterprise", False, True),
    ("demo-gov", "City of Example (Gov)", "enterprise", True, False),
]

# email local part, first name, organization external id, role, language, time zone
CUSTOMERS = [
    ("free.owner", "Fiona", "demo-free", Role.OWNER, "en", "Europe/London"),
    ("free.editor", "Felix", "demo-free", Role.EDITOR, "fr", "Europe/Paris"),
    ("free.viewer", "Flora", "demo-free", Role.VIEWER, "en", "America/New_York"),
    ("trial.licensed", "Theo", "demo-trial", Role.LICENSED, "en", "America/Chicago"),
    ("pro.owner", "Paula", "demo-pro", Role.OWNER, "en", "America/New_York"),
    ("pro.admin", "Pierre", "demo-pro", Role.ADMIN, "fr", "Europe/Paris"),
    ("pro.licensed", "Priya", "demo-pro", Role.LICENSED, "en", "Asia/Kolkata"),
    ("pro.unlicensed", "Pablo", "demo-pro", Role.UNLICENSED, "es", "Europe/Madrid"),
    ("pro.editor", "Petra", "demo-pro", Role.EDITOR, "de", "Europe/Berlin"),
    ("pro.viewer", "Paolo", "demo-pro", Role.VIEWER, "it", "Europe/Rome"),
    ("business.licensed", "Bruno", "demo-business", Role.LICENSED, "pt", "Europe/Lisbon"),
    ("enterprise.admin", "Emi", "demo-enterprise", Role.ADMIN, "ja", "Asia/Tokyo"),
    ("enterprise.licensed", "Elise", "demo-enterprise", Role.LICENSED, "fr", "Europe/Paris"),
    ("gov.owner", "Grace", "demo-gov", Role.OWNER, "en", "America/Los_Angeles"),
    ("gov.licensed", "Gabriel", "demo-gov", Role.LICENSED, "fr", "Europe/Paris"),
]

# email local part, first name, last name, groups, description
STAFF = [
    ("agent", "Alex", "Agent", ["Agents"], "support agent"),
    ("gov.agent", "Gail", "Cleared", ["Agents", GOV_CLEARED_GROUP], "support agent, Gov cleared"),
    ("editor", "Eddie", "Editor", ["Editors"], "content editor (Wagtail)"),
    ("reviewer", "Rita", "Reviewer", ["Reviewers"], "content reviewer (Wagtail)"),
]


def _user(email: str, password: str, **fields: object) -> User:
    user, created = User.objects.get_or_create(email=email, defaults=fields)
    for key, value in fields.items():
        setattr(user, key, value)
    if created:  # hashing is slow; an existing demo user keeps the password it was given
        user.set_password(password)
    user.save()
    return user


def seed(stdout: TextIO) -> list[str]:
    """Create or refresh the demo accounts; returns the credential lines ``make run`` prints."""
    password = settings.DEMO_PASSWORD
    if not User.objects.filter(email=ADMIN_EMAIL).exists():
        User.objects.create_superuser(ADMIN_EMAIL, password, first_name="Ada", last_name="Admin")
    else:
        _user(ADMIN_EMAIL, password, is_staff=True, is_superuser=True)
    lines = [f"Administrator: {ADMIN_EMAIL} / {password}  (Wagtail admin, Django admin, agent desk)"]

    plans = {plan.code: plan for plan in Plan.objects.all()}
    organizations = {}
    for external_id, name, plan, is_government, see_each_other in ORGANIZATIONS:
        organizations[external_id], _created = Organization.objects.update_or_create(
            external_id=external_id,
            defaults={
                "name": name,
                "plan": plans[plan],
                "is_government": is_government,
                "members_see_each_others_tickets": see_each_other,
            },
        )

    lines.append(f"Customers (password {password}):")
    for local, first_name, org_id, role, language, zone in CUSTOMERS:
        email = f"{local}@{DOMAIN}"
        user = _user(email, password, first_name=first_name, last_name="Demo", is_staff=False)
        Membership.objects.update_or_create(user=user, organization=organizations[org_id], defaults={"role": role})
        profile = support_profile_ensure(user)
        profile.language, profile.time_zone = language, zone
        profile.save(update_fields=["language", "time_zone", "updated_at"])
        organization = organizations[org_id]
        gov = ", Gov" if organization.is_government else ""
        lines.append(f"  {email} / {password}  ({role.label} - {organization.name}, {organization.plan.name}{gov})")

    lines.append(f"Staff (password {password}):")
    for local, first_name, last_name, groups, description in STAFF:
        email = f"{local}@{DOMAIN}"
        user = _user(email, password, first_name=first_name, last_name=last_name, is_staff=True)
        # The groups' permissions are granted by the apps that own them (cms: Editors/Reviewers).
        user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in groups))
        lines.append(f"  {email} / {password}  ({description})")
    return lines

"""Fixtures for the tickets suite: plans, queues, and the people of the permission matrix."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from accounts.models import Membership, Organization, Plan, User
from tickets.conf import GOV_CLEARED_GROUP
from tickets.models import Queue, Route

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

_PLANS = {
    # code: (can_file_tickets, can_set_priority) as the accounts data migration defines them
    "free": (False, False),
    "pro": (True, False),
    "business": (True, True),
}


def png(name: str = "screen.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name: str = "invoice.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def plan(code: str) -> Plan:
    """The plan row (transactional tests flush the data migration's rows, so recreate on demand)."""
    can_file, can_prioritize = _PLANS[code]
    found, _created = Plan.objects.get_or_create(
        code=code,
        defaults={
            "name": code.title(),
            "is_paid": can_file,
            "can_file_tickets": can_file,
            "can_set_priority": can_prioritize,
        },
    )
    return found


def make_user(email: str, *, staff: bool = False, superuser: bool = False) -> User:
    user = User.objects.create_user(email, "pw", is_staff=staff or superuser, is_superuser=superuser)
    return user


def join(user: User, organization: Organization, role: str = "licensed") -> User:
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@dataclass
class World:
    """Everyone the permission matrix needs, in organizations and queues."""

    standard: Queue
    billing: Queue
    gov: Queue
    acme: Organization  # pro plan, members see each other's tickets
    solo: Organization  # business plan, private tickets
    agency: Organization  # Gov, pro plan
    freebie: Organization  # free plan
    alice: User  # acme member, files tickets
    bob: User  # acme member, sees alice's tickets (shared org)
    carol: User  # solo member: sees only her own
    dave: User  # free plan: may not file
    gina: User  # Gov customer
    agent: User  # staff in standard + billing queues
    other_agent: User  # staff in no queue
    gov_agent: User  # staff in gov queue, cleared
    uncleared_agent: User  # staff in gov queue, NOT cleared
    admin: User  # superuser: Gov-cleared by rule (accounts.selectors.is_gov_cleared), in no group or queue
    outsider: User  # signed in, no organization


@pytest.fixture
def world(db: None) -> World:
    Queue.objects.all().delete()  # the default queues of the migrations, replaced by these test queues
    standard = Queue.objects.create(code="standard", name="Standard", route=Route.STANDARD)
    billing = Queue.objects.create(code="billing", name="Billing", route=Route.BILLING)
    gov = Queue.objects.create(
        code="gov",
        name="Gov",
        route=Route.GOV,
        time_zone="America/Los_Angeles",
        holiday_country="US",
        business_hours={str(day): ["06:00", "18:00"] for day in range(5)},
    )
    acme = Organization.objects.create(name="Acme", plan=plan("pro"), members_see_each_others_tickets=True)
    solo = Organization.objects.create(name="Solo", plan=plan("business"))
    agency = Organization.objects.create(name="Agency", plan=plan("pro"), is_government=True)
    freebie = Organization.objects.create(name="Freebie", plan=plan("free"))
    cleared, _created = Group.objects.get_or_create(name=GOV_CLEARED_GROUP)
    w = World(
        standard=standard,
        billing=billing,
        gov=gov,
        acme=acme,
        solo=solo,
        agency=agency,
        freebie=freebie,
        alice=join(make_user("alice@acme.test"), acme),
        bob=join(make_user("bob@acme.test"), acme),
        carol=join(make_user("carol@solo.test"), solo, "owner"),
        dave=join(make_user("dave@free.test"), freebie),
        gina=join(make_user("gina@agency.test"), agency),
        agent=make_user("agent@support.test", staff=True),
        other_agent=make_user("other@support.test", staff=True),
        gov_agent=make_user("gov@support.test", staff=True),
        uncleared_agent=make_user("uncleared@support.test", staff=True),
        admin=make_user("admin@support.test", superuser=True),
        outsider=make_user("outsider@nowhere.test"),
    )
    standard.agents.add(w.agent)
    billing.agents.add(w.agent)
    gov.agents.add(w.gov_agent, w.uncleared_agent)
    w.gov_agent.groups.add(cleared)
    return w


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    from django.core.cache import cache

    cache.clear()  # user ids repeat between tests; counters must not


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Start every test in the default language (a French request earlier must not leak in)."""
    with translation.override("en"):
        yield

"""Every URL pattern of the product, made concrete with the objects of a small world of people.

The security tests walk the real URLConf (not a hand-kept list), so a new URL that no test
knows about fails them until it is given an expectation.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from tests.e2e.helpers import subscription_article
from tests.tickets.conftest import World, join, make_user, png
from tickets.models import Attachment, Ticket
from tickets.services import ticket_create, ticket_triage

OUR_MODULES = ("portal", "accounts", "cms", "search", "deflection", "tickets", "django.views.i18n")
# Third-party areas with their own permission systems: only their entrances are checked.
ENTRANCES = ("admin/", "django-admin/", "admin/login/", "django-admin/login/", "documents/")
ROLES = ("anonymous", "customer_a", "customer_b", "agent", "gov_agent", "editor")


def _walk(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def product_routes() -> list[str]:
    """The routes of our apps (module of the view in ours), deduplicated, in URLConf order."""
    routes: list[str] = []
    for route, pattern in _walk(get_resolver()):
        module = getattr(pattern.callback, "__module__", "") or ""
        if route.startswith(("admin/", "django-admin/", "_util/")):
            continue
        ours = module.startswith(OUR_MODULES) or module.startswith("django.contrib.auth")
        if ours and route not in routes:
            routes.append(route)
    return routes


@dataclass
class Objects:
    world: World
    editor: User
    ticket: Ticket  # customer A's, standard route, with an attachment
    attachment: Attachment
    gov_ticket: Ticket
    billing_ticket: Ticket  # filed by the owner of customer A's organization, with an attachment
    session_id: uuid.UUID
    article_id: int

    def user(self, role: str) -> User | None:
        return {
            "anonymous": None,
            "customer_a": self.world.alice,
            "customer_b": self.world.carol,
            "agent": self.world.agent,
            "gov_agent": self.world.gov_agent,
            "editor": self.editor,
        }[role]


def make_objects(world: World) -> Objects:
    from cms.demo import EDITORS
    from deflection.models import DeflectionSession

    editor = User.objects.create_user("editor@content.test", "pw")
    editor.groups.add(Group.objects.get_or_create(name=EDITORS)[0])
    from django.contrib.auth.models import Permission

    editor.groups.get().permissions.add(Permission.objects.get(codename="access_admin"))
    ticket = ticket_create(
        requester=world.alice, subject="Cannot export", description="The export fails.", files=[png()]
    )
    gov_ticket = ticket_create(requester=world.gina, subject="Gov access", description="Badge not accepted.")
    owner = join(make_user("owner@acme.test"), world.acme, "owner")
    billing_ticket = ticket_create(
        requester=owner, subject="Invoice 2026-11", description="Wrong VAT number.", route="billing", files=[png()]
    )
    for filed in (ticket, gov_ticket, billing_ticket):
        ticket_triage(ticket_id=filed.pk)  # in its queue, as the worker leaves it
    session = DeflectionSession.objects.create(user=world.alice, language="en", subject="export")
    article = subscription_article()
    return Objects(
        world=world,
        editor=editor,
        ticket=ticket,
        attachment=ticket.attachments.get(),
        gov_ticket=gov_ticket,
        billing_ticket=billing_ticket,
        session_id=session.pk,
        article_id=article.pk,
    )


_CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def concrete(route: str, objects: Objects, *, variant: str = "") -> str:
    """``route`` with its parameters filled from ``objects`` (regex anchors of re_path routes dropped).

    ``variant`` picks the ticket: customer A's (""), the Gov ticket ("gov") or the billing request ("billing").
    """
    ticket = {"": objects.ticket, "gov": objects.gov_ticket, "billing": objects.billing_ticket}[variant]
    attachment = ticket.attachments.first() or objects.attachment
    values = {
        "number": ticket.number,
        "attachment_id": attachment.pk,
        "session_id": objects.session_id,
        "article_id": objects.article_id,
        "pk": objects.article_id,
        "token": "not-a-valid-token",
        "uidb64": "MQ",
    }

    def fill(match: re.Match) -> str:
        name = match["name"]
        if name not in values:
            pytest.fail(f"no value for URL parameter {name!r} in {route!r}: add one to tests/security/urls.py")
        return str(values[name])

    return "/" + _CONVERTER.sub(fill, route).replace("^", "").replace("$", "")

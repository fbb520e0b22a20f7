"""Reads of the agent workspace, all built on ``tickets.selectors.tickets_visible_to``.

Scoping (queues worked, Gov clearance) is the core's; this module only narrows, annotates and
counts. Every list is a fixed number of queries whatever the number of tickets: related rows
come through ``select_related`` and counts through one aggregate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from accounts.entitlements import Entitlement, entitlement_for
from accounts.selectors import gov_cleared, is_gov_cleared, support_profile_for
from deflection.selectors import session_articles
from portal.links import absolute_url
from tickets.agents.models import Macro
from tickets.agents.placeholders import fill
from tickets.models import Comment, Priority, Queue, Route, Status, Ticket
from tickets.selectors import ticket_for, tickets_visible_to

ACTIVE = (Status.NEW, Status.OPEN, Status.PENDING)
CLOCK_RUNNING = (Status.NEW, Status.OPEN)
PAGE_SIZE = 50

VIEWS = ("mine", "unassigned", "breaching", "waiting", "active", "all")
SORTS = ("updated", "oldest", "created", "priority", "due")

PRIORITY_RANK = Case(
    When(priority=Priority.URGENT, then=Value(3)),
    When(priority=Priority.HIGH, then=Value(2)),
    When(priority=Priority.NORMAL, then=Value(1)),
    default=Value(0),
    output_field=IntegerField(),
)


def as_id(value: object) -> int | None:
    """A positive id or ticket number typed by a person: ASCII digits that fit a 64-bit column."""
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18 or int(text) <= 0:
        return None
    return int(text)


def soon_hours() -> float:
    """Hours ahead a due time counts as "breaching soon" (wall-clock, so a Friday-evening due shows early)."""
    return float(getattr(settings, "TICKETS_AGENTS_SLA_SOON_HOURS", 2))


def require_agent(user: AbstractBaseUser | None) -> None:
    """The workspace is for staff; customers are refused before any ticket is read."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        raise PermissionDenied("Agents only.")


def agent_tickets(user: AbstractBaseUser) -> QuerySet[Ticket]:
    """Tickets in the agent's queues or assigned to them; Gov only for the cleared (the core decides)."""
    require_agent(user)
    # An agent's own requests belong to the portal, where they act as a customer.
    return tickets_visible_to(user).exclude(requester=user)


def _breaching_q(now: dt.datetime) -> Q:
    cutoff = now + dt.timedelta(hours=soon_hours())
    return Q(status__in=ACTIVE) & (
        Q(sla_mark__breached=True)
        | Q(first_response_at__isnull=True, first_response_due_at__lte=cutoff, status__in=CLOCK_RUNNING)
        | Q(sla_mark__next_response_due_at__lte=cutoff, status__in=CLOCK_RUNNING)
        | Q(resolution_due_at__lte=cutoff)
    )


def view_q(view: str, user: AbstractBaseUser, now: dt.datetime) -> Q:
    """The condition of one named view."""
    if view == "mine":
        return Q(assignee=user, status__in=ACTIVE)
    if view == "unassigned":
        return Q(assignee__isnull=True, status__in=ACTIVE)
    if view == "breaching":
        return _breaching_q(now)
    if view == "waiting":
        return Q(status=Status.PENDING)
    if view == "active":
        return Q(status__in=ACTIVE)
    return Q()


def queues_for(user: AbstractBaseUser) -> list[Queue]:
    """Queues the agent may open: theirs (superusers: all), Gov ones only when cleared."""
    require_agent(user)
    queues = Queue.objects.all() if user.is_superuser else Queue.objects.filter(agents=user)
    if not is_gov_cleared(user):
        queues = queues.exclude(route=Route.GOV)
    return list(queues.distinct().order_by("name"))


@dataclass(frozen=True)
class QueueFilters:
    view: str = "active"
    queue: str = ""  # queue code
    status: str = ""
    priority: str = ""
    assignee: str = ""  # "me", "none" or a user id
    q: str = ""
    sort: str = "updated"


def _search_q(text: str) -> Q:
    """Subject, description, requester email and every comment (agents see notes too)."""
    condition = (
        Q(subject__icontains=text)
        | Q(description__icontains=text)
        | Q(requester__email__icontains=text)
        | Q(pk__in=Comment.objects.filter(body__icontains=text).values("ticket_id"))
    )
    number = as_id(text.lstrip("#"))
    if number is not None:
        condition |= Q(number=number)
    return condition


def queue_list(user: AbstractBaseUser, filters: QueueFilters, *, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """One view of the queue, filtered and sorted; rows carry ``priority_rank`` and ``next_due``.

    Nothing is joined in for display here: ``queue_page`` sorts and slices this light query,
    then loads the related rows of the one page it shows (a "deferred join"), which keeps deep
    pages of a 10,000-ticket queue fast on SQLite.
    """
    now = now or timezone.now()
    tickets = agent_tickets(user).filter(view_q(filters.view, user, now))
    if filters.queue:
        tickets = tickets.filter(queue__code=filters.queue)
    if filters.status in Status.values:
        tickets = tickets.filter(status=filters.status)
    if filters.priority in Priority.values:
        tickets = tickets.filter(priority=filters.priority)
    if filters.assignee == "me":
        tickets = tickets.filter(assignee=user)
    elif filters.assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif as_id(filters.assignee) is not None:
        tickets = tickets.filter(assignee_id=as_id(filters.assignee))
    text = filters.q.strip()
    if text:
        tickets = tickets.filter(_search_q(text))
    order = {
        "updated": [F("updated_at").desc(), F("pk").desc()],
        "oldest": [F("updated_at").asc(), F("pk").asc()],
        "created": [F("created_at").desc(), F("pk").desc()],
        "priority": [F("priority_rank").desc(), F("updated_at").desc(), F("pk").desc()],
        "due": [F("next_due").asc(nulls_last=True), F("pk").asc()],
    }
    return _annotated(tickets).order_by(*order.get(filters.sort, order["updated"]))


def _annotated(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return tickets.annotate(
        priority_rank=PRIORITY_RANK,
        # The clock that matters now: first response until it happens, then the next response, then resolution.
        next_due=Case(
            When(first_response_at__isnull=True, status__in=CLOCK_RUNNING, then=F("first_response_due_at")),
            default=Coalesce(F("sla_mark__next_response_due_at"), F("resolution_due_at")),
        ),
    )


def queue_page(
    user: AbstractBaseUser, filters: QueueFilters, *, page: object = 1, now: dt.datetime | None = None
) -> Page:
    """One page of a view: count, ids of the page, then those rows with what they show (three queries)."""
    ids = queue_list(user, filters, now=now).values_list("pk", flat=True)
    current = Paginator(ids, PAGE_SIZE).get_page(page)
    wanted = list(current.object_list)
    rows = {
        ticket.pk: ticket
        for ticket in _annotated(
            Ticket.objects.filter(pk__in=wanted).select_related(
                "requester", "organization", "queue", "assignee", "sla_mark"
            )
        )
    }
    current.object_list = [rows[pk] for pk in wanted if pk in rows]
    return current


@dataclass(frozen=True)
class Counts:
    views: dict[str, int]
    queues: dict[int, int]  # active tickets per queue id


def workspace_counts(user: AbstractBaseUser, queues: list[Queue], *, now: dt.datetime | None = None) -> Counts:
    """Tickets in each named view and active tickets in each queue, in one aggregate query."""
    now = now or timezone.now()
    named = [view for view in VIEWS if view != "all"]
    expressions = {view: Count("pk", filter=view_q(view, user, now)) for view in named}
    expressions |= {f"queue_{q.pk}": Count("pk", filter=Q(queue_id=q.pk, status__in=ACTIVE)) for q in queues}
    counts = agent_tickets(user).aggregate(**expressions)
    return Counts(
        views={view: int(counts.get(view) or 0) for view in named},
        queues={q.pk: int(counts.get(f"queue_{q.pk}") or 0) for q in queues},
    )


def view_counts(user: AbstractBaseUser, *, now: dt.datetime | None = None) -> dict[str, int]:
    """Tickets in each named view."""
    return workspace_counts(user, [], now=now).views


def assignable_agents(user: AbstractBaseUser, *, gov: bool = False) -> list[AbstractBaseUser]:
    """Staff who may take tickets (for Gov tickets: cleared staff only)."""
    require_agent(user)
    agents = get_user_model().objects.filter(is_staff=True, is_active=True)
    if gov:
        agents = gov_cleared(agents)
    return list(agents.distinct().order_by("first_name", "last_name", "email"))


def tickets_for_bulk(user: AbstractBaseUser, numbers: list[int]) -> list[Ticket]:
    """The tickets named by number, all visible to the agent, or 404 (a foreign number is not revealed)."""
    wanted = sorted(set(numbers))
    if not wanted:
        return []
    found = list(agent_tickets(user).filter(number__in=wanted).select_related("queue").order_by("number"))
    if len(found) != len(wanted):
        raise Http404("Some of these tickets do not exist or are not yours to change.")
    return found


# --- One ticket ---------------------------------------------------------------------------------


def agent_ticket_for(user: AbstractBaseUser, number: object) -> Ticket:
    """The ticket for the agent view: staff only, then the core's 404-safe lookup."""
    require_agent(user)
    ticket = ticket_for(user, number)
    if ticket.requester_id == user.pk:
        # Staff reading their own request do it in the portal, as a customer.
        raise Http404("No such request.")
    return ticket


def follow_ups_for(user: AbstractBaseUser, ticket: Ticket) -> list[Ticket]:
    return list(agent_tickets(user).filter(follow_up_of=ticket).order_by("created_at"))


def parent_for(user: AbstractBaseUser, ticket: Ticket) -> Ticket | None:
    if ticket.follow_up_of_id is None:
        return None
    return agent_tickets(user).filter(pk=ticket.follow_up_of_id).first()


@dataclass(frozen=True)
class RequesterPanel:
    name: str
    email: str
    organization: object | None
    plan: object | None
    entitlement: Entitlement
    language: str
    time_zone: str
    local_time: dt.datetime


def requester_panel(ticket: Ticket, *, now: dt.datetime | None = None) -> RequesterPanel:
    requester = ticket.requester
    profile = support_profile_for(requester)
    try:
        tz = ZoneInfo(profile.time_zone or "UTC")
    except (ValueError, KeyError):
        tz = ZoneInfo("UTC")
    entitlement = entitlement_for(requester)
    organization = ticket.organization or entitlement.organization
    return RequesterPanel(
        name=requester.get_full_name() or requester.email,
        email=requester.email,
        organization=organization,
        plan=organization.plan if organization is not None else None,
        entitlement=entitlement,
        language=profile.language or ticket.language,
        time_zone=str(tz),
        local_time=(now or timezone.now()).astimezone(tz),
    )


@dataclass(frozen=True)
class SuggestedArticle:
    article_id: str
    title: str
    url: str
    rank: int | None
    opened: bool


@dataclass(frozen=True)
class DeflectionContext:
    subject: str
    description: str
    language: str
    outcome: str
    suggestions: list[SuggestedArticle]
    opened_elsewhere: list[str] = field(default_factory=list)  # article ids opened but not in the last list
    draft_purged: bool = False


def deflection_context(ticket: Ticket) -> DeflectionContext | None:
    """What the customer typed before filing, which articles they were shown and which they opened."""
    session = ticket.deflection_session
    if session is None:
        return None
    articles = session_articles(session)
    opened = articles.opened
    shown = []
    for item in articles.shown:
        article_id = str(item.get("article_id") or "")
        shown.append(
            SuggestedArticle(
                article_id=article_id,
                title=str(item.get("title") or ""),
                url=str(item.get("url") or ""),
                rank=item.get("rank"),
                opened=article_id in opened,
            )
        )
    listed = {item.article_id for item in shown}
    return DeflectionContext(
        subject=session.subject,
        description=session.description,
        language=session.language,
        outcome=session.outcome,
        suggestions=shown,
        opened_elsewhere=[article_id for article_id in opened if article_id not in listed],
        draft_purged=session.draft_purged_at is not None,
    )


# --- Macros -------------------------------------------------------------------------------------


def placeholder_values(ticket: Ticket, agent: AbstractBaseUser) -> dict[str, str]:
    requester = ticket.requester
    first = requester.first_name or requester.email.split("@", 1)[0]
    return {
        "requester.first_name": first,
        "requester.last_name": requester.last_name,
        "requester.name": requester.get_full_name() or first,
        "organization.name": ticket.organization.name if ticket.organization_id else "",
        "ticket.number": str(ticket.number),
        "ticket.subject": ticket.subject,
        "ticket.url": absolute_url(ticket.get_absolute_url()),
        **dict(zip(("agent.first_name", "agent.name"), signature_names(agent), strict=True)),
    }


def signature_names(agent: AbstractBaseUser) -> tuple[str, str]:
    """The agent's first and full name as macros sign with them; the reply box finds the signature by them."""
    local = agent.email.split("@", 1)[0]
    return agent.first_name or local, agent.get_full_name() or local


@dataclass(frozen=True)
class RenderedMacro:
    id: int
    name: str
    language: str
    text: str
    is_internal_note: bool


def macros_for(ticket: Ticket, agent: AbstractBaseUser, *, language: str) -> list[RenderedMacro]:
    """Active macros in the customer's language (else the default language), filled for this ticket."""
    rows = list(Macro.objects.filter(active=True, language__in={language, settings.LANGUAGE_CODE}))
    by_name: dict[str, Macro] = {}
    for macro in rows:
        # A macro written in the customer's language wins over the default-language one of the same name.
        if macro.name not in by_name or macro.language == language:
            by_name[macro.name] = macro
    values = placeholder_values(ticket, agent)
    return [
        RenderedMacro(
            id=macro.pk,
            name=macro.name,
            language=macro.language,
            text=fill(macro.body, values),
            is_internal_note=macro.is_internal_note,
        )
        for macro in sorted(by_name.values(), key=lambda m: m.name.lower())
    ]

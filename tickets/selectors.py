"""Every read of tickets, scoped by who is asking: a view or API that skips these cannot exist.

- a customer sees the tickets they filed, plus those of organizations that let members see each
  other's tickets; billing requests only reach their requester and the organization's owners and
  admins (who hold the subscription), whatever the sharing setting;
- an agent (staff) sees the tickets of the queues they work (superusers: every queue);
- Gov tickets reach agents in the "Gov cleared" group only (``accounts.selectors.is_gov_cleared``,
  which counts superusers as cleared), on every path.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from accounts.models import BILLING_ROLES
from accounts.selectors import is_gov_cleared
from tickets.models import Attachment, Comment, Route, Status, Ticket, TicketEvent


def _customer_scope(user: AbstractBaseUser) -> Q:
    shared_orgs = user.memberships.filter(organization__members_see_each_others_tickets=True).values("organization_id")
    billing_orgs = user.memberships.filter(role__in=BILLING_ROLES).values("organization_id")
    return (
        Q(requester=user)
        | (Q(organization_id__in=shared_orgs) & ~Q(route=Route.BILLING))
        | Q(route=Route.BILLING, organization_id__in=billing_orgs)
    )


def _agent_scope(user: AbstractBaseUser) -> Q:
    scope = Q(pk__isnull=False) if user.is_superuser else (Q(queue__agents=user) | Q(assignee=user))
    if not is_gov_cleared(user):
        scope &= ~Q(route=Route.GOV)
    return scope


def tickets_visible_to(user: AbstractBaseUser | None) -> QuerySet[Ticket]:
    """Every ticket ``user`` may read, customers' and agents' rules combined."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Ticket.objects.none()
    scope = _customer_scope(user)
    if user.is_staff:
        scope |= _agent_scope(user)
    # A queue with several agents joins several rows: keep the ids unique without DISTINCT on the list.
    return Ticket.objects.filter(pk__in=Ticket.objects.filter(scope).values("pk"))


_OPEN_FIRST = Case(
    When(status__in=[Status.NEW, Status.OPEN, Status.PENDING], then=Value(0)),
    When(status=Status.SOLVED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def customer_ticket_list(
    user: AbstractBaseUser, *, query: str = "", status: str = "", mine_only: bool = False
) -> QuerySet[Ticket]:
    """The portal's "My requests": open first, then most recently updated; optional search and filter."""
    tickets = tickets_visible_to(user)
    if user.is_staff:
        tickets = tickets.filter(_customer_scope(user))  # the portal list is the customer's view
    if mine_only:
        tickets = tickets.filter(requester=user)
    if status == "active":
        tickets = tickets.filter(status__in=[Status.NEW, Status.OPEN, Status.PENDING])
    elif status in Status.values:
        tickets = tickets.filter(status=status)
    query = query.strip()
    if query:
        text = Q(subject__icontains=query) | Q(description__icontains=query)
        if query.lstrip("#").isdigit():
            text |= Q(number=int(query.lstrip("#")))
        tickets = tickets.filter(text)
    return tickets.select_related("requester").annotate(open_rank=_OPEN_FIRST).order_by("open_rank", "-updated_at")


def ticket_for(user: AbstractBaseUser | None, number: object) -> Ticket:
    """The ticket numbered ``number`` if ``user`` may read it; 404 otherwise (foreign and unknown look alike)."""
    try:
        value = int(str(number))
    except (TypeError, ValueError):
        raise Http404("No such request.") from None
    if value <= 0:
        raise Http404("No such request.")
    ticket = (
        tickets_visible_to(user)
        .select_related("requester", "organization", "queue", "assignee", "follow_up_of", "deflection_session")
        .filter(number=value)
        .first()
    )
    if ticket is None:
        raise Http404("No such request.")
    return ticket


def sees_internal_notes(user: AbstractBaseUser, ticket: Ticket) -> bool:
    """Agents working the ticket see internal notes; customers (and staff on their own ticket) do not."""
    return bool(user.is_staff and user.pk != ticket.requester_id)


def thread_for(user: AbstractBaseUser, ticket: Ticket) -> list[Comment]:
    """The comments ``user`` may read on ``ticket`` (already scoped by ``ticket_for``), oldest first."""
    comments = ticket.comments.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("pk"))
    )
    if not sees_internal_notes(user, ticket):
        comments = comments.filter(is_public=True)
    return list(comments)


def initial_attachments(ticket: Ticket) -> list[Attachment]:
    """Files sent with the request itself (not with a later comment)."""
    return list(ticket.attachments.filter(comment__isnull=True).order_by("pk"))


def attachment_for(user: AbstractBaseUser | None, number: object, attachment_id: object) -> Attachment:
    """An attachment the user may download: its ticket is visible and its comment is one they can read."""
    ticket = ticket_for(user, number)
    try:
        pk = int(str(attachment_id))
    except (TypeError, ValueError):
        raise Http404("No such file.") from None
    attachments = Attachment.objects.filter(ticket=ticket, pk=pk)
    if not sees_internal_notes(user, ticket):
        attachments = attachments.filter(Q(comment__isnull=True) | Q(comment__is_public=True))
    attachment = attachments.first()
    if attachment is None:
        raise Http404("No such file.")
    return attachment


def events_for(user: AbstractBaseUser, ticket: Ticket) -> list[TicketEvent]:
    """The audit trail, for agents only (customers get an empty list)."""
    if not sees_internal_notes(user, ticket):
        return []
    return list(ticket.events.select_related("actor"))

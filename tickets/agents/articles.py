"""Turn a solved question into a draft help article, with the customer's personal data removed.

The draft is a Wagtail revision that is not published: an editor reviews, completes and
publishes it. Scrubbing is conservative: it removes what identifies the customer (email
addresses, phone numbers, names of the requester, the agent and the organization, links that
carry tokens), at the price of sometimes removing a harmless number or link.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils.html import escape
from django.utils.translation import gettext as _

from cms.models import ArticlePage, CategoryPage
from cms.services import article_draft_create
from tickets.models import Comment, Ticket

EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
# A token-like path segment: long and mixing letters and digits (reset links, signed ids).
TOKENISH = re.compile(r"(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{16,}")
# Nine digits or more, separated by spaces, dots, dashes or brackets, optionally international.
PHONE = re.compile(r"(?<![\w/])(?:\+|00)?\d(?:[\s.\-()]{0,2}\d){8,}(?![\w/])")

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"
NAME_MARK = "[name]"
ORG_MARK = "[organization]"
LINK_MARK = "[link]"


def _url_replacement(match: re.Match[str]) -> str:
    url = match.group(0).rstrip(".,;:!?)")
    trailing = match.group(0)[len(url) :]
    if "?" in url or "#" in url or TOKENISH.search(url.split("/", 3)[-1] if url.count("/") >= 3 else ""):
        return LINK_MARK + trailing
    return url + trailing


def _names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    cleaned = sorted({name.strip() for name in names if name and len(name.strip()) >= 2}, key=len, reverse=True)
    if not cleaned:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(name) for name in cleaned) + r")(?!\w)", re.IGNORECASE)


def scrub_personal_data(text: str, *, people: Iterable[str] = (), organizations: Iterable[str] = ()) -> str:
    """``text`` without emails, phone numbers, token links and the given names of people and organizations."""
    result = EMAIL.sub(EMAIL_MARK, text or "")
    result = URL.sub(_url_replacement, result)
    result = PHONE.sub(PHONE_MARK, result)
    org_pattern = _names_pattern(organizations)
    if org_pattern is not None:
        result = org_pattern.sub(ORG_MARK, result)
    people_pattern = _names_pattern(people)
    if people_pattern is not None:
        result = people_pattern.sub(NAME_MARK, result)
    return result


def _people_of(people: Iterable[AbstractBaseUser]) -> list[str]:
    """Every way a person's name may appear: first, last and full name, and their email's local part."""
    names: list[str] = []
    for person in people:
        local = person.email.split("@", 1)[0]
        names += [person.first_name, person.last_name, person.get_full_name(), local]
        names += [piece for piece in re.split(r"[._+-]+", local) if len(piece) >= 3]
    return names


def _paragraphs(text: str) -> str:
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text) if block.strip()]
    return "".join("<p>" + escape(block).replace("\n", "<br>") + "</p>" for block in blocks)


def agent_answer(ticket: Ticket) -> Comment | None:
    """The last public reply written by someone other than the requester."""
    return (
        ticket.comments.filter(is_public=True, author__isnull=False)
        .exclude(author_id=ticket.requester_id)
        .select_related("author")
        .order_by("-created_at", "-pk")
        .first()
    )


class DraftRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def article_draft_from_ticket(*, ticket: Ticket, agent: AbstractBaseUser, category: CategoryPage) -> ArticlePage:
    """A new, unpublished ``ArticlePage`` under ``category`` in the ticket's language; returns the page.

    The caller checked that ``agent`` sees the ticket and may add pages under ``category``.
    """
    answer = agent_answer(ticket)
    if answer is None:
        raise DraftRefused(_("Reply to the customer first: the article is drafted from your public answer."))
    agents = list(
        get_user_model().objects.filter(
            pk__in=ticket.comments.exclude(author_id=ticket.requester_id).values("author_id")
        )
    )
    people = _people_of([ticket.requester, agent, *agents])
    organizations = [ticket.organization.name] if ticket.organization_id else []

    def scrub(text: str) -> str:
        return scrub_personal_data(text, people=people, organizations=organizations)

    title = scrub(ticket.subject)[:255] or _("Untitled question")
    question = scrub(ticket.description)
    body = [
        {"type": "paragraph", "value": _paragraphs(question), "id": str(uuid.uuid4())},
        {"type": "paragraph", "value": _paragraphs(scrub(answer.body)), "id": str(uuid.uuid4())},
    ]
    summary = re.sub(r"\s+", " ", question).strip()[:300]
    return article_draft_create(
        category=category, author=agent, language=ticket.language, title=title, summary=summary, body=body
    )

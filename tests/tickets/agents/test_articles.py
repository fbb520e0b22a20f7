"""'Create article from ticket': a Wagtail draft built from the question and the answer, without personal data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission, Page, Site

from accounts.models import User
from cms.models import ArticlePage
from tests.cms.factories import CategoryPageFactory, HelpCenterPageFactory
from tests.tickets.conftest import World, make_user
from tickets import services
from tickets.agents.articles import scrub_personal_data
from tickets.conf import GOV_CLEARED_GROUP
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

QUESTION = (
    "Hello, I am Alice Martin from Acme. Since yesterday the CSV export fails with error 500.\n\n"
    "You can reach me at alice.martin@acme.test or +33 6 12 34 56 78. My reset link was "
    "https://app.worklane.example/reset?token=9f8e7d6c5b4a3f2e1d0c and the report is at "
    "https://app.worklane.example/reports/a1b2c3d4e5f6a7b8c9d0e1f2/export. Order 2026-03-14, ref 4521."
)
ANSWER = (
    "Hi Alice,\n\nThe export fails when a column name is empty. Rename the column, then export again; "
    "see https://help.worklane.example/help/data/export/ for details.\n\nBest regards,\nSam Agent"
)


def test_scrub_removes_contact_details_names_and_token_links() -> None:
    text = scrub_personal_data(QUESTION, people=["Alice", "Martin", "Alice Martin"], organizations=["Acme"])
    for secret in ("alice.martin@acme.test", "6 12 34 56 78", "token=", "a1b2c3d4e5f6", "Alice", "Martin", "Acme"):
        assert secret not in text
    assert (
        "[email]" in text and "[phone]" in text and "[link]" in text and "[name]" in text and "[organization]" in text
    )
    # What the question is about survives, dates and short numbers included.
    assert "CSV export fails with error 500" in text and "2026-03-14" in text and "4521" in text
    plain = scrub_personal_data("see https://help.worklane.example/help/data/export/ for details")
    assert plain == "see https://help.worklane.example/help/data/export/ for details"


@pytest.fixture
def category(db: None) -> Page:
    site = Site.objects.get(is_default_site=True)
    help_center = HelpCenterPageFactory(parent=site.root_page)
    return CategoryPageFactory(parent=help_center, title_en="Data and exports", slug="data")


@pytest.fixture
def editor_agent(world: World, category: Page) -> User:
    """An agent who is also a Wagtail editor: may add and edit pages under the help center."""
    user = make_user("sam.agent@support.test", staff=True)
    user.first_name, user.last_name = "Sam", "Agent"
    user.save()
    editors = Group.objects.create(name="Help editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=editors, page=category.get_parent(), permission=Permission.objects.get(codename=codename)
        )
    user.groups.add(editors)
    world.standard.agents.add(user)
    return user


def _answered_ticket(world: World, make_ticket: Callable[..., Ticket], agent: User, language: str = "en") -> Ticket:
    world.alice.first_name, world.alice.last_name = "Alice", "Martin"
    world.alice.save()
    ticket = make_ticket(
        world.alice, subject="Export fails for alice.martin@acme.test", description=QUESTION, language=language
    )
    services.comment_add(ticket=ticket, author=agent, body="Internal: customer is on the old importer", is_public=False)
    services.comment_add(ticket=ticket, author=agent, body=ANSWER)
    return ticket


def test_draft_article_is_unpublished_scrubbed_and_opens_in_wagtail(
    world: World, make_ticket: Callable, client_for: Callable, category: Page, editor_agent: User
) -> None:
    ticket = _answered_ticket(world, make_ticket, editor_agent)
    response = client_for(editor_agent).post(f"/agent/tickets/{ticket.number}/draft-article", {"category": category.pk})
    article = ArticlePage.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{article.pk}/edit/"
    assert not article.live and article.has_unpublished_changes
    assert article.get_parent().pk == category.pk
    revision = article.latest_revision
    assert revision is not None and revision.user_id == editor_agent.pk
    draft = revision.as_object()
    body = str(draft.body_en)
    assert draft.title_en == "Export fails for [email]"
    assert "The export fails when a column name is empty" in body
    assert "CSV export fails with error 500" in body
    everything = " ".join([draft.title_en, draft.summary_en, body])
    for secret in ("Alice", "Martin", "Acme", "acme.test", "12 34 56", "token", "a1b2c3d4", "Sam", "old importer"):
        assert secret not in everything, secret
    assert "https://help.worklane.example/help/data/export/" in body


def test_draft_in_the_customers_language(
    world: World, make_ticket: Callable, client_for: Callable, category: Page, editor_agent: User
) -> None:
    ticket = _answered_ticket(world, make_ticket, editor_agent, language="fr")
    client_for(editor_agent).post(f"/agent/tickets/{ticket.number}/draft-article", {"category": category.pk})
    draft = ArticlePage.objects.get().latest_revision.as_object()
    assert draft.title_fr == "Export fails for [email]"
    assert "column name is empty" in str(draft.body_fr)


def test_draft_needs_an_answer_and_a_category_the_agent_may_use(
    world: World, make_ticket: Callable, client_for: Callable, category: Page, editor_agent: User
) -> None:
    unanswered = make_ticket(world.alice, subject="No reply yet")
    client = client_for(editor_agent)
    response = client.post(f"/agent/tickets/{unanswered.number}/draft-article", {"category": category.pk})
    assert response.status_code == 400
    assert "Reply to the customer first" in response.content.decode()
    assert client.post(f"/agent/tickets/{unanswered.number}/draft-article", {"category": 999999}).status_code == 400
    # An agent without Wagtail rights to add pages cannot draft at all.
    ticket = _answered_ticket(world, make_ticket, world.agent)
    assert (
        client_for(world.agent)
        .post(f"/agent/tickets/{ticket.number}/draft-article", {"category": category.pk})
        .status_code
        == 403
    )
    assert not ArticlePage.objects.exists()


def test_gov_ticket_cannot_be_drafted_by_an_uncleared_editor(
    world: World, make_ticket: Callable, client_for: Callable, category: Page, editor_agent: User
) -> None:
    gov = make_ticket(world.gina, subject="Gov question")
    services.comment_add(ticket=gov, author=world.gov_agent, body="Answer")
    response = client_for(editor_agent).post(f"/agent/tickets/{gov.number}/draft-article", {"category": category.pk})
    assert response.status_code == 404
    world.gov.agents.add(editor_agent)
    assert client_for(editor_agent).get(f"/agent/tickets/{gov.number}").status_code == 404  # in the queue, not cleared
    editor_agent.groups.add(Group.objects.get(name=GOV_CLEARED_GROUP))
    assert (
        client_for(editor_agent)
        .post(f"/agent/tickets/{gov.number}/draft-article", {"category": category.pk})
        .status_code
        == 302
    )

"""The workspace in a real browser (CSP on, scripts from static files only): select all, a macro
inserted without reloading, an inline article search whose link goes into the reply, one submit."""

from __future__ import annotations

import pytest
from wagtail.models import Site

from accounts.models import Organization, User
from search.service import article_reindex
from tests.cms.factories import ArticlePageFactory, CategoryPageFactory, HelpCenterPageFactory, paragraph
from tests.e2e.helpers import PASSWORD, sign_in
from tests.tickets.conftest import join, make_user, plan
from tickets import services
from tickets.agents.models import Macro
from tickets.models import Queue, Route, Status, Ticket

# Serialized rollback: the site, locales and plans of the data migrations are back even when an
# earlier transactional test flushed them.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _world() -> tuple[User, Ticket]:
    agent = User.objects.create_user("agent@support.test", PASSWORD, is_staff=True, first_name="Alex")
    queue = Queue.objects.get(route=Route.STANDARD, product_area="")  # a default queue (tickets 0002)
    queue.agents.add(agent)
    requester = join(make_user("dana@acme.test"), Organization.objects.create(name="Acme", plan=plan("business")))
    requester.first_name = "Dana"
    requester.save()
    ticket = services.ticket_create(requester=requester, subject="Export stops at 50%", description="Since Monday.")
    services.ticket_triage(ticket_id=ticket.pk)
    Macro.objects.create(name="Ask for details", language="en", body="Hello {{ requester.first_name }}, which browser?")
    # A published article, indexed; the database fallback of search/ finds it too if the engine fails.
    root = Site.objects.get(is_default_site=True).root_page
    data = CategoryPageFactory(parent=HelpCenterPageFactory(parent=root), slug="data", title_en="Data")
    article = ArticlePageFactory(
        parent=data,
        slug="export",
        title_en="Export your data",
        summary_en="Export to CSV or Excel.",
        body_en=paragraph("Export every project to CSV or Excel from the project menu."),
    )
    article_reindex(page_id=article.pk)
    return agent, ticket


def test_agent_answers_with_a_macro_and_an_article_link(new_page: object) -> None:
    agent, ticket = _world()
    page = new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    sign_in(page, agent)

    page.goto("/agent/")
    page.get_by_role("link", name="Export stops at 50%").wait_for()
    page.locator("[data-select-all]").check()
    assert page.locator('input[name="tickets"]').first.is_checked()

    page.goto(f"/agent/tickets/{ticket.number}")
    page.select_option("#macro-select", label="Ask for details (English)")
    body = page.locator("#update-form textarea[name=body]")
    assert body.input_value() == "Hello Dana, which browser?"

    page.fill("#article-q", "export excel")
    page.locator("[data-article-search] button[type=submit]").click()
    page.get_by_role("button", name="Insert link").click()
    assert "Export your data: http://" in body.input_value()
    assert page.url.endswith(f"/agent/tickets/{ticket.number}")  # no reload: the script did it

    page.select_option("#id_status", "pending")
    page.get_by_role("button", name="Send and update").click()
    page.get_by_text("Hello Dana, which browser?").first.wait_for()
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert "/help/data/export/" in ticket.comments.get().body
    assert not [e for e in errors if "Content Security Policy" in e], errors

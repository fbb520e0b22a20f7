"""The New request page with and without JavaScript, the last look, outcomes, the article hook."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import Client, RequestFactory

from deflection.models import DeflectionEvent, DeflectionSession, Outcome
from deflection.visitors import COOKIE_NAME
from tests.accounts.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser() -> Client:
    return Client()


def test_new_request_page_has_the_live_region_and_the_script(browser) -> None:
    page = browser.get("/requests/new")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-live="polite"' in html
    assert "deflection/suggest.js" in html
    assert 'data-suggest-url="/api/deflection/suggest"' in html
    assert 'name="action" value="find"' in html
    assert "<script>" not in html  # no inline script (CSP)


def test_find_answers_without_javascript(browser, indexed) -> None:
    page = browser.post("/requests/new", {"subject": "forgot password", "description": "", "action": "find"})
    assert page.status_code == 200
    html = page.content.decode()
    session = DeflectionSession.objects.get()
    assert f"/requests/new/s/{session.pk}/open/101" in html
    assert "Reset your password" in html
    assert f'value="{session.pk}"' in html  # the session travels in the hidden field
    assert COOKIE_NAME in page.cookies


def test_find_answers_refuses_an_empty_draft(browser, indexed) -> None:
    page = browser.post("/requests/new", {"subject": "", "description": " ", "action": "find"})
    assert page.status_code == 200
    assert "Write at least a few words" in page.content.decode()
    assert not DeflectionSession.objects.exists()


def test_a_too_long_subject_gets_only_the_length_error(browser, indexed) -> None:
    """Issue 16 point 13: it also said "write at least a few words" about a 301-character subject."""
    page = browser.post("/requests/new", {"subject": "x" * 301, "description": "", "action": "find"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "at most 300 characters" in html
    assert "Write at least a few words" not in html
    assert not DeflectionSession.objects.exists()


def test_continue_shows_the_articles_once_more_then_escalates(browser, indexed) -> None:
    response = browser.post("/requests/new", {"subject": "forgot password", "action": "review"})
    session = DeflectionSession.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/requests/new/s/{session.pk}/review"
    review = browser.get(response["Location"])
    html = review.content.decode()
    assert "These articles may answer your question" in html
    assert "Reset your password" in html and "I still need help" in html
    escalated = browser.post(f"/requests/new/s/{session.pk}/outcome", {"outcome": "escalated"})
    assert escalated.status_code == 302
    assert escalated["Location"] == f"/requests/new/ticket?session={session.pk}"
    session.refresh_from_db()
    assert session.outcome == Outcome.ESCALATED


def test_this_solved_it_deflects(browser, indexed) -> None:
    browser.post("/requests/new", {"subject": "forgot password", "action": "find"})
    session = DeflectionSession.objects.get()
    done = browser.post(f"/requests/new/s/{session.pk}/outcome", {"outcome": "deflected", "article_id": "101"})
    assert done.status_code == 302 and done["Location"] == f"/requests/new/s/{session.pk}/done"
    assert browser.get(done["Location"]).status_code == 200
    session.refresh_from_db()
    assert session.outcome == Outcome.DEFLECTED
    assert DeflectionEvent.objects.get(kind="deflected").article_id == "101"


def test_following_a_suggestion_records_the_open_and_marks_the_link(browser, indexed) -> None:
    browser.post("/requests/new", {"subject": "forgot password", "action": "find"})
    session = DeflectionSession.objects.get()
    response = browser.get(f"/requests/new/s/{session.pk}/open/101")
    assert response.status_code == 302
    assert response["Location"] == f"/help/a/101/?lang=en&from_session={session.pk}"
    event = DeflectionEvent.objects.get()
    assert (event.kind, event.article_id, event.rank) == ("opened", "101", 1)
    # only suggested articles can be opened through the session (no open redirect)
    assert browser.get(f"/requests/new/s/{session.pk}/open/999").status_code == 404


def test_other_visitors_cannot_use_a_session(browser, indexed) -> None:
    browser.post("/requests/new", {"subject": "forgot password", "action": "find"})
    session = DeflectionSession.objects.get()
    stranger = Client()
    assert stranger.get(f"/requests/new/s/{session.pk}/review").status_code == 404
    assert stranger.get(f"/requests/new/s/{session.pk}/open/101").status_code == 404
    assert stranger.post(f"/requests/new/s/{session.pk}/outcome", {"outcome": "deflected"}).status_code == 404
    session.refresh_from_db()
    assert session.outcome == Outcome.OPEN


def test_a_session_can_be_resumed_by_its_owner(browser, indexed) -> None:
    browser.post("/requests/new", {"subject": "forgot password", "description": "since monday", "action": "find"})
    session = DeflectionSession.objects.get()
    html = browser.get(f"/requests/new?session={session.pk}").content.decode()
    assert 'value="forgot password"' in html and "since monday" in html
    assert "forgot password" not in Client().get(f"/requests/new?session={session.pk}").content.decode()


def test_the_page_is_rate_limited_too(browser, indexed, settings) -> None:
    settings.DEFLECTION_SUGGEST_RATE = "1/m"
    assert browser.post("/requests/new", {"subject": "password", "action": "find"}).status_code == 200
    limited = browser.post("/requests/new", {"subject": "password", "action": "find"})
    assert limited.status_code == 429 and int(limited["Retry-After"]) >= 1


def test_article_outcome_include_offers_this_answered_my_question(browser, indexed) -> None:
    browser.post("/requests/new", {"subject": "forgot password", "action": "find"})
    session = DeflectionSession.objects.get()
    template = Template('{% include "deflection/_article_outcome.html" with article=page %}')

    class Page:
        pk = 101

    factory = RequestFactory()
    request = factory.get(f"/help/a/101/?from_session={session.pk}")
    request.COOKIES = {key: morsel.value for key, morsel in browser.cookies.items()}
    request.user = AnonymousUser()
    html = template.render(Context({"request": request, "page": Page(), "csrf_token": "t"}))
    assert "This answered my question" in html
    assert f'action="/requests/new/s/{session.pk}/outcome"' in html
    assert 'name="article_id" value="101"' in html

    stranger = factory.get(f"/help/a/101/?from_session={session.pk}")
    stranger.user = AnonymousUser()
    assert "This answered my question" not in template.render(Context({"request": stranger, "page": Page()}))
    plain = factory.get("/help/a/101/")
    plain.user = AnonymousUser()
    assert template.render(Context({"request": plain, "page": Page()})).strip() == ""


def test_the_page_speaks_french(browser) -> None:
    browser.cookies["django_language"] = "fr"
    html = browser.get("/requests/new").content.decode()
    assert "Nouvelle demande" in html and "Trouver des réponses" in html
    assert 'data-language="fr"' in html


def test_open_never_redirects_off_site(browser, indexed) -> None:
    browser.post("/requests/new", {"subject": "forgot password", "action": "find"})
    session = DeflectionSession.objects.get()
    shown = [*session.last_suggestions, {"article_id": "666", "rank": 9, "title": "x", "url": "//evil.example/x"}]
    DeflectionSession.objects.filter(pk=session.pk).update(last_suggestions=shown)
    assert browser.get(f"/requests/new/s/{session.pk}/open/666").status_code == 404
    assert not DeflectionEvent.objects.exists()


def test_a_free_plan_customer_is_told_on_the_draft_page_before_typing(browser, settings) -> None:
    browser.force_login(member("free", "viewer"))
    html = browser.get("/requests/new").content.decode()
    notice = html.index("data-filing-refused")
    assert "Free accounts cannot submit technical support requests" in html
    assert f'href="{settings.COMMUNITY_URL}"' in html[notice:]
    assert notice < html.index('name="subject"')  # said before the fields
    assert "data-suggest-url" in html  # suggestions still offered

    browser.force_login(member("pro", "licensed"))
    assert "data-filing-refused" not in browser.get("/requests/new").content.decode()


def test_the_page_paces_its_script_under_the_suggestion_limit_and_says_counts_in_the_readers_language(
    browser, settings
) -> None:
    settings.DEFLECTION_SUGGEST_RATE = "20/m"
    html = browser.get("/requests/new", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'data-suggest-spacing-ms="3750"' in html
    opening = '<script id="deflection-announcements" type="application/json">'
    sentences = json.loads(html[html.index(opening) + len(opening) : html.index("</script>", html.index(opening))])
    assert sentences["1"] == "1 article pourrait répondre à votre question : %(title)s"
    assert sentences["3"] == "3 articles pourraient répondre à votre question. Le premier : %(title)s"

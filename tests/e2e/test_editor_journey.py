"""Journey (a): an editor writes an article in English and French in the Wagtail admin and submits
it for review; a reviewer approves and publishes it; a worker indexes it and French search finds it."""

from __future__ import annotations

import inspect
import re
import time

import pytest
from django.test import Client

from accounts.models import User
from cms.demo import ensure_editorial_groups, ensure_help_center
from cms.models import ArticlePage
from tests.cms.factories import CategoryPageFactory
from tests.e2e.helpers import PASSWORD, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = {
    "en": {
        "title": "Connect Quasarix to your account",
        "summary": "Link the Quasarix add-on from the integrations page.",
        "body": "Open Integrations, choose Quasarix and paste the key from your Quasarix dashboard.",
    },
    "fr": {
        "title": "Connecter Quasarix à votre compte",
        "summary": "Reliez le module Quasarix depuis la page des intégrations.",
        "body": "Ouvrez Intégrations, choisissez Quasarix et collez la clé de votre tableau de bord Quasarix.",
    },
}


def editorial_groups(help_center: object) -> tuple[object, object]:
    """The cms demo's Editors and Reviewers groups, rights and review workflow on the help center."""
    if "help_center_id" in inspect.signature(ensure_editorial_groups).parameters:
        return ensure_editorial_groups(help_center.pk)
    return ensure_editorial_groups(help_center)


def staff(email: str, group: object) -> User:
    user = User.objects.create_user(email, PASSWORD)
    user.groups.add(group)
    return user


def write_body(page: object, language: str, text: str) -> None:
    """Add a paragraph block to the StreamField of ``language`` and type ``text`` into its rich-text editor."""
    section = page.locator(f"#panel-child-content-body_{language}-section")
    section.scroll_into_view_if_needed()
    section.get_by_role("button", name=re.compile("Insert a block", re.I)).first.click()
    page.get_by_role("option", name="Paragraph").first.click()
    editor = section.locator("[contenteditable=true]").first
    editor.wait_for()
    for _attempt in range(3):  # the rich-text editor may still be mounting when first focused
        editor.click()
        editor.press_sequentially(text, delay=5)
        if text in editor.inner_text():
            return
        editor.fill("")
    raise AssertionError(f"could not type the {language} body into the editor")


def search_titles(query: str, language: str) -> list[str]:
    response = Client().get("/api/search", {"q": query, "lang": language})
    assert response.status_code == 200
    return [hit["title"] for hit in response.json()["results"] if not hit["is_fallback"]]


def test_an_article_written_and_reviewed_in_the_admin_becomes_searchable_in_french(
    new_page: object, celery_worker: object
) -> None:
    help_center = ensure_help_center()
    editors, reviewers = editorial_groups(help_center)
    category = CategoryPageFactory(parent=help_center, slug="integrations", title_en="Integrations")
    editor = staff("editor@example.com", editors)
    reviewer = staff("reviewer@example.com", reviewers)

    # The editor writes both languages and submits the page for review.
    page = new_page("en-US")
    sign_in(page, editor)
    page.goto(f"/admin/pages/add/cms/articlepage/{category.pk}/")
    for language, text in TEXT.items():
        # wagtail-modeltranslation shows one language's fields at a time ("View / edit fields for").
        toggle = page.locator("button.locale-toggle").filter(has_text=re.compile(f"^{language}$"))
        if "showing-locale" not in (toggle.get_attribute("class") or ""):
            toggle.click()
        page.fill(f"#id_title_{language}", text["title"])
        page.locator(f"#id_title_{language}").blur()
        page.fill(f"#id_summary_{language}", text["summary"])
        write_body(page, language, text["body"])
    page.locator("#id_title_en").click()  # leave the rich-text editors so they write their fields
    page.wait_for_timeout(1000)
    footer = page.locator("footer")
    footer.get_by_role("button", name=re.compile("More actions", re.I)).click()
    footer.get_by_role("button", name="Submit to Help center review").click()
    done = page.get_by_text("submitted for moderation", exact=False).first  # "created and …" or "has been …"
    refused = page.get_by_text("could not be saved", exact=False).first
    done.or_(refused).wait_for()
    assert not refused.is_visible(), page.evaluate(
        "[...document.querySelectorAll('.error-message, .w-field__errors, .help-critical')]"
        ".filter(e => e.textContent.trim()).map(e => (e.id || e.closest('[id]')?.id) + ': ' + e.textContent.trim())"
    )

    article = ArticlePage.objects.get(title_en=TEXT["en"]["title"])
    assert not article.live
    assert article.current_workflow_state is not None
    assert article.current_workflow_state.status == "in_progress"
    assert article.get_latest_revision().user_id == editor.pk
    assert search_titles("quasarix", "fr") == []  # not published, not searchable

    # The reviewer approves and publishes.
    review = new_page("en-US")
    sign_in(review, reviewer)
    review.goto(f"/admin/pages/{article.pk}/edit/")
    review_footer = review.locator("footer")
    review_footer.get_by_role("button", name=re.compile("More actions", re.I)).click()
    review_footer.get_by_role("button", name=re.compile(r"^Approve and Publish$", re.I)).click()
    deadline = time.monotonic() + 40  # publishing waits for the worker's index writes (one SQLite writer)
    while not ArticlePage.objects.get(pk=article.pk).live and time.monotonic() < deadline:
        time.sleep(0.25)

    article.refresh_from_db()
    assert article.live
    assert article.current_workflow_state is None  # the review is over
    assert article.available_languages()[:2] == ["en", "fr"]
    assert article.title_fr == TEXT["fr"]["title"]

    # The publish queued the indexing task; the worker runs it, then French search finds the article.
    deadline = time.monotonic() + 30
    while search_titles("quasarix", "fr") != [TEXT["fr"]["title"]] and time.monotonic() < deadline:
        time.sleep(0.5)
    assert search_titles("quasarix", "fr") == [TEXT["fr"]["title"]]
    assert search_titles("quasarix", "en") == [TEXT["en"]["title"]]

    reader = new_page("fr-FR")
    reader.goto("/help/search?q=quasarix&lang=fr")
    reader.get_by_role("link", name=TEXT["fr"]["title"]).first.wait_for()

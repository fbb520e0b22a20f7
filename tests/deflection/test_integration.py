"""The whole path on real pages: publish, index through search, suggest, open, answer on the article page."""

import pytest
from django.test import Client
from django.utils import translation
from wagtail.models import Site

from deflection.models import DeflectionEvent, DeflectionSession, Outcome
from search.service import article_reindex
from tests.cms.factories import ArticlePageFactory, CategoryPageFactory, HelpCenterPageFactory, paragraph

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    with translation.override("en"):
        help_center = HelpCenterPageFactory(parent=Site.objects.get(is_default_site=True).root_page)
        account = CategoryPageFactory(parent=help_center, slug="account", title_en="Account", title="Account")
        page = ArticlePageFactory(
            parent=account,
            slug="reset-password",
            title_en="Reset your password",
            title="Reset your password",
            title_fr="Réinitialiser votre mot de passe",
            summary_en="Get a reset link by email.",
            summary_fr="Recevez un lien par e-mail.",
            body_en=paragraph("Choose Forgot password on the sign-in page."),
            body_fr=paragraph("Choisissez Mot de passe oublié sur la page de connexion."),
        )
    assert article_reindex(page_id=page.pk) == 2  # en + fr documents
    return page


def test_from_draft_to_this_answered_my_question(article) -> None:
    browser = Client()
    browser.cookies["django_language"] = "fr"
    found = browser.post("/requests/new", {"subject": "mot de passe oublie", "action": "find"})
    session = DeflectionSession.objects.get()
    open_url = f"/requests/new/s/{session.pk}/open/{article.pk}"
    assert open_url in found.content.decode()
    assert session.last_suggestions[0]["article_id"] == str(article.pk)

    opened = browser.get(open_url)
    assert opened.status_code == 302 and f"from_session={session.pk}" in opened["Location"]
    assert opened["Location"].startswith(article.url)
    page = browser.get(opened["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cet article a répondu à ma question" in html  # the deflection include on the cms article page
    assert f'name="article_id" value="{article.pk}"' in html

    browser.post(f"/requests/new/s/{session.pk}/outcome", {"outcome": "deflected", "article_id": str(article.pk)})
    session.refresh_from_db()
    assert session.outcome == Outcome.DEFLECTED
    assert list(DeflectionEvent.objects.order_by("id").values_list("kind", "article_id")) == [
        ("opened", str(article.pk)),
        ("deflected", str(article.pk)),
    ]
    # once answered, the article page thanks instead of asking again
    assert "Merci, votre réponse est enregistrée." in browser.get(opened["Location"]).content.decode()


def test_create_an_article_links_under_the_help_center(article) -> None:
    from accounts.models import User

    DeflectionSession.objects.create(language="en", visitor_key="v", subject="Dark mode", normalized_text="dark mode")
    editor = Client()
    editor.force_login(User.objects.create_superuser("ed@example.com", "pw-ed-123"))
    editor.post("/admin/deflection/funnel/?days=7")
    html = editor.get("/admin/deflection/funnel/?days=7").content.decode()
    help_center_id = article.get_parent().get_parent().pk
    assert f"/admin/pages/add/cms/articlepage/{help_center_id}/" in html
    assert "dark mode" in html


def test_a_foreign_session_on_the_article_page_shows_nothing(article) -> None:
    owner = Client()
    owner.post("/requests/new", {"subject": "reset password", "action": "find"})
    session = DeflectionSession.objects.get()
    html = Client().get(f"{article.url}?from_session={session.pk}").content.decode()
    assert "This answered my question" not in html

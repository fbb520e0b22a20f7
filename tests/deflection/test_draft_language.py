"""The draft's language (issue 14, item 1): detected when confident, searched beside the page's
language and merged, labelled where it differs from the page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.cache import cache
from django.test import Client, TestCase, override_settings
from rest_framework.test import APIClient

from accounts import demo as accounts_demo
from accounts.models import User
from cms import demo as cms_demo
from cms.models import ArticlePage
from deflection.language import draft_language
from deflection.suggestions import _interleave, rank_for_draft
from search.service import SearchHit, index_documents, index_rebuild, search_articles
from tests.deflection.conftest import documents

SUGGEST = "/api/deflection/suggest"
README_DRAFT = "je n'arrive pas a reinitialiser mon mot de passe"


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (README_DRAFT, "fr"),
        ("mot de passe oublie", "fr"),
        ("where is my invoice", "en"),
        ("Rechnung herunterladen bitte", "de"),
        ("no puedo iniciar sesion", "es"),
        ("non riesco ad accedere", "it"),
        ("esqueci minha senha", "pt"),
        ("パスワードを忘れました", "ja"),
    ],
)
def test_short_drafts_without_accents_are_recognised(text: str, language: str) -> None:
    assert draft_language(text) == language


@pytest.mark.parametrize("text", ["password", "facture", "export", "csv pdf", "12345 678", "", "   "])
def test_one_word_or_ambiguous_drafts_get_no_language(text: str) -> None:
    assert draft_language(text) is None


def test_detection_is_restricted_to_the_configured_languages() -> None:
    assert draft_language("esqueci minha senha de acesso") == "pt"
    with override_settings(LANGUAGES=[("en", "English"), ("fr", "French")]):
        assert draft_language("esqueci minha senha de acesso") != "pt"


def test_interleaving_keeps_each_article_once_draft_language_first() -> None:
    draft = [hit("1", "fr"), hit("2", "fr"), hit("3", "fr")]
    page = [hit("1", "en"), hit("4", "en")]
    merged = _interleave([draft, page])
    assert [(item.article_id, item.language) for item in merged] == [("1", "fr"), ("2", "fr"), ("4", "en"), ("3", "fr")]


def test_interleaving_keeps_the_untranslated_mark_of_the_page_search() -> None:
    """An English draft on a French page: the English-only article found by both searches is still
    "not yet translated" for this reader."""
    merged = _interleave([[hit("9", "en")], [hit("9", "en", is_fallback=True), hit("5", "fr")]])
    assert [(item.article_id, item.is_fallback) for item in merged] == [("9", True), ("5", False)]


def hit(article_id: str, language: str, *, is_fallback: bool = False) -> SearchHit:
    return SearchHit(article_id, language, "title", "", f"/{article_id}/", 1.0, "", is_fallback)


class ReadmeDemo(TestCase):
    """The README's demo: seed_demo's help center and accounts, indexed once for the class."""

    @classmethod
    def setUpTestData(cls) -> None:
        cms_demo.seed(None)
        accounts_demo.seed(StringIO())
        index_rebuild()
        cls.user = User.objects.get(email="pro.licensed@answerfirst.localhost")

    def setUp(self) -> None:
        cache.clear()  # rate limits
        self.client = APIClient()
        self.client.force_authenticate(self.user)

    def suggest(self, **fields: str) -> dict:
        response = self.client.post(SUGGEST, fields, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    def test_french_draft_on_an_english_account_puts_the_french_article_first(self) -> None:
        data = self.suggest(subject="", description=README_DRAFT)
        reset = ArticlePage.objects.get(slug="reset-your-password")
        assert data["language"] == "en" and data["draft_language"] == "fr"
        first = data["suggestions"][0]
        assert (first["article_id"], first["language"], first["is_fallback"]) == (str(reset.pk), "fr", False)
        assert first["title"] == reset.title_fr

    def test_page_language_results_are_kept_when_a_second_language_is_added(self) -> None:
        audiences = ["public", "customers"]
        for draft in [README_DRAFT, "je ne trouve pas ma facture, invoice pdf"]:
            page = search_articles(draft, language="en", audiences=audiences, limit=10, promote_untranslated=True)
            both = rank_for_draft(subject="", description=draft, language="en", audiences=audiences, limit=5)
            assert both.draft_language == "fr"
            page_first = {hit.article_id for hit in page.hits[:2]}
            assert page_first <= {item.article_id for item in both.items}, draft
        assert page.hits, "the second draft must find English articles for this test to mean anything"

    def test_a_one_word_draft_is_searched_in_the_page_language_only(self) -> None:
        for draft in ["password", "motdepasse", "facture", "export"]:
            data = self.suggest(subject=draft, language="en")
            page = search_articles(draft, language="en", audiences=["public", "customers"], limit=10,
                                   promote_untranslated=True)  # fmt: skip
            assert data["draft_language"] is None
            assert {item["article_id"] for item in data["suggestions"]} <= {hit.article_id for hit in page.hits}
            assert all(item["language"] == "en" for item in data["suggestions"])

    def test_the_list_and_the_review_page_label_an_article_in_the_drafts_language(self) -> None:
        browser = Client()
        browser.force_login(self.user)
        listed = browser.post("/requests/new", {"subject": "", "description": README_DRAFT}).content.decode()
        reset = ArticlePage.objects.get(slug="reset-your-password")
        assert reset.title_fr in listed
        assert "In French, the language of your question." in listed
        response = browser.post("/requests/new", {"subject": "", "description": README_DRAFT, "action": "review"})
        assert response.status_code == 302
        review = browser.get(response["Location"]).content.decode()
        item = review[review.index(reset.title_fr) :]
        assert item.index("In French, the language of your question.") < item.index("</li>")
        french = browser.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr", QUERY_STRING="lang=fr").content.decode()
        assert "la langue de votre question" not in french  # a French article on a French page: no label
        assert "In French, the language" not in french


class ReviewOfFallbackArticles(TestCase):
    """Issue 16, point 11: the review page says "in English" where the live list does."""

    def test_an_untranslated_article_is_labelled_on_the_review_page(self) -> None:
        index_documents(documents())
        browser = Client()
        response = browser.post("/requests/new?lang=fr", {"subject": "export factures pdf", "action": "review"},
                                HTTP_ACCEPT_LANGUAGE="fr")  # fmt: skip
        assert response.status_code == 302, response.content
        review = browser.get(response["Location"] + "?lang=fr", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
        assert "Export invoices as PDF" in review
        assert "Pas encore traduit : affiché en anglais." in review

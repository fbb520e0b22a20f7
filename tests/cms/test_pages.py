"""Reading the help center: templates, language fallback and switcher, audiences, ?lang=."""

from __future__ import annotations

from django.test import Client

NOTICE = "This article is not available in your language"


def french_client() -> Client:
    client = Client()
    client.cookies["django_language"] = "fr"
    return client


def test_help_center_home_lists_categories_popular_articles_and_search_box(tree, client):
    response = client.get("/help/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'action="/help/search"' in html and 'name="q"' in html
    assert 'href="/help/account/"' in html
    assert 'href="/help/billing/"' not in html  # holds no article an anonymous reader may see
    assert "Reset your password" in html  # a public article among the popular ones
    assert "Refund macro" not in html and "Change your plan" not in html  # restricted audiences
    assert '<main id="main"' in html and 'role="search"' in html


def test_category_page_lists_sections_and_visible_articles(tree, client):
    html = client.get("/help/account/").content.decode()
    assert 'href="/help/account/passwords/"' in html
    assert "Turn on two-factor sign-in" in html
    billing = client.get("/help/billing/").content.decode()
    assert "Change your plan" not in billing and "Gov support hours" not in billing


def test_category_page_shows_restricted_articles_to_those_allowed(tree, client, agent):
    client.force_login(agent)
    assert 'href="/help/billing/"' in client.get("/help/").content.decode()
    billing = client.get("/help/billing/").content.decode()
    assert "Change your plan" in billing and "Gov support hours" in billing and "Refund macro" in billing


def test_article_in_reader_language_with_switcher_of_existing_languages(tree):
    response = french_client().get(tree.bilingual.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Réinitialiser votre mot de passe" in html
    assert "Mot de passe oublié" in html
    assert NOTICE not in html
    assert 'href="/help/account/passwords/reset-password/?lang=en"' in html
    assert 'href="/help/account/passwords/reset-password/?lang=fr"' in html
    assert "?lang=de" not in html  # only the languages the article exists in
    assert 'class="breadcrumbs"' in html
    assert "Mots de passe" in html  # breadcrumb in French


def test_missing_translation_falls_back_to_english_with_a_notice(tree):
    response = french_client().get(tree.english_only.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Turn on two-factor sign-in" in html
    assert "Open your security settings." in html
    assert "Cet article n’est pas disponible dans votre langue." in html
    assert 'lang="en"' in html  # the article body is marked as English for screen readers


def test_notice_in_the_readers_language_over_the_english_article(tree, client):
    html = client.get(tree.english_only.url, {"lang": "ja"}).content.decode()
    assert "この記事はお使いの言語ではご利用いただけません。" in html  # a Japanese reader, an English-only article
    assert 'lang="en"' in html


def test_lang_query_parameter_activates_language_for_the_request(tree, client):
    html = client.get(tree.bilingual.url, {"lang": "fr"}).content.decode()
    assert "Réinitialiser votre mot de passe" in html
    assert "django_language" not in client.cookies  # the saved preference is untouched
    english = client.get(tree.bilingual.url).content.decode()
    assert "Reset your password" in english


def test_unsupported_lang_parameter_is_ignored(tree, client):
    response = client.get(tree.bilingual.url, {"lang": "xx"})
    assert response.status_code == 200
    assert "Reset your password" in response.content.decode()


def test_restricted_articles(tree, client, customer):
    response = client.get(tree.customers_only.url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(customer)
    assert client.get(tree.customers_only.url).status_code == 200
    assert client.get(tree.gov_only.url).status_code == 404
    assert client.get(tree.internal.url).status_code == 404


def test_article_page_has_feedback_form_and_outcome_hook_is_harmless(tree, client):
    response = client.get(tree.bilingual.url, {"from_session": "6f1c7a52-8b0e-4d5c-9d55-0f2a1f3e9c11"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'action="/help/_feedback/{tree.bilingual.pk}/?lang=en"' in html
    assert "csrfmiddlewaretoken" in html
    assert 'src="/static/cms/js/feedback.js"' in html
    assert "<script>" not in html  # no inline scripts (CSP)
    assert "reset-password/?lang=fr&amp;from_session=6f1c7a52-8b0e-4d5c-9d55-0f2a1f3e9c11" in html  # switcher keeps it


def test_home_page_shows_topics_and_popular_articles(tree, client):
    html = client.get("/").content.decode()
    assert 'href="/help/account/"' in html
    assert "Reset your password" in html


def test_partly_translated_article_is_shown_wholly_in_the_fallback_language(tree, client):
    tree.english_only.title_de = "Zwei-Faktor-Anmeldung"  # a title without a body is not a translation
    tree.english_only.save()
    html = client.get(tree.english_only.url, {"lang": "de"}).content.decode()
    assert "Zwei-Faktor-Anmeldung" not in html
    assert '<h1 id="article-title">Turn on two-factor sign-in</h1>' in html


def test_lists_mark_articles_shown_in_english(tree):
    html = french_client().get("/help/account/").content.decode()
    two_factor = html[html.index("Turn on two-factor sign-in") :]
    assert two_factor.index("En anglais") < two_factor.index("</li>")
    passwords = french_client().get("/help/account/passwords/").content.decode()
    assert "Réinitialiser votre mot de passe" in passwords and "En anglais" not in passwords


def test_list_pages_do_not_query_per_article(tree, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.cms.factories import ArticlePageFactory

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = {url: queries(url) for url in ["/help/", "/help/account/"]}
    for n in range(3):
        ArticlePageFactory(parent=tree.account, slug=f"extra-{n}", title_en=f"Extra {n}")
    assert {url: queries(url) for url in before} == before

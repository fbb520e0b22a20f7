"""Wagtail API v2: language selection, translation flags, fallback and audience filtering."""

from __future__ import annotations

from cms.models import RelatedArticle
from cms.services import site_follow_site_url


def titles(response) -> set[str]:
    return {item["title"] for item in response.json()["items"]}


def test_articles_listing_in_french_with_translation_flags(tree, client):
    response = client.get("/api/v2/articles/", {"lang": "fr"})
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"
    items = {item["id"]: item for item in response.json()["items"]}
    assert set(items) == {tree.bilingual.pk, tree.english_only.pk}  # anonymous: public only
    french = items[tree.bilingual.pk]
    assert french["title"] == "Réinitialiser votre mot de passe"
    assert french["summary"] == "Recevez un lien par e-mail."
    assert french["translation_available"] is True
    assert french["available_languages"] == ["en", "fr"]
    assert french["urls"]["fr"] == "/help/account/passwords/reset-password/?lang=fr"
    fallback = items[tree.english_only.pk]
    assert fallback["title"] == "Turn on two-factor sign-in"  # English fallback
    assert fallback["translation_available"] is False
    assert fallback["available_languages"] == ["en"]


def test_accept_language_chooses_the_language(tree, client):
    response = client.get(f"/api/v2/articles/{tree.bilingual.pk}/", HTTP_ACCEPT_LANGUAGE="fr-CA,fr;q=0.9,en;q=0.5")
    assert response.json()["title"] == "Réinitialiser votre mot de passe"
    explicit = client.get(f"/api/v2/articles/{tree.bilingual.pk}/", {"lang": "en"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert explicit.json()["title"] == "Reset your password"
    unknown = client.get(f"/api/v2/articles/{tree.bilingual.pk}/", HTTP_ACCEPT_LANGUAGE="zz")
    assert unknown.json()["title"] == "Reset your password"


def test_unsupported_lang_is_400(tree, client):
    response = client.get("/api/v2/articles/", {"lang": "xx"})
    assert response.status_code == 400
    assert "unsupported language" in response.json()["message"]


def test_article_detail_has_body_html_raw_blocks_category_path_and_related(tree, client):
    RelatedArticle.objects.create(page=tree.bilingual, target=tree.english_only, sort_order=0)
    RelatedArticle.objects.create(page=tree.bilingual, target=tree.internal, sort_order=1)
    data = client.get(f"/api/v2/articles/{tree.bilingual.pk}/", {"lang": "fr"}).json()
    assert data["body"][0]["type"] == "paragraph"
    assert "Mot de passe oublié" in data["body"][0]["value"]
    assert "<b>Mot de passe oublié</b>" in data["body_html"]
    assert data["category_path"] == ["Compte", "Mots de passe"]
    assert data["audience"] == "public"
    assert data["meta"]["html_url"].endswith("/help/account/passwords/reset-password/")
    assert [item["id"] for item in data["related"]] == [tree.english_only.pk]  # internal one hidden


def test_fallback_article_detail_in_german_returns_english_fields(tree, client):
    data = client.get(f"/api/v2/articles/{tree.english_only.pk}/", {"lang": "de"}).json()
    assert data["translation_available"] is False
    assert data["title"] == "Turn on two-factor sign-in"
    assert data["body"][0]["value"] == "<p>Open your security settings.</p>"


def test_audiences_are_filtered_per_caller(tree, client, customer, agent):
    everyone = titles(client.get("/api/v2/articles/"))
    assert "Change your plan" not in everyone and "Refund macro" not in everyone
    assert client.get(f"/api/v2/articles/{tree.internal.pk}/").status_code == 404
    assert client.get(f"/api/v2/pages/{tree.gov_only.pk}/").status_code == 404
    assert "Refund macro" not in titles(client.get("/api/v2/pages/", {"type": "cms.ArticlePage"}))

    client.force_login(customer)
    signed_in = titles(client.get("/api/v2/articles/"))
    assert "Change your plan" in signed_in
    assert "Gov support hours" not in signed_in and "Refund macro" not in signed_in
    assert client.get(f"/api/v2/articles/{tree.internal.pk}/").status_code == 404

    client.force_login(agent)
    assert {"Change your plan", "Gov support hours", "Refund macro"} <= titles(client.get("/api/v2/articles/"))


def test_categories_endpoint(tree, client):
    response = client.get("/api/v2/categories/", {"lang": "fr"})
    items = {item["id"]: item for item in response.json()["items"]}
    assert items[tree.passwords.pk]["category_path"] == ["Compte", "Mots de passe"]
    assert items[tree.account.pk]["description"] == "Votre compte."
    assert items[tree.billing.pk]["description"] == "Things to know."  # English fallback


def test_html_url_is_on_site_url_like_detail_url(tree, client, settings):
    """The API's page links come from SITE_URL (the default site follows it after every migrate)."""
    path = "/help/account/passwords/reset-password/"
    data = client.get(f"/api/v2/pages/{tree.bilingual.pk}/").json()
    assert data["meta"]["html_url"] == f"http://127.0.0.1:8000{path}"
    assert data["meta"]["detail_url"].startswith("http://127.0.0.1:8000/api/v2/")

    settings.SITE_URL = settings.WAGTAILAPI_BASE_URL = "https://help.example.com"
    site_follow_site_url()
    data = client.get(f"/api/v2/pages/{tree.bilingual.pk}/").json()
    assert data["meta"]["html_url"] == f"https://help.example.com{path}"
    assert data["meta"]["detail_url"].startswith("https://help.example.com/api/v2/")
    listed = client.get("/api/v2/articles/").json()["items"]
    assert {item["meta"]["html_url"].split("/help/")[0] for item in listed} == {"https://help.example.com"}

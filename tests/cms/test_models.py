from __future__ import annotations

from wagtail.models import Page

from cms.blocks import stream_to_text
from cms.models import ArticlePage, CategoryPage, HelpCenterPage


def test_tree_rules(tree):
    root = Page.get_first_root_node()
    assert HelpCenterPage.allowed_parent_page_models() == [Page]
    assert not HelpCenterPage.can_create_at(root)  # one help center only, and it exists
    assert CategoryPage.can_create_at(tree.help_center)
    assert CategoryPage.can_create_at(tree.account)
    assert not CategoryPage.can_create_at(tree.bilingual)
    assert ArticlePage.can_create_at(tree.account)
    assert ArticlePage.can_create_at(tree.passwords)
    assert not ArticlePage.can_create_at(tree.help_center)
    assert not ArticlePage.can_create_at(tree.bilingual)
    assert not ArticlePage.can_create_at(root)


def test_help_center_is_served_at_help(tree):
    assert tree.help_center.url == "/help/"
    assert tree.bilingual.url == "/help/account/passwords/reset-password/"


def test_available_languages_counts_only_real_translations(tree):
    assert tree.bilingual.available_languages() == ["en", "fr"]
    assert tree.english_only.available_languages() == ["en"]
    tree.english_only.title_de = "Zwei-Faktor"  # a title without a body is not a translation
    assert tree.english_only.available_languages() == ["en"]


def test_text_for_is_exact_language_without_fallback(tree):
    french = tree.bilingual.text_for("fr")
    assert french["title"] == "Réinitialiser votre mot de passe"
    assert french["summary"] == "Recevez un lien par e-mail."
    assert french["body"] == "Choisissez Mot de passe oublié sur la page de connexion."
    assert french["category_path"] == ["Compte", "Mots de passe"]
    german = tree.bilingual.text_for("de")
    assert german["title"] == "" and german["body"] == ""
    assert german["category_path"] == ["Account", "Passwords"]  # category titles fall back


def test_url_for_language(tree):
    assert tree.bilingual.url_for_language("fr") == "/help/account/passwords/reset-password/?lang=fr"
    assert tree.bilingual.urls() == {
        "en": "/help/account/passwords/reset-password/?lang=en",
        "fr": "/help/account/passwords/reset-password/?lang=fr",
    }


def test_stream_to_text_covers_every_text_block(db):
    page = ArticlePage(title="t", slug="t")
    page.body_en = [
        {"type": "paragraph", "value": "<p>One &amp; <i>two</i></p><ul><li>three</li></ul>"},
        {"type": "callout", "value": {"kind": "warning", "text": "<p>Careful</p>"}},
        {"type": "steps", "value": ["First step", "Second step"]},
        {"type": "code", "value": {"language": "text", "code": "make run"}},
    ]
    assert stream_to_text(page.body_en) == "One & two three\nCareful\nFirst step\nSecond step\nmake run"

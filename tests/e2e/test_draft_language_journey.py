"""Journey: the README demo. ``pro.licensed`` (profile language English) types a French question
without accents on /requests/new; the French password-reset article comes first, labelled as
being in the language of the question, in the live list and on the review page (issue 14 item 1,
issue 16 point 11)."""

from io import StringIO

import pytest
from django.conf import settings

from accounts import demo as accounts_demo
from accounts.models import User, support_profile_for
from cms import demo as cms_demo
from cms.models import ArticlePage
from search.service import index_rebuild

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

README_DRAFT = "je n'arrive pas a reinitialiser mon mot de passe"
LABEL = "In French, the language of your question."


@pytest.fixture
def demo() -> None:
    cms_demo.seed(None)
    accounts_demo.seed(StringIO())
    index_rebuild()


def sign_in_as_pro(page: object) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", "pro.licensed@answerfirst.localhost")
    page.fill("#id_password", settings.DEMO_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def test_a_french_draft_on_an_english_account_suggests_the_french_article_first(new_page: object, demo: None) -> None:
    reset = ArticlePage.objects.get(slug="reset-your-password")
    page = new_page("en-US")
    sign_in_as_pro(page)

    page.goto("/requests/new")
    page.get_by_role("heading", name="New request").wait_for()
    page.get_by_label("Description").press_sequentially(README_DRAFT, delay=15)
    first = page.locator("[data-deflection-list] li").first
    first.get_by_role("link", name=reset.title_fr).wait_for()
    assert first.locator(".deflection-fallback").inner_text() == LABEL

    page.get_by_role("button", name="Continue").click()
    page.get_by_role("heading", name="Before you contact us").wait_for()
    item = page.locator(".deflection-list li").first
    assert item.get_by_role("link").inner_text() == reset.title_fr
    assert item.locator(".deflection-fallback").inner_text() == LABEL


def test_an_untranslated_article_is_labelled_in_the_list_and_on_the_review_page(new_page: object, demo: None) -> None:
    """Issue 16, point 11: the review page says "shown in English" as the live list does."""
    vat = ArticlePage.objects.get(slug="add-vat-number-to-invoices")
    assert not vat.title_fr  # the demo has no French translation of it
    note = "Pas encore traduit : affiché en anglais."
    profile = support_profile_for(User.objects.get(email="pro.licensed@answerfirst.localhost"))
    profile.language = "fr"  # a French reader this time
    profile.save(update_fields=["language"])
    page = new_page("fr-FR")
    sign_in_as_pro(page)

    page.goto("/requests/new")
    page.get_by_role("heading", name="Nouvelle demande").wait_for()
    page.get_by_label("Description").press_sequentially(
        "numero de TVA refuse : Tax ID could not be validated", delay=15
    )
    listed = page.locator("[data-deflection-list] li").filter(has=page.get_by_role("link", name=vat.title_en))
    listed.wait_for()
    assert listed.locator(".deflection-fallback").inner_text() == note

    page.get_by_role("button", name="Continuer").click()
    reviewed = page.locator(".deflection-list li").filter(has=page.get_by_role("link", name=vat.title_en))
    reviewed.wait_for()
    assert reviewed.locator(".deflection-fallback").inner_text() == note

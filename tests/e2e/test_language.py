"""Journey (f): switching to French changes the interface and the content; an untranslated
article is shown in English with a notice."""

import pytest
from wagtail.models import Site

from tests.cms.factories import ArticlePageFactory, CategoryPageFactory, HelpCenterPageFactory, paragraph

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def articles() -> None:
    help_center = HelpCenterPageFactory(
        parent=Site.objects.get(is_default_site=True).root_page, title_fr="Centre d'aide"
    )
    account = CategoryPageFactory(parent=help_center, slug="account", title_en="Account", title_fr="Compte")
    ArticlePageFactory(
        parent=account,
        slug="reset-password",
        title_en="Reset your password",
        title_fr="Réinitialiser votre mot de passe",
        summary_fr="Recevez un lien par e-mail.",
        body_fr=paragraph("Choisissez Mot de passe oublié sur la page de connexion."),
    )
    ArticlePageFactory(
        parent=account,
        slug="two-factor",
        title_en="Turn on two-step verification",
        body_en=paragraph("Open your security settings."),
    )


def test_switching_to_french_changes_the_interface_and_the_content(new_page: object, articles: None) -> None:
    page = new_page()
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "How can we help?"
    page.select_option("#language-select", "fr")
    page.get_by_role("heading", name="Comment pouvons-nous vous aider ?").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"

    page.goto("/help/account/reset-password/")
    page.get_by_role("heading", name="Réinitialiser votre mot de passe").wait_for()
    assert "Mot de passe oublié" in page.locator("main").inner_text()
    assert page.locator(".notice").count() == 0

    page.goto("/help/account/two-factor/")
    page.get_by_role("heading", name="Turn on two-step verification").wait_for()
    assert page.locator(".notice").inner_text().startswith("Cet article n’est pas disponible dans votre langue.")

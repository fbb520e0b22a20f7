"""Shared steps of the browser journeys."""

from __future__ import annotations

from wagtail.models import Site

from accounts.models import User
from cms.models import ArticlePage
from tests.accounts.factories import member
from tests.cms.factories import ArticlePageFactory, CategoryPageFactory, HelpCenterPageFactory, paragraph

PASSWORD = "correct horse battery"


def customer(plan: str = "pro", role: str = "licensed", *, gov: bool = False, language: str = "en") -> User:
    user = member(plan, role, gov=gov)
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(page: object, user: User) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def subscription_article() -> ArticlePage:
    """A bilingual article about cancelling a subscription, published under the help center."""
    root = Site.objects.get(is_default_site=True).root_page
    help_center = HelpCenterPageFactory(parent=root, title_fr="Centre d'aide")
    billing = CategoryPageFactory(parent=help_center, slug="billing", title_en="Billing", title_fr="Facturation")
    return ArticlePageFactory(
        parent=billing,
        slug="cancel-subscription",
        title_en="Cancel your subscription",
        title_fr="Résilier votre abonnement",
        summary_en="Stop renewal from the billing page.",
        summary_fr="Arrêtez le renouvellement depuis la page de facturation.",
        body_en=paragraph("Open Billing, choose Cancel subscription and confirm. The plan stays active until renewal."),
        body_fr=paragraph(
            "Ouvrez Facturation, choisissez Résilier l'abonnement et confirmez. Votre forfait reste actif "
            "jusqu'au renouvellement."
        ),
    )

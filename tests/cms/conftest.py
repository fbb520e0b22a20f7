from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation
from wagtail.models import Site

from accounts.audiences import Audience
from cms.models import ArticlePage, CategoryPage, HelpCenterPage
from tests.cms.factories import ArticlePageFactory, CategoryPageFactory, HelpCenterPageFactory, paragraph


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Each test starts in the default language, whatever the previous one activated."""
    with translation.override("en"):
        yield


@dataclass
class HelpTree:
    help_center: HelpCenterPage
    account: CategoryPage
    passwords: CategoryPage
    billing: CategoryPage
    bilingual: ArticlePage  # en + fr
    english_only: ArticlePage
    customers_only: ArticlePage
    gov_only: ArticlePage
    internal: ArticlePage


def _build_tree() -> HelpTree:
    site = Site.objects.get(is_default_site=True)
    help_center = HelpCenterPageFactory(parent=site.root_page, title_fr="Centre d'aide")
    account = CategoryPageFactory(
        parent=help_center, slug="account", title_en="Account", title_fr="Compte", description_fr="Votre compte."
    )
    passwords = CategoryPageFactory(parent=account, slug="passwords", title_en="Passwords", title_fr="Mots de passe")
    billing = CategoryPageFactory(parent=help_center, slug="billing", title_en="Billing")
    bilingual = ArticlePageFactory(
        parent=passwords,
        slug="reset-password",
        title_en="Reset your password",
        title_fr="Réinitialiser votre mot de passe",
        summary_en="Get a reset link by email.",
        summary_fr="Recevez un lien par e-mail.",
        body_en=paragraph("Choose <b>Forgot password</b> on the sign-in page."),
        body_fr=paragraph("Choisissez <b>Mot de passe oublié</b> sur la page de connexion."),
    )
    english_only = ArticlePageFactory(
        parent=account,
        slug="two-factor",
        title_en="Turn on two-factor sign-in",
        summary_en="Protect your account with a second step.",
        body_en=paragraph("Open your security settings."),
    )
    customers_only = ArticlePageFactory(
        parent=billing, slug="change-plan", title_en="Change your plan", audience=Audience.CUSTOMERS
    )
    gov_only = ArticlePageFactory(parent=billing, slug="gov-hours", title_en="Gov support hours", audience=Audience.GOV)
    internal = ArticlePageFactory(
        parent=billing, slug="refund-macro", title_en="Refund macro", audience=Audience.INTERNAL
    )
    return HelpTree(
        help_center, account, passwords, billing, bilingual, english_only, customers_only, gov_only, internal
    )


@pytest.fixture(scope="module")
def _module_tree(django_db_setup: None, django_db_blocker: Any) -> Any:
    """Built once per module (publishing pages is slow) and removed after it; tests roll back their own writes."""
    with django_db_blocker.unblock(), translation.override("en"):
        built = _build_tree()
    yield built
    with django_db_blocker.unblock():
        HelpCenterPage.objects.filter(pk=built.help_center.pk).first().delete()


@pytest.fixture
def tree(db: None, _module_tree: HelpTree) -> HelpTree:
    """Fresh instances of the module's pages for each test."""
    fresh = {name: type(page).objects.get(pk=page.pk) for name, page in vars(_module_tree).items()}
    return HelpTree(**fresh)


@pytest.fixture
def customer(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(email="customer@example.test", password="pw-123456789")


@pytest.fixture
def agent(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(email="agent@example.test", password="pw-123456789", is_staff=True)

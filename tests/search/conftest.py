"""A small published help center (real Wagtail pages) for the indexing, page and API tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation
from wagtail.models import Page, Site

from accounts.audiences import Audience
from cms.models import ArticlePage, CategoryPage, HelpCenterPage


def paragraph(text: str) -> list[dict[str, Any]]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


def add_page(parent: Page, page: Page, *, publish: bool = True) -> Page:
    page.live = False
    parent.add_child(instance=page)
    if publish:
        page.save_revision().publish()
        page.refresh_from_db()
    return page


@dataclass
class Tree:
    help_center: HelpCenterPage
    account: CategoryPage
    billing: CategoryPage
    reset: ArticlePage  # en + fr
    subscriptions: ArticlePage  # en + fr
    export: ArticlePage  # en only
    plans: ArticlePage  # customers
    runbook: ArticlePage  # internal


def build_tree() -> Tree:
    with translation.override("en"):
        site = Site.objects.get(is_default_site=True)
        help_center = add_page(site.root_page, HelpCenterPage(title="Help center", title_en="Help center", slug="help"))
        account = add_page(
            help_center, CategoryPage(title="Account", title_en="Account", title_fr="Compte", slug="account")
        )
        billing = add_page(
            help_center, CategoryPage(title="Billing", title_en="Billing", title_fr="Facturation", slug="billing")
        )
        reset = add_page(
            account,
            ArticlePage(
                title="Reset your password",
                title_en="Reset your password",
                title_fr="Réinitialiser votre mot de passe",
                summary_en="Get a reset link by email.",
                summary_fr="Recevez un lien de réinitialisation par courriel.",
                body_en=paragraph("Choose Forgot password on the sign-in page."),
                body_fr=paragraph("Choisissez Mot de passe oublié sur la page de connexion."),
                slug="reset-password",
            ),
        )
        subscriptions = add_page(
            billing,
            ArticlePage(
                title="Manage subscriptions",
                title_en="Manage subscriptions",
                title_fr="Gérer les abonnements",
                summary_en="Change or cancel your subscriptions.",
                summary_fr="Modifier ou arrêter vos abonnements.",
                body_en=paragraph("Subscriptions are listed on the billing page."),
                body_fr=paragraph("Les abonnements figurent sur la page de facturation."),
                slug="subscriptions",
            ),
        )
        export = add_page(
            account,
            ArticlePage(
                title="Export your data",
                title_en="Export your data",
                summary_en="Download a spreadsheet of your tickets.",
                body_en=paragraph("Exports are emailed when ready."),
                slug="export",
            ),
        )
        plans = add_page(
            billing,
            ArticlePage(
                title="Plan prices for customers",
                title_en="Plan prices for customers",
                summary_en="What each plan costs.",
                body_en=paragraph("Prices of every plan."),
                slug="plan-prices",
                audience=Audience.CUSTOMERS,
            ),
        )
        runbook = add_page(
            billing,
            ArticlePage(
                title="Refund runbook",
                title_en="Refund runbook",
                summary_en="Internal refund steps.",
                body_en=paragraph("Agents refund through the billing console."),
                slug="refund-runbook",
                audience=Audience.INTERNAL,
            ),
        )
    return Tree(help_center, account, billing, reset, subscriptions, export, plans, runbook)


@pytest.fixture
def tree(db: None) -> Tree:
    return build_tree()


@pytest.fixture(autouse=True)
def _fresh_synonyms() -> None:
    """Synonyms are memoized per process; a rolled-back test must not leave its groups behind."""
    from search.service import synonyms_changed

    synonyms_changed()

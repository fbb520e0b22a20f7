"""Deflection fixtures: a small indexed article set in the default search index, and users."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from search.service import SearchDocument, index_documents
from tests.search.factories import doc

ARTICLES = [
    # (article_id, language, title, body, audience)
    ("101", "en", "Reset your password", "Forgot your password? Use the reset link on the sign-in page.", "public"),
    (
        "101",
        "fr",
        "Réinitialiser votre mot de passe",
        "Mot de passe oublié ? Utilisez le lien de réinitialisation sur la page de connexion.",
        "public",
    ),
    ("102", "en", "Export invoices as PDF", "Download every invoice as a PDF file from the billing page.", "public"),
    (
        "103",
        "en",
        "Single sign-on for public agencies",
        "Agencies configure single sign-on with their government identity provider.",
        "gov",
    ),
    ("104", "en", "Escalation runbook", "Internal escalation runbook for the on-call agents.", "internal"),
    (
        "105",
        "en",
        "Change your billing address",
        "Customers change the billing address printed on invoices.",
        "customers",
    ),
]


def documents() -> list[SearchDocument]:
    return [
        doc(article_id, language, title, body[:80], body, audience=audience)
        for article_id, language, title, body, audience in ARTICLES
    ]


@pytest.fixture(autouse=True)
def _clear_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def indexed(db: None) -> None:
    index_documents(documents())


@pytest.fixture
def customer(db: None) -> object:
    from accounts.models import User

    return User.objects.create_user("carla@example.com", "pw-carla-123")


@pytest.fixture
def other_customer(db: None) -> object:
    from accounts.models import User

    return User.objects.create_user("olaf@example.com", "pw-olaf-123")


@pytest.fixture
def agent(db: None) -> object:
    from accounts.models import User

    return User.objects.create_user("agnes@example.com", "pw-agnes-123", is_staff=True)

"""The same articles, the same questions, the same order on every engine.

A deployment that moves from the embedded default (SQLite FTS5) to PostgreSQL or Elasticsearch
must not answer worse: the engines share the analysis, the term selection and the field weights
(``search.backends.base.FIELD_WEIGHTS``), then the ranking by passages (``search.passages``).
This module indexes one small help center of long-ish articles with several fields (two of them
with sections) and checks the orderings that follow from those choices, on SQLite
(the default run), PostgreSQL (when the database is PostgreSQL) and Elasticsearch (when
``ELASTICSEARCH_URL`` points at a live cluster; skipped otherwise, a failure only under
``ANSWERFIRST_REQUIRE_SERVICES=1`` with that URL set, as in ``test_backends.py``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.db import connection

from search.backends import SearchBackend
from search.backends.elastic import ElasticsearchBackend
from search.backends.postgres import PostgresBackend
from search.backends.sqlite import SqliteBackend
from search.service import index_documents, search_articles
from tests.search.factories import doc, headed
from tests.search.test_backends import live_elasticsearch

FILLER = (
    "This page is part of the help center. Ask your administrator when an option is missing. "
    "Changes are saved automatically and apply to everyone in your workspace. "
)

ARTICLES = [
    doc(
        "billing-address",
        "en",
        "Change the billing address",
        "Update the company address printed on your invoices.",
        FILLER * 2 + "Open Billing, choose Address and save. The next invoice shows the new address. " + FILLER,
        category_path=["Billing"],
    ),
    doc(
        "invoice-list",
        "en",
        "Invoices",
        "Every invoice of your workspace.",
        FILLER + "Invoices are listed by month. Each invoice can be opened in the browser. " * 3,
        category_path=["Billing"],
    ),
    doc(
        "export-pdf",
        "en",
        "Export invoices as PDF",
        "Download one PDF file per invoice.",
        FILLER + "Select the invoices, choose Export and then PDF. The files arrive by email as a ZIP archive.",
        category_path=["Billing"],
    ),
    doc(
        "sso",
        "en",
        "Sign in with single sign-on (SAML)",
        "Connect your identity provider.",
        FILLER * 2 + "Upload the SAML metadata of your identity provider, then test the sign-in with one account.",
        category_path=["Account"],
    ),
    doc(
        "password",
        "en",
        "Reset your password",
        "Get a reset link by email when you forgot your password.",
        FILLER + "Choose Forgot password on the sign-in page; the link expires after one hour.",
        category_path=["Account"],
    ),
    doc(
        "webhooks",
        "en",
        "Send events to your server with webhooks",
        "Receive a request for every new ticket.",
        FILLER * 2 + "Add the URL of your server; every delivery is signed and retried for a day.",
        category_path=["Integrations"],
    ),
    # Two long articles with the same words, as often: one answers in a section, the other scatters them.
    headed(
        doc(
            "two-step-guide",
            "en",
            "Two-step verification guide",
            body="Phone\nAdd your phone number to your profile.\n\nBackup\nPrint your backup codes and keep them safe.",
        )
    ),
    headed(
        doc(
            "lost-phone",
            "en",
            "Two-step verification guide",
            body="Phone\nAdd your phone number to your profile. Print your backup codes and keep them safe.\n\n"
            "Backup\nDone then.",
        )
    ),
    doc(
        "billing-address",
        "fr",
        "Modifier l'adresse de facturation",
        "Mettez à jour l'adresse de la société imprimée sur vos factures.",
        "Ouvrez Facturation, choisissez Adresse et enregistrez. La prochaine facture affiche la nouvelle adresse.",
        category_path=["Facturation"],
    ),
    doc(
        "password",
        "fr",
        "Réinitialiser votre mot de passe",
        "Recevez un lien de réinitialisation par courriel.",
        "Choisissez Mot de passe oublié sur la page de connexion ; le lien expire au bout d'une heure.",
        category_path=["Compte"],
    ),
]

# (what the reader typed, language, expected top results in order)
ORDERINGS = [
    # Words spread over title and body count together (term-centric, not the best field alone).
    ("change the billing address on my invoice", "en", ["billing-address"]),
    # A title match outweighs the same word in a long body.
    ("invoices", "en", ["invoice-list"]),
    # Two of the title's words beat one repeated word.
    ("export pdf invoices", "en", ["export-pdf"]),
    # A long draft: "workspace", "page", "help" are in every article and must not decide.
    (
        "Hello, in our workspace the help page says to ask the administrator, but I need to connect our identity "
        "provider with SAML so that everyone in the workspace can sign in; the help center page did not say how.",
        "en",
        ["sso"],
    ),
    # Stemming and a typed prefix of the last word.
    ("resetting passwor", "en", ["password"]),
    # French: elision, accents optional, the same stems as the Python analysis.
    ("l'adresse de facturation", "fr", ["billing-address"]),
    ("reinitialiser mot de passe", "fr", ["password"]),
    # The article whose one section holds the question first, although whole it is the longer one.
    ("phone backup codes", "en", ["lost-phone", "two-step-guide"]),
]


class RankingParity:
    """The orderings every engine must give. Subclasses give ``make_backend(namespace)``."""

    def make_backend(self, namespace: str) -> SearchBackend:
        raise NotImplementedError

    @pytest.fixture
    def corpus(self, db: None) -> Iterator[SearchBackend]:
        backend = self.make_backend(f"p{uuid.uuid4().hex[:10]}")
        backend.setup()
        try:
            assert index_documents(ARTICLES, backend=backend) == len(ARTICLES)
            yield backend
        finally:
            backend.drop()

    @pytest.mark.parametrize(("text", "language", "expected"), ORDERINGS, ids=[o[0][:30] for o in ORDERINGS])
    def test_ordering(self, corpus: SearchBackend, text: str, language: str, expected: list[str]) -> None:
        results = search_articles(text, language=language, audiences=["public"], backend=corpus)
        assert not results.degraded
        found = [hit.article_id for hit in results.hits]
        assert found[: len(expected)] == expected, found
        assert all(not hit.is_fallback for hit in results.hits[: len(expected)])

    def test_words_in_more_fields_rank_higher(self, corpus: SearchBackend) -> None:
        """The billing address article holds "billing", "address" and "invoice"; the invoice list only
        "invoice", many times: holding more of the question wins."""
        results = search_articles("billing address invoice", language="en", audiences=["public"], backend=corpus)
        found = [hit.article_id for hit in results.hits]
        assert found.index("billing-address") < found.index("invoice-list")


class TestSqlite(RankingParity):
    @pytest.fixture(autouse=True)
    def _on_sqlite(self) -> None:
        if connection.vendor != "sqlite":
            pytest.skip("the SQLite FTS5 backend runs on the SQLite database (the default run)")

    def make_backend(self, namespace: str) -> SearchBackend:
        return SqliteBackend(namespace)


class TestPostgres(RankingParity):
    @pytest.fixture(autouse=True)
    def _on_postgres(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("set DATABASE_URL=postgres://… to run the PostgreSQL backend")

    def make_backend(self, namespace: str) -> SearchBackend:
        return PostgresBackend(namespace)


class TestElasticsearch(RankingParity):
    @pytest.fixture(autouse=True)
    def _live_cluster(self, settings: object) -> None:
        live_elasticsearch(settings)

    def make_backend(self, namespace: str) -> SearchBackend:
        return ElasticsearchBackend(namespace)

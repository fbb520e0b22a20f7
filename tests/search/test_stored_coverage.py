"""The database engines keep what the untranslated-article promotion needs with the index (no hit re-analyzed
per draft): SQLite FTS5 on the default run, PostgreSQL on the PostgreSQL one."""

from __future__ import annotations

import pytest
from django.db import connection

from search import service
from search.query import text_coverage
from search.service import index_documents, search_articles, temporary_index
from tests.search.factories import doc

pytestmark = pytest.mark.django_db

# The engine that keeps its index in this run's database.
ENGINE = "postgres" if connection.vendor == "postgresql" else "sqlite"


DOCUMENTS = [
    doc("1", "fr", "Réinitialiser le mot de passe", body="Ouvrez les paramètres du compte, puis sécurité."),
    doc("2", "en", "Export notifications", body="Notifications can be exported to CSV from the notification centre."),
    doc("3", "en", "Password reset", body="Open the account settings, then security, to reset a password."),
    doc("3", "fr", "Mot de passe", body="Ouvrez les paramètres."),
]


def test_hits_carry_the_coverage_computed_at_index_time() -> None:
    with temporary_index(ENGINE) as backend:
        index_documents(DOCUMENTS, backend=backend)
        hits, _total = backend.search(
            service._prepare(backend, "notifications exported", "en", lambda language: []),
            audiences=["public"],
            limit=10,
            offset=0,
        )
        assert [hit.article_id for hit in hits] == ["2"]
        expected = text_coverage(DOCUMENTS[1].title, "", DOCUMENTS[1].body, "en")
        assert set(hits[0].coverage.terms.split()) == set(expected.terms.split())
        assert set(hits[0].coverage.beginnings.split()) == set(expected.beginnings.split())
        assert hits[0].coverage.has_term("notif") and hits[0].coverage.has_beginning("expor")
        assert not hits[0].coverage.has_term("notifications")  # terms are stems, not words


def test_promotion_reads_the_stored_coverage_not_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    analyzed: list[str] = []
    real = service.text_coverage

    def counting(title: str, summary: str, body: str, language: str) -> object:
        analyzed.append(title)
        return real(title, summary, body, language)

    with temporary_index(ENGINE) as backend:
        index_documents(DOCUMENTS, backend=backend)
        monkeypatch.setattr(service, "text_coverage", counting)
        results = search_articles(
            "exporter mes notifications du compte",
            language="fr",
            audiences=["public"],
            backend=backend,
            promote_untranslated=True,
            synonyms=lambda language: [],
        )
        assert results.hits[0].article_id == "2"  # the untranslated article covering more comes first
        assert analyzed == []


def test_a_namespace_made_before_the_coverage_columns_gains_them() -> None:
    with temporary_index(ENGINE) as backend:
        with connection.cursor() as cursor:
            for column in ("terms", "beginnings"):
                cursor.execute(f"ALTER TABLE {backend.doc_table} DROP COLUMN {column}")
        hits, _total = backend.search(
            service._prepare(backend, "notifications exported", "en", lambda language: []),
            audiences=["public"],
            limit=10,
            offset=0,
        )
        assert hits == []
        index_documents(DOCUMENTS, backend=backend)
        assert backend.count() == 4

"""search.0003 moves a PostgreSQL main index from the old tsvector table to the BM25 tables."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from search.backends.postgres import PostgresBackend
from search.service import search_articles

migration = importlib.import_module("search.migrations.0003_postgres_bm25")


@pytest.fixture(autouse=True)
def _on_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("set DATABASE_URL=postgres://… to run the PostgreSQL migration")


def old_table_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('search_main_pg')")
        return cursor.fetchone()[0] is not None


@pytest.mark.django_db
def test_documents_of_the_old_table_are_searchable_after_the_move() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE search_main_pg (id BIGSERIAL PRIMARY KEY, article_id TEXT NOT NULL, "
            "language TEXT NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL, body TEXT NOT NULL, "
            "url TEXT NOT NULL, audience TEXT NOT NULL, languages TEXT NOT NULL, published_at TIMESTAMPTZ, "
            "updated_at TIMESTAMPTZ, vector TSVECTOR NOT NULL)"
        )
        cursor.execute(
            "INSERT INTO search_main_pg (article_id, language, title, summary, body, url, audience, languages, vector) "
            "VALUES ('42', 'fr', 'Réinitialiser le mot de passe', 'Un lien par courriel.', 'Ouvrez la page de "
            "connexion.', '/help/a/42/', 'public', ',fr,', to_tsvector('french', 'mot de passe'))"
        )

    migration.move_main_index(None, SimpleNamespace(connection=connection))

    assert not old_table_exists()
    results = search_articles("reinitialiser mot de passe", language="fr", audiences=["public"])
    assert [(hit.article_id, hit.title) for hit in results.hits] == [("42", "Réinitialiser le mot de passe")]
    assert PostgresBackend("main").count() == 1


@pytest.mark.django_db
def test_without_an_old_table_nothing_changes() -> None:
    backend = PostgresBackend("main")
    before = backend.count()
    migration.move_main_index(None, SimpleNamespace(connection=connection))
    assert backend.count() == before

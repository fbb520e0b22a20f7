"""PostgreSQL: indexing tasks that run at once never deadlock on the shared vocabulary rows.

Each write moves document frequencies in ``search_<ns>_pgvocab`` (minus the article's old terms,
plus its new ones); two workers re-indexing articles that share words used to lock those rows in
crossing orders, and PostgreSQL aborted one of them.
"""

from __future__ import annotations

import random
import threading
import uuid

import pytest
from django.db import connection, connections

from search.backends.postgres import PostgresBackend
from tests.search.factories import doc

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = [f"w{number:03d}" for number in range(400)]


@pytest.fixture
def backend() -> PostgresBackend:
    if connection.vendor != "postgresql":
        pytest.skip("set DATABASE_URL=postgres://… to run the PostgreSQL backend")
    backend = PostgresBackend(f"t{uuid.uuid4().hex[:10]}")
    backend.setup()
    yield backend
    backend.drop()


def test_writers_at_once_on_articles_sharing_words_all_succeed(backend: PostgresBackend) -> None:
    rounds, errors = 25, []

    def write(article: str, seed: int) -> None:
        chooser = random.Random(seed)
        try:
            for _ in range(rounds):
                body = " ".join(chooser.sample(WORDS, 250))
                backend.index([doc(article, "en", f"Article {article}", body=body)])
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(f"a{number}", number)) for number in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    frequencies, documents = backend.term_statistics("en", WORDS)
    assert documents == 4
    with connection.cursor() as cursor:  # the kept counts are those of the last bodies, exactly
        cursor.execute(
            f"SELECT v.term, v.documents, count(t.doc_id) FROM {backend.vocab_table} AS v "
            f"LEFT JOIN {backend.term_table} AS t ON t.language = v.language AND t.term = v.term "
            "WHERE v.language = 'en' GROUP BY v.term, v.documents"
        )
        assert all(documents == postings for _term, documents, postings in cursor.fetchall())
    assert sum(frequencies.values()) == 4 * 250  # every body holds 250 distinct words

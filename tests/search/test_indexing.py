"""Indexing follows publishing: signals mark articles dirty and queue a task on commit; the task
and the periodic sweep bring the index up to date; ``search_rebuild`` and the demo step rebuild it."""

from __future__ import annotations

import time
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from search.models import IndexQueue
from search.service import article_reindex, documents_for_article, index_rebuild, search_articles
from search.tasks import reindex_article, reindex_dirty
from tests.search.conftest import Tree, add_page, build_tree, paragraph

EVERYONE = ["public", "customers", "gov", "internal"]


def found(text: str, language: str = "en", audiences: list[str] | None = None) -> list[tuple[str, str, bool]]:
    results = search_articles(text, language=language, audiences=audiences or ["public"])
    assert not results.degraded
    return [(hit.article_id, hit.language, hit.is_fallback) for hit in results.hits]


def test_documents_come_from_the_article_contract(tree: Tree) -> None:
    documents = {document.language: document for document in documents_for_article(tree.reset)}
    assert set(documents) == {"en", "fr"}
    french = documents["fr"]
    assert french.article_id == str(tree.reset.pk)
    assert french.title == "Réinitialiser votre mot de passe"
    assert "Mot de passe oublié" in french.body
    assert french.category_path == ["Compte"]
    assert french.url.endswith("?lang=fr")
    assert french.audience == "public"
    assert french.published_at is not None


def test_rebuild_indexes_live_articles_only(tree: Tree) -> None:
    draft = add_page(tree.account, _article("Draft about webhooks", "webhooks-draft"), publish=False)
    report = index_rebuild()
    assert report.articles == 5
    assert report.documents == 7  # two articles in en + fr
    assert found("webhooks") == []
    assert found("l'abonnement", "fr")[0] == (str(tree.subscriptions.pk), "fr", False)
    assert found("reinitialiser", "fr")[0] == (str(tree.reset.pk), "fr", False)
    assert (str(tree.export.pk), "en", True) in found("export", "fr")
    assert found("refund runbook") == []
    assert found("refund runbook", audiences=EVERYONE)[0][0] == str(tree.runbook.pk)
    assert draft.pk


def test_changes_made_while_a_rebuild_runs_are_replayed_after_it(tree: Tree) -> None:
    """A rebuild streams the database, then swaps: what was unpublished, published or renamed in
    between reaches the new index too (Elasticsearch's swap would otherwise lose it)."""
    changes: list[int] = []

    def editor_at_work(documents: int) -> None:
        if changes:
            return
        changes.append(documents)
        tree.export.unpublish()
        tree.billing.title_en = "Payments"  # a category's new name reaches its articles
        tree.billing.save_revision().publish()
        add_page(tree.account, _article("Webhooks for developers", "webhooks"))

    index_rebuild(progress=editor_at_work)
    assert changes
    assert str(tree.export.pk) not in [hit[0] for hit in found("export your data")]
    assert [hit[0] for hit in found("webhooks")] != []
    assert found("payments")[0][0] == str(tree.subscriptions.pk)


def _article(title: str, slug: str, **fields: Any) -> Any:
    from cms.models import ArticlePage

    return ArticlePage(title=title, title_en=title, summary_en=title, body_en=paragraph(title), slug=slug, **fields)


def test_publishing_marks_dirty_and_queues_on_commit(tree: Tree, django_capture_on_commit_callbacks: Any) -> None:
    index_rebuild()
    with django_capture_on_commit_callbacks() as callbacks:
        page = add_page(tree.account, _article("Configure webhooks", "webhooks"))
    assert IndexQueue.objects.filter(page_id=page.pk).exists()
    assert callbacks  # the task is queued for after the commit, not run inside the transaction
    assert found("webhooks") == []
    assert reindex_article(page.pk) == 1  # what the worker runs
    assert found("webhooks") == [(str(page.pk), "en", False)]
    assert not IndexQueue.objects.filter(page_id=page.pk).exists()
    assert reindex_article(page.pk) == 1  # twice is harmless
    assert found("webhooks") == [(str(page.pk), "en", False)]


def test_unpublish_removes_from_the_index(tree: Tree) -> None:
    index_rebuild()
    assert found("subscriptions")
    tree.subscriptions.unpublish()
    assert IndexQueue.objects.filter(page_id=tree.subscriptions.pk).exists()
    reindex_article(tree.subscriptions.pk)
    assert found("subscriptions") == []
    assert found("abonnements", "fr") == []


def test_delete_removes_from_the_index(tree: Tree) -> None:
    index_rebuild()
    page_id = tree.export.pk
    tree.export.delete()
    assert IndexQueue.objects.filter(page_id=page_id).exists()
    reindex_article(page_id)
    assert found("export") == []


def test_moving_updates_url_and_category(tree: Tree) -> None:
    index_rebuild()
    tree.export.move(tree.billing, pos="last-child")
    reindex_article(tree.export.pk)
    results = search_articles("export", language="en", audiences=["public"])
    assert results.hits[0].url.startswith("/help/billing/export/")


def test_renaming_a_category_reaches_its_articles(tree: Tree) -> None:
    IndexQueue.objects.all().delete()  # publishing the tree marked everything
    tree.billing.title_fr = "Paiements"
    tree.billing.save_revision().publish()
    marked = set(IndexQueue.objects.values_list("page_id", flat=True))
    assert {tree.subscriptions.pk, tree.plans.pk, tree.runbook.pk} <= marked
    assert tree.reset.pk not in marked


def test_the_periodic_sweep_catches_lost_tasks(tree: Tree) -> None:
    # The test transaction never commits, so the queued tasks never run: like a crashed worker.
    page = add_page(tree.account, _article("Single sign-on with SAML", "saml"))
    assert found("saml") == []
    assert reindex_dirty() >= 1
    assert found("saml") == [(str(page.pk), "en", False)]
    assert not IndexQueue.objects.exists()


def test_a_mark_newer_than_the_task_survives(tree: Tree) -> None:
    from django.utils import timezone

    IndexQueue.objects.update_or_create(
        page_id=tree.reset.pk, defaults={"marked_at": timezone.now() + timezone.timedelta(seconds=30)}
    )
    article_reindex(page_id=tree.reset.pk)
    assert IndexQueue.objects.filter(page_id=tree.reset.pk).exists()


def test_search_rebuild_command_reports_counts_and_time(tree: Tree) -> None:
    out = StringIO()
    call_command("search_rebuild", stdout=out)
    text = out.getvalue()
    assert "[" in text and "#" in text  # the progress bar
    assert "Indexed 7 documents from 5 articles on sqlite-fts5:main" in text or "on postgresql:main" in text
    assert " s" in text.splitlines()[-1]


def test_search_setup_command(db: None) -> None:
    out = StringIO()
    call_command("search_setup", stdout=out)
    assert "Search index ready on" in out.getvalue()


def test_demo_step_indexes_live_articles(tree: Tree) -> None:
    from search.demo import seed

    lines = seed(StringIO())
    assert len(lines) == 1
    assert "indexed 7 documents from 5 articles" in lines[0]
    assert found("password")[0][0] == str(tree.reset.pk)
    again = seed(StringIO())  # idempotent: the same counts, not twice the documents
    assert again[0].rsplit(" in ", 1)[0] == lines[0].rsplit(" in ", 1)[0]


def test_engine_failure_degrades_to_the_database(tree: Tree, settings: Any, caplog: Any) -> None:
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:1"  # nothing listens there
    results = search_articles("mot de passe", language="fr", audiences=["public"])
    assert results.degraded
    assert [hit.article_id for hit in results.hits] == [str(tree.reset.pk)]
    assert results.hits[0].title == "Réinitialiser votre mot de passe"
    export = search_articles("spreadsheet", language="fr", audiences=["public"])
    assert [(hit.article_id, hit.is_fallback) for hit in export.hits] == [(str(tree.export.pk), True)]
    assert search_articles("plan prices", language="en", audiences=["public"]).hits == []
    assert "answering from the database" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_indexes_a_published_article(celery_worker: Any) -> None:
    with translation.override("en"):
        tree = build_tree()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and found("subscriptions") == []:
            time.sleep(0.2)
        assert found("subscriptions")[0][0] == str(tree.subscriptions.pk)
        tree.subscriptions.unpublish()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and found("subscriptions"):
            time.sleep(0.2)
        assert found("subscriptions") == []
        assert not IndexQueue.objects.filter(page_id=tree.subscriptions.pk).exists()

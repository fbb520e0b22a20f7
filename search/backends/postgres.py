"""PostgreSQL: an inverted index of our own in two tables, ranked by BM25 exactly as SQLite FTS5 ranks.

PostgreSQL's ``ts_rank_cd`` has no inverse document frequency and no length normalization, so
long articles full of common words won (issue 14: French MRR@10 0.09 against SQLite's 0.41).
Instead, text is analyzed in Python (``search.analysis``, the very terms SQLite stores) and kept
as postings: one row per document and term with its field-weighted frequency (``WEIGHTS``, the
same as SQLite's bm25 column weights), each document's length in tokens, and a vocabulary of
document frequencies per language and term. A query scores the matching postings with FTS5's
BM25 (k1 1.2, b 0.75, idf floored at 1e-6), so both engines rank alike and term selection
(``term_statistics``) reads the same frequencies. Prefixes (half-typed words, cognates) are
ranges over the ``C``-collated term index; typos are corrected from the vocabulary as on SQLite.

Tables, per namespace ``ns``: ``search_ns_pgdoc`` (documents), ``search_ns_pgterm`` (postings),
``search_ns_pgvocab`` (document frequencies), created on demand.
"""

# Table names in these f-strings are built from a validated namespace;
# every value travels as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from django.db import DatabaseError, ProgrammingError, connection, transaction

from search.analysis import analyze, edit_distance_at_most
from search.backends.base import DatabaseBackend, extra_text, languages_field
from search.backends.sqlite import MAX_CORRECTIONS, WEIGHTS
from search.documents import (
    Coverage,
    PreparedQuery,
    SearchDocument,
    StoredDocument,
    sections_from_json,
)
from search.errors import SearchUnavailable
from search.query import analyze_for_index

# FTS5's bm25() constants.
K1 = 1.2
B = 0.75
MIN_IDF = 1e-6
PREFIX_END = "\U0010ffff"  # above every character: [prefix, prefix + PREFIX_END] holds every term it starts
T = TypeVar("T")
LATER_COLUMNS = ("sections", "terms", "beginnings")  # added to the document table after its first release


@contextmanager
def _guard() -> Iterator[None]:
    """Engine errors become ``SearchUnavailable``; the savepoint keeps the caller's transaction usable."""
    try:
        with transaction.atomic():
            yield
    except DatabaseError as error:
        raise SearchUnavailable(f"postgresql: {error}") from error


@dataclass(frozen=True)
class FieldTerms:
    """What indexing stores of a document besides its text (``field_terms``)."""

    frequencies: Counter[str]  # field-weighted frequency of each analyzed term
    length: int  # in tokens, every field, unweighted
    coverage: Coverage  # for the untranslated-article promotion (search.query.text_coverage)
    sections: str  # sections_to_json, or "" for a body without headings


def field_terms(document: SearchDocument) -> FieldTerms:
    """The document analyzed once for everything the index keeps of it.

    FTS5's bm25() counts a match in column c as ``WEIGHTS[c]`` and measures length in tokens of
    every column, unweighted; this is that, computed once at index time, with the promotion's
    coverage and each section's terms from the same analysis.
    """
    analyzed = analyze_for_index(document)
    frequencies: Counter[str] = Counter()
    length = 0
    fields = (analyzed.title, analyzed.summary, analyzed.body, analyze(extra_text(document), document.language))
    for terms, weight in zip(fields, WEIGHTS, strict=True):
        length += len(terms)
        for term, count in Counter(terms).items():
            frequencies[term] += weight * count
    return FieldTerms(frequencies, length, analyzed.coverage, analyzed.sections)


class PostgresBackend(DatabaseBackend):
    name = "postgresql"

    @property
    def doc_table(self) -> str:
        return f"search_{self.namespace}_pgdoc"

    @property
    def term_table(self) -> str:
        return f"search_{self.namespace}_pgterm"

    @property
    def vocab_table(self) -> str:
        return f"search_{self.namespace}_pgvocab"

    def setup(self) -> None:
        with _guard(), connection.cursor() as cursor:
            self._ensure(cursor)

    def _ensure(self, cursor: object) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.doc_table} ("
            "id BIGSERIAL PRIMARY KEY, article_id TEXT NOT NULL, language TEXT NOT NULL, title TEXT NOT NULL, "
            "summary TEXT NOT NULL, body TEXT NOT NULL, url TEXT NOT NULL, audience TEXT NOT NULL, "
            "languages TEXT NOT NULL, published_at TIMESTAMPTZ, updated_at TIMESTAMPTZ, "
            "length INTEGER NOT NULL, sections TEXT NOT NULL DEFAULT '', terms TEXT NOT NULL DEFAULT '', "
            "beginnings TEXT NOT NULL DEFAULT '', UNIQUE (article_id, language))"
        )
        # Indexes written before these columns existed gain them (empty until reindexed: no section
        # links, and the promotion analyzes the hit's text). Looked up first: ALTER TABLE locks the
        # table out of reads until the writing transaction ends.
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s",
            [self.doc_table],
        )
        present = {row[0] for row in cursor.fetchall()}
        for column in LATER_COLUMNS:
            if column not in present:
                cursor.execute(
                    f"ALTER TABLE {self.doc_table} ADD COLUMN IF NOT EXISTS {column} TEXT NOT NULL DEFAULT ''"
                )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {self.doc_table}_filter ON {self.doc_table} (language, audience)")
        cursor.execute(
            # No foreign key: checking it costs a lookup per posting (hundreds per document);
            # _delete and _empty remove postings with their documents.
            f"CREATE TABLE IF NOT EXISTS {self.term_table} ("
            'doc_id BIGINT NOT NULL, language TEXT NOT NULL, term TEXT COLLATE "C" NOT NULL, tf REAL NOT NULL)'
        )
        # Covering: a query reads postings from the index alone.
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {self.term_table}_term ON {self.term_table} (language, term) "
            "INCLUDE (doc_id, tf)"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {self.term_table}_doc ON {self.term_table} (doc_id)")
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.vocab_table} ("
            'language TEXT NOT NULL, term TEXT COLLATE "C" NOT NULL, documents INTEGER NOT NULL, '
            "PRIMARY KEY (language, term))"
        )

    def _drop(self) -> None:
        with _guard(), connection.cursor() as cursor:
            for table in (self.vocab_table, self.term_table, self.doc_table):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")

    def ping(self) -> str:
        with _guard(), connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return self.name

    def _read(self, run: Callable[[object], T]) -> T:
        """Run a read; a namespace never set up is created (empty) and read again."""
        try:
            with _guard(), connection.cursor() as cursor:
                return run(cursor)
        except SearchUnavailable as error:
            if not isinstance(error.__cause__, ProgrammingError) or "does not exist" not in str(error):
                raise
        self.setup()
        with _guard(), connection.cursor() as cursor:
            return run(cursor)

    def count(self) -> int:
        def run(cursor: object) -> int:
            cursor.execute(f"SELECT count(*) FROM {self.doc_table}")
            return int(cursor.fetchone()[0])

        return self._read(run)

    # --- writes ---------------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[object]:
        """One writer per namespace at a time (a transaction-scoped advisory lock).

        Every write moves the shared document frequencies of the words it adds and removes; two
        writers at once lock those rows in crossing orders and PostgreSQL aborts one (deadlock).
        Writes are short (one article) and readers never wait, so queueing them costs nothing.
        """
        with _guard(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"answerfirst-search:{self.namespace}"])
            self._ensure(cursor)
            yield cursor

    def _empty(self, cursor: object) -> None:
        # DELETE, not TRUNCATE: readers keep the old index until the rebuild commits.
        cursor.execute(f"DELETE FROM {self.vocab_table}")
        cursor.execute(f"DELETE FROM {self.term_table}")
        cursor.execute(f"DELETE FROM {self.doc_table}")

    def _delete(self, cursor: object, article_ids: list[str]) -> None:
        if not article_ids:
            return
        # An upsert of negative counts (writers take turns: see _writing).
        cursor.execute(
            f"INSERT INTO {self.vocab_table} (language, term, documents) "
            f"SELECT t.language, t.term, -count(*) FROM {self.term_table} AS t "
            f"JOIN {self.doc_table} AS d ON d.id = t.doc_id WHERE d.article_id = ANY(%s) "
            "GROUP BY t.language, t.term ORDER BY t.language, t.term "
            f"ON CONFLICT (language, term) DO UPDATE SET documents = {self.vocab_table}.documents + excluded.documents",
            [article_ids],
        )
        cursor.execute(
            f"DELETE FROM {self.term_table} WHERE doc_id IN "
            f"(SELECT id FROM {self.doc_table} WHERE article_id = ANY(%s))",
            [article_ids],
        )
        cursor.execute(f"DELETE FROM {self.doc_table} WHERE article_id = ANY(%s)", [article_ids])

    def _insert(self, cursor: object, articles: dict[str, list[SearchDocument]]) -> int:
        documents = [(article_id, document) for article_id, group in articles.items() for document in group]
        if not documents:
            return 0
        analyzed = [field_terms(document) for _article_id, document in documents]
        columns: list[list[object]] = [[] for _ in range(14)]
        for (article_id, document), stored in zip(documents, analyzed, strict=True):
            languages = languages_field(articles[article_id])
            values = (
                article_id,
                document.language,
                document.title,
                document.summary,
                document.body,
                document.url,
                document.audience,
                languages,
                document.published_at,
                document.updated_at,
                stored.length,
                stored.sections,
                stored.coverage.terms,
                stored.coverage.beginnings,
            )
            for column, value in zip(columns, values, strict=True):
                column.append(value)
        cursor.execute(
            f"INSERT INTO {self.doc_table} (article_id, language, title, summary, body, url, audience, languages, "
            "published_at, updated_at, length, sections, terms, beginnings) SELECT * FROM unnest(%s::text[], "
            "%s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::timestamptz[], "
            "%s::timestamptz[], %s::int[], %s::text[], %s::text[], %s::text[]) RETURNING id, article_id, language",
            columns,
        )
        ids = {(row[1], row[2]): row[0] for row in cursor.fetchall()}
        doc_ids: list[int] = []
        languages: list[str] = []
        terms: list[str] = []
        weights: list[float] = []
        for (article_id, document), stored in zip(documents, analyzed, strict=True):
            doc_id = ids[(article_id, document.language)]
            for term, weight in stored.frequencies.items():
                doc_ids.append(doc_id)
                languages.append(document.language)
                terms.append(term)
                weights.append(weight)
        cursor.execute(
            f"INSERT INTO {self.term_table} (doc_id, language, term, tf) "
            "SELECT * FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::real[])",
            [doc_ids, languages, terms, weights],
        )
        cursor.execute(
            f"INSERT INTO {self.vocab_table} (language, term, documents) "
            "SELECT language, term, count(*) FROM unnest(%s::text[], %s::text[]) AS new (language, term) "
            "GROUP BY language, term ORDER BY language, term "
            f"ON CONFLICT (language, term) DO UPDATE SET documents = {self.vocab_table}.documents + excluded.documents",
            [languages, terms],
        )
        return len(documents)

    # --- reads ----------------------------------------------------------------------------------

    def document_frequencies(self, language: str, terms: list[str]) -> dict[str, int]:
        if not terms:
            return {}

        def run(cursor: object) -> dict[str, int]:
            found: dict[str, int] = dict.fromkeys(terms, 0)
            cursor.execute(
                f"SELECT term, documents FROM {self.vocab_table} WHERE language = %s AND term = ANY(%s)",
                [language, terms],
            )
            found.update({term: int(documents) for term, documents in cursor.fetchall()})
            return found

        return self._read(run)

    def _documents_in(self, cursor: object, language: str) -> int:
        cursor.execute(f"SELECT count(*) FROM {self.doc_table} WHERE language = %s", [language])
        return int(cursor.fetchone()[0])

    def corrections(self, cursor: object, language: str, terms: list[str]) -> list[str]:
        """Index terms one or two edits away from query terms the index does not know (typos), as on SQLite."""
        frequencies = self.document_frequencies(language, terms)
        found: list[str] = []
        for term in terms:
            if frequencies.get(term) or len(term) < 4 or not term[0].isalpha():
                continue
            limit = 1 if len(term) <= 5 else 2
            cursor.execute(
                f"SELECT term, documents FROM {self.vocab_table} WHERE language = %s AND term >= %s AND term < %s "
                "AND documents > 0 AND length(term) BETWEEN %s AND %s",
                [language, term[0], term[0] + PREFIX_END, len(term) - limit, len(term) + limit],
            )
            candidates = [
                (documents, candidate)
                for candidate, documents in cursor.fetchall()
                if edit_distance_at_most(term, candidate, limit)
            ]
            found += [candidate for _documents, candidate in sorted(candidates, reverse=True)[:MAX_CORRECTIONS]]
        return found

    def stems_of_prefix(self, cursor: object, language: str, word: str) -> list[str]:
        """Index terms that a half-typed word starts with ("authenticat" → "authent"), as on SQLite."""
        shortest = max(4, -(-len(word) * 3 // 5))
        candidates = [word[:end] for end in range(shortest, len(word))]
        if not candidates:
            return []
        cursor.execute(
            f"SELECT term FROM {self.vocab_table} WHERE language = %s AND term = ANY(%s) AND documents > 0",
            [language, candidates],
        )
        return [row[0] for row in cursor.fetchall()]

    def search(
        self,
        query: PreparedQuery,
        *,
        audiences: Sequence[str],
        limit: int,
        offset: int,
        missing_language: str | None = None,
    ) -> tuple[list[StoredDocument], int]:
        language = query.language
        terms = query.terms
        if not (terms or query.cognates) or not audiences:
            return [], 0
        extra: list[str] = []

        def run(cursor: object) -> tuple[int, list]:
            # One (low, high) range per FTS5 phrase: a term is [term, term], a prefix every term it starts.
            ranges = [(term, term) for term in terms]
            extra.clear()
            if query.short:
                extra[:] = [term for term in self.corrections(cursor, language, terms) if term not in terms]
                prefix = analyze(query.prefix, language) if query.prefix else []
                if prefix and len(prefix[-1]) >= 3:
                    ranges.append((prefix[-1], prefix[-1] + PREFIX_END))
                    extra.extend(self.stems_of_prefix(cursor, language, query.prefix))
                ranges += [(term, term) for term in extra]
            ranges += [(beginning, beginning + PREFIX_END) for beginning in query.cognates]
            where = "d.audience = ANY(%s)"
            filters: list[object] = [list(audiences)]
            if missing_language:
                where += " AND d.languages NOT LIKE %s"
                filters.append(f"%,{missing_language},%")
            # BM25 as FTS5 computes it: document frequency, document count and average length over
            # the language's whole index; then the audience and fallback filters, as SQLite's join.
            cursor.execute(
                "WITH q (phrase, low, high) AS ("
                "SELECT * FROM unnest(%s::int[], %s::text[], %s::text[])), "
                # One index range scan per phrase, whatever the planner guesses of a freshly filled table
                # (OFFSET 0 keeps the LATERAL subquery from being flattened into a join of every posting).
                "hits AS (SELECT t.doc_id, q.phrase, sum(t.tf) AS tf FROM q CROSS JOIN LATERAL ("
                f"SELECT doc_id, tf FROM {self.term_table} WHERE language = %s AND term >= q.low AND term <= q.high "
                "OFFSET 0) AS t GROUP BY t.doc_id, q.phrase), "
                f"corpus AS (SELECT count(*) AS n, avg(length) AS average FROM {self.doc_table} WHERE language = %s), "
                "idf AS (SELECT h.phrase, greatest(ln((c.n - count(*) + 0.5) / (count(*) + 0.5)), %s) AS idf "
                "FROM hits AS h, corpus AS c GROUP BY h.phrase, c.n), "
                "scored AS (SELECT h.doc_id, sum(i.idf * h.tf * %s / (h.tf + %s * (1 - %s + %s * d.length "
                "/ greatest(c.average, 1)))) AS score "
                f"FROM hits AS h JOIN idf AS i USING (phrase) JOIN {self.doc_table} AS d ON d.id = h.doc_id, "
                f"corpus AS c WHERE {where} GROUP BY h.doc_id) "
                "SELECT d.article_id, d.language, d.title, d.summary, d.body, d.url, s.score, count(*) OVER (), "
                "d.sections, d.terms, d.beginnings "
                f"FROM scored AS s JOIN {self.doc_table} AS d ON d.id = s.doc_id "
                "ORDER BY s.score DESC, d.id LIMIT %s OFFSET %s",
                [
                    list(range(len(ranges))),
                    [low for low, _high in ranges],
                    [high for _low, high in ranges],
                    language,
                    language,
                    MIN_IDF,
                    K1 + 1,
                    K1,
                    B,
                    B,
                    *filters,
                    max(limit, 1),
                    offset,
                ],
            )
            rows = cursor.fetchall()
            if rows:
                return int(rows[0][7]), rows[:limit] if limit > 0 else []
            if offset == 0:
                return 0, []
            cursor.execute(
                "WITH q (low, high) AS (SELECT * FROM unnest(%s::text[], %s::text[])) "
                f"SELECT count(DISTINCT d.id) FROM q CROSS JOIN LATERAL (SELECT doc_id FROM {self.term_table} "
                "WHERE language = %s AND term >= q.low AND term <= q.high OFFSET 0) AS t "
                f"JOIN {self.doc_table} AS d ON d.id = t.doc_id WHERE {where}",
                [[low for low, _high in ranges], [high for _low, high in ranges], language, *filters],
            )
            return int(cursor.fetchone()[0]), []

        total, rows = self._read(run)
        corrections = frozenset(extra)
        return [
            StoredDocument(
                article_id=row[0],
                language=row[1],
                title=row[2],
                summary=row[3],
                body=row[4],
                url=row[5],
                score=round(float(row[6]), 6),
                extra_terms=corrections,
                coverage=Coverage(row[9], row[10]) if row[9] else None,
                sections=sections_from_json(row[8]),
            )
            for row in rows
        ], total

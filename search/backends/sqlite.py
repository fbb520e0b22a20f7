"""SQLite FTS5: the embedded default. Text is analyzed in Python (``search.analysis``) and stored as terms.

Tables, per namespace ``ns``: ``search_ns_doc`` (one row per article and language, the original
text for snippets and filters) and one FTS5 table per language ``search_ns_fts_xx`` whose rowid
is the document's id, with the analyzed title, summary, body and extras (category path, tags),
plus an ``fts5vocab`` view of it for term frequencies and typo corrections. They are created on
demand, so a temporary namespace costs nothing to make and drop.
"""

# Table names in these f-strings are built from a validated namespace and language code;
# every value travels as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from django.db import DatabaseError, OperationalError, connection, transaction

from search.analysis import analyze, edit_distance_at_most
from search.backends.base import FIELD_WEIGHTS, DatabaseBackend, extra_text, language_codes, languages_field
from search.documents import (
    Coverage,
    PreparedQuery,
    SearchDocument,
    StoredDocument,
    sections_from_json,
)
from search.errors import SearchUnavailable
from search.query import analyze_for_index

# bm25 weights for the columns (title, summary, body, extra), shared with the other engines.
WEIGHTS = tuple(FIELD_WEIGHTS[column] for column in ("title", "summary", "body", "extra"))
MAX_CORRECTIONS = 3
BATCH = 500
T = TypeVar("T")


@contextmanager
def _guard() -> Iterator[None]:
    try:
        yield
    except DatabaseError as error:
        raise SearchUnavailable(f"sqlite-fts5: {error}") from error


def _quote(term: str) -> str:
    """An FTS5 string token: whatever the term holds, it is matched literally."""
    return '"' + term.replace('"', '""') + '"'


class SqliteBackend(DatabaseBackend):
    name = "sqlite-fts5"

    @property
    def doc_table(self) -> str:
        return f"search_{self.namespace}_doc"

    def fts_table(self, language: str) -> str:
        if language not in language_codes():
            raise ValueError(f"unknown language {language!r}")
        return f"search_{self.namespace}_fts_{language}"

    def vocab_table(self, language: str) -> str:
        return f"search_{self.namespace}_vocab_{language}"

    # --- schema ---------------------------------------------------------------------------------

    def setup(self) -> None:
        with _guard(), connection.cursor() as cursor:
            self._ensure(cursor)

    def _ensure(self, cursor: object) -> None:
        # The long columns come last: a query filters on audience and languages for every matching
        # row, and SQLite reads a column after a long one through its overflow pages.
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.doc_table} ("
            "id INTEGER PRIMARY KEY, article_id TEXT NOT NULL, language TEXT NOT NULL, audience TEXT NOT NULL, "
            "languages TEXT NOT NULL, url TEXT NOT NULL, published_at TEXT, updated_at TEXT, title TEXT NOT NULL, "
            "summary TEXT NOT NULL, terms TEXT NOT NULL DEFAULT '', beginnings TEXT NOT NULL DEFAULT '', "
            "sections TEXT NOT NULL DEFAULT '', body TEXT NOT NULL, UNIQUE (article_id, language))"
        )
        # Indexes written before these columns existed gain them (empty until reindexed: no section
        # links, and the promotion analyzes the hit's text).
        cursor.execute(f"PRAGMA table_info({self.doc_table})")
        present = {row[1] for row in cursor.fetchall()}
        for column in ("terms", "beginnings", "sections"):
            if column not in present:
                cursor.execute(f"ALTER TABLE {self.doc_table} ADD COLUMN {column} TEXT NOT NULL DEFAULT ''")
        for language in language_codes():
            fts = self.fts_table(language)
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
                "title, summary, body, extra, tokenize = 'unicode61 remove_diacritics 0')"
            )
            cursor.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.vocab_table(language)} USING fts5vocab({fts}, 'row')"
            )

    def _drop(self) -> None:
        with _guard(), connection.cursor() as cursor:
            for language in language_codes():
                cursor.execute(f"DROP TABLE IF EXISTS {self.vocab_table(language)}")
                cursor.execute(f"DROP TABLE IF EXISTS {self.fts_table(language)}")
            cursor.execute(f"DROP TABLE IF EXISTS {self.doc_table}")

    def ping(self) -> str:
        with _guard(), connection.cursor() as cursor:
            cursor.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_health_probe USING fts5(body)")
            cursor.execute("SELECT count(*) FROM temp.search_health_probe WHERE search_health_probe MATCH 'ping'")
        return self.name

    def _read(self, run: Callable[[object], T]) -> T:
        """Run a read; a namespace whose tables were never created is created (empty) and read again.

        Reads skip the CREATE statements the writes run, which keeps a query to its SELECTs.
        """
        with _guard(), connection.cursor() as cursor:
            try:
                return run(cursor)
            except OperationalError as error:
                if "no such table" not in str(error) and "no such column" not in str(error):
                    raise
                self._ensure(cursor)
                return run(cursor)

    def count(self) -> int:
        def run(cursor: object) -> int:
            cursor.execute(f"SELECT count(*) FROM {self.doc_table}")
            return int(cursor.fetchone()[0])

        return self._read(run)

    # --- writes ---------------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[object]:
        with _guard(), transaction.atomic(), connection.cursor() as cursor:
            self._ensure(cursor)
            yield cursor

    def _empty(self, cursor: object) -> None:
        cursor.execute(f"DELETE FROM {self.doc_table}")
        for language in language_codes():
            cursor.execute(f"DELETE FROM {self.fts_table(language)}")

    def _delete(self, cursor: object, article_ids: list[str]) -> None:
        for start in range(0, len(article_ids), BATCH):
            chunk = article_ids[start : start + BATCH]
            marks = ",".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT id, language FROM {self.doc_table} WHERE article_id IN ({marks})", chunk)
            rows = cursor.fetchall()
            for language in {row[1] for row in rows}:
                ids = [row[0] for row in rows if row[1] == language]
                id_marks = ",".join(["%s"] * len(ids))
                cursor.execute(f"DELETE FROM {self.fts_table(language)} WHERE rowid IN ({id_marks})", ids)
            cursor.execute(f"DELETE FROM {self.doc_table} WHERE article_id IN ({marks})", chunk)

    def _insert(self, cursor: object, articles: dict[str, list[SearchDocument]]) -> int:
        """Insert with one statement per table (executemany), ids chosen here so both tables get them
        without a round trip per row; each text is analyzed once."""
        cursor.execute(f"SELECT coalesce(max(id), 0) FROM {self.doc_table}")
        next_id = int(cursor.fetchone()[0])
        rows: list[list[object]] = []
        terms: dict[str, list[list[object]]] = {}
        for article_id, documents in articles.items():
            languages = languages_field(documents)
            for document in documents:
                next_id += 1
                language = document.language
                analyzed = analyze_for_index(document)
                rows.append(
                    [
                        next_id,
                        article_id,
                        language,
                        document.audience,
                        languages,
                        document.url,
                        document.published_at.isoformat() if document.published_at else None,
                        document.updated_at.isoformat() if document.updated_at else None,
                        document.title,
                        document.summary,
                        analyzed.coverage.terms,
                        analyzed.coverage.beginnings,
                        analyzed.sections,
                        document.body,
                    ]
                )
                terms.setdefault(language, []).append(
                    [
                        next_id,
                        " ".join(analyzed.title),
                        " ".join(analyzed.summary),
                        " ".join(analyzed.body),
                        " ".join(analyze(extra_text(document), language)),
                    ]
                )
        if rows:
            cursor.executemany(
                f"INSERT INTO {self.doc_table} (id, article_id, language, audience, languages, url, published_at, "
                "updated_at, title, summary, terms, beginnings, sections, body) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
        for language, values in terms.items():
            cursor.executemany(
                f"INSERT INTO {self.fts_table(language)} (rowid, title, summary, body, extra) "
                "VALUES (%s, %s, %s, %s, %s)",
                values,
            )
        return len(rows)

    # --- reads ----------------------------------------------------------------------------------

    def document_frequencies(self, language: str, terms: list[str]) -> dict[str, int]:
        if not terms:
            return {}

        def run(cursor: object) -> dict[str, int]:
            found: dict[str, int] = dict.fromkeys(terms, 0)
            for start in range(0, len(terms), BATCH):
                chunk = terms[start : start + BATCH]
                marks = ",".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT term, doc FROM {self.vocab_table(language)} WHERE term IN ({marks})", chunk)
                found.update({term: int(doc) for term, doc in cursor.fetchall()})
            return found

        return self._read(run)

    def _documents_in(self, cursor: object, language: str) -> int:
        # The FTS5 table's own count reads every row's analyzed text; its size table is tiny.
        cursor.execute(f"SELECT count(*) FROM {self.fts_table(language)}_docsize")
        return int(cursor.fetchone()[0])

    def corrections(self, cursor: object, language: str, terms: list[str]) -> list[str]:
        """Index terms one or two edits away from query terms the index does not know (typos).

        Candidates share the first letter, which keeps the scan to a slice of the vocabulary.
        """
        vocab = self.vocab_table(language)
        frequencies = self.document_frequencies(language, terms)
        found: list[str] = []
        for term in terms:
            if frequencies.get(term) or len(term) < 4 or not term[0].isalpha():
                continue
            limit = 1 if len(term) <= 5 else 2
            cursor.execute(
                f"SELECT term, doc FROM {vocab} WHERE term >= %s AND term < %s AND length(term) BETWEEN %s AND %s",
                [term[0], term[0] + "\U0010ffff", len(term) - limit, len(term) + limit],
            )
            candidates = [
                (doc, candidate)
                for candidate, doc in cursor.fetchall()
                if edit_distance_at_most(term, candidate, limit)
            ]
            found += [candidate for _doc, candidate in sorted(candidates, reverse=True)[:MAX_CORRECTIONS]]
        return found

    def stems_of_prefix(self, cursor: object, language: str, word: str) -> list[str]:
        """Index terms that a half-typed word starts with ("authenticat" → "authent").

        The index holds stems, so a prefix query on the unfinished word misses its own stem;
        its longer leading parts (60 % of the word at least) are looked up instead.
        """
        shortest = max(4, -(-len(word) * 3 // 5))
        candidates = [word[:end] for end in range(shortest, len(word))]
        if not candidates:
            return []
        marks = ",".join(["%s"] * len(candidates))
        cursor.execute(f"SELECT term FROM {self.vocab_table(language)} WHERE term IN ({marks})", candidates)
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
        fts = self.fts_table(language)
        extra: list[str] = []

        def run(cursor: object) -> tuple[int, list]:
            extra.clear()
            clauses = [_quote(term) for term in terms]
            if query.short:
                extra[:] = [term for term in self.corrections(cursor, language, terms) if term not in terms]
                clauses += [_quote(term) for term in extra]
                prefix = analyze(query.prefix, language) if query.prefix else []
                if prefix and len(prefix[-1]) >= 3:
                    clauses.append(_quote(prefix[-1]) + "*")
                    stems = self.stems_of_prefix(cursor, language, query.prefix)
                    extra.extend(stems)
                    clauses += [_quote(stem) for stem in stems]
            clauses += [_quote(beginning) + "*" for beginning in query.cognates]
            where = [f"{fts} MATCH %s", f"d.audience IN ({','.join(['%s'] * len(audiences))})"]
            params: list[object] = [" OR ".join(clauses), *audiences]
            if missing_language:
                where.append("d.languages NOT LIKE %s")
                params.append(f"%,{missing_language},%")
            joined = f"FROM {fts} JOIN {self.doc_table} AS d ON d.id = {fts}.rowid WHERE {' AND '.join(where)}"
            weights = ", ".join(str(weight) for weight in WEIGHTS)
            # Rank ids only (a long body dragged through the sort costs more than the ranking), then
            # fetch the page's rows. The window count rides along with the ranked page; bm25()
            # cannot sit next to a window function, hence the inner subquery.
            cursor.execute(
                "SELECT d.article_id, d.language, d.title, d.summary, d.body, d.url, page.rank, page.total, "
                "d.terms, d.beginnings, d.sections FROM (SELECT id, rank, count(*) OVER () AS total FROM ("
                f"SELECT d.id, bm25({fts}, {weights}) AS rank {joined}) ORDER BY rank, id LIMIT %s OFFSET %s) "
                f"AS page JOIN {self.doc_table} AS d ON d.id = page.id ORDER BY page.rank, page.id",
                [*params, max(limit, 1), offset],
            )
            rows = cursor.fetchall()
            if rows:
                return int(rows[0][7]), rows[:limit] if limit > 0 else []
            cursor.execute(f"SELECT count(*) {joined}", params)
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
                score=round(-float(row[6]), 6),
                extra_terms=corrections,
                coverage=Coverage(row[8], row[9]) if row[8] else None,
                sections=sections_from_json(row[10]),
            )
            for row in rows
        ], total

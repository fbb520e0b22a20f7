"""PostgreSQL full-text search: weighted tsvectors per language configuration, a GIN index, ts_rank_cd.

Text is lowercased, elided and accent-folded in Python (``normalize_words``) before the
language's configuration (french, english, …) stems it, so accents are optional without the
``unaccent`` extension. Japanese goes through the ``simple`` configuration as character bigrams.
One table per namespace (``search_ns_pg``) created on demand; queries OR one ``plainto_tsquery``
per word, each word passed as a parameter, so user text never reaches the tsquery parser as syntax.
"""

# Table names in these f-strings are built from a validated namespace and language code;
# every value travels as a query parameter.
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from django.db import DatabaseError, ProgrammingError, connection, transaction

from search.analysis import analyze, normalize_words
from search.backends.base import DatabaseBackend, extra_text, languages_field
from search.documents import PreparedQuery, SearchDocument, StoredDocument
from search.errors import SearchUnavailable

CONFIGS = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "ja": "simple",
}
# ts_rank_cd weights for {D, C, B, A}: A title, B summary and extras, C body.
RANK_WEIGHTS = "{0.05, 0.2, 0.5, 1.0}"
T = TypeVar("T")


@contextmanager
def _guard() -> Iterator[None]:
    """Engine errors become ``SearchUnavailable``; the savepoint keeps the caller's transaction usable."""
    try:
        with transaction.atomic():
            yield
    except DatabaseError as error:
        raise SearchUnavailable(f"postgresql: {error}") from error


def config_for(language: str) -> str:
    return CONFIGS.get(language, "simple")


def prepared_text(text: str, language: str) -> str:
    """What the configuration sees: folded words, or bigrams for Japanese."""
    if config_for(language) == "simple":
        return " ".join(analyze(text, language))
    return " ".join(normalize_words(text, language))


class PostgresBackend(DatabaseBackend):
    name = "postgresql"

    @property
    def table(self) -> str:
        return f"search_{self.namespace}_pg"

    def setup(self) -> None:
        with _guard(), connection.cursor() as cursor:
            self._ensure(cursor)

    def _ensure(self, cursor: object) -> None:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {self.table} ("
            "id BIGSERIAL PRIMARY KEY, article_id TEXT NOT NULL, language TEXT NOT NULL, title TEXT NOT NULL, "
            "summary TEXT NOT NULL, body TEXT NOT NULL, url TEXT NOT NULL, audience TEXT NOT NULL, "
            "languages TEXT NOT NULL, published_at TIMESTAMPTZ, updated_at TIMESTAMPTZ, "
            "vector TSVECTOR NOT NULL, UNIQUE (article_id, language))"
        )
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_vector ON {self.table} USING GIN (vector)")
        cursor.execute(f"CREATE INDEX IF NOT EXISTS {self.table}_filter ON {self.table} (language, audience)")

    def drop(self) -> None:
        with _guard(), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

    def ping(self) -> str:
        with _guard(), connection.cursor() as cursor:
            cursor.execute("SELECT to_tsvector('english', 'ping') @@ plainto_tsquery('english', 'ping')")
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
            cursor.execute(f"SELECT count(*) FROM {self.table}")
            return int(cursor.fetchone()[0])

        return self._read(run)

    # --- writes ---------------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[object]:
        with _guard(), connection.cursor() as cursor:
            self._ensure(cursor)
            yield cursor

    def _empty(self, cursor: object) -> None:
        cursor.execute(f"DELETE FROM {self.table}")

    def _delete(self, cursor: object, article_ids: list[str]) -> None:
        if article_ids:
            cursor.execute(f"DELETE FROM {self.table} WHERE article_id = ANY(%s)", [article_ids])

    def _insert(self, cursor: object, articles: dict[str, list[SearchDocument]]) -> int:
        rows = []
        for article_id, documents in articles.items():
            languages = languages_field(documents)
            for document in documents:
                language = document.language
                config = config_for(language)
                rows.append(
                    [
                        article_id,
                        language,
                        document.title,
                        document.summary,
                        document.body,
                        document.url,
                        document.audience,
                        languages,
                        document.published_at,
                        document.updated_at,
                        config,
                        prepared_text(document.title, language),
                        config,
                        prepared_text(document.summary, language),
                        config,
                        prepared_text(extra_text(document), language),
                        config,
                        prepared_text(document.body, language),
                    ]
                )
        if rows:
            cursor.executemany(
                f"INSERT INTO {self.table} (article_id, language, title, summary, body, url, audience, languages, "
                "published_at, updated_at, vector) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, "
                "setweight(to_tsvector(%s::regconfig, %s), 'A') || setweight(to_tsvector(%s::regconfig, %s), 'B') "
                "|| setweight(to_tsvector(%s::regconfig, %s), 'B') || setweight(to_tsvector(%s::regconfig, %s), 'C'))",
                rows,
            )
        return len(rows)

    # --- reads ----------------------------------------------------------------------------------

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
        config = config_for(language)
        words = query.terms if config == "simple" else query.surface_words
        if not (words or query.cognates) or not audiences:
            return [], 0
        parts = ["plainto_tsquery(%s::regconfig, %s)"] * len(words)
        params: list[object] = [value for word in words for value in (config, word)]
        for beginning in query.cognates:  # letters only (search.query), so ":*" is the only operator
            parts.append("to_tsquery('simple', %s)")
            params.append(beginning + ":*")
        if query.short and query.prefix and config != "simple":
            # The word is letters and digits only (analysis), so ":*" is the only operator in it.
            prefix = normalize_words(query.prefix, language)
            if prefix and len(prefix[-1]) >= 3 and prefix[-1].isalnum():
                word = prefix[-1]
                parts.append("to_tsquery(%s::regconfig, %s)")
                params += [config, word + ":*"]
                if len(word) >= 7:
                    # The vector holds stems ("authent"), which a half-typed "authenticat" does not
                    # stem to; its leading 60 % matched as a raw prefix finds them.
                    parts.append("to_tsquery('simple', %s)")
                    params.append(word[: -(-len(word) * 3 // 5)] + ":*")
        tsquery = " || ".join(parts)
        where = "vector @@ q.query AND language = %s AND audience = ANY(%s)"
        filters: list[object] = [language, list(audiences)]
        if missing_language:
            where += " AND languages NOT LIKE %s"
            filters.append(f"%,{missing_language},%")

        def run(cursor: object) -> tuple[int, list]:
            cursor.execute(
                f"WITH q AS (SELECT {tsquery} AS query) "
                f"SELECT article_id, language, title, summary, body, url, "
                f"ts_rank_cd('{RANK_WEIGHTS}', vector, q.query) AS score, count(*) OVER () AS total "
                f"FROM {self.table}, q WHERE {where} ORDER BY score DESC, id LIMIT %s OFFSET %s",
                [*params, *filters, max(limit, 1), offset],
            )
            rows = cursor.fetchall()
            if rows:
                return int(rows[0][7]), rows[:limit] if limit > 0 else []
            cursor.execute(
                f"WITH q AS (SELECT {tsquery} AS query) SELECT count(*) FROM {self.table}, q WHERE {where}",
                [*params, *filters],
            )
            return int(cursor.fetchone()[0]), []

        total, rows = self._read(run)
        return [
            StoredDocument(
                article_id=row[0],
                language=row[1],
                title=row[2],
                summary=row[3],
                body=row[4],
                url=row[5],
                score=round(float(row[6]), 6),
            )
            for row in rows
        ], total

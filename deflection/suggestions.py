"""Ranking the articles that may answer a draft: one query to ``search/``, then optional re-ranking.

Only ``search.service.search_articles`` is called (never an engine). The signals below re-order
the candidates search returns; a signal stays in ``KEPT_SIGNALS`` only if the offline evaluation
(``manage.py evaluate_deflection`` on ``tests/data/deflection_dev/``) shows it helps.

Measured on the development set (50 articles / 117 documents, 221 queries: 99 fr, 92 en, 15 de,
15 es), SQLite FTS5, ``--k 10``, 2026-11-28:

=======================  ========  ========  =========  =====  =====  ======  =======
signals (pool)           Recall@1  Recall@5  Recall@10  Hit@1  Hit@5  MRR@10  nDCG@10
=======================  ========  ========  =========  =====  =====  ======  =======
none (search's order)    0.613     0.818     0.873      0.674  0.860  0.754   0.771
title (20 candidates)    0.640     0.834     0.880      0.706  0.873  0.781   0.790
title (10 candidates)    0.640     0.827     0.873      0.701  0.869  0.775   0.786   kept
title_terms (20)         0.636     0.836     0.878      0.701  0.873  0.777   0.787   not kept
=======================  ========  ========  =========  =====  =====  ======  =======

``title`` raises MRR@10 in every language (10 candidates: en 0.827→0.847, fr 0.734→0.748,
es 0.606→0.683, de 0.596→0.598); per query (20 candidates) 28 improve and 13 get worse.
Re-measured after search's later changes (SQLite, 23:15 UTC): none 0.597 / 0.803 / 0.863 / 0.656 /
0.846 / 0.742 / 0.758; title (10) 0.629 / 0.815 / 0.863 / 0.688 / 0.855 / 0.764 / 0.774 (every
language's MRR@10 equal or higher: en 0.818→0.844, fr 0.714→0.728, es 0.606→0.683, de 0.600→0.602).
On PostgreSQL full-text search (same set): none 0.594 / 0.841 / 0.886 / 0.661 / 0.873 / 0.757 / 0.773,
title (10) 0.618 / 0.839 / 0.886 / 0.679 / 0.873 / 0.764 / 0.780: a smaller gain, no language worse on MRR.
Search's fallback to untranslated articles then also matched the beginnings of the reader's words
(``search.query.cognate_beginnings``; 2026-11-29): SQLite overall 0.629 / 0.819 / 0.874 / 0.688 /
0.860 / 0.767 / 0.778 (es MRR@10 0.683→0.721, Recall@10 0.733→0.900; other languages unchanged);
PostgreSQL 0.618 / 0.843 / 0.897 / 0.679 / 0.878 / 0.767 / 0.784 (es 0.700→0.735, 0.733→0.900).
Suggestions then asked search to put first an untranslated article that holds more of the draft's
words than every translated hit (``promote_untranslated``; search's order is kept otherwise):
SQLite 0.647 / 0.833 / 0.883 / 0.706 / 0.873 / 0.783 / 0.793 (MRR@10 fr 0.728→0.756, es 0.721→0.771,
en and de unchanged); PostgreSQL 0.632 / 0.857 / 0.911 / 0.692 / 0.891 / 0.780 / 0.798 (fr 0.738→0.763,
es 0.735→0.768). No language and no measure got worse on either engine; p50 rose ~1.5 ms (the
hits' text is analyzed to count the words found). Most remaining German and Spanish misses are
articles with no translation whose words share no root with the reader's (Rechnung / invoice,
reembolso / refund).
The draft's language (``deflection.language``, 2026-12-06): a draft confidently written in another
configured language than the page's is searched in both, interleaved. No development query is
detected as another language than its own (0 of 221), so every figure is unchanged: SQLite
0.647 / 0.833 / 0.883 / 0.706 / 0.873 / 0.783 / 0.793 (de 0.602, en 0.844, es 0.771, fr 0.756),
PostgreSQL MRR@10 0.780 (de 0.651, en 0.822, es 0.768, fr 0.763). What it fixes is the README
demo: a French draft on an English account found nothing and now finds the French article first
(``tests/deflection/test_draft_language.py``); detection costs ~0.06–0.15 ms per draft, the second
search only happens for such drafts. Every non-English question asked from an English page
(``evaluate_deflection --page-language en``, SQLite), page language only → both: MRR@10
fr 0.362 → 0.731, de 0.469 → 0.619, es 0.267 → 0.671; Hit@5 fr 0.434 → 0.818 (p95 ~13 → ~39 ms
on this shared machine: two searches).
Messy drafts (``text.clean_draft`` in ``draft_query``, 2026-12-06): greetings, sign-offs and
signatures, quoted emails (mail-parser-reply), logs and stack traces, links, paths, ids and repeated
words are left out of the query. On the 221 questions (unchanged: 7 lose a greeting or an address;
SQLite 0.783, PostgreSQL 0.780, every language equal) and on the same questions buried in that
noise (``tests/data/deflection_dev/messy_queries.jsonl``, built by ``build_messy_queries.py``):

=========================  ========  ========  =========  =====  =====  ======  =======
messy set                  Recall@1  Recall@5  Recall@10  Hit@1  Hit@5  MRR@10  nDCG@10
=========================  ========  ========  =========  =====  =====  ======  =======
SQLite, not cleaned        0.128     0.494     0.644      0.149  0.543  0.300   0.372
SQLite, cleaned            0.615     0.815     0.883      0.674  0.855  0.759   0.774
PostgreSQL, not cleaned    0.136     0.486     0.679      0.149  0.516  0.312   0.394
PostgreSQL, cleaned        0.609     0.841     0.911      0.670  0.878  0.763   0.784
=========================  ========  ========  =========  =====  =====  ======  =======

MRR@10 per language, SQLite: de 0.202→0.611, en 0.350→0.806, es 0.287→0.708, fr 0.271→0.746;
PostgreSQL: de 0.264→0.640, en 0.303→0.799, es 0.324→0.711, fr 0.325→0.756. What remains is
mostly pleading words ("urgent", "svp", "please help"), left to the collection statistics.
Re-ranking 10 candidates instead of 20 costs 0.006 MRR but halves the snippets search builds per
request, which dominate latency on a 10,000-article index. ``title_terms`` (stemmed) is no better
and costs an analysis per hit. Helpful votes and "articles that resolved similar drafts" are not
implemented: the offline set has neither votes nor history, so no evaluation could show they help.
Passages (issue 14 item 2, 2026-12-06): headings in article bodies get stable anchors
(``cms.anchors``), every engine stores each article's sections with their terms, and the section
holding most of the draft's terms gives the snippet and the link (``url#anchor``, "jump to the
answer"). The ranking is unchanged (SQLite dev 0.783, de 0.602 / en 0.844 / es 0.771 / fr 0.756;
long corpus en 0.472, fr 0.382, equal to before). Ranking by the best passage was measured and
not kept: re-ranking 30 candidates by position + w × the BM25 of the best window (150 or 300
words, half overlapping, real document frequencies), SQLite, MRR@10 against the same 30
candidates without it (long en 0.531, fr 0.404; dev de 0.656, en 0.860, es 0.771, fr 0.735):

=========  ==============  ==============  ====================================
w          long, 150 words long, 300 words dev (articles shorter than a window)
=========  ==============  ==============  ====================================
0.25       en .529 fr .410 en .543 fr .412 de .700 en .872 es .726 fr .751
0.5        en .515 fr .403 en .520 fr .411 de .722 en .839 es .726 fr .769
1.0        en .500 fr .416 en .505 fr .400 de .711 en .834 es .726 fr .769
=========  ==============  ==============  ====================================

Spanish on the dev set gets worse at every weight (and English on the long corpus with 150-word
windows), against the rule that no language may. Noticed on the way: re-ranking 30 candidates
instead of ``CANDIDATE_POOL``'s 10 (``title`` and the untranslated promotion over them) lifts the
long corpus from en 0.472 / fr 0.382 to 0.531 / 0.404 (dev: de 0.602 → 0.656, en 0.844 → 0.860,
es 0.771, fr 0.756 → 0.735: French worse, so not changed here).
Meaning (``semantic``, 2026-12-06): the draft's multilingual sentence embedding (``search.embeddings``,
Universal Sentence Encoder v3) against every article's (title, summary, opening of the body), over
the whole collection, fused with search's order by reciprocal-rank fusion (k = 60, equal weights,
50 nearest; set before measuring, not tuned) before ``title`` re-ranks. ``title`` vs
``title,semantic``, SQLite (PostgreSQL identical to the third decimal, long set MRR@10 0.580):

=============================  ========  ========  =========  =====  =====  ======  =======
set, signals                   Recall@1  Recall@5  Recall@10  Hit@1  Hit@5  MRR@10  nDCG@10
=============================  ========  ========  =========  =====  =====  ======  =======
221 questions, title           0.647     0.833     0.883      0.706  0.873  0.783   0.793
221 questions, + semantic      0.706     0.894     0.912      0.778  0.932  0.844   0.845   kept
messy, title                   0.615     0.815     0.883      0.674  0.855  0.759   0.774
messy, + semantic              0.696     0.885     0.912      0.769  0.928  0.838   0.839   kept
long articles, title           0.292     0.503     0.623      0.320  0.537  0.423   0.462
long articles, + semantic      0.417     0.697     0.795      0.474  0.737  0.579   0.616   kept
=============================  ========  ========  =========  =====  =====  ======  =======

MRR@10 per language, 221 questions: de 0.602→0.813, en 0.844→0.893, es 0.771→0.933, fr 0.756→0.789;
messy: de 0.611→0.813, en 0.806→0.875, es 0.708→0.889, fr 0.746→0.799; long articles: en
0.472→0.634, fr 0.382→0.531. No language and no measure worse on any set or engine. Cost: one
query embedding (~5 ms; ~12 ms under this machine's load) and a product with the collection's
matrix (held per process); dev set p50 4.5→9.3 ms, p95 8.6→13.0 ms in the same minute. Indexing
embeds: the long set's 2,054 documents took 417 s on this loaded machine (BLAS then unrestricted;
~50–70/s on an idle core), once — vectors are cached by content hash (a re-run: 16 s).
``SEARCH_SEMANTIC=false`` or a missing package leaves search's order as it was.
Every question asked from an English page (``--page-language en``): MRR@10 0.766 → 0.849 (de
0.619→0.780, en 0.844→0.893, es 0.671→0.900, fr 0.731→0.810). The CI's long-article sample (343
articles, 44 questions, fresh database): 0.625 → 0.720 (en 0.652→0.761, fr 0.603→0.685); its 343
documents embedded in ~15 s (~22/s on this loaded machine, BLAS limited to one thread).
Speed (issue 14 point 7, 2026-12-06, measured before ``semantic`` was merged; no ranking change:
every MRR@10 of ``title`` above is unchanged, dev 0.7832, messy 0.7595, long-article set 0.4232
with en 0.4716 and fr 0.3815): the promotion reads
each hit's terms stored at index time instead of re-analyzing its text, SQLite ranks ids before
fetching rows and counts documents from FTS5's size table, snippets are made only for the kept
hits and from the first matching piece of a long body, indexing analyzes text at C speed with a
per-process memo. ``evaluate_deflection`` on the long-article set, p50/p95/p99 per query (SQLite,
same minute, loaded machine): before 114.9/290.8/– ms (fr p95 309.7), after 28.9/46.2/52.3 ms
(fr p95 47.6), at a quieter minute 8.9/13.1/15.7 ms. ``bench/long_articles.py`` (3,081 articles,
median 8,072 characters, drafts of 150–300 characters): drafts p95 272 → 31 ms (fr 347 → 32 ms),
CPU per draft p95 25–28 ms; indexing 96 → 300–400 articles/s (430 per CPU second).
Ranking by passages (issue 14 item 2 again, 2026-12-06): the long-article set's articles now carry
their sections (``"sections"`` in its ``articles.jsonl``: each manual page's headings, 7 per page on
average); the dev set has none (its help center has no headings), so it ranks as before in every
row. MRR@10 on the long set, SQLite, en / fr (PostgreSQL gave the same figures where run):

========================================================  =============  =============  =====================
variant                                                   title          title,semantic kept?
========================================================  =============  =============  =====================
baseline                                                  0.472 / 0.382  0.634 / 0.531
``headings`` as a column, weight 2 (summary 4, body 1)    0.472 / 0.382                 no: no gain
the same, weight 4                                        0.468 / 0.382                 no: English worse
bonus w × the best passage's idf share, w 0.2             0.475 / 0.372                 no: French worse
  the same over 3× the page, then cut                     0.475 / 0.369                 no
scattering penalty (below), weight 0.2                    0.477 / 0.382  0.628 / 0.531  no: English worse
scattering penalty, weight 0.5                            0.479 / 0.398  0.638 / 0.533  kept
scattering penalty, weight 1.0                            0.481 / 0.397  0.639 / 0.539  no: not above 0.5 in both
weight 0.5, every term counting 1 instead of its idf      0.478 / 0.388                 no: less
weight 0.5 over 3× the page, then cut                     0.479 / 0.400                 no: 3× the rows
========================================================  =============  =============  =====================

Per query, weight 0.5, title: 19 better, 4 worse (1.0: 24 / 7); with semantic 3 / 2 (1.0: 9 / 4).
The man pages' headings are the same few words everywhere (Description, Synopsis, Errors, Return
value), which is why a headings field adds nothing here; a help center's headings name tasks, but
no development set shows it, so it is not kept. Kept (``search.passages``, weight 0.5, the middle
of the three weights measured, not the best of a grid): among the hits of one page, an article
with two sections or more loses 0.5 × the page's best score × the idf-weighted share of the
query's terms it holds outside its best passage (a section read with the article's title and
summary). An article without sections keeps its score, so short articles rank exactly as before;
the penalty reads the section terms every engine stores and the document frequencies the term
selection already fetched, the same after SQLite, PostgreSQL and Elasticsearch. Before → after,
MRR@10 / Hit@5 per language, the two runs in the same minute:

===========================  ==============================================================
set, engine, signals         before → after
===========================  ==============================================================
dev, SQLite and PostgreSQL   unchanged, title: 0.783 (de .602 en .844 es .771 fr .756), Hit@5 0.873;
                             title,semantic: 0.844 (de .813 en .893 es .933 fr .789), Hit@5 0.932
messy, SQLite and PG         unchanged: title 0.759, title,semantic 0.838
long, SQLite, title          en .472/.605 → .479/.642, fr .382/.479 → .398/.489 (0.423 → 0.435)
long, PostgreSQL, title      identical to SQLite
long, SQLite, + semantic     en .634/.778 → .638/.778, fr .531/.702 → .533/.702 (0.579 → 0.582)
long, PostgreSQL, + semantic en .637/.778 → .638/.778, fr .531/.702 → .533/.702 (0.580 → 0.582)
CI sample, both engines      unchanged (en 0.761, fr 0.685)
===========================  ==============================================================

With the semantic fusion the gain shrinks to a few queries; the search page, which ranks by words
alone, is where it counts. Cost: 0.24 ms p50, 0.38 ms p95 per search page for the ranking itself; no index-time
work. p95 per query (evaluate_deflection, same minute, loaded machine): long SQLite title 27.6 →
16.7 ms, PostgreSQL title 54 → 59 ms, PostgreSQL semantic 94.8 → 95.9 ms: noise. ``bench/long_articles``
now gives its articles their sections: the code unchanged on articles without sections
(394–406 articles/s, drafts CPU p95 34–38 ms, against 297–426 and 28–39 before), and with sections
209–306 articles/s and CPU p95 32–46 ms: storing each section's terms (``sections_to_json``, a
second analysis of the body, 25 % of indexing) and reading them back per hit (~3 ms a draft)
cost more than the ranking. Both were then removed (no ranking change: long set 0.582, en .638 /
fr .533, dev 0.844, messy 0.838 with the default signals, SQLite and PostgreSQL alike): a body
with headings is analyzed once, section by section (``search.query.analyze_for_index`` with the
sections' starts, one distinct-piece lookup for all fields), and the sections' stored terms are read
back once per process per stored value; PostgreSQL and Elasticsearch also store each document's
coverage at index time, as SQLite did, so the untranslated-article promotion re-analyzes no hit on
any engine (PostgreSQL, profiled: 2,260 hit texts analyzed for 200 drafts, now none). On one
machine in the same minutes (a slow one: a 10-million-step Python loop took 0.94 s), the bench's
indexing went from a minimum of 12.75 to 8.64 CPU seconds for its 3,081 articles with sections, and
profiled drafts CPU p50 from 26.4 to 20.7 ms. ``evaluate_deflection`` on the long set with the
default signals: SQLite p50/p95/p99 18.0/29.3/39.2 ms (fr p95 34.3), PostgreSQL 35.0/54.9/72.6 ms
(fr p95 60.3, the machine shared with other runs). After the review's refactors (rebuild batches end
between articles; one index-time analysis helper for the three engines; no ranking change), at 09:10,
default signals, MRR@10 / Hit@5 / p95 ms: dev 0.844 / 0.932 / 12.1 (de .813/.933, en .893/.967,
es .933/1.0, fr .789/.889), messy 0.838 / 0.928 / 13.0, long 0.582 / 0.737 / 22.6 (en .638/.778,
fr .533/.702) on SQLite; PostgreSQL the same MRR@10 and Hit@5, p95 dev 26.3, long 77.7 ms on a minute
when a 10-million-step Python loop took 1.59 s (0.75 s at 08:56): the machine ran at half speed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from deflection import conf
from deflection.language import draft_language
from deflection.text import clean_draft, cut, words
from search.analysis import analyze
from search.service import fuse_by_meaning, search_articles


@dataclass(frozen=True)
class Suggestion:
    article_id: str
    title: str
    summary: str
    url: str
    snippet: str  # HTML-escaped text with <mark> around matches (from search)
    language: str
    is_fallback: bool
    rank: int  # 1-based position shown to the customer
    score: float
    section: str = ""  # heading of the section that answers; ``url`` then ends with its ``#anchor``


@dataclass(frozen=True)
class Ranking:
    items: list[Suggestion]
    degraded: bool  # search answered from its fallback path
    truncated: bool  # the draft was longer than the limit and was cut
    query: str = ""
    draft_language: str | None = None  # when confidently detected and not the page's language


@dataclass(frozen=True)
class Candidate:
    hit: Any  # search.service.SearchHit
    score: float
    features: dict[str, float] = field(default_factory=dict)


def draft_query(subject: str, description: str, *, limit: int | None = None) -> tuple[str, bool]:
    """The text sent to search: subject then description, cleaned of what is not the question
    (``text.clean_draft``: greetings, signatures, quotes, logs, links), cut (not refused) at ``limit``
    characters; and whether the draft as typed was longer than ``limit`` (its stored copy is cut there).
    """
    limit = conf.max_draft_chars() if limit is None else limit
    parts = [part.strip() for part in (subject, description) if part and part.strip()]
    cleaned = [clean_draft(part) for part in parts]
    text, cut_question = cut("\n".join(part for part in cleaned if part), limit)
    return text, cut_question or len("\n".join(parts)) > limit


# --- Re-ranking signals ---------------------------------------------------------------------------
# Each signal takes the draft text and the candidates (in search order) and returns re-scored ones.

TITLE_WEIGHT = 0.5  # set before measuring; not tuned on the development set


def _title_overlap(query: str, candidates: list[Candidate]) -> list[Candidate]:
    """Favour articles whose title shares words with the draft: titles name the task a customer has.

    Words are folded (case, accents) but not stemmed.
    """
    query_words = {word for word in words(query) if len(word) > 2}
    return [_boost(candidate, "title", _share(words(candidate.hit.title), query_words, 3)) for candidate in candidates]


def _title_terms(query: str, candidates: list[Candidate]) -> list[Candidate]:
    """As ``title`` but on the analyzed terms of the hit's language (stemmed, stop words dropped),
    so "factures" in a draft matches "Facture" in a title.
    """
    per_language: dict[str, set[str]] = {}
    result = []
    for candidate in candidates:
        language = candidate.hit.language
        if language not in per_language:
            per_language[language] = set(analyze(query, language))
        share = _share(analyze(candidate.hit.title, language), per_language[language], 0)
        result.append(_boost(candidate, "title_terms", share))
    return result


def _share(title_words: Iterable[str], query_words: set[str], min_length: int) -> float:
    kept = {word for word in title_words if len(word) >= min_length}
    return len(kept & query_words) / len(kept) if kept else 0.0


def _boost(candidate: Candidate, name: str, share: float) -> Candidate:
    return Candidate(candidate.hit, candidate.score + TITLE_WEIGHT * share, {**candidate.features, name: share})


SIGNALS: dict[str, Callable[[str, list[Candidate]], list[Candidate]]] = {
    "title": _title_overlap,
    "title_terms": _title_terms,
}

# Fused before re-ranking (``search.service.fuse_by_meaning``): the articles nearest the draft in
# meaning over the whole collection, by reciprocal-rank fusion with search's order.
FUSIONS: frozenset[str] = frozenset({"semantic"})

# Signals measured and kept (figures in the module docstring).
KEPT_SIGNALS: frozenset[str] = frozenset({"title", "semantic"})

# Re-ranking needs more candidates than are shown; without signals we ask for exactly ``limit``.
CANDIDATE_POOL = 10


def rank_for_draft(
    *,
    subject: str,
    description: str,
    language: str,
    audiences: Iterable[str],
    limit: int | None = None,
    backend: object | None = None,
    signals: Iterable[str] | None = None,
    synonyms: Callable[[str], list[list[str]]] | None = None,
) -> Ranking:
    """The ``limit`` best articles for a draft, among those ``audiences`` may read, in ``language``
    (the page's) and, when the draft is confidently written in another configured language, in
    that one too (``deflection.language``), interleaved.

    Reads only: recording what was shown is the caller's business (``services.suggest_for_draft``),
    so the offline evaluation runs exactly this function (with ``synonyms`` of its own instead of
    the editors' ones, so it needs no database table).
    """
    limit = conf.default_limit() if limit is None else limit
    active = list(KEPT_SIGNALS if signals is None else signals)
    unknown = set(active) - set(SIGNALS) - FUSIONS
    if unknown:
        raise ValueError(f"Unknown ranking signals: {', '.join(sorted(unknown))}")
    query, truncated = draft_query(subject, description)
    if len(query.strip()) < 3 or limit <= 0:
        return Ranking(items=[], degraded=False, truncated=truncated, query=query)

    pool = max(limit, CANDIDATE_POOL) if active else limit
    detected = draft_language(query)
    other = detected if detected and detected != language else None
    # search_articles does not raise when the engine fails: it answers from its fallback (degraded).
    found = [
        search_articles(
            query,
            language=searched,
            audiences=audiences,
            limit=pool,
            backend=backend,
            promote_untranslated=True,
            synonyms=synonyms,
        )
        for searched in ([other, language] if other else [language])
    ]

    hits = _interleave([results.hits for results in found])[:pool]
    if "semantic" in active:
        languages = [language, other] if other else [language]
        hits = fuse_by_meaning(query, hits, languages=languages, audiences=audiences, backend=backend)[:pool]
    candidates = _initial_candidates(hits)
    if active:
        for name in (name for name in active if name in SIGNALS):
            candidates = SIGNALS[name](query, candidates)
        candidates = sorted(candidates, key=lambda candidate: candidate.score, reverse=True)
    items = [_suggestion(candidate, rank) for rank, candidate in enumerate(candidates[:limit], start=1)]
    degraded = any(results.degraded for results in found)
    return Ranking(items=items, degraded=degraded, truncated=truncated, query=query, draft_language=other)


def _interleave(lists: list[Sequence[Any]]) -> list[Any]:
    """Hits taken in turn from each list (the draft's language first), each article once.

    Engines' scores are not comparable across languages, positions are; alternating keeps half
    the page-language results in any prefix, so a wrong guess of the draft's language cannot
    push them out, and the draft-language version of an article found in both is the one shown.
    The same document found by the page's search as an untranslated fallback keeps that mark
    (its note, "not yet translated", is true whatever language the draft is in).
    """
    merged: list[Any] = []
    where: dict[str, int] = {}
    for position in range(max((len(hits) for hits in lists), default=0)):
        for hits in lists:
            if position >= len(hits):
                continue
            hit = hits[position]
            key = str(hit.article_id)
            if key not in where:
                where[key] = len(merged)
                merged.append(hit)
                continue
            kept = merged[where[key]]
            if hit.is_fallback and not kept.is_fallback and hit.language == kept.language:
                merged[where[key]] = replace(kept, is_fallback=True)
    return merged


def _initial_candidates(hits: Sequence[Any]) -> list[Candidate]:
    """Search's order turned into a score in [0, 1] (1 for the first hit, linear in position).

    Engines' raw scores are not comparable across backends, their order is; re-ranking on
    positions behaves the same on SQLite, PostgreSQL and Elasticsearch.
    """
    count = len(hits)
    return [Candidate(hit, 1.0 - position / max(count, 1)) for position, hit in enumerate(hits)]


def _suggestion(candidate: Candidate, rank: int) -> Suggestion:
    hit = candidate.hit
    return Suggestion(
        article_id=str(hit.article_id),
        title=hit.title,
        summary=hit.summary,
        url=answer_url(hit.url, hit.anchor),
        snippet=hit.snippet,
        language=hit.language,
        is_fallback=hit.is_fallback,
        rank=rank,
        score=round(candidate.score, 6),
        section=hit.section,
    )


def answer_url(url: str, anchor: str) -> str:
    """The article's address, jumping to the section that answers when search found one ("#anchor")."""
    return f"{url.partition('#')[0]}#{anchor}" if url and anchor else url

"""From what a reader typed to a safe, bounded query: words only, synonyms added, the rare terms kept.

Only words survive preparation (quotes, ``*``, ``:``, parentheses and the like vanish, and
``AND``/``OR``/``NOT``/``NEAR`` become ordinary words), so no engine ever sees its own syntax in
user text. A drafted question keeps its most informative terms, matched with OR and ranked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain, pairwise

from search.analysis import analyze_many, tokens, vocabulary
from search.documents import Coverage, PreparedQuery, QueryWord, SearchDocument, section_spans, sections_to_json

MAX_QUERY_CHARS = 2000
MAX_TERMS = 32
SHORT_QUERY_WORDS = 3


COVERAGE_TEXT_CHARS = 20_000  # of an article's text, enough for any help article's gist
COGNATE_LENGTH = 5  # "notif" of notificaciones / notification, "verif" of verificación / verification
COMMON_SHARE = 0.2  # a term in more than a fifth of the documents barely ranks, yet costs the most
MIN_TERMS = 3
Statistics = Callable[[list[str]], tuple[dict[str, int], int]]


def prepare_query(
    text: str,
    language: str,
    *,
    synonyms: Iterable[list[str]] = (),
    statistics: Statistics | None = None,
) -> PreparedQuery:
    """Analyze ``text`` for ``language`` and bound it.

    ``synonyms`` are groups of terms (phrases allowed); a group whose terms all appear in the query
    adds its other members. ``statistics`` returns (document frequency per term, documents in the
    language) where the engine knows them cheaply: a long draft then keeps its rarest
    ``MAX_TERMS`` terms and drops the ones nearly every document contains.
    """
    text = (text or "")[:MAX_QUERY_CHARS]
    typed: dict[str, QueryWord] = {}
    for token in tokens(text, language):
        typed.setdefault(token.term, QueryWord(word=token.word, term=token.term))
    words = list(typed.values())
    short = 0 < len(words) <= SHORT_QUERY_WORDS
    if not short and statistics is not None:
        words = _most_informative(words, *statistics([word.term for word in words]))
    elif len(words) > MAX_TERMS:
        words = _most_informative(words, {}, 0)
    prefix = ""
    if short and text and not text[-1].isspace():
        last = list(tokens(text, language, keep_stop_words=True))
        prefix = last[-1].word if last else ""
    expanded = _synonym_words(set(typed), synonyms, language)
    seen = {word.term for word in words}
    for word in expanded:
        if word.term not in seen:
            seen.add(word.term)
            words.append(word)
    return PreparedQuery(text=text, language=language, words=tuple(words), short=short, prefix=prefix)


def _most_informative(words: list[QueryWord], frequencies: dict[str, int], documents: int) -> list[QueryWord]:
    """Keep the rarest terms (by document frequency when known, else the longest), in text order.

    Terms absent from the index (frequency 0) can match nothing and go last; terms in more than
    ``COMMON_SHARE`` of the documents are dropped while at least ``MIN_TERMS`` others remain.
    """
    order = {word.term: index for index, word in enumerate(words)}

    def key(word: QueryWord) -> tuple[int, int, int]:
        frequency = frequencies.get(word.term)
        if frequency is None:
            return (0, -len(word.term), order[word.term])
        return (0 if frequency > 0 else 1, frequency, order[word.term])

    ranked = sorted(words, key=key)
    if documents:
        useful = [word for word in ranked if 0 < frequencies.get(word.term, 0) <= documents * COMMON_SHARE]
        if len(useful) >= MIN_TERMS:
            ranked = useful
        else:
            ranked = [word for word in ranked if frequencies.get(word.term, 0) > 0][: max(MIN_TERMS, len(useful))]
    return sorted(ranked[:MAX_TERMS], key=lambda word: order[word.term])


def _synonym_words(present: set[str], groups: Iterable[list[str]], language: str) -> list[QueryWord]:
    added: list[QueryWord] = []
    for group in groups:
        analyzed = [[token for token in tokens(phrase, language)] for phrase in group]
        if not any(phrase and all(token.term in present for token in phrase) for phrase in analyzed):
            continue
        for phrase in analyzed:
            for token in phrase:
                added.append(QueryWord(word=token.word, term=token.term, synonym=True))
    return added


def cognate_beginnings(text: str, language: str) -> tuple[str, ...]:
    """The beginnings of the reader's longer words, for matching articles only the default language has.

    Related languages share the roots of most technical words (notificaciones, notifications;
    importar, import; vérification, verification); their first ``COGNATE_LENGTH`` letters find the
    untranslated article where the reader's words, analyzed for another language, find nothing.
    Stop words of the reader's language are gone first; numbers and short words are left out.
    """
    beginnings = [
        token.word[:COGNATE_LENGTH]
        for token in tokens((text or "")[:MAX_QUERY_CHARS], language)
        if len(token.word) > COGNATE_LENGTH and token.word.isalpha()
    ]
    return tuple(dict.fromkeys(beginnings))[:MAX_TERMS]


def text_coverage(title: str, summary: str, body: str, language: str) -> Coverage:
    """What the untranslated-article promotion compares a draft with: the analyzed terms of a
    document's text and the first ``COGNATE_LENGTH`` letters of its words.

    Engines that can store it compute it once at index time (a draft must not re-analyze its hits).
    """
    terms, words = vocabulary(f"{title}\n{summary}\n{body}"[:COVERAGE_TEXT_CHARS], language)
    return Coverage.of(terms, {word[:COGNATE_LENGTH] for word in words})


@dataclass(frozen=True)
class IndexedText:
    """A document analyzed for indexing (:func:`analyze_for_index`)."""

    title: list[str]
    summary: list[str]
    body: list[str]
    coverage: Coverage
    sections: str  # ``sections_to_json`` with the terms analyzed here; "" for a body without headings


def analyze_for_index(document: SearchDocument) -> IndexedText:
    """The analyzed title, summary and body, the document's :func:`text_coverage` and its sections'
    terms, each text split once: the same result as analyzing them, calling ``text_coverage`` and
    ``sections_to_json``. The body is analyzed section by section (no word spans a heading's start),
    so the sections' terms come with the body's instead of a second analysis.
    """
    title, summary, body, language = document.title, document.summary, document.body, document.language
    spans = section_spans(document)
    bounds = [0, *(min(max(section.start, 0), len(body)) for section, _end in spans), len(body)]
    (title_terms, summary_terms, *parts), terms, words = analyze_many(
        [title, summary, *(body[start:end] for start, end in pairwise(bounds))], language
    )
    if len(title) + len(summary) + len(body) + 2 > COVERAGE_TEXT_CHARS:  # coverage stops short of the end
        coverage = text_coverage(title, summary, body, language)
    else:
        coverage = Coverage.of(terms, {word[:COGNATE_LENGTH] for word in words})
    sections = sections_to_json(document, parts[1:]) if spans else ""
    return IndexedText(title_terms, summary_terms, list(chain.from_iterable(parts)), coverage, sections)

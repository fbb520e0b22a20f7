"""From what a reader typed to a safe, bounded query: words only, synonyms added, the rare terms kept.

Only words survive preparation (quotes, ``*``, ``:``, parentheses and the like vanish, and
``AND``/``OR``/``NOT``/``NEAR`` become ordinary words), so no engine ever sees its own syntax in
user text. A drafted question keeps its most informative terms, matched with OR and ranked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from search.analysis import tokens
from search.documents import PreparedQuery, QueryWord

MAX_QUERY_CHARS = 2000
MAX_TERMS = 32
SHORT_QUERY_WORDS = 3


def prepare_query(
    text: str,
    language: str,
    *,
    synonyms: Iterable[list[str]] = (),
    rarity: Callable[[list[str]], dict[str, int]] | None = None,
) -> PreparedQuery:
    """Analyze ``text`` for ``language`` and bound it.

    ``synonyms`` are groups of terms (phrases allowed); a group whose terms all appear in the query
    adds its other members. ``rarity`` returns document frequencies for terms, so a long draft
    keeps the rarest ``MAX_TERMS`` terms rather than the first ones.
    """
    text = (text or "")[:MAX_QUERY_CHARS]
    typed: dict[str, QueryWord] = {}
    for token in tokens(text, language):
        typed.setdefault(token.term, QueryWord(word=token.word, term=token.term))
    words = list(typed.values())
    if len(words) > MAX_TERMS:
        words = _most_informative(words, rarity)
    short = 0 < len(words) <= SHORT_QUERY_WORDS
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


def _most_informative(words: list[QueryWord], rarity: Callable[[list[str]], dict[str, int]] | None) -> list[QueryWord]:
    """Keep the rarest terms (by the index's document frequency when known, else the longest).

    Terms absent from the index (frequency 0) can match nothing, so they rank last.
    """
    frequencies = rarity([word.term for word in words]) if rarity else {}
    order = {word.term: index for index, word in enumerate(words)}

    def key(word: QueryWord) -> tuple[int, int, int]:
        frequency = frequencies.get(word.term)
        if frequency is None:
            return (0, -len(word.term), order[word.term])
        return (0 if frequency > 0 else 1, frequency, order[word.term])

    kept = sorted(words, key=key)[:MAX_TERMS]
    return sorted(kept, key=lambda word: order[word.term])


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

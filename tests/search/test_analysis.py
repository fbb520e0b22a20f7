"""The fast indexing analysis (``analyze``) gives exactly the terms of the reference tokenizer (``tokens``)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from django.utils.html import escape

from search import documents
from search.analysis import analyze, tokens, vocabulary
from search.documents import Section, sections_to_json
from search.query import analyze_for_index, cognate_beginnings, prepare_query, text_coverage
from tests.search.factories import doc

LONG_ARTICLES = Path(__file__).resolve().parents[1] / "data" / "deflection_long" / "articles.jsonl"
LONG_QUERIES = LONG_ARTICLES.with_name("queries.jsonl")
TRICKY = [
    "l'abonnement d'été, qu'il DON'T Straße Œuvre — « guillemets » ''a''b'' x_y_z snake_case 3.14 1e-5",
    "パスワードをリセットする方法 reset ABC日本語・テスト ﾊﾟｽﾜｰﾄﾞ x",
    "dell'utente all’indirizzo l’email — tab\tand\u00a0nbsp\u2003em space; ñandú café\u0301 (e + combining accent)",
    "C:\\Users\\me\\file.txt https://example.com/a?b=c#d <b>html</b> {json: 1} e-mail@example.org",
    "",
    "   ",
]


@pytest.mark.parametrize("language", ["en", "fr", "de", "es", "it", "pt", "ja"])
def test_analyze_matches_tokens_on_tricky_text(language: str) -> None:
    for text in TRICKY:
        assert analyze(text, language) == [token.term for token in tokens(text, language)], text
        assert analyze(text, language) == [token.term for token in tokens(text, language)], text  # memo warm


def test_analyze_matches_tokens_on_real_long_articles() -> None:
    lines = LONG_ARTICLES.read_text(encoding="utf-8").splitlines()[::25]
    for line in lines:
        article = json.loads(line)
        for text in (article["title"], article["body"]):
            assert analyze(text, article["lang"]) == [token.term for token in tokens(text, article["lang"])]


@pytest.mark.parametrize("language", ["en", "fr", "ja"])
def test_vocabulary_is_the_set_of_tokens_terms_and_words(language: str) -> None:
    for text in TRICKY:
        analyzed = list(tokens(text, language))
        expected = ({token.term for token in analyzed}, {token.word for token in analyzed})
        assert vocabulary(text, language) == expected, text


def _reference_window(text: str, language: str, wanted: set[str], prefix: str, cognates: tuple[str, ...]) -> str:
    """The snippet window as built before ``first_match_offset``: every token from the start."""
    matches: list = []
    window_start = window_end = 0
    for token in tokens(text, language):
        if matches and token.start >= window_end:
            break
        if not documents._matches(token, wanted, prefix, cognates):
            continue
        if not matches:
            window_start = documents._window_start(text, token.start)
            window_end = documents._window_end(text, window_start)
        if token.end <= window_end:
            matches.append(token)
    if not matches:
        return ""
    parts: list[str] = ["…" if window_start > 0 else ""]
    cursor = window_start
    for token in matches:
        parts.append(escape(text[cursor : token.start]))
        parts.append(f"<mark>{escape(text[token.start : token.end])}</mark>")
        cursor = token.end
    parts.append(escape(text[cursor:window_end]))
    if window_end < len(text):
        parts.append("…")
    return "".join(parts).strip()


def test_snippet_window_skips_to_the_first_match_and_stays_the_same() -> None:
    articles = [json.loads(line) for line in LONG_ARTICLES.read_text(encoding="utf-8").splitlines()[::40]]
    queries = [json.loads(line) for line in LONG_QUERIES.read_text(encoding="utf-8").splitlines()[::7]]
    compared = 0
    for query in queries:
        prepared = prepare_query(query["text"], query["lang"])
        cognates = cognate_beginnings(query["text"], query["lang"])
        for article in articles:
            if article["lang"] != query["lang"]:
                continue
            for options in ((set(prepared.terms), "", ()), (set(prepared.terms), prepared.prefix[:4], cognates)):
                expected = _reference_window(article["body"], article["lang"], *options)
                assert documents._window(article["body"], article["lang"], *options) == expected
                compared += bool(expected)
    assert compared > 20  # windows were found, not only empty answers
    for text in [*TRICKY, "a cafe\u0301 not NFC, then abonnement", " \u0301abonnement l'abonnement"]:
        for language in ("fr", "ja", "en"):
            wanted = set(analyze("abonnement reset パスワード nbsp", language))
            assert documents._window(text, language, wanted, "", ()) == _reference_window(
                text, language, wanted, "", ()
            )


def test_analyze_for_index_is_analyze_and_text_coverage() -> None:
    lines = LONG_ARTICLES.read_text(encoding="utf-8").splitlines()[::30]
    cases = [(json.loads(line)["title"], "", json.loads(line)["body"], json.loads(line)["lang"]) for line in lines]
    cases += [("Titre", "Résumé d'été", "abonnement " * 3000 + "réinitialiser", "fr")]  # past the coverage cap
    cases += [(text, text, text, language) for text in TRICKY for language in ("fr", "ja")]
    for title, summary, body, language in cases:
        expected = (
            analyze(title, language),
            analyze(summary, language),
            analyze(body, language),
            text_coverage(title, summary, body, language),
        )
        # Sections at line starts (where headings begin): the same terms, and each section's.
        starts = [match.start() for match in re.finditer(r"^", body, re.MULTILINE)][1::7]
        headed = tuple(Section(start, f"s{start}", body[start : start + 20]) for start in starts)
        for sections in ((), headed):
            document = replace(doc("a", language, title, summary, body), sections=sections)
            got = analyze_for_index(document)
            assert (got.title, got.summary, got.body) == expected[:3]
            assert set(got.coverage.terms.split()) == set(expected[3].terms.split())
            assert set(got.coverage.beginnings.split()) == set(expected[3].beginnings.split())
            assert got.sections == (sections_to_json(document) if sections else "")  # each section analyzed alone

"""The fast indexing analysis (``analyze``) gives exactly the terms of the reference tokenizer (``tokens``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.analysis import analyze, tokens, vocabulary

LONG_ARTICLES = Path(__file__).resolve().parents[1] / "data" / "deflection_long" / "articles.jsonl"
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

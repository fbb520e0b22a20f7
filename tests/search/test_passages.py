"""Long articles answered by their passages: heading anchors, sections in the index, the snippet
and link of the section that answers ("jump to the answer"), and the ranking that puts an article
answering in one section before one whose words are scattered (``search.passages``), on SQLite
FTS5 and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.test import APIClient

from cms.anchors import add_heading_anchors, anchor_ids
from cms.blocks import stream_to_sections
from cms.models import ArticlePage
from search.analysis import analyze
from search.backends import SearchBackend
from search.documents import Section, StoredDocument
from search.passages import PASSAGE_WEIGHT, idf_weights, rank_by_passages
from search.query import prepare_query
from search.service import documents_for_article, index_documents, search_articles
from tests.search.conftest import Tree, add_page
from tests.search.factories import doc, headed

SECTIONS = {
    "Change your email address": "Open your profile, type the new address and confirm it from the message we send. "
    "Your old address keeps receiving mail until you confirm.",
    "Two-factor authentication": "If you lost your phone, sign in with one of the recovery codes you saved when you "
    "turned on the authenticator app, then scan the new QR code with your new phone.",
    "Close your account": "Closing deletes your tickets after thirty days. Export them first if you need them.",
}
FILLER = " ".join(["Settings are saved as soon as you leave the field."] * 30)


def long_body() -> list[dict[str, Any]]:
    """An introduction, then one h2 section per ``SECTIONS`` entry, in two rich-text blocks and a callout."""
    (first, first_text), *rest = SECTIONS.items()
    blocks = [
        {"type": "paragraph", "value": f"<p>{FILLER}</p><h2>{first}</h2><p>{first_text} {FILLER}</p>"},
        {"type": "steps", "value": ["Open Settings", "Choose Security"]},
    ]
    second, second_text = rest[0]
    blocks.append(
        {"type": "callout", "value": {"kind": "note", "text": f"<h2>{second}</h2><p>{second_text}</p>"}},
    )
    third, third_text = rest[1]
    blocks.append({"type": "paragraph", "value": f'<h2 data-block-key="x1">{third}</h2><p>{third_text}</p>'})
    return blocks


@pytest.fixture
def guide(tree: Tree) -> ArticlePage:
    with translation.override("en"):
        return add_page(
            tree.account,
            ArticlePage(
                title="Account settings guide",
                title_en="Account settings guide",
                summary_en="Everything about your account settings.",
                body_en=long_body(),
                slug="account-settings",
            ),
        )


# --- anchors ------------------------------------------------------------------------------------


def test_anchor_ids_are_slugs_unique_per_page_and_keep_other_scripts() -> None:
    assert anchor_ids(["Reset your password", "FAQ", "FAQ", "faq-2", "Étapes à suivre", "パスワード", "!!"]) == [
        "reset-your-password",
        "faq",
        "faq-2",
        "faq-2-2",
        "étapes-à-suivre",
        "パスワード",
        "section",
    ]


def test_an_anchor_does_not_move_when_another_section_is_edited() -> None:
    before = anchor_ids(["Install", "Configure", "Troubleshoot"])
    after = anchor_ids(["Install the app", "Configure", "Troubleshoot", "Uninstall"])
    assert before[1:] == after[1:3]


def test_rendered_headings_get_the_ids_and_lose_an_editors_id() -> None:
    html = '<p>Intro</p><h2 data-block-key="a1" id="old">Two-factor <b>authentication</b></h2><h3>Lost &amp; found</h3>'
    assert add_heading_anchors(html) == (
        '<p>Intro</p><h2 id="two-factor-authentication" data-block-key="a1">Two-factor <b>authentication</b></h2>'
        '<h3 id="lost-found">Lost &amp; found</h3>'
    )


def test_sections_start_at_their_heading_in_the_unchanged_body_text(guide: ArticlePage) -> None:
    body, sections = stream_to_sections(guide.body_en)
    assert body == guide.text_for("en")["body"]
    assert [anchor for _start, anchor, _heading in sections] == [
        "change-your-email-address",
        "two-factor-authentication",
        "close-your-account",
    ]
    for start, _anchor, heading in sections:
        assert body[start:].startswith(heading)
    assert FILLER in body and "Open Settings\nChoose Security" in body


def test_the_article_page_gives_its_headings_the_indexed_anchors(guide: ArticlePage, client: Any) -> None:
    html = client.get(guide.url).content.decode()
    for _start, anchor, heading in stream_to_sections(guide.body_en)[1]:
        assert f'<h2 id="{anchor}">{heading}</h2>' in html or f'<h2 id="{anchor}" data-block-key="x1">' in html


# --- search: the section that answers, on every database engine ---------------------------------


@pytest.fixture
def backend(db: None) -> Iterator[SearchBackend]:
    if connection.vendor == "postgresql":
        from search.backends.postgres import PostgresBackend

        made: SearchBackend = PostgresBackend(f"t{uuid.uuid4().hex[:10]}")
    else:
        from search.backends.sqlite import SqliteBackend

        made = SqliteBackend(f"t{uuid.uuid4().hex[:10]}")
    made.setup()
    try:
        yield made
    finally:
        made.drop()


def test_a_long_article_answers_with_its_section_snippet_and_anchor(
    tree: Tree, guide: ArticlePage, backend: SearchBackend
) -> None:
    index_documents(documents_for_article(guide), backend=backend)
    results = search_articles(
        "I lost my phone, where is the recovery code?", language="en", audiences=["public"], backend=backend
    )
    (hit,) = [hit for hit in results.hits if hit.article_id == str(guide.pk)]
    assert hit.anchor == "two-factor-authentication"
    assert hit.section == "Two-factor authentication"
    assert "<mark>lost</mark> your <mark>phone</mark>" in hit.snippet
    assert "Settings are saved" not in hit.snippet  # not the introduction the old snippet started with


def test_an_article_without_headings_has_no_anchor(tree: Tree, backend: SearchBackend) -> None:
    index_documents(documents_for_article(tree.reset), backend=backend)
    (hit,) = search_articles("forgot password", language="en", audiences=["public"], backend=backend).hits
    assert (hit.anchor, hit.section) == ("", "")


def test_the_suggestion_api_links_to_the_answering_section(tree: Tree, guide: ArticlePage) -> None:
    index_documents([*documents_for_article(guide), *documents_for_article(tree.reset)])
    client = APIClient()
    response = client.post(
        "/api/deflection/suggest",
        {"subject": "Lost phone", "description": "I lost my phone and need a recovery code", "language": "en"},
        format="json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    first = data["suggestions"][0]
    assert first["article_id"] == str(guide.pk)
    assert first["section"] == "Two-factor authentication"
    # The session marker goes in the query string; the anchor stays last, where browsers look for it.
    assert first["url"].endswith(f"from_session={data['session']}#two-factor-authentication")
    assert first["url"].count("#") == 1
    # Opening it through the session (recording the open) lands on the same section.
    opened = client.get(first["open_url"])
    assert opened.status_code == 302
    assert opened["Location"] == first["url"]


def test_an_index_written_before_sections_existed_gains_them_on_its_next_write(db: None) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the old SQLite table is made by hand here")
    from search.backends.sqlite import SqliteBackend

    backend = SqliteBackend(f"t{uuid.uuid4().hex[:10]}")
    with connection.cursor() as cursor:  # the table as the previous release created it
        cursor.execute(
            f"CREATE TABLE {backend.doc_table} (id INTEGER PRIMARY KEY, article_id TEXT NOT NULL, "
            "language TEXT NOT NULL, title TEXT NOT NULL, summary TEXT NOT NULL, body TEXT NOT NULL, "
            "url TEXT NOT NULL, audience TEXT NOT NULL, languages TEXT NOT NULL, published_at TEXT, "
            "updated_at TEXT, UNIQUE (article_id, language))"
        )
    try:
        document = replace(
            doc("9", "en", "Guide", body="Intro. Lost phone Use a recovery code."),
            sections=(Section(7, "lost-phone", "Lost phone"),),
        )
        index_documents([document], backend=backend)
        (hit,) = search_articles("recovery code", language="en", audiences=["public"], backend=backend).hits
        assert hit.anchor == "lost-phone"
    finally:
        backend.drop()


# --- ranking: an article answering in one passage before one whose words are scattered ---------


def stored(article_id: str, score: float, sections: tuple[Section, ...] = (), title: str = "Guide") -> StoredDocument:
    return StoredDocument(article_id, "en", title, "", "", f"/a/{article_id}/", score, sections=sections)


def section(start: int, heading: str, text: str) -> Section:
    return Section(start, heading.lower(), heading, frozenset(analyze(f"{heading} {text}", "en")))


SCATTERED = (section(0, "Phone", "Your number is on your profile."), section(50, "Codes", "Print backup codes."))
TOGETHER = (section(0, "Lost phone", "Sign in with a backup code."), section(50, "Profile", "Your name."))


def statistics_of(frequencies: dict[str, int], documents: int, asked: list[list[str]]) -> object:
    def statistics(terms: list[str]) -> tuple[dict[str, int], int]:
        asked.append(terms)
        return {term: frequencies.get(term, 0) for term in terms}, documents

    return statistics


def test_an_article_whose_words_are_scattered_over_sections_ranks_after_one_answering_in_one() -> None:
    query = prepare_query("lost phone backup code", "en")
    asked: list[list[str]] = []
    ranked = rank_by_passages(
        [stored("scattered", 10.0, SCATTERED), stored("together", 9.0, TOGETHER)],
        query,
        statistics_of({"lost": 3, "phone": 5, "backup": 5, "code": 5}, 100, asked),
    )
    assert [document.article_id for document in ranked] == ["together", "scattered"]
    assert ranked[0].score == 9.0  # its first section holds every word: not lowered
    weights = idf_weights({"lost": 3, "phone": 5, "backup": 5, "code": 5}, 100)
    # "phone" alone in one section, "backup code" in the other: the smaller share is lost.
    lost = weights["phone"] / sum(weights.values())
    assert ranked[1].score == pytest.approx(10.0 - PASSAGE_WEIGHT * 10.0 * lost, abs=1e-5)
    assert asked == [query.terms]


def test_title_words_count_in_every_passage() -> None:
    query = prepare_query("phone backup codes", "en")
    titled = stored("titled", 10.0, SCATTERED, title="Phone backup")  # every section reads with "phone backup"
    ranked = rank_by_passages([titled], query, statistics_of({"phone": 5, "backup": 5, "code": 5}, 100, []))
    assert ranked[0].score == 10.0


def test_short_articles_keep_their_order_and_the_engine_is_not_asked() -> None:
    query = prepare_query("lost phone backup code", "en")
    one_section = (section(0, "Phone", "Your number is on your profile."),)
    documents = [stored("a", 3.0), stored("b", 2.0, one_section), stored("c", 1.0)]
    asked: list[list[str]] = []
    assert rank_by_passages(documents, query, statistics_of({}, 100, asked)) == documents
    assert asked == []
    # One term cannot be scattered; unknown statistics change nothing either.
    sectioned = [stored("s", 1.0, SCATTERED), stored("t", 0.5, TOGETHER)]
    assert rank_by_passages(sectioned, prepare_query("phone", "en"), statistics_of({}, 100, asked)) == sectioned
    assert asked == []
    assert rank_by_passages(sectioned, query, statistics_of({}, 0, asked)) == sectioned


def test_a_draft_asks_the_engine_for_its_document_frequencies_once(backend: SearchBackend) -> None:
    """Term selection and the passage ranking read the same statistics: one lookup per search."""
    body = "Phone\nYour phone number is on your profile.\n\nCodes\nPrint your backup codes and keep them safe."
    index_documents(
        [headed(doc("guide", "en", "Guide", body=body)), doc("other", "en", "Notifications", body="Turn them off.")],
        backend=backend,
    )
    with CaptureQueriesContext(connection) as queries:
        hits = search_articles(
            "Hello, my phone was stolen and I printed my backup codes, which code works now?",
            language="en",
            audiences=["public"],
            backend=backend,
        ).hits
    assert [hit.article_id for hit in hits] == ["guide"]
    assert len([query for query in queries if "vocab" in query["sql"]]) == 1

"""The suggestion service: language, fallback, audiences, long drafts, one row per request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deflection.exceptions import InvalidLanguage, SessionNotFound
from deflection.models import DeflectionSession, Outcome
from deflection.services import suggest_for_draft
from deflection.suggestions import draft_query, rank_for_draft
from search.service import SearchDocument, index_documents

pytestmark = pytest.mark.django_db


def ids(result) -> list[str]:
    return [item.article_id for item in result.items]


def test_french_draft_gets_the_french_article(indexed) -> None:
    result = suggest_for_draft(
        subject="mot de passe oublié", description="", language="fr", user=None, visitor_key="v1"
    )
    assert ids(result)[0] == "101"
    first = result.items[0]
    assert first.language == "fr"
    assert first.is_fallback is False
    assert first.title == "Réinitialiser votre mot de passe"
    assert first.rank == 1


def test_missing_translation_falls_back_to_english(indexed) -> None:
    result = suggest_for_draft(subject="export invoices pdf", description="", language="fr", user=None, visitor_key="v")
    assert "102" in ids(result)
    fallback = next(item for item in result.items if item.article_id == "102")
    assert fallback.is_fallback is True
    assert fallback.language == "en"


def test_audiences_limit_what_is_suggested(indexed, customer, agent) -> None:
    draft = {"subject": "single sign-on government agencies", "description": "billing address invoices runbook"}
    anonymous = ids(suggest_for_draft(**draft, language="en", user=None, visitor_key="anon"))
    signed_in = ids(suggest_for_draft(**draft, language="en", user=customer))
    staff = ids(suggest_for_draft(**draft, language="en", user=agent))
    assert "103" not in anonymous and "104" not in anonymous and "105" not in anonymous
    assert "105" in signed_in and "103" not in signed_in and "104" not in signed_in
    assert {"103", "104", "105"} <= set(staff)


def test_top_five_by_default_and_limit_respected(indexed) -> None:
    index_documents(
        [
            SearchDocument(
                article_id=f"w{number}",
                language="en",
                title=f"Widget setting {number}",
                summary="",
                body="widget configuration",
                category_path=[],
                audience="public",
                tags=[],
                url=f"/w/{number}/",
                published_at=None,
                updated_at=None,
            )
            for number in range(8)
        ]
    )
    draft = {"subject": "widget", "description": "", "language": "en", "audiences": ["public"]}
    assert len(rank_for_draft(**draft).items) == 5
    assert len(rank_for_draft(**draft, limit=2).items) == 2


def test_long_draft_is_cut_not_refused(indexed) -> None:
    story = "I tried everything to reset my password. " + "blah " * 5000
    text, truncated = draft_query("Password", story)
    assert truncated is True and len(text) <= 5000
    result = suggest_for_draft(subject="Password", description=story, language="en", user=None, visitor_key="v")
    assert result.truncated is True
    assert "101" in ids(result)
    session = DeflectionSession.objects.get(pk=result.session_id)
    assert len(session.description) == 5000


def test_invalid_language_is_refused_and_nothing_saved(indexed) -> None:
    with pytest.raises(InvalidLanguage):
        suggest_for_draft(subject="password", description="", language="xx", user=None, visitor_key="v")
    assert DeflectionSession.objects.count() == 0


def test_suggestion_request_writes_one_row(indexed) -> None:
    first = suggest_for_draft(subject="password", description="", language="en", user=None, visitor_key="v")
    with CaptureQueriesContext(connection) as queries:
        again = suggest_for_draft(
            subject="password reset", description="", language="en", user=None, visitor_key="v",
            session_id=first.session_id,
        )  # fmt: skip
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    deflection_writes = [sql for sql in writes if "deflection_" in sql]
    assert len(deflection_writes) == 1, deflection_writes
    assert writes == deflection_writes  # nothing else (no analytics) is written in the request
    assert again.session_id == first.session_id
    session = DeflectionSession.objects.get()
    assert session.suggestion_requests == 2
    assert session.subject == "password reset"
    assert session.last_suggestions[0]["article_id"] == "101"
    assert session.first_suggested_at is not None


def test_same_customer_keeps_one_session_without_the_id(indexed, customer) -> None:
    first = suggest_for_draft(subject="password", description="", language="en", user=customer)
    second = suggest_for_draft(subject="password help", description="", language="en", user=customer)
    assert first.session_id == second.session_id
    assert DeflectionSession.objects.count() == 1


def test_foreign_or_unknown_session_is_not_found(indexed, customer, other_customer) -> None:
    mine = suggest_for_draft(subject="password", description="", language="en", user=customer)
    with pytest.raises(SessionNotFound):
        suggest_for_draft(
            subject="password", description="", language="en", user=other_customer, session_id=mine.session_id
        )
    with pytest.raises(SessionNotFound):
        suggest_for_draft(
            subject="password", description="", language="en", user=None, visitor_key="x", session_id=mine.session_id
        )
    with pytest.raises(SessionNotFound):
        suggest_for_draft(subject="password", description="", language="en", user=customer, session_id="not-a-uuid")


def test_short_draft_searches_nothing_and_writes_nothing(indexed) -> None:
    result = suggest_for_draft(subject="pa", description="", language="en", user=None, visitor_key="v")
    assert result.items == [] and result.session_id is None
    assert DeflectionSession.objects.count() == 0


def test_no_match_still_records_the_draft_for_content_gaps(indexed) -> None:
    result = suggest_for_draft(subject="quantum teleporter", description="", language="en", user=None, visitor_key="v")
    assert result.items == []
    session = DeflectionSession.objects.get(pk=result.session_id)
    assert session.first_suggested_at is None
    assert session.normalized_text == "quantum teleporter"
    assert session.outcome == Outcome.OPEN

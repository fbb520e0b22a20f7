"""The REST endpoints: JSON shape, errors, CSRF for anonymous callers, idempotent events, rate limits."""

import pytest
from rest_framework.test import APIClient

from deflection.models import DeflectionEvent, DeflectionSession, Outcome

pytestmark = pytest.mark.django_db

SUGGEST = "/api/deflection/suggest"


def events_url(session_id: object) -> str:
    return f"/api/deflection/sessions/{session_id}/events"


@pytest.fixture
def client() -> APIClient:
    return APIClient()


def test_suggest_returns_ranked_articles_and_a_session(client, indexed) -> None:
    response = client.post(SUGGEST, {"subject": "mot de passe", "description": "", "language": "fr"}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["language"] == "fr" and data["degraded"] is False and data["truncated"] is False
    first = data["suggestions"][0]
    assert first["article_id"] == "101" and first["rank"] == 1 and first["is_fallback"] is False
    assert first["url"].endswith(f"from_session={data['session']}")
    assert first["open_url"] == f"/requests/new/s/{data['session']}/open/101"
    assert DeflectionSession.objects.get().pk.hex == data["session"].replace("-", "")
    assert "af_visitor" in response.cookies


def test_anonymous_visitor_is_recognised_by_cookie(client, indexed) -> None:
    first = client.post(SUGGEST, {"subject": "password", "language": "en"}, format="json").json()
    again = client.post(SUGGEST, {"subject": "password reset", "language": "en", "session": first["session"]},
                        format="json")  # fmt: skip
    assert again.status_code == 200
    stranger = APIClient().post(
        SUGGEST, {"subject": "password", "language": "en", "session": first["session"]}, format="json"
    )
    assert stranger.status_code == 404


def test_invalid_language_is_400_with_a_message(client, indexed) -> None:
    response = client.post(SUGGEST, {"subject": "password", "language": "klingon"}, format="json")
    assert response.status_code == 400
    assert "klingon" in response.json()["language"][0]
    assert not DeflectionSession.objects.exists()


def test_language_defaults_to_the_request_language(client, indexed) -> None:
    client.cookies["django_language"] = "fr"
    data = client.post(SUGGEST, {"subject": "mot de passe"}, format="json").json()
    assert data["language"] == "fr"


def test_long_drafts_are_cut_not_refused(client, indexed) -> None:
    response = client.post(
        SUGGEST, {"subject": "password", "description": "word " * 3000, "language": "en"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["truncated"] is True


def test_unknown_session_is_404(client, indexed) -> None:
    missing = "7d1d3c0e-3c4b-4a55-9d8e-2b0e9a1f0c11"
    assert client.post(SUGGEST, {"subject": "password", "language": "en", "session": missing},
                       format="json").status_code == 404  # fmt: skip
    assert client.post(events_url(missing), {"kind": "deflected"}, format="json").status_code == 404
    assert client.post(events_url("nope"), {"kind": "deflected"}, format="json").status_code == 404
    assert client.post(SUGGEST, {"subject": "password", "language": "en", "session": "nope"},
                       format="json").status_code == 404  # fmt: skip


def test_events_are_idempotent_and_scoped(client, indexed) -> None:
    session = client.post(SUGGEST, {"subject": "password", "language": "en"}, format="json").json()["session"]
    opened = client.post(events_url(session), {"kind": "opened", "article_id": "101"}, format="json")
    assert opened.status_code == 201 and opened.json()["created"] is True
    repeat = client.post(events_url(session), {"kind": "opened", "article_id": "101"}, format="json")
    assert repeat.status_code == 200 and repeat.json()["created"] is False
    done = client.post(events_url(session), {"kind": "deflected", "article_id": "101"}, format="json")
    assert done.status_code == 201 and done.json()["outcome"] == "deflected"
    assert APIClient().post(events_url(session), {"kind": "escalated"}, format="json").status_code == 404
    assert DeflectionEvent.objects.count() == 2
    assert DeflectionSession.objects.get().outcome == Outcome.DEFLECTED


def test_invalid_event_is_400(client, indexed) -> None:
    session = client.post(SUGGEST, {"subject": "password", "language": "en"}, format="json").json()["session"]
    abandoned = client.post(events_url(session), {"kind": "abandoned"}, format="json")
    assert abandoned.status_code == 400 and "not a valid choice" in abandoned.json()["kind"][0]
    response = client.post(events_url(session), {"kind": "opened"}, format="json")
    assert response.status_code == 400 and response.json() == {"article_id": ["This field is required."]}
    assert client.post(events_url(session), [], format="json").status_code == 400
    form = client.post(events_url(session), {"kind": "deflected"})  # multipart: the API speaks JSON only
    assert form.status_code == 415
    assert DeflectionSession.objects.get(pk=session).outcome == Outcome.OPEN


def test_anonymous_callers_need_the_csrf_token(indexed) -> None:
    browser = APIClient(enforce_csrf_checks=True)
    page = browser.get("/requests/new")
    assert page.status_code == 200
    refused = browser.post(SUGGEST, {"subject": "password", "language": "en"}, format="json")
    assert refused.status_code == 403
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(SUGGEST, {"subject": "password", "language": "en"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200


def test_signed_in_customer_uses_the_api(indexed, customer) -> None:
    client = APIClient()
    client.force_authenticate(customer)
    data = client.post(SUGGEST, {"subject": "billing address", "language": "en"}, format="json").json()
    assert "105" in [item["article_id"] for item in data["suggestions"]]
    assert DeflectionSession.objects.get().user == customer


def test_suggest_is_rate_limited_per_ip_with_retry_after(client, indexed, settings) -> None:
    settings.DEFLECTION_SUGGEST_RATE = "3/m"
    codes = [client.post(SUGGEST, {"subject": "password", "language": "en"}, format="json").status_code
             for _ in range(4)]  # fmt: skip
    assert codes == [200, 200, 200, 429]
    limited = client.post(SUGGEST, {"subject": "password", "language": "en"}, format="json")
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    other_ip = client.post(SUGGEST, {"subject": "password", "language": "en"}, format="json", REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 200


def test_a_user_is_limited_across_addresses(indexed, customer, settings) -> None:
    settings.DEFLECTION_SUGGEST_RATE = "2/m"
    client = APIClient()
    client.force_login(customer)
    addresses = ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    codes = [
        client.post(SUGGEST, {"subject": "password", "language": "en"}, format="json", REMOTE_ADDR=ip).status_code
        for ip in addresses
    ]
    assert codes == [200, 200, 429]


def test_events_are_rate_limited(client, indexed, settings) -> None:
    settings.DEFLECTION_EVENTS_RATE = "2/m"
    session = client.post(SUGGEST, {"subject": "password", "language": "en"}, format="json").json()["session"]
    codes = [client.post(events_url(session), {"kind": "opened", "article_id": "101"}, format="json").status_code
             for _ in range(3)]  # fmt: skip
    assert codes == [201, 200, 429]


def test_endpoints_are_in_the_openapi_schema(client) -> None:
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/deflection/suggest" in text
    assert "/api/deflection/sessions/{session_id}/events" in text

"""Sign-in by email, its rate limit, password reset by email, and the production cookie settings."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def test_sign_in_with_email_any_case(client) -> None:
    UserFactory(email="casey@example.com")
    response = client.post("/accounts/login/", {"username": "Casey@Example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id")


def test_wrong_password_shows_the_form(client) -> None:
    UserFactory(email="casey@example.com")
    response = client.post("/accounts/login/", {"username": "casey@example.com", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_too_many_attempts_for_one_account_are_refused(client, settings) -> None:
    settings.LOGIN_RATE_PER_ACCOUNT = "3/5m"
    UserFactory(email="target@example.com")
    for _attempt in range(3):
        assert client.post("/accounts/login/", {"username": "target@example.com", "password": "x"}).status_code == 200
    # Even the right password is refused now: the limit protects against guessing.
    response = client.post("/accounts/login/", {"username": "TARGET@example.com", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not affected by this limit.
    UserFactory(email="other@example.com")
    assert client.post("/accounts/login/", {"username": "other@example.com", "password": PASSWORD}).status_code == 302


def test_too_many_attempts_from_one_ip_are_refused(client, settings) -> None:
    settings.LOGIN_RATE_PER_IP = "4/5m"
    for number in range(4):
        client.post("/accounts/login/", {"username": f"u{number}@example.com", "password": "x"})
    response = client.post("/accounts/login/", {"username": "fresh@example.com", "password": "x"})
    assert response.status_code == 429
    other_ip = client.post(
        "/accounts/login/", {"username": "fresh@example.com", "password": "x"}, REMOTE_ADDR="10.9.8.7"
    )
    assert other_ip.status_code == 200


def test_get_does_not_count(client, settings) -> None:
    settings.LOGIN_RATE_PER_IP = "2/5m"
    for _ in range(5):
        assert client.get("/accounts/login/").status_code == 200


def test_password_reset_by_email(client) -> None:
    UserFactory(email="forgetful@example.com")
    response = client.post("/accounts/password_reset/", {"email": "forgetful@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    page = client.get(link, follow=True)
    assert page.status_code == 200
    assert page.context["validlink"]
    done = client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "A much longer secret 42", "new_password2": "A much longer secret 42"},
    )
    assert done.status_code == 302
    assert client.login(email="forgetful@example.com", password="A much longer secret 42")


def test_password_reset_for_unknown_email_sends_nothing(client) -> None:
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_production_cookies_are_secure(monkeypatch) -> None:
    import importlib
    import sys

    from portal.settings import base

    # production.py reads SECRET_KEY through base's Environment; give it one without touching os.environ.
    monkeypatch.setitem(base.env._env.ENVIRON, "SECRET_KEY", "test-only")
    monkeypatch.delitem(sys.modules, "portal.settings.production", raising=False)
    production = importlib.import_module("portal.settings.production")
    monkeypatch.delitem(sys.modules, "portal.settings.production")

    assert (production.SESSION_COOKIE_SECURE, production.SESSION_COOKIE_HTTPONLY, production.CSRF_COOKIE_SECURE) == (
        True,
        True,
        True,
    )
    assert production.SESSION_COOKIE_NAME.startswith("__Host-")
    assert production.SESSION_COOKIE_AGE <= 24 * 3600


def test_client_ip_ignores_forwarded_header_without_trusted_proxy(rf, settings) -> None:
    from accounts.ratelimit import client_ip

    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    assert client_ip(request) == "1.2.3.4"  # the forged left entry is ignored
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
    assert client_ip(request) == "10.0.0.1"


def test_behind_a_proxy_clients_are_limited_separately(client, settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_RATE_PER_IP = "2/5m"
    for number in range(2):
        client.post(
            "/accounts/login/", {"username": f"u{number}@example.com", "password": "x"}, HTTP_X_FORWARDED_FOR="1.1.1.1"
        )
    blocked = client.post(
        "/accounts/login/", {"username": "z@example.com", "password": "x"}, HTTP_X_FORWARDED_FOR="1.1.1.1"
    )
    other = client.post(
        "/accounts/login/", {"username": "z@example.com", "password": "x"}, HTTP_X_FORWARDED_FOR="2.2.2.2"
    )
    assert (blocked.status_code, other.status_code) == (429, 200)


def test_malformed_rate_is_a_startup_error(settings) -> None:
    from accounts.ratelimit import check_rates

    settings.LOGIN_RATE_PER_IP = "lots"
    assert [error.id for error in check_rates()] == ["accounts.E001"]


@pytest.mark.parametrize("login_url", ["/admin/login/", "/django-admin/login/"])
def test_admin_login_forms_are_limited_too(client, settings, login_url: str) -> None:
    settings.LOGIN_RATE_PER_ACCOUNT = "2/5m"
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    for _attempt in range(2):
        client.post(login_url, {"username": "staff@example.com", "password": "wrong"})
    client.post(login_url, {"username": "staff@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    cache.clear()
    client.post(login_url, {"username": "staff@example.com", "password": PASSWORD})
    assert client.session.get("_auth_user_id")


def test_limited_sign_in_does_not_check_the_password(client, settings) -> None:
    from django.contrib.auth.signals import user_login_failed

    settings.LOGIN_RATE_PER_ACCOUNT = "1/5m"
    UserFactory(email="slow@example.com")
    client.post("/accounts/login/", {"username": "slow@example.com", "password": "x"})
    checks: list[object] = []
    user_login_failed.connect(lambda **kwargs: checks.append(kwargs), weak=False, dispatch_uid="t")
    try:
        response = client.post("/accounts/login/", {"username": "slow@example.com", "password": "y"})
    finally:
        user_login_failed.disconnect(dispatch_uid="t")
    assert response.status_code == 429
    assert checks == []
    assert 'value="slow@example.com"' in response.content.decode()


def test_password_reset_is_limited_per_ip(client, settings) -> None:
    settings.LOGIN_RATE_PER_IP = "2/5m"
    for _ in range(2):
        assert client.post("/accounts/password_reset/", {"email": "a@example.com"}).status_code == 302
    response = client.post("/accounts/password_reset/", {"email": "a@example.com"})
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()

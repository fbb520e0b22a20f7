"""The signed-in user's saved language wins, except over a choice made in this request."""

from __future__ import annotations

import pytest

from accounts.models import SupportProfile
from accounts.services import support_profile_ensure
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def _set(user, **fields) -> None:
    support_profile_ensure(user)
    SupportProfile.objects.filter(user=user).update(**fields)


def lang(response) -> str:
    return response.headers["Content-Language"]


def test_profile_language_wins_over_cookie_and_browser(client) -> None:
    user = UserFactory()
    _set(user, language="fr")
    client.force_login(user)
    client.cookies["django_language"] = "de"
    assert lang(client.get("/settings", HTTP_ACCEPT_LANGUAGE="es")) == "fr"


def test_query_parameter_is_an_explicit_choice(client) -> None:
    user = UserFactory()
    _set(user, language="fr")
    client.force_login(user)
    assert lang(client.get("/settings?lang=de")) == "de"


def test_no_profile_language_follows_the_browser(client) -> None:
    user = UserFactory()
    client.force_login(user)
    assert lang(client.get("/settings", HTTP_ACCEPT_LANGUAGE="es")) == "es"


def test_anonymous_switch_with_the_cookie(client) -> None:
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "fr"
    page = client.get("/accounts/login/")
    assert lang(page) == "fr"
    assert "Se connecter" in page.content.decode()


def test_signed_in_switch_is_saved_to_the_profile(client) -> None:
    user = UserFactory()
    _set(user, language="fr")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "ja", "next": "/settings"})
    assert SupportProfile.objects.get(user=user).language == "ja"
    assert lang(client.get("/settings")) == "ja"


def test_unsupported_switch_changes_nothing(client) -> None:
    user = UserFactory()
    _set(user, language="fr")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/settings"})
    assert SupportProfile.objects.get(user=user).language == "fr"


def test_time_zone_is_activated_for_the_request(client) -> None:
    from django.utils import timezone

    user = UserFactory()
    _set(user, time_zone="Asia/Tokyo")
    client.force_login(user)
    response = client.get("/settings")
    assert response.context["time_zone"].key == "Asia/Tokyo"
    assert timezone.get_current_timezone_name() == "UTC"  # deactivated after the request

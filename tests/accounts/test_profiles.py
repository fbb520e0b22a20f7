"""A support profile is read without writing; it is stored only when something in it changes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import SupportProfile, User, support_profile_for
from accounts.services import profile_set_language, support_profile_ensure
from tests.accounts.factories import member

pytestmark = pytest.mark.django_db


def _without_profile() -> User:
    user = member("pro", "licensed")
    SupportProfile.objects.filter(user=user).delete()
    return User.objects.get(pk=user.pk)


def _writes(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]


def test_reading_a_missing_profile_gives_the_defaults_and_stores_nothing():
    user = _without_profile()
    with CaptureQueriesContext(connection) as queries:
        profile = support_profile_for(user)
    assert (profile.language, profile.time_zone, profile.pk) == ("", "UTC", None)
    assert _writes(queries) == []
    assert not SupportProfile.objects.filter(user=user).exists()


def test_the_settings_page_shown_stores_no_profile(client):
    user = _without_profile()
    client.force_login(user)
    assert client.get("/settings/").status_code == 200
    assert not SupportProfile.objects.filter(user=user).exists()


def test_a_change_stores_the_profile_once():
    user = _without_profile()
    profile_set_language(user=user, language="fr")
    assert support_profile_ensure(User.objects.get(pk=user.pk)).language == "fr"
    assert SupportProfile.objects.filter(user=user).count() == 1

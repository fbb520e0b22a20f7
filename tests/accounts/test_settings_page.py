"""/settings: preferences, refused input saves nothing, the contact email change and its link."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse

from accounts.models import SupportProfile
from accounts.selectors import notification_email_for
from accounts.services import CONTACT_EMAIL_SALT, contact_email_token, support_profile_ensure
from portal.celery import app
from tests.accounts.factories import UserFactory, member
from tickets.mail.models import OutboundMessage

pytestmark = pytest.mark.django_db

VALID = {
    "language": "en",
    "region": "FR",
    "time_zone": "Europe/Paris",
    "contact_email": "",
    "email_notifications": "on",
}


@pytest.fixture(autouse=True)
def eager():
    """Run the outbox's send task in-process, as a worker would, so a test sees the email."""
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def user():
    return member("pro", "licensed")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def _link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/settings/contact-email/[^\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_anonymous_is_sent_to_sign_in(client) -> None:
    response = client.get("/settings")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_page_says_the_sign_in_email_never_changes(signed_in, user) -> None:
    response = signed_in.get("/settings")
    assert response.status_code == 200
    text = response.content.decode()
    assert "never changes the email address you sign in with" in text
    assert user.email in text


def test_preferences_are_saved(signed_in, user) -> None:
    response = signed_in.post("/settings", {**VALID, "language": "fr"})
    assert response.status_code == 302
    profile = SupportProfile.objects.get(user=user)
    assert (profile.language, profile.region, profile.time_zone, profile.email_notifications) == (
        "fr",
        "FR",
        "Europe/Paris",
        True,
    )
    assert response.cookies["django_language"].value == "fr"
    signed_in.post("/settings", {**VALID, "language": "fr", "email_notifications": ""})
    assert not SupportProfile.objects.get(user=user).email_notifications


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("time_zone", "Mars/Olympus_Mons"),
        ("time_zone", ""),
        ("language", "xx"),
        ("language", "en-gb"),
        ("contact_email", "not-an-email"),
        ("contact_email", "a@b"),
        ("region", "QQ"),
    ],
)
def test_bad_input_is_refused_and_nothing_saved(signed_in, user, field: str, value: str) -> None:
    profile = support_profile_ensure(user)
    before = SupportProfile.objects.filter(pk=profile.pk).values().get()

    response = signed_in.post("/settings", {**VALID, "contact_email": "new@example.org", field: value})

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "Nothing was saved" in response.content.decode()
    assert SupportProfile.objects.filter(pk=profile.pk).values().get() == before
    assert mail.outbox == []


def test_contact_email_change_waits_for_the_link_and_never_touches_sign_in(
    signed_in, user, django_capture_on_commit_callbacks
) -> None:
    sign_in_email = user.email
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_in.post("/settings", {**VALID, "contact_email": "Help.Desk@Example.org"})
    assert response.status_code == 302

    profile = SupportProfile.objects.get(user=user)
    assert profile.contact_email == ""
    assert profile.pending_contact_email == "help.desk@example.org"
    assert notification_email_for(user) == sign_in_email  # not used before verification
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["help.desk@example.org"]
    assert sign_in_email in mail.outbox[0].body
    # sent through the one outbox: a row sent once, under a key (a second request is another key)
    row = OutboundMessage.objects.get(kind="contact_email")
    assert (row.status, row.recipient, row.attempts) == ("sent", "help.desk@example.org", 1)
    assert mail.outbox[0].extra_headers["Message-ID"] == row.message_id

    link = _link(mail.outbox[0])
    assert signed_in.get(link).status_code == 200  # a confirm button, no change yet
    assert SupportProfile.objects.get(user=user).contact_email == ""
    response = signed_in.post(link)
    assert response.status_code == 302

    profile.refresh_from_db()
    user.refresh_from_db()
    assert (profile.contact_email, profile.contact_email_verified, profile.pending_contact_email) == (
        "help.desk@example.org",
        True,
        "",
    )
    assert user.email == sign_in_email
    assert notification_email_for(user) == "help.desk@example.org"
    assert signed_in.post(link).status_code == 302  # following it again is harmless


def test_the_confirmation_link_is_on_site_url_whatever_host_the_request_named(
    signed_in, settings, django_capture_on_commit_callbacks
) -> None:
    settings.SITE_URL = "https://help.example.com"
    settings.ALLOWED_HOSTS = ["*"]
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post("/settings", {**VALID, "contact_email": "desk@example.org"}, HTTP_HOST="attacker.example")
    assert "https://help.example.com/settings/contact-email/" in mail.outbox[0].body
    assert "attacker.example" not in mail.outbox[0].body


def test_expired_link_is_refused(signed_in, user, django_capture_on_commit_callbacks) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            signed_in.post("/settings", {**VALID, "contact_email": "late@example.org"})
        link = _link(mail.outbox[0])
    with time_machine.travel(dt.datetime(2026, 11, 3, 12, 1, tzinfo=dt.UTC), tick=False):
        response = signed_in.post(link)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    profile = SupportProfile.objects.get(user=user)
    assert profile.contact_email == ""
    assert profile.pending_contact_email == "late@example.org"


def test_link_just_before_expiry_works(signed_in, user, django_capture_on_commit_callbacks) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            signed_in.post("/settings", {**VALID, "contact_email": "ontime@example.org"})
        link = _link(mail.outbox[0])
    with time_machine.travel(dt.datetime(2026, 11, 3, 11, 59, tzinfo=dt.UTC), tick=False):
        assert signed_in.post(link).status_code == 302
    assert SupportProfile.objects.get(user=user).contact_email == "ontime@example.org"


def test_forged_link_is_refused(signed_in, user) -> None:
    support_profile_ensure(user)
    SupportProfile.objects.filter(user=user).update(pending_contact_email="mine@example.org")
    forged = signing.dumps({"u": user.pk, "e": "mine@example.org"}, salt="another-salt")
    tampered = contact_email_token(user=user, email="mine@example.org")[:-2] + "xx"
    for token in (forged, tampered, "garbage"):
        response = signed_in.post(reverse("accounts-contact-email-verify", args=[token]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    assert SupportProfile.objects.get(user=user).contact_email == ""


def test_link_of_another_account_is_refused(client, user) -> None:
    other = UserFactory()
    support_profile_ensure(user)
    SupportProfile.objects.filter(user=user).update(pending_contact_email="mine@example.org")
    token = signing.dumps({"u": user.pk, "e": "mine@example.org"}, salt=CONTACT_EMAIL_SALT)
    client.force_login(other)
    response = client.post(reverse("accounts-contact-email-verify", args=[token]))
    assert response.status_code == 400
    assert SupportProfile.objects.get(user=user).contact_email == ""
    assert not SupportProfile.objects.filter(user=other, contact_email="mine@example.org").exists()


def test_superseded_link_is_refused(signed_in, user, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post("/settings", {**VALID, "contact_email": "first@example.org"})
        signed_in.post("/settings", {**VALID, "contact_email": "second@example.org"})
    first, second = (_link(message) for message in mail.outbox)
    assert signed_in.post(first).status_code == 400
    assert signed_in.post(second).status_code == 302
    assert SupportProfile.objects.get(user=user).contact_email == "second@example.org"


def test_clearing_the_contact_email_falls_back_to_sign_in(signed_in, user) -> None:
    support_profile_ensure(user)
    SupportProfile.objects.filter(user=user).update(contact_email="old@example.org", contact_email_verified=True)
    signed_in.post("/settings", {**VALID, "contact_email": ""})
    assert notification_email_for(user) == user.email


def test_gov_member_sees_hours(client) -> None:
    user = member("enterprise", "licensed", gov=True)
    client.force_login(user)
    support_profile_ensure(user)
    SupportProfile.objects.filter(user=user).update(time_zone="Europe/Paris", language="en")
    with time_machine.travel(dt.datetime(2026, 11, 26, 17, 0, tzinfo=dt.UTC), tick=False):
        text = client.get("/settings").content.decode()
    assert "Public sector (Gov) support" in text
    assert "Opens tomorrow at 3 p.m." in text
    assert "Europe/Paris" in text


def test_page_in_french_for_a_french_profile(signed_in, user) -> None:
    support_profile_ensure(user)
    SupportProfile.objects.filter(user=user).update(language="fr")
    text = signed_in.get("/settings").content.decode()
    assert '<html lang="fr">' in text
    assert "ne change jamais l’adresse e-mail avec laquelle vous vous connectez" in text
    assert "Enregistrer les paramètres" in text


def test_confirmation_emails_are_capped(signed_in, user, settings, django_capture_on_commit_callbacks) -> None:
    from django.core.cache import cache

    cache.clear()
    settings.CONTACT_EMAIL_RATE = "2/h"
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(2):
            assert signed_in.post("/settings", {**VALID, "contact_email": f"c{number}@example.org"}).status_code == 302
        response = signed_in.post("/settings", {**VALID, "language": "de", "contact_email": "c9@example.org"})
    assert response.status_code == 429
    assert "Too many confirmation emails" in response.content.decode()
    assert len(mail.outbox) == 2
    profile = SupportProfile.objects.get(user=user)
    assert (profile.pending_contact_email, profile.language) == ("c1@example.org", "en")  # nothing saved
    # Saving other preferences is still possible.
    assert (
        signed_in.post("/settings", {**VALID, "language": "de", "contact_email": "c1@example.org"}).status_code == 302
    )
    assert SupportProfile.objects.get(user=user).language == "de"
    cache.clear()

"""Journey (e): a viewer on a free plan is sent to the community; a Gov customer sees the
support hours of the Gov route."""

import pytest
from django.conf import settings

from accounts.models import SupportProfile
from tests.e2e.helpers import customer, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_free_viewer_is_refused_with_the_community_link(new_page: object) -> None:
    page = new_page()
    sign_in(page, customer("free", "viewer"))
    page.goto("/requests/new/ticket")
    link = page.get_by_role("link", name="Ask the community")
    link.wait_for()
    assert link.get_attribute("href") == settings.COMMUNITY_URL
    assert page.locator("form textarea").count() == 0


@pytest.mark.parametrize(
    ("language", "heading", "schedule", "reader_zone"),
    [
        ("en", "Support hours", "Monday–Friday, 06:00–18:00 Pacific Time", "Central European Time"),
        (
            "fr",
            "Horaires de l’assistance",
            "lundi–vendredi, 06:00–18:00, heure du Pacifique nord-américain",
            "heure d’Europe centrale",
        ),
    ],
)
def test_a_gov_customer_sees_the_days_hours_and_next_opening_in_their_language(
    new_page: object, language: str, heading: str, schedule: str, reader_zone: str
) -> None:
    user = customer("enterprise", "licensed", gov=True)
    SupportProfile.objects.update_or_create(user=user, defaults={"time_zone": "Europe/Paris"})
    page = new_page()
    sign_in(page, user)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    page.goto("/requests/new/ticket")
    hours = page.get_by_role("region", name=heading)
    hours.wait_for()
    text = hours.inner_text()
    assert schedule in text
    assert "America/Los_Angeles" not in text
    # Open or closed depends on when the test runs; either way the reader's own zone is named.
    assert f"({reader_zone})" in text
    opens_or_open = {"en": ("Open now, until", "Opens in"), "fr": ("Ouvert maintenant", "Ouvre dans")}[language]
    assert any(words in text for words in opens_or_open), text

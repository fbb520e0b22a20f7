"""Journey (e): a viewer on a free plan is sent to the community; a Gov customer sees the
support hours of the Gov route."""

import pytest
from django.conf import settings

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


def test_a_gov_customer_sees_the_support_hours(new_page: object) -> None:
    page = new_page()
    sign_in(page, customer("enterprise", "licensed", gov=True))
    page.goto("/requests/new/ticket")
    hours = page.get_by_role("region", name="Support hours")
    hours.wait_for()
    text = hours.inner_text()
    assert "06:00–18:00" in text
    assert "America/Los_Angeles" in text
    assert ("Open now" in text) or ("Opens" in text)

"""Journey (f), first half: a visitor switches the interface to French."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_switching_to_french_changes_the_interface(new_page: object) -> None:
    page = new_page()
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == "How can we help?"
    page.select_option("#language-select", "fr")
    page.wait_for_url("**/")
    page.get_by_role("heading", name="Comment pouvons-nous vous aider ?").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("link", name="Centre d’aide").first.is_visible()

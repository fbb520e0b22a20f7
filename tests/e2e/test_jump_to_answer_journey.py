"""Journey: a long article whose answer sits in one section. The suggestion's snippet comes from
that section, and opening it scrolls the article page to that section's heading (issue 14 item 2)."""

import pytest
from wagtail.models import Site

from search.service import index_rebuild
from tests.cms.factories import ArticlePageFactory, CategoryPageFactory, HelpCenterPageFactory
from tests.e2e.helpers import customer, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FILLER = "<p>" + " ".join(["Settings are saved as soon as you leave the field."] * 40) + "</p>"


def long_article() -> object:
    root = Site.objects.get(is_default_site=True).root_page
    help_center = HelpCenterPageFactory(parent=root)
    account = CategoryPageFactory(parent=help_center, slug="account", title_en="Account")
    body = (
        f"{FILLER}<h2>Change your email address</h2><p>Type the new address and confirm it.</p>{FILLER}"
        "<h2>Two-factor authentication</h2><p>If you lost your phone, sign in with a recovery code, then "
        f"scan the new QR code.</p>{FILLER}<h2>Close your account</h2><p>Export your tickets first.</p>{FILLER}"
    )
    return ArticlePageFactory(
        parent=account,
        slug="account-settings",
        title_en="Account settings guide",
        summary_en="Everything about your account settings.",
        body_en=[{"type": "paragraph", "value": body}],
    )


def test_the_suggestion_jumps_to_the_section_that_answers(new_page: object) -> None:
    long_article()
    index_rebuild()
    page = new_page()
    sign_in(page, customer("pro", "licensed"))

    page.goto("/requests/new")
    page.get_by_label("Description").press_sequentially("I lost my phone, how do I sign in?", delay=15)
    first = page.locator("[data-deflection-list] li").first
    first.get_by_role("link", name="Account settings guide").wait_for()
    assert "lost your phone" in first.locator(".deflection-snippet").inner_text()

    first.get_by_role("link", name="Account settings guide").click()
    page.wait_for_url("**#two-factor-authentication")
    heading = page.get_by_role("heading", name="Two-factor authentication", level=2)
    assert heading.get_attribute("id") == "two-factor-authentication"
    top = heading.evaluate("element => element.getBoundingClientRect().top")
    assert page.evaluate("window.scrollY") > 0
    assert -2 <= top < page.evaluate("window.innerHeight") / 2  # scrolled to it, not merely somewhere on the page

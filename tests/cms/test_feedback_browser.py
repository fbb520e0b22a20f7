"""The feedback widget in a real browser: votes and comments without a page reload (cms/js/feedback.js)."""

from __future__ import annotations

import pytest
from wagtail.models import Site

from cms.models import ArticleFeedback
from tests.cms.factories import ArticlePageFactory, CategoryPageFactory, HelpCenterPageFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_vote_and_comment_without_reload(new_page) -> None:
    help_center = HelpCenterPageFactory(parent=Site.objects.get(is_default_site=True).root_page)
    category = CategoryPageFactory(parent=help_center, slug="account")
    article = ArticlePageFactory(parent=category, slug="reset-password", title_en="Reset your password")

    page = new_page()
    page.goto(article.url)
    page.evaluate("window.__marker = 'same page'")
    page.get_by_role("button", name="No", exact=True).click()
    page.get_by_text("Tell us what was missing").wait_for()
    comment = page.get_by_label("What was missing or unclear? (optional)")
    assert comment.is_visible()
    comment.fill("The email never <b>arrived</b>.")
    page.get_by_role("button", name="Send comment").click()
    page.get_by_text("your comment helps us").wait_for()
    assert page.evaluate("window.__marker") == "same page"  # no reload happened
    assert comment.input_value() == ""  # issue 16 point 13: the sent comment leaves the box

    vote = ArticleFeedback.objects.get()
    assert (vote.helpful, vote.comment, vote.language) == (False, "The email never <b>arrived</b>.", "en")

    page.get_by_role("button", name="Yes", exact=True).click()
    page.get_by_text("Thank you for your feedback.").wait_for()
    assert not comment.is_visible()
    vote.refresh_from_db()
    assert (vote.helpful, vote.comment) == (True, "")
    assert ArticleFeedback.objects.count() == 1

"""Journey (b): a paying customer drafts a French question, opens the suggested article and
says it answered the question; the session counts as deflected."""

import pytest

from deflection.models import DeflectionSession
from tests.e2e.helpers import customer, sign_in, subscription_article

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_french_draft_is_answered_by_a_suggested_article(new_page: object, celery_worker: object) -> None:
    article = subscription_article()
    user = customer("pro", "licensed")
    page = new_page("fr-FR")
    sign_in(page, user)
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": page.url}])

    page.goto("/requests/new")
    page.get_by_role("heading", name="Nouvelle demande").wait_for()
    page.get_by_label("Objet").fill("comment resilier mon abonement")
    page.get_by_label("Description").press_sequentially(" je veux arreter le renouvellement", delay=20)
    suggestion = page.get_by_role("link", name="Résilier votre abonnement")
    suggestion.wait_for()

    suggestion.click()
    page.get_by_role("heading", name="Résilier votre abonnement", level=1).wait_for()
    assert f"/{article.slug}/" in page.url
    page.get_by_role("button", name="Cet article a répondu à ma question").click()
    page.get_by_text("Merci").first.wait_for()

    session = DeflectionSession.objects.get(user=user)
    assert session.outcome == "deflected"
    assert session.language == "fr"
    assert session.events.filter(kind="opened").exists()

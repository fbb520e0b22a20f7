"""Inline help-article search on the ticket page: the customer's language, the customer's audiences."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from accounts.models import support_profile_for
from search.service import SearchDocument, index_documents
from tests.search.factories import doc
from tests.tickets.conftest import World
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _doc(article_id: str, language: str, title: str, body: str, audience: str = "public") -> SearchDocument:
    return replace(
        doc(article_id, language, title, body[:80], body, audience=audience),
        url=f"/help/data/{article_id}/?lang={language}",
    )


@pytest.fixture
def indexed(db: None) -> None:
    index_documents(
        [
            _doc("export", "en", "Export your data to CSV", "Export every project to a CSV file."),
            _doc("export", "fr", "Exporter vos données en CSV", "Exportez chaque projet dans un fichier CSV."),
            _doc(
                "internal-export", "fr", "Procédure interne export CSV", "Réservé aux agents : export CSV.", "internal"
            ),
        ]
    )


def test_search_in_the_customers_language(
    world: World, make_ticket: Callable[..., Ticket], client_for: Callable, indexed: None
) -> None:
    profile = support_profile_for(world.alice)
    profile.language = "fr"
    profile.save()
    ticket = make_ticket(world.alice)
    client = client_for(world.agent)
    data = client.get(f"/agent/tickets/{ticket.number}/articles?q=export csv").json()
    titles = [hit["title"] for hit in data["hits"]]
    assert titles == ["Exporter vos données en CSV"]  # French, and never the agents-only article
    assert data["hits"][0]["url"] == "http://127.0.0.1:8000/help/data/export/?lang=fr"
    # The same search without script renders in the page, with an insert button.
    html = client.get(f"/agent/tickets/{ticket.number}?article_q=export+csv").content.decode()
    assert 'data-url="http://127.0.0.1:8000/help/data/export/?lang=fr"' in html


def test_search_input_limits(world: World, make_ticket: Callable[..., Ticket], client_for: Callable) -> None:
    ticket = make_ticket(world.alice)
    client = client_for(world.agent)
    assert client.get(f"/agent/tickets/{ticket.number}/articles?q=" + "x" * 201).status_code == 400
    assert client.get(f"/agent/tickets/{ticket.number}/articles?q=").json() == {"hits": [], "degraded": False}

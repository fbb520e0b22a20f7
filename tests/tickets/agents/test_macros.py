"""Macros: placeholders filled from a fixed list, per language, never through a template engine."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import ValidationError

from accounts.models import support_profile_for
from tests.tickets.conftest import World
from tickets.agents.models import Macro
from tickets.agents.placeholders import fill
from tickets.agents.selectors import macros_for
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(world: World, make_ticket: Callable[..., Ticket]) -> Ticket:
    world.alice.first_name, world.alice.last_name = "Alice", "Martin"
    world.alice.save()
    world.agent.first_name, world.agent.last_name = "Sam", "Ortiz"
    world.agent.save()
    return make_ticket(world.alice, subject="Export fails")


def test_placeholders_are_filled(world: World, ticket: Ticket) -> None:
    Macro.objects.create(
        name="Greeting",
        language="en",
        body="Hi {{ requester.first_name }},\nabout #{{ticket.number}} ({{ ticket.subject }}) for "
        "{{ organization.name }}: {{ ticket.url }}\n{{ agent.name }}",
    )
    [macro] = macros_for(ticket, world.agent, language="en")
    assert macro.text == (
        f"Hi Alice,\nabout #{ticket.number} (Export fails) for Acme: "
        f"http://127.0.0.1:8000/requests/{ticket.number}\nSam Ortiz"
    )


def test_no_attribute_or_template_access() -> None:
    values = {"requester.first_name": "Alice"}
    hostile = "{{ requester.password }} {% load static %}{{ ticket.requester.delete }} {{ settings.SECRET_KEY }}"
    assert fill(hostile, values) == hostile  # unknown names stay as typed, nothing is evaluated
    assert fill("{{ requester.first_name }}<script>", values) == "Alice<script>"


def test_values_are_inserted_verbatim(world: World, make_ticket: Callable[..., Ticket]) -> None:
    ticket = make_ticket(world.alice, subject="{{ agent.name }} <b>bold</b>")
    Macro.objects.create(name="Echo", language="en", body="Re: {{ ticket.subject }}")
    [macro] = macros_for(ticket, world.agent, language="en")
    assert macro.text == "Re: {{ agent.name }} <b>bold</b>"  # a value is never filled a second time


def test_unknown_placeholders_are_refused_on_save() -> None:
    macro = Macro(name="Bad", language="en", body="Hello {{ requester.password }}")
    with pytest.raises(ValidationError) as error:
        macro.full_clean()
    assert "requester.password" in str(error.value)


def test_macros_in_the_customers_language_first(world: World, ticket: Ticket, client_for: Callable) -> None:
    Macro.objects.create(name="Greeting", language="en", body="Hello {{ requester.first_name }}")
    Macro.objects.create(name="Greeting", language="fr", body="Bonjour {{ requester.first_name }}")
    Macro.objects.create(name="Closing", language="en", body="Closing this, {{ requester.first_name }}")
    Macro.objects.create(name="Gruss", language="de", body="Hallo")
    Macro.objects.create(name="Old", language="fr", body="Ancienne", active=False)
    profile = support_profile_for(world.alice)
    profile.language = "fr"
    profile.save()
    page = client_for(world.agent).get(f"/agent/tickets/{ticket.number}")
    assert [(m.name, m.text) for m in page.context["macros"]] == [
        ("Closing", "Closing this, Alice"),  # no French version: the default language's
        ("Greeting", "Bonjour Alice"),
    ]
    html = page.content.decode()
    assert 'data-text="Bonjour Alice"' in html and "Hallo" not in html and "Ancienne" not in html


def test_choosing_a_macro_without_script_prefills_the_form(world: World, ticket: Ticket, client_for: Callable) -> None:
    note = Macro.objects.create(
        name="Escalate", language="en", body="Escalated for {{ requester.name }}", is_internal_note=True
    )
    page = client_for(world.agent).get(f"/agent/tickets/{ticket.number}?macro={note.pk}")
    form = page.context["form"]
    assert form.initial["body"] == "Escalated for Alice Martin"
    assert form.initial["kind"] == "note"

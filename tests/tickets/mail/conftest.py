"""Fixtures for ticket email: eager Celery, requesters with contact emails, EML loading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from accounts.models import support_profile_for
from portal.celery import app
from tests.tickets.conftest import World
from tickets import services
from tickets.models import Ticket

EML_DIR = Path(__file__).resolve().parents[2] / "data" / "eml"


def eml(name: str) -> bytes:
    return (EML_DIR / name).read_bytes()


@pytest.fixture
def eager() -> Iterator[None]:
    """Run tasks in-process, as a worker would, so a test can watch their effects."""
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


def set_contact(user: object, email: str, *, language: str = "") -> None:
    profile = support_profile_for(user)
    profile.contact_email, profile.contact_email_verified = email, True
    if language:
        profile.language = language
    profile.save()


def file_ticket(world: World, **overrides: object) -> Ticket:
    values = {"requester": world.alice, "subject": "Sync stopped", "description": "Nothing syncs since Monday."}
    values.update(overrides)
    return services.ticket_create(**values)

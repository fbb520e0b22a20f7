"""The demo macros load twice without duplicates, and none uses an unknown placeholder."""

from __future__ import annotations

import io

import pytest

from tickets.agents import demo
from tickets.agents.models import Macro

pytestmark = pytest.mark.django_db


def test_demo_macros_are_idempotent_and_valid() -> None:
    demo.seed(io.StringIO())
    lines = demo.seed(io.StringIO())
    assert lines and "/agent/" in lines[0]
    assert Macro.objects.count() == 5
    assert set(Macro.objects.filter(name="Ask for more details").values_list("language", flat=True)) == {"en", "fr"}
    for macro in Macro.objects.all():
        macro.full_clean()
    assert Macro.objects.get(name="Escalated to engineering (note)").is_internal_note

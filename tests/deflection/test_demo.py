from io import StringIO

import pytest

from deflection import demo
from deflection.models import DeflectionSession, FunnelDay

pytestmark = pytest.mark.django_db


def test_demo_history_is_seeded_once() -> None:
    lines = demo.seed(StringIO())
    count = DeflectionSession.objects.count()
    assert count > 20 and any("/requests/new" in line for line in lines)
    assert FunnelDay.objects.exists()
    demo.seed(StringIO())
    assert DeflectionSession.objects.count() == count

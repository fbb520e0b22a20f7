"""The editors' analytics page in the Wagtail admin."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.formats import date_format

from deflection.models import DeflectionEvent, DeflectionSession, FunnelDay, Outcome

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db: None) -> Client:
    from accounts.models import User

    user = User.objects.create_superuser("eddie@example.com", "pw-eddie-123")
    client = Client()
    client.force_login(user)
    return client


def test_funnel_page_shows_figures_chart_and_gaps(editor) -> None:
    today = timezone.localdate()
    deflected = DeflectionSession.objects.create(
        language="en", visitor_key="v", subject="Reset password", normalized_text="reset password",
        first_suggested_at=timezone.now(), outcome=Outcome.DEFLECTED,
    )  # fmt: skip
    DeflectionEvent.objects.create(session=deflected, kind="deflected", article_id="424242")
    DeflectionSession.objects.create(language="fr", visitor_key="w", subject="Imprimante", normalized_text="imprimante")
    page = editor.post("/admin/deflection/funnel/?days=7")
    assert page.status_code == 302
    assert FunnelDay.objects.filter(day=today).count() == 2
    html = editor.get("/admin/deflection/funnel/?days=7&period=day").content.decode()
    assert "<svg" in html and "<polyline" in html
    assert "data-deflection-total-rate>100 %" in html
    assert "imprimante" in html  # a content gap
    assert "424242" in html  # top deflecting article (no page with that id: shown by id)
    weekly = editor.get("/admin/deflection/funnel/?days=30&period=week&language=fr")
    assert weekly.status_code == 200
    monday = today - timedelta(days=today.weekday())
    assert date_format(monday, "MONTH_DAY_FORMAT") in weekly.content.decode()  # the chart's last tick


def test_menu_item_and_access(editor) -> None:
    assert "/admin/deflection/funnel/" in editor.get("/admin/").content.decode()
    anonymous = Client().get("/admin/deflection/funnel/")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]

"""Periodic tasks are registered under the names the beat schedule uses, and run through a real worker."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from deflection import tasks
from deflection.models import DeflectionSession, Outcome


def test_beat_schedule_names_registered_tasks() -> None:
    from portal.celery import app

    app.loader.import_default_modules()
    names = {entry["task"] for key, entry in settings.CELERY_BEAT_SCHEDULE.items() if key.startswith("deflection-")}
    assert names == {"deflection.close_abandoned_sessions", "deflection.recompute_funnel", "deflection.purge_drafts"}
    assert names <= set(app.tasks)


@pytest.mark.django_db(transaction=True)
def test_abandoned_sweep_runs_in_a_worker(celery_worker) -> None:
    idle = DeflectionSession.objects.create(language="en", visitor_key="v", subject="x")
    DeflectionSession.objects.filter(pk=idle.pk).update(last_activity_at=timezone.now() - timedelta(hours=2))
    tasks.close_abandoned_sessions.delay()  # results are not kept (CELERY_TASK_IGNORE_RESULT): watch the row
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        idle.refresh_from_db()
        if idle.outcome != Outcome.OPEN:
            break
        time.sleep(0.2)
    assert idle.outcome == Outcome.ABANDONED
    assert idle.events.filter(kind="abandoned").count() == 1


def test_malformed_rate_is_refused_at_start_up(settings) -> None:
    from deflection.checks import check_rates

    assert check_rates() == []
    settings.DEFLECTION_SUGGEST_RATE = "lots"
    assert [error.id for error in check_rates()] == ["deflection.E001"]

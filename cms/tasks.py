"""Periodic work of the help center."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command


@shared_task(name="cms.publish_scheduled")
def publish_scheduled() -> None:
    """Publish pages whose "go live" time has come and unpublish expired ones (Wagtail's own command).

    Safe to run twice: the command only acts on revisions still waiting for their time.
    """
    call_command("publish_scheduled")

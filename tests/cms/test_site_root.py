"""No Wagtail placeholder is left in the page tree: the site's root page carries the product's name."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from wagtail.models import Page, Site

pytestmark = pytest.mark.django_db

WELCOME = "Welcome to your new Wagtail site!"
migration = importlib.import_module("cms.migrations.0002_site_root_title")


def stored_titles(page_id: int) -> tuple[str, ...]:
    """The columns as stored (wagtail-modeltranslation reads ``title`` from ``title_<language>``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT title, draft_title, title_en, title_fr FROM wagtailcore_page WHERE id = %s", [page_id])
        return cursor.fetchone()


def test_the_migrated_tree_has_no_welcome_page() -> None:
    root = Site.objects.get(is_default_site=True).root_page
    assert stored_titles(root.pk)[:2] == ("Answerfirst", "Answerfirst")
    assert root.get_admin_display_title() == "Answerfirst"  # what the admin's page tree shows
    assert not Page.objects.filter(draft_title=WELCOME).exists()


def test_an_existing_welcome_page_is_renamed_in_every_language_and_a_renamed_one_kept() -> None:
    root = Site.objects.get(is_default_site=True).root_page
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE wagtailcore_page SET title = %s, draft_title = %s, title_en = %s, title_fr = %s WHERE id = %s",
            [WELCOME, WELCOME, WELCOME, "Accueil", root.pk],
        )
    # What RunPython hands the function: the app registry and a schema editor (here only its
    # connection and quoting; a real one cannot open inside the test's transaction on SQLite).
    schema_editor = SimpleNamespace(connection=connection, quote_name=connection.ops.quote_name)

    migration.retitle_root(apps, schema_editor)

    assert stored_titles(root.pk) == ("Answerfirst", "Answerfirst", "Answerfirst", "Accueil")

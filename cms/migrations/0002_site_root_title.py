"""The site's root page stops being Wagtail's "Welcome to your new Wagtail site!" placeholder.

Wagtail's first migration creates that page (slug ``home``) as the default site's root; the help
center hangs under it, so it stays (removing it would move every URL) but takes the product's
name, in ``title`` and, where wagtail-modeltranslation has added them already, the per-language
title columns. A page an editor has retitled is left alone.
"""

from django.conf import settings
from django.db import migrations

WELCOME = "Welcome to your new Wagtail site!"


def retitle_root(apps: object, schema_editor: object) -> None:
    """Plain SQL on the columns: a model here could be wagtail-modeltranslation's, which reads and
    writes ``title`` as ``title_<language>``."""
    connection = schema_editor.connection
    quote = schema_editor.quote_name
    name = settings.WAGTAIL_SITE_NAME
    with connection.cursor() as cursor:
        present = {column.name for column in connection.introspection.get_table_description(cursor, "wagtailcore_page")}
        wanted = ["title", "draft_title", *(f"title_{code}" for code, _name in settings.LANGUAGES)]
        for column in (column for column in wanted if column in present):
            # The names are ours (settings.LANGUAGES), quoted; the values are parameters.
            sql = (
                f"UPDATE {quote('wagtailcore_page')} SET {quote(column)} = %s WHERE depth = 2 AND {quote(column)} = %s"  # noqa: S608, E501
            )
            cursor.execute(sql, [name, WELCOME])


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(retitle_root, migrations.RunPython.noop, elidable=True)]

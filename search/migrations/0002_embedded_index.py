"""Create the main namespace of the embedded index (SQLite FTS5 or PostgreSQL tsvector tables).

The backends also create missing tables on demand (temporary namespaces); this makes the main
one exist right after ``migrate``. Elasticsearch indexes are made by ``search_setup``.
"""

from django.db import migrations


def create_main_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        from search.backends.postgres import PostgresBackend

        PostgresBackend("main").setup()
    elif vendor == "sqlite":
        from search.backends.sqlite import SqliteBackend

        SqliteBackend("main").setup()


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(create_main_index, migrations.RunPython.noop)]

"""Create the main namespace's vector table and the content-hash cache (search/embeddings.py).

Like the lexical index's tables, they are also created on demand (temporary namespaces); this
makes them exist right after ``migrate``, whether or not the semantic signal is on.
"""

from django.db import migrations


def create_vector_tables(apps, schema_editor):
    from search import embeddings

    with schema_editor.connection.cursor() as cursor:
        embeddings.create_tables(cursor, "main")


class Migration(migrations.Migration):
    dependencies = [("search", "0003_postgres_bm25")]

    operations = [migrations.RunPython(create_vector_tables, migrations.RunPython.noop)]

"""PostgreSQL: move the main index from the tsvector table to the BM25 postings tables (issue 14).

The documents of the old ``search_main_pg`` table are indexed again into the new tables, so
search keeps answering right after ``migrate``; the old table is then dropped. Category paths
and tags were folded into the old vector without their text, so they come back only with the
next ``manage.py search_rebuild``.
"""

from django.db import migrations

OLD_TABLE = "search_main_pg"
COLUMNS = "article_id, language, title, summary, body, url, audience, published_at, updated_at"


def move_main_index(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    # Imported here: a migration must not import app code at module level (it runs before the
    # app registry is ready and must keep working as the code changes).
    from search.backends.postgres import PostgresBackend
    from search.documents import SearchDocument

    backend = PostgresBackend("main")
    backend.setup()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [OLD_TABLE])
        if cursor.fetchone()[0] is None:
            return
        cursor.execute(f"SELECT {COLUMNS} FROM {OLD_TABLE} ORDER BY article_id, language")  # noqa: S608
        rows = cursor.fetchall()
    documents = [
        SearchDocument(
            article_id=row[0],
            language=row[1],
            title=row[2],
            summary=row[3],
            body=row[4],
            category_path=[],
            audience=row[6],
            tags=[],
            url=row[5],
            published_at=row[7],
            updated_at=row[8],
        )
        for row in rows
    ]
    backend.rebuild(iter(documents))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {OLD_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_embedded_index")]

    operations = [migrations.RunPython(move_main_index, migrations.RunPython.noop)]

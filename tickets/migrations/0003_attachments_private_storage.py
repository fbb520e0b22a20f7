"""Ticket files move from the public media folder to the private storage (no URL of their own).

The stored names stay the same (``tickets/attachments/<random>.<ext>``); only the storage changes,
so rows need no update. Files already moved, or missing, are left as they are: running it again
does nothing.
"""

from django.core.files.storage import default_storage, storages
from django.db import migrations, models

import tickets.models


def move_to_private_storage(apps: object, schema_editor: object) -> None:
    attachment = apps.get_model("tickets", "Attachment")
    private = storages["private"]
    for name in attachment.objects.values_list("file", flat=True).iterator():
        if not name or private.exists(name) or not default_storage.exists(name):
            continue
        with default_storage.open(name, "rb") as source:
            saved = private.save(name, source)
        if saved != name:
            raise RuntimeError(f"{name} was stored as {saved}: left in the media folder")
        default_storage.delete(name)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0002_default_queues"),
    ]

    operations = [
        migrations.AlterField(
            model_name="attachment",
            name="file",
            field=models.FileField(
                max_length=255,
                storage=tickets.models.private_storage,
                upload_to=tickets.models.attachment_upload_to,
                verbose_name="file",
            ),
        ),
        migrations.RunPython(move_to_private_storage, migrations.RunPython.noop, elidable=True),
    ]

"""Ticket files live in the private storage: no public URL, served only by the permission-checked view.

The raw path is tried with the dev settings in their own process (``DEBUG`` on, so the dev server
serves ``MEDIA_ROOT`` at ``/media/``), as ``make run`` runs them.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from tests.failures.conftest import Product, product  # noqa: F401 - the fixture, shared
from tests.tickets.conftest import PNG, World, png
from tickets import services
from tickets.models import Attachment

pytestmark = pytest.mark.django_db

RAW_AND_VIEW = """
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from accounts.models import Membership, Organization, Plan, User
from tickets.services import ticket_create

user = User.objects.create_user("files@example.com", "pw")
organization = Organization.objects.create(name="Files Org", plan=Plan.objects.get(code="pro"))
Membership.objects.create(user=user, organization=organization, role="licensed")
ticket = ticket_create(requester=user, subject="Screenshot", description="See the screenshot.",
                       files=[SimpleUploadedFile("screen.png", PNG, content_type="image/png")])
attachment = ticket.attachments.get()
stranger, signed_in = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost")
signed_in.force_login(user)
view = signed_in.get(f"/requests/{ticket.number}/files/{attachment.pk}")
print(json.dumps({
    "name": attachment.file.name,
    "raw_anonymous": stranger.get("/media/" + attachment.file.name).status_code,
    "raw_requester": signed_in.get("/media/" + attachment.file.name).status_code,
    "view_anonymous": stranger.get(f"/requests/{ticket.number}/files/{attachment.pk}").status_code,
    "view": view.status_code,
    "same_bytes": b"".join(view.streaming_content) == PNG,
}))
"""


def test_the_raw_path_is_404_and_the_view_serves_the_file_in_dev(product: Product) -> None:  # noqa: F811
    result = product.python(f"PNG = {PNG!r}\n" + RAW_AND_VIEW, env={"DEBUG": "true"})
    assert result["name"].startswith("tickets/attachments/")
    assert (result["raw_anonymous"], result["raw_requester"]) == (404, 404)
    assert result["view_anonymous"] == 302  # to the sign-in page
    assert (result["view"], result["same_bytes"]) == (200, True)
    assert not (product.var_dir / "media" / result["name"]).exists()
    assert (product.var_dir / "private" / result["name"]).is_file()


def test_the_private_storage_has_no_url_and_lives_outside_the_public_folders(world: World, settings) -> None:
    ticket = services.ticket_create(requester=world.alice, subject="Sync", description="Broken.", files=[png()])
    attachment = ticket.attachments.get()
    stored = Path(attachment.file.path).resolve()
    for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
        assert not stored.is_relative_to(Path(public).resolve())
    with pytest.raises(ValueError, match="no URL"):
        attachment.file.storage.url(attachment.file.name)


def test_files_stored_before_the_move_are_moved_and_still_served(world: World) -> None:
    """The migration moves a file the media folder held to the private storage; the view still serves it."""
    ticket = services.ticket_create(requester=world.alice, subject="Old file", description="Stored last year.")
    name = default_storage.save("tickets/attachments/0123456789abcdef0123456789abcdef.png", ContentFile(PNG))
    attachment = Attachment.objects.create(
        ticket=ticket, file=name, original_name="old.png", size=len(PNG), content_type="image/png", checksum="x" * 64
    )
    migration = importlib.import_module("tickets.migrations.0003_attachments_private_storage")

    migration.move_to_private_storage(apps, None)
    migration.move_to_private_storage(apps, None)  # a second run finds nothing to do

    assert not default_storage.exists(name)
    assert attachment.file.storage.exists(name)
    client = Client()
    client.force_login(world.alice)
    response = client.get(f"/requests/{ticket.number}/files/{attachment.pk}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG

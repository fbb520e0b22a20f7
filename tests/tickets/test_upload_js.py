"""The attachment zone in a real browser: previews of chosen images, drag-and-drop, early warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.helpers import PASSWORD, sign_in
from tests.tickets.conftest import PNG, World
from tickets import services
from tickets.models import Comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_previews_drop_and_limits(new_page: object, world: World, tmp_path: Path, settings) -> None:
    world.alice.set_password(PASSWORD)
    world.alice.save()
    ticket = services.ticket_create(requester=world.alice, subject="Screens", description="See below")
    first, second = tmp_path / "first.png", tmp_path / "second.png"
    first.write_bytes(PNG)
    second.write_bytes(PNG)

    page = new_page()
    sign_in(page, world.alice)
    page.goto(f"/requests/{ticket.number}")
    zone = page.locator("[data-dropzone]")
    zone.locator("input[type=file]").set_input_files([str(first)])
    zone.locator("[data-previews] img").first.wait_for()
    assert zone.locator("[data-previews] li").count() == 1

    # Drop a second file: it joins the one already chosen (the input keeps both).
    page.evaluate(
        """([bytes]) => {
            const zone = document.querySelector('[data-dropzone]');
            const data = new DataTransfer();
            data.items.add(new File([new Uint8Array(bytes)], 'dropped.png', {type: 'image/png'}));
            zone.dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));
        }""",
        [list(PNG)],
    )
    assert zone.locator("[data-previews] li").count() == 2
    assert page.evaluate("document.querySelector('[data-dropzone] input[type=file]').files.length") == 2
    assert zone.locator("[data-file-error]").is_hidden()

    page.get_by_label("Your message").fill("Two screenshots")
    page.get_by_role("button", name="Send").click()
    page.get_by_text("Your update was added.").wait_for()
    comment = Comment.objects.get(ticket=ticket)
    assert sorted(a.original_name for a in comment.attachments.all()) == ["dropped.png", "first.png"]
    assert page.locator(".tickets-thread img.tickets-thumb").count() == 2  # served by the checked view


def test_too_large_file_is_flagged_before_sending(new_page: object, world: World, tmp_path: Path, settings) -> None:
    settings.TICKETS_ATTACHMENT_MAX_BYTES = 40
    world.alice.set_password(PASSWORD)
    world.alice.save()
    ticket = services.ticket_create(requester=world.alice, subject="Big", description="file")
    big = tmp_path / "big.png"
    big.write_bytes(PNG)  # 70 bytes > 40
    page = new_page()
    sign_in(page, world.alice)
    page.goto(f"/requests/{ticket.number}")
    page.locator("[data-dropzone] input[type=file]").set_input_files([str(big)])
    error = page.locator("[data-file-error]")
    error.wait_for()
    assert "too large" in error.inner_text() and "big.png" in error.inner_text()
    page.get_by_role("button", name="Send").click()  # the server refuses it too
    page.get_by_text("is too large").first.wait_for()
    assert not Comment.objects.filter(ticket=ticket).exists()

"""Files browsers fetch on their own at the site's root answer with real content."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_favicon_is_a_real_icon(client: Client) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/vnd.microsoft.icon", "image/x-icon"}
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # the ICO header
    assert int.from_bytes(body[4:6], "little") >= 2  # several sizes

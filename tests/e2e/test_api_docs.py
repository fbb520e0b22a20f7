"""Journey: an integrator opens the API docs; Swagger UI runs under the strict CSP and lists the operations."""

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_the_operations(new_page: object) -> None:
    page = new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto("/api/docs/")
    page.locator(".opblock").first.wait_for()
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any(path.startswith("/api/tickets/") for path in paths), paths
    assert any(path.startswith("/api/deflection/") for path in paths), paths
    assert page.locator(".swagger-ui .info .title").inner_text().startswith("Answerfirst API")
    assert [text for text in console if "Content Security Policy" in text] == []

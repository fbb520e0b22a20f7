"""Schemathesis against ``/api/schema/`` through the WSGI application: no 5xx, responses as documented.

Property-based: every operation of the schema gets generated requests (valid and invalid), sent
as a signed-in customer with a paid plan (token authentication), and each response is checked
against the schema (status code documented, content type, body shape), for server errors, for
schema-valid input refused, and for authentication not enforced (schemathesis replays the request
without the token and with a wrong one). 30 derandomized examples per operation keep the run near
20 seconds; runs of 250 random examples per operation passed too.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, strategies
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.formats import unregister_string_format

from tests.accounts.factories import member

pytestmark = pytest.mark.django_db

GENUINE_FILES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
    bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"),  # a PNG's signature and header
)


@pytest.fixture
def api_schema(db: None, settings: object) -> Iterator[object]:
    from django.core.cache import cache
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from portal.wsgi import application

    # As Django's test client does: a finished request must not close the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    cache.clear()
    settings.TICKETS_CREATE_RATE = "100000/h"  # the limits have their own tests; here they would only add 429s
    settings.DEFLECTION_SUGGEST_RATE = "100000/m"
    settings.DEFLECTION_EVENTS_RATE = "100000/m"
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    # DRF refuses NUL in any text (PostgreSQL could not store it): a 400 the schema need not spell out.
    schema.config.generation.update(allow_x00=False)
    yield schema
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(api_schema: object) -> str:
    """A paid customer's API token, registered as the schema's credentials: schemathesis then also
    checks that each operation refuses the request without them, or with invalid ones."""
    key = Token.objects.create(user=member("business", "licensed")).key

    class TokenAuth:
        def get(self, case: object, context: object) -> str:
            return key

        def set(self, case: object, data: str, context: object) -> None:
            case.headers = {**(case.headers or {}), "Authorization": f"Token {data}"}

    api_schema.auth()(TokenAuth)
    return key


def run_operations(api_schema: object, **validation: object) -> tuple[int, dict[str, str]]:
    """Each operation's Hypothesis strategy, driven here (schemathesis' pytest integration needs a
    pytest private attribute that pytest 9 renamed); returns the operation count and the failures."""
    failures: dict[str, str] = {}
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def check(case: object) -> None:
            case.call_and_validate(**validation)

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # one report listing every operation that failed
            failures[operation.label] = f"{type(error).__name__}: {str(error)[:1500]}"
    return operations, failures


def test_no_operation_answers_a_server_error(api_schema: object, token: str) -> None:
    operations, failures = run_operations(api_schema, checks=[not_a_server_error])
    assert operations >= 10
    assert not failures, "\n\n".join(f"{label}\n{detail}" for label, detail in failures.items())


def test_responses_conform_to_the_schema(api_schema: object, token: str) -> None:
    # The schema names the accepted file types; what makes bytes a real PNG or PDF it cannot say.
    schemathesis.openapi.format("binary", strategies.sampled_from(GENUINE_FILES))
    try:
        operations, failures = run_operations(api_schema)
    finally:
        unregister_string_format("binary")
    assert operations >= 10
    assert not failures, "\n\n".join(f"{label}\n{detail}" for label, detail in failures.items())


def test_the_schema_covers_our_api(api_schema: object) -> None:
    paths = set(api_schema.raw_schema["paths"])
    assert "/api/deflection/suggest" in paths
    assert "/api/tickets/" in paths
    assert not [path for path in paths if not path.startswith(("/api/deflection/", "/api/tickets/"))]

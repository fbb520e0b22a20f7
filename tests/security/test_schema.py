"""Schemathesis against ``/api/schema/`` through the WSGI application: no 5xx, responses as documented.

Property-based: every operation of the schema gets generated requests (valid and invalid), sent
as a signed-in customer with a paid plan (token authentication), and each response is checked
against the schema (status code documented, content type, body shape) and for server errors.
Examples are few per operation so the whole run stays well under two minutes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from tests.accounts.factories import member

pytestmark = pytest.mark.django_db


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
    yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token() -> str:
    user = member("business", "licensed")
    return Token.objects.create(user=user).key


def run_operations(api_schema: object, token: str, **validation: object) -> tuple[int, dict[str, str]]:
    """Each operation's Hypothesis strategy, driven here (schemathesis' pytest integration needs a
    pytest private attribute that pytest 9 renamed); returns the operation count and the failures."""
    failures: dict[str, str] = {}
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None
        )
        def check(case: object) -> None:
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, **validation)

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # one report listing every operation that failed
            failures[operation.label] = f"{type(error).__name__}: {str(error)[:1500]}"
    return operations, failures


def test_no_operation_answers_a_server_error(api_schema: object, token: str) -> None:
    operations, failures = run_operations(api_schema, token, checks=[not_a_server_error])
    assert operations >= 10
    assert not failures, "\n\n".join(f"{label}\n{detail}" for label, detail in failures.items())


@pytest.mark.xfail(
    strict=True,
    reason=(
        "the schema does not document everything the API answers yet: 404 on the ticket endpoints, the "
        "201 body of POST /api/tickets/, DRF's field-error shape of 400 on the deflection endpoints "
        "(documented as {detail}), and form-encoded bodies that cannot carry null; found by this test. "
        "(Its ST401 on GET /api/tickets/ is a false positive: the valid token is sent as a plain header "
        "next to a generated session cookie, which schemathesis takes for the credentials.)"
    ),
)
def test_responses_conform_to_the_schema(api_schema: object, token: str) -> None:
    operations, failures = run_operations(api_schema, token)
    assert operations >= 10
    assert not failures, "\n\n".join(f"{label}\n{detail}" for label, detail in failures.items())


def test_the_schema_covers_our_api(api_schema: object) -> None:
    paths = set(api_schema.raw_schema["paths"])
    assert "/api/deflection/suggest" in paths
    assert "/api/tickets/" in paths
    assert not [path for path in paths if not path.startswith(("/api/deflection/", "/api/tickets/"))]

"""What every endpoint of our REST API shares: validation, error bodies, the schema's scope.

Wagtail's admin API and its headless API v2 (``/api/v2/``) route through Wagtail's own router,
which drf-spectacular cannot describe (its views need a request to build their serializers), so
they are documented by Wagtail, not in ``/api/schema/``.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

logger = logging.getLogger(__name__)

SCHEMA_PATH_PREFIXES = ("/api/deflection/", "/api/tickets/")


def only_our_api(endpoints: list[tuple[str, str, str, Callable]]) -> list[tuple[str, str, str, Callable]]:
    """drf-spectacular preprocessing hook: keep the endpoints under ``SCHEMA_PATH_PREFIXES``."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith(SCHEMA_PATH_PREFIXES)]


def plain_values(result: Any, **kwargs: Any) -> Any:
    """drf-spectacular postprocessing hook: enum members (``EventKind.OPENED``) become their plain values.

    A choice written with a ``TextChoices`` member lands in the schema as that member; the JSON
    renderer writes it as its string, but the YAML renderer cannot represent it and answered 500.
    """
    if isinstance(result, dict):
        return {plain_values(key): plain_values(value) for key, value in result.items()}
    if isinstance(result, list | tuple):
        return [plain_values(item) for item in result]
    if isinstance(result, enum.Enum):
        return result.value
    return result


# On a text field that must not be blank: DRF refuses text that ``str.strip()`` empties; this
# validator puts the rule in the schema as a pattern. The characters ``str.isspace`` counts are
# spelled out, since regex engines disagree on what ``\s`` covers (hypothesis's differs from re's).
VISIBLE_TEXT = RegexValidator(r"[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


class ApiError(serializers.Serializer):
    """Every refusal but a field-by-field validation error: one sentence, in the caller's language."""

    detail = serializers.CharField()


# DRF answers a failed validation with the messages per field ({"limit": ["…"]}, a list field's
# per-item errors keyed by index); the API's own refusals with {"detail": "…"}.
INVALID_INPUT = {
    "type": "object",
    "minProperties": 1,
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]},
}


def error_responses(described: dict[int, str]) -> dict[int, OpenApiResponse]:
    """The documented refusals of one operation, by status code: 400 in either shape, the others {detail}."""
    return {
        code: OpenApiResponse(INVALID_INPUT if code == 400 else ApiError, description=description)
        for code, description in described.items()
    }


def validated(serializer: serializers.Serializer) -> dict:
    """The serializer's validated data; invalid input is logged, then answered 400 field by field."""
    if not serializer.is_valid():
        logger.info("api input refused by %s: %s", type(serializer).__name__, serializer.errors)
        raise ValidationError(serializer.errors)
    return serializer.validated_data

"""REST endpoints for the drafting customer: suggestions and events (OpenAPI via drf-spectacular)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from deflection import conf, services
from deflection.exceptions import InvalidEvent, InvalidLanguage
from deflection.models import EventKind
from deflection.ratelimits import retry_after
from deflection.services import CLIENT_EVENT_KINDS
from deflection.templatetags.deflection_tags import safe_snippet
from deflection.visitors import remember_visitor, visitor_key
from portal.api import VISIBLE_TEXT, error_responses, validated

logger = logging.getLogger(__name__)


class CsrfSessionAuthentication(SessionAuthentication):
    """Session authentication that checks CSRF for anonymous callers too.

    The browser page calls these endpoints with its cookies whether or not the customer is signed
    in; token clients (no cookies) authenticate with ``TokenAuthentication`` first and skip this.
    """

    def authenticate(self, request: Request) -> tuple[object, None] | None:
        self.enforce_csrf(request)
        user = getattr(request._request, "user", None)
        if user is not None and user.is_active:
            return (user, None)
        return None


class CsrfSessionScheme(OpenApiAuthenticationExtension):
    """Documents ``CsrfSessionAuthentication`` in the schema as the session cookie (plus X-CSRFToken)."""

    target_class = CsrfSessionAuthentication
    name = "sessionCookieWithCsrf"

    def get_security_definition(self, auto_schema: object) -> dict:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


class RateLimitedAPIView(APIView):
    """JSON in and out (the page's script sends JSON; a form body could not say ``null``), rate limited."""

    authentication_classes = [TokenAuthentication, CsrfSessionAuthentication]
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]
    rate_group = ""

    def rate(self) -> str:
        raise NotImplementedError

    def initial(self, request: Request, *args: object, **kwargs: object) -> None:
        super().initial(request, *args, **kwargs)
        wait = retry_after(request, group=self.rate_group, rate=self.rate())
        if wait is not None:
            logger.info("deflection rate limit hit: %s", self.rate_group)
            raise RateLimited(wait)

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, RateLimited):
            response = Response(
                {"detail": str(_("Too many requests; try again in a few seconds.")), "retry_after": exc.wait},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
            response["Retry-After"] = str(exc.wait)
            return response
        return super().handle_exception(exc)


class RateLimited(Exception):
    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


class SuggestRequest(serializers.Serializer):
    subject = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    description = serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=False)
    language = serializers.ChoiceField(
        choices=[code for code, _name in settings.LANGUAGES], required=False, allow_blank=True, default=""
    )
    # Not a UUIDField: a malformed id is an unknown session (404), like a foreign one.
    session = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=64, default=None)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=10, default=None, allow_null=True)


class SuggestionOut(serializers.Serializer):
    article_id = serializers.CharField()
    rank = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    url = serializers.CharField(
        help_text="The article, marked as opened from this session; ends with the anchor of the section "
        "that answers (`#heading-id`) when the article has headings."
    )
    open_url = serializers.CharField(help_text="Records the open, then redirects to the article.")
    snippet = serializers.CharField(help_text="HTML: escaped text with <mark> around matches.")
    section = serializers.CharField(help_text="The heading of the section the snippet comes from, or empty.")
    language = serializers.CharField(help_text="The language the article is shown in.")
    is_fallback = serializers.BooleanField(help_text="Shown in the default language: no translation exists.")


class SuggestResponse(serializers.Serializer):
    session = serializers.UUIDField(allow_null=True)
    language = serializers.CharField()
    draft_language = serializers.CharField(
        allow_null=True,
        help_text="The language the draft is written in, when confidently detected and not `language`: "
        "articles in it are suggested too.",
    )
    degraded = serializers.BooleanField()
    truncated = serializers.BooleanField(help_text="The draft was longer than the limit and was cut for search.")
    suggestions = SuggestionOut(many=True)


def article_link(url: str, session_id: object) -> str:
    """``url`` with ``from_session`` added, so the article page can offer "this answered my question";
    a ``#section`` anchor (the answering passage) stays last, where browsers look for it."""
    if not session_id:
        return url
    address, hash_mark, anchor = url.partition("#")
    separator = "&" if "?" in address else "?"
    return f"{address}{separator}from_session={session_id}{hash_mark}{anchor}"


def suggestions_payload(result: services.Suggestions) -> dict:
    return {
        "session": str(result.session_id) if result.session_id else None,
        "language": result.language,
        "draft_language": result.draft_language,
        "degraded": result.degraded,
        "truncated": result.truncated,
        "suggestions": [
            {
                "article_id": item.article_id,
                "rank": item.rank,
                "title": item.title,
                "summary": item.summary,
                "url": article_link(item.url, result.session_id),
                "open_url": (
                    reverse("deflection:open", args=[result.session_id, item.article_id])
                    if result.session_id
                    else item.url
                ),
                "snippet": str(safe_snippet(item.snippet)),
                "section": item.section,
                "language": item.language,
                "is_fallback": item.is_fallback,
            }
            for item in result.items
        ],
    }


class SuggestView(RateLimitedAPIView):
    rate_group = "deflection.suggest"

    def rate(self) -> str:
        return conf.suggest_rate()

    @extend_schema(
        operation_id="deflection_suggest",
        summary="Articles that may answer a draft",
        description=(
            "Ranks help articles for the draft's subject and description in `language` (default: the "
            "request's language), falling back to the default language, among the articles the caller "
            "may read. A draft confidently written in another configured language (`draft_language`) "
            "is searched in that language too, the two lists interleaved. Greetings, signatures, quoted "
            "emails, logs and links are left out of the search. Drafts longer than 5,000 characters are "
            "cut, not refused. Creates or updates the caller's deflection session (one row) and returns its id."
        ),
        request=SuggestRequest,
        responses={
            200: SuggestResponse,
            **error_responses(
                {
                    400: "Invalid language or field",
                    403: "Cross-site request from a signed-in browser (CSRF)",
                    404: "Unknown or foreign session",
                    415: "Not JSON",
                    429: "Rate limited; see Retry-After",
                }
            ),
        },
        tags=["deflection"],
    )
    def post(self, request: Request) -> Response:
        fields = validated(SuggestRequest(data=request.data))
        language = fields["language"] or get_language() or "en"
        try:
            result = services.suggest_for_draft(
                subject=fields["subject"],
                description=fields["description"],
                language=language,
                user=request.user,
                session_id=fields["session"] or None,
                visitor_key=visitor_key(request._request),
                limit=fields["limit"],
            )
        except InvalidLanguage as error:
            logger.info("suggest refused: %s", error)
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        return remember_visitor(request._request, Response(suggestions_payload(result)))


class EventKindRequest(serializers.Serializer):
    kind = serializers.ChoiceField(choices=sorted(CLIENT_EVENT_KINDS))


class OpenedEventRequest(EventKindRequest):
    kind = serializers.ChoiceField(choices=[EventKind.OPENED])
    article_id = serializers.CharField(max_length=64, validators=[VISIBLE_TEXT])
    rank = serializers.IntegerField(required=False, min_value=1, max_value=100, allow_null=True, default=None)


class OutcomeEventRequest(OpenedEventRequest):
    kind = serializers.ChoiceField(choices=[EventKind.DEFLECTED, EventKind.ESCALATED])
    article_id = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")


EVENT_REQUESTS = {
    EventKind.OPENED: OpenedEventRequest,
    EventKind.DEFLECTED: OutcomeEventRequest,
    EventKind.ESCALATED: OutcomeEventRequest,
}


class EventResponse(serializers.Serializer):
    session = serializers.UUIDField()
    outcome = serializers.CharField()
    created = serializers.BooleanField(help_text="False when this event had been recorded before.")


class RequiredBodySchema(AutoSchema):
    """drf-spectacular marks a one-of body (one shape per event kind) optional; this one is required."""

    def _get_request_body(self, direction: str = "request") -> dict | None:
        body = super()._get_request_body(direction)
        if body:
            body["required"] = True
        return body


class SessionEventsView(RateLimitedAPIView):
    rate_group = "deflection.events"
    schema = RequiredBodySchema()

    def rate(self) -> str:
        return conf.events_rate()

    @extend_schema(
        operation_id="deflection_session_event",
        summary="Record an open or an outcome",
        description=(
            '`opened` (with `article_id`), `deflected` ("this answered my question", optionally with '
            '`article_id`) or `escalated` ("I still need help"). Idempotent: a repeated event returns '
            "200 with `created: false`; a new one 201. The session's outcome only moves forward."
        ),
        request=PolymorphicProxySerializer(
            component_name="DeflectionEvent", serializers=EVENT_REQUESTS, resource_type_field_name="kind"
        ),
        responses={
            201: EventResponse,
            200: EventResponse,
            **error_responses(
                {
                    400: "Invalid event",
                    403: "Cross-site request from a signed-in browser (CSRF)",
                    404: "Unknown or foreign session",
                    415: "Not JSON",
                    429: "Rate limited; see Retry-After",
                }
            ),
        },
        tags=["deflection"],
    )
    def post(self, request: Request, session_id: str) -> Response:
        kind = validated(EventKindRequest(data=request.data))["kind"]
        fields = validated(EVENT_REQUESTS[kind](data=request.data))
        try:
            result = services.session_record_event(
                session_id=session_id,
                user=request.user,
                visitor_key=visitor_key(request._request),
                kind=kind,
                article_id=fields["article_id"] or None,
                rank=fields["rank"],
            )
        except InvalidEvent as error:
            logger.info("event refused: %s", error)
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            {"session": str(result.session.pk), "outcome": result.session.outcome, "created": result.created},
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )

"""REST API for tickets: create (optionally from a deflection session), list and read, comment,
upload files, change status. Session and token authentication (project defaults).

Input and output serializers sit side by side; permissions come from ``tickets.selectors``, and
domain errors become 4xx answers with a ``detail`` sentence.
"""

from __future__ import annotations

import logging

from django.utils import translation
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiRequest, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, Throttled
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api import VISIBLE_TEXT, error_responses, validated
from tickets import selectors, services
from tickets.attachments import ALLOWED_TYPES, AttachmentRejected, max_files_per_upload
from tickets.lifecycle import TicketTransitionError
from tickets.models import Attachment, Comment, Priority, ProductArea, Route, Status, Ticket
from tickets.ratelimits import ticket_creation_counted, ticket_creation_wait
from tickets.views import attachment_response

logger = logging.getLogger(__name__)


class DomainError(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"


def _raise_domain(error: Exception) -> None:
    """Turn a service's domain error into an API error with the right status."""
    exc = DomainError(detail=getattr(error, "message", str(error)))
    if isinstance(error, services.NotEntitled):
        exc.status_code = status.HTTP_403_FORBIDDEN
    elif isinstance(error, services.DraftNotFound):
        exc.status_code = status.HTTP_404_NOT_FOUND
    elif isinstance(error, (TicketTransitionError, services.FollowUpWindowClosed)):
        exc.status_code = status.HTTP_409_CONFLICT
    elif isinstance(error, AttachmentRejected) and error.too_large:
        exc.status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    logger.info("api refused: %s %s", type(error).__name__, exc.detail)
    raise exc


DOMAIN_ERRORS = (
    services.TicketInputError,
    services.NotEntitled,
    services.FollowUpWindowClosed,
    TicketTransitionError,
    AttachmentRejected,
)


# --- Output -------------------------------------------------------------------------------------


class AttachmentOut(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "size", "content_type", "checksum", "created_at", "url"]

    def get_url(self, attachment: Attachment) -> str:
        return f"/api/tickets/{attachment.ticket.number}/attachments/{attachment.pk}/"


class CommentOut(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    attachments = AttachmentOut(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "is_public", "channel", "created_at", "attachments"]

    def get_author(self, comment: Comment) -> str:
        return str(comment.author) if comment.author else ""


class TicketOut(serializers.ModelSerializer):
    requester = serializers.EmailField(source="requester.email")
    queue = serializers.CharField(source="queue.code", default=None, allow_null=True)
    follow_up_of = serializers.IntegerField(source="follow_up_of.number", default=None, allow_null=True)
    deflection_session = serializers.UUIDField(source="deflection_session_id", allow_null=True)

    class Meta:
        model = Ticket
        fields = [
            "number",
            "subject",
            "description",
            "status",
            "priority",
            "route",
            "product_area",
            "queue",
            "requester",
            "language",
            "channel",
            "deflection_session",
            "follow_up_of",
            "created_at",
            "updated_at",
            "first_response_at",
            "solved_at",
            "closed_at",
        ]


class TicketDetailOut(TicketOut):
    comments = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()

    class Meta(TicketOut.Meta):
        fields = [*TicketOut.Meta.fields, "comments", "attachments"]

    @extend_schema_field(CommentOut(many=True))
    def get_comments(self, ticket: Ticket) -> list[dict]:
        return CommentOut(selectors.thread_for(self.context["request"].user, ticket), many=True).data

    @extend_schema_field(AttachmentOut(many=True))
    def get_attachments(self, ticket: Ticket) -> list[dict]:
        return AttachmentOut(selectors.initial_attachments(ticket), many=True).data


# --- Input --------------------------------------------------------------------------------------


class TicketIn(serializers.Serializer):
    subject = serializers.CharField(max_length=services.SUBJECT_MAX, validators=[VISIBLE_TEXT])
    description = serializers.CharField(max_length=services.BODY_MAX, validators=[VISIBLE_TEXT])
    route = serializers.ChoiceField(choices=Route.choices, required=False, allow_blank=True, default="")
    product_area = serializers.ChoiceField(choices=ProductArea.choices, required=False, default=ProductArea.OTHER)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, allow_blank=True, default="")
    deflection_session = serializers.UUIDField(required=False, allow_null=True, default=None)


class TicketWithFilesIn(TicketIn):
    """The multipart form: files may come along; no field can be null (a form part has no null)."""

    deflection_session = serializers.UUIDField(required=False, default=None)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=max_files_per_upload()
    )


class CommentIn(serializers.Serializer):
    body = serializers.CharField(max_length=services.BODY_MAX, validators=[VISIBLE_TEXT])
    is_public = serializers.BooleanField(required=False, default=True)


class CommentWithFilesIn(CommentIn):
    """A message with files attached (files alone go to the attachments endpoint)."""

    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, max_length=max_files_per_upload()
    )


class UploadIn(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=max_files_per_upload())
    body = serializers.CharField(max_length=services.BODY_MAX, allow_blank=True, required=False, default="")


class StatusIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)


def _with_files(serializer: type[serializers.Serializer]) -> OpenApiRequest:
    """A multipart body whose ``files`` parts must be of an accepted type (judged from their bytes)."""
    return OpenApiRequest(serializer, encoding={"files": {"contentType": ", ".join(ALLOWED_TYPES)}})


def _input(request: Request, plain: type[serializers.Serializer], with_files: type[serializers.Serializer]) -> dict:
    """Validated input; only a multipart body can carry files (a JSON ``files`` key is ignored)."""
    multipart = (request.content_type or "").startswith("multipart/")
    return validated((with_files if multipart else plain)(data=request.data))


# --- Views --------------------------------------------------------------------------------------

_REFUSALS = {
    400: "Invalid input",
    401: "Not signed in",
    403: "Not allowed (plan, route)",
    404: "No such ticket, file or deflection session (or not yours)",
    409: "Refused by the lifecycle (closed, transition not allowed, follow-up window over)",
    413: "A file is too large",
    415: "Unsupported body type",
    429: "Too many tickets filed; see Retry-After",
}


def _errors(*codes: int) -> dict:
    """The documented refusals among ``_REFUSALS``."""
    return error_responses({code: _REFUSALS[code] for code in codes})


class TicketListCreate(GenericAPIView):
    serializer_class = TicketOut
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(responses={200: TicketOut(many=True), **_errors(401, 403)}, summary="List the tickets I may read")
    def get(self, request: Request) -> Response:
        tickets = selectors.customer_ticket_list(
            request.user, status=request.query_params.get("status", ""), query=request.query_params.get("q", "")
        ).select_related("queue", "follow_up_of")
        page = self.paginate_queryset(tickets)
        return self.get_paginated_response(TicketOut(page, many=True).data)

    @extend_schema(
        request={"application/json": TicketIn, "multipart/form-data": _with_files(TicketWithFilesIn)},
        responses={201: TicketDetailOut, **_errors(400, 401, 403, 404, 413, 415, 429)},
        summary="File a ticket (optionally from a deflection session)",
    )
    def post(self, request: Request) -> Response:
        wait = ticket_creation_wait(request._request)
        if wait is not None:
            logger.warning("ticket creation rate limit hit by user %s (API)", request.user.pk)
            raise Throttled(wait=wait)
        data = _input(request, TicketIn, TicketWithFilesIn)
        try:
            ticket = services.ticket_create(
                requester=request.user,
                subject=data["subject"],
                description=data["description"],
                route=data["route"],
                product_area=data["product_area"],
                priority=data["priority"],
                language=translation.get_language(),
                channel="api",
                files=data.get("files", []),
                deflection_session_id=data["deflection_session"],
            )
        except DOMAIN_ERRORS as error:
            _raise_domain(error)
        ticket_creation_counted(request._request)
        ticket = selectors.ticket_for(request.user, ticket.number)
        return Response(TicketDetailOut(ticket, context={"request": request}).data, status=status.HTTP_201_CREATED)


class TicketDetail(APIView):
    @extend_schema(responses={200: TicketDetailOut, **_errors(401, 403, 404)})
    def get(self, request: Request, number: int) -> Response:
        ticket = selectors.ticket_for(request.user, number)
        return Response(TicketDetailOut(ticket, context={"request": request}).data)


class TicketComments(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(responses={200: CommentOut(many=True), **_errors(401, 403, 404)})
    def get(self, request: Request, number: int) -> Response:
        ticket = selectors.ticket_for(request.user, number)
        return Response(CommentOut(selectors.thread_for(request.user, ticket), many=True).data)

    @extend_schema(
        request={"application/json": CommentIn, "multipart/form-data": _with_files(CommentWithFilesIn)},
        responses={201: TicketDetailOut, **_errors(400, 401, 403, 404, 409, 413, 415)},
        summary="Reply (customers; a reply to a closed ticket becomes a follow-up) or add a note (agents)",
    )
    def post(self, request: Request, number: int) -> Response:
        ticket = selectors.ticket_for(request.user, number)
        data = _input(request, CommentIn, CommentWithFilesIn)
        return _reply(request, ticket, body=data["body"], is_public=data["is_public"], files=data.get("files", []))


def _reply(request: Request, ticket: Ticket, *, body: str, is_public: bool, files: list) -> Response:
    try:
        _comment, landed = services.reply_add(
            ticket=ticket, author=request.user, body=body, is_public=is_public, channel="api", files=files
        )
    except DOMAIN_ERRORS as error:
        _raise_domain(error)
    landed = selectors.ticket_for(request.user, landed.number)
    return Response(TicketDetailOut(landed, context={"request": request}).data, status=status.HTTP_201_CREATED)


class TicketAttachments(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(responses={200: AttachmentOut(many=True), **_errors(401, 403, 404)})
    def get(self, request: Request, number: int) -> Response:
        ticket = selectors.ticket_for(request.user, number)
        visible = [a for c in selectors.thread_for(request.user, ticket) for a in c.attachments.all()]
        return Response(AttachmentOut([*selectors.initial_attachments(ticket), *visible], many=True).data)

    @extend_schema(
        request={"multipart/form-data": _with_files(UploadIn)},
        responses={201: TicketDetailOut, **_errors(400, 401, 403, 404, 409, 413, 415)},
        summary="Upload files (as a public update of the ticket)",
    )
    def post(self, request: Request, number: int) -> Response:
        ticket = selectors.ticket_for(request.user, number)
        data = validated(UploadIn(data=request.data))
        return _reply(request, ticket, body=data["body"], is_public=True, files=data["files"])


class TicketAttachmentDownload(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **_errors(401, 403, 404)})
    def get(self, request: Request, number: int, attachment_id: int) -> object:
        attachment = selectors.attachment_for(request.user, number, attachment_id)
        return attachment_response(attachment, download=request.query_params.get("download") == "1")


class TicketStatus(APIView):
    @extend_schema(
        request=StatusIn,
        responses={200: TicketDetailOut, **_errors(400, 401, 403, 404, 409, 415)},
        summary="Change status (customers: solved; agents: every allowed transition)",
    )
    def post(self, request: Request, number: int) -> Response:
        ticket = selectors.ticket_for(request.user, number)
        data = validated(StatusIn(data=request.data))
        try:
            services.ticket_transition(ticket=ticket, target=data["status"], actor_user=request.user)
        except DOMAIN_ERRORS as error:
            _raise_domain(error)
        ticket = selectors.ticket_for(request.user, number)
        return Response(TicketDetailOut(ticket, context={"request": request}).data)

"""The "Was this article helpful?" endpoint: a plain POST form, or fetch() from cms/js/feedback.js."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cms.forms import FeedbackForm
from cms.selectors import article_for_reader
from cms.services import FeedbackError, feedback_submit, visitor_key_ensure

logger = logging.getLogger(__name__)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _refuse(request: HttpRequest, message: str) -> HttpResponse:
    logger.info("feedback refused: %s", message)
    if _wants_json(request):
        return JsonResponse({"error": message}, status=400)
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@require_POST
def article_feedback(request: HttpRequest, article_id: int) -> HttpResponse:
    article = article_for_reader(request.user, article_id)
    if article is None:
        raise Http404(_("No such article."))
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in form.errors.items())
        return _refuse(request, errors)
    try:
        result = feedback_submit(
            article=article,
            language=form.cleaned_data["language"],
            helpful=form.cleaned_data["helpful"] == "yes",
            comment=form.cleaned_data["comment"] if "comment" in request.POST else None,
            visitor_key=visitor_key_ensure(request),
            user=request.user,
        )
    except FeedbackError as error:
        return _refuse(request, error.message)
    feedback = result.feedback
    if feedback.comment:
        message = _("Thank you, your comment helps us improve this article.")
    elif feedback.helpful:
        message = _("Thank you for your feedback.")
    else:
        message = _("Thank you. Tell us what was missing, if you like.")
    if _wants_json(request):
        return JsonResponse(
            {"helpful": feedback.helpful, "comment": feedback.comment, "created": result.created, "message": message}
        )
    messages.success(request, message)
    return redirect(f"{article.url_for_language(translation.get_language())}#feedback")

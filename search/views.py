"""The help-center search page and ``GET /api/search``: parse input, call ``search_articles``, render."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.audiences import article_audiences_for
from search.backends.base import language_codes
from search.query import MAX_QUERY_CHARS
from search.service import search_articles

logger = logging.getLogger(__name__)

PAGE_SIZE = 10
MAX_PAGE = 100
API_MAX_LIMIT = 50
API_MAX_OFFSET = 1000


def reader_language() -> str:
    """The active language as one of ours (``fr-ca`` → ``fr``), else the default."""
    current = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    for candidate in (current, current.split("-")[0]):
        if candidate in language_codes():
            return candidate
    return settings.LANGUAGE_CODE


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:MAX_QUERY_CHARS].strip()
    try:
        page = min(max(int(request.GET.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    results = search_articles(
        query,
        language=reader_language(),
        audiences=article_audiences_for(request.user),
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    pages = max(1, -(-results.total // PAGE_SIZE))
    context = {
        "query": query,
        "results": results,
        "page": page,
        "pages": pages,
        "first_rank": (page - 1) * PAGE_SIZE + 1,
        "previous_url": f"?{urlencode({'q': query, 'page': page - 1})}" if page > 1 else "",
        "next_url": f"?{urlencode({'q': query, 'page': page + 1})}" if page < min(pages, MAX_PAGE) else "",
    }
    return render(request, "search/results.html", context)


def _bad_request(request: HttpRequest, message: str) -> JsonResponse:
    logger.info("GET /api/search refused (%s): %s", request.GET.urlencode()[:200], message)
    return JsonResponse({"error": message}, status=400)


def _integer(request: HttpRequest, name: str, default: int, maximum: int) -> int | str:
    """The parameter as an int, or the message explaining why it is refused."""
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        return _("“%(name)s” must be a whole number.") % {"name": name}
    if value < 0 or value > maximum:
        return _("“%(name)s” must be between 0 and %(maximum)d.") % {"name": name, "maximum": maximum}
    return value


@require_GET
def search_api(request: HttpRequest) -> JsonResponse:
    """Public article search; results are scoped to what the caller may read."""
    language = request.GET.get("lang") or reader_language()
    if language not in language_codes():
        return _bad_request(
            request,
            _("Unknown language “%(language)s”; use one of: %(languages)s.")
            % {"language": language[:20], "languages": ", ".join(language_codes())},
        )
    limit = _integer(request, "limit", 10, API_MAX_LIMIT)
    if isinstance(limit, str):
        return _bad_request(request, limit)
    offset = _integer(request, "offset", 0, API_MAX_OFFSET)
    if isinstance(offset, str):
        return _bad_request(request, offset)
    query = request.GET.get("q", "")[:MAX_QUERY_CHARS]
    results = search_articles(
        query, language=language, audiences=article_audiences_for(request.user), limit=limit, offset=offset
    )
    return JsonResponse(
        {
            "query": query,
            "language": language,
            "limit": limit,
            "offset": offset,
            "total": results.total,
            "degraded": results.degraded,
            "results": [
                {
                    "article_id": hit.article_id,
                    "language": hit.language,
                    "title": hit.title,
                    "summary": hit.summary,
                    "url": hit.url,
                    "score": hit.score,
                    "snippet": hit.snippet,
                    "is_fallback": hit.is_fallback,
                }
                for hit in results.hits
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )

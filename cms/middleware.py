"""``?lang=xx`` on any portal page shows it in that language for this request only.

It lets links carry a language (the article language switcher, the API's ``urls``) without
changing the reader's saved preference. Unsupported values are ignored here; the API refuses them.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


def supported_language(code: str | None) -> str | None:
    """``code`` if it is one of settings.LANGUAGES, else None."""
    if code and code in {language for language, _name in settings.LANGUAGES}:
        return code
    return None


class QueryLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = supported_language(request.GET.get("lang"))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

"""The headless API (Wagtail API v2 at /api/v2/): pages, articles and categories in one language.

The language is ``?lang=xx`` when given (an unsupported code is a 400), else the caller's
Accept-Language, else English. Translated fields then come in that language with the English
fallback, and each article says whether it really exists in it (``translation_available``).
Articles whose audience the caller may not read are not in any listing and are 404 in detail.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from rest_framework.permissions import AllowAny
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet

from accounts.audiences import Audience, article_audiences_for
from cms.middleware import supported_language
from cms.models import ArticlePage, CategoryPage


def api_language(request: Any) -> str:
    """The language an API call asks for; raises BadRequestError for an unsupported ``lang``."""
    if "lang" in request.GET:
        language = supported_language(request.GET["lang"])
        if language is None:
            supported = ", ".join(code for code, _name in settings.LANGUAGES)
            raise BadRequestError(f"unsupported language {request.GET['lang']!r}; use one of: {supported}")
        return language
    for accepted, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        code = supported_language(accepted.split("-")[0].lower())
        if code:
            return code
    return settings.LANGUAGE_CODE


class HelpPagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's pages endpoint, in the asked language and without articles hidden from the caller."""

    permission_classes = [AllowAny]  # public articles are public; audiences filter the rest
    known_query_parameters = PagesAPIViewSet.known_query_parameters.union(["lang"])

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        language = api_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language

    def get_base_queryset(self) -> Any:
        hidden = [audience for audience in Audience.values if audience not in article_audiences_for(self.request.user)]
        return super().get_base_queryset().exclude(articlepage__audience__in=hidden)


class ArticlesAPIViewSet(HelpPagesAPIViewSet):
    name = "articles"
    model = ArticlePage
    listing_default_fields = [
        *PagesAPIViewSet.listing_default_fields,
        "summary",
        "audience",
        "translation_available",
        "available_languages",
        "urls",
    ]


class CategoriesAPIViewSet(HelpPagesAPIViewSet):
    name = "categories"
    model = CategoryPage
    listing_default_fields = [*PagesAPIViewSet.listing_default_fields, "description", "category_path"]


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", HelpPagesAPIViewSet)
api_router.register_endpoint("articles", ArticlesAPIViewSet)
api_router.register_endpoint("categories", CategoriesAPIViewSet)

"""Pages of the help center (home, categories, articles) and the reader signals kept about articles.

Languages are fields, not page trees: ``cms/translation.py`` registers the translated fields with
modeltranslation, which adds ``title_fr``, ``summary_fr``, ``body_fr`` and so on, and falls back
to English when a field is empty in the reader's language.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.validators import MaxLengthValidator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from accounts.audiences import Audience, article_audiences_for
from cms.anchors import add_heading_anchors
from cms.blocks import ArticleBodyBlock, stream_to_sections
from cms.serializers import RelatedArticlesField
from cms.view_counts import article_view_add, is_bot

SUMMARY_MAX_LENGTH = 300
COMMENT_MAX_LENGTH = 2000
ARTICLE_OUTCOME_TEMPLATE = "deflection/_article_outcome.html"


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _field_in(obj: object, name: str, language: str) -> Any:
    """The raw value of a translated field in one language (no fallback)."""
    return getattr(obj, f"{name}_{language}", None)


def _title_in(page: Page, language: str) -> str:
    """A page title in ``language``, falling back to the default language like the templates do."""
    return _field_in(page, "title", language) or _field_in(page, "title", settings.LANGUAGE_CODE) or page.title


def _url_with_lang(url: str, language: str) -> str:
    return f"{url}?lang={language}"


class HelpCenterPage(Page):
    """The root of the help center (served at /help/): categories, popular articles and a search box."""

    intro = models.CharField(_("introduction"), max_length=300, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.CategoryPage"]
    max_count = 1
    template = "cms/help_center_page.html"

    class Meta:
        verbose_name = _("help center")

    # Its categories and popular articles come from template tags (``cms/templatetags/help_center.py``):
    # the selectors import these models, so the models cannot import the selectors.


class CategoryPage(Page):
    """A category of the help center, or a section of one (categories nest once or more)."""

    description = models.TextField(_("description"), max_length=500, blank=True)

    content_panels = [*Page.content_panels, FieldPanel("description")]
    parent_page_types = ["cms.HelpCenterPage", "cms.CategoryPage"]
    subpage_types = ["cms.CategoryPage", "cms.ArticlePage"]
    template = "cms/category_page.html"

    search_fields = [*Page.search_fields, index.SearchField("description")]
    api_fields = [
        APIField("description"),
        APIField("category_path"),
        APIField("urls"),
    ]

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def category_path(self, language: str | None = None) -> list[str]:
        """Titles of the categories from the top down to this one, in ``language`` (with fallback)."""
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        ancestors = CategoryPage.objects.ancestor_of(self, inclusive=True).order_by("depth")
        return [_title_in(category, language) for category in ancestors]

    def urls(self) -> dict[str, str]:
        return {code: _url_with_lang(self.url, code) for code in language_codes()}

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Sections come from the ``visible_sections`` template tag (the selectors import these models)."""
        context = super().get_context(request, *args, **kwargs)
        audiences = article_audiences_for(request.user)
        context["articles"] = (
            ArticlePage.objects.child_of(self).live().public().filter(audience__in=audiences).order_by("path")
        )
        context["breadcrumbs"] = self.get_ancestors().filter(depth__gt=2).specific()
        return context


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey("cms.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items")


class ArticlePage(Page):
    """One help article; title, summary and body exist per language, the rest is shared."""

    summary = models.TextField(
        _("summary"),
        max_length=SUMMARY_MAX_LENGTH,
        blank=True,
        validators=[MaxLengthValidator(SUMMARY_MAX_LENGTH)],
        help_text=_("Plain text shown under the title and in search results (300 characters at most)."),
    )
    body = StreamField(ArticleBodyBlock(), blank=True, verbose_name=_("body"))
    audience = models.CharField(
        _("audience"), max_length=16, choices=Audience.choices, default=Audience.PUBLIC, db_index=True
    )
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("tags"))
    last_reviewed = models.DateField(_("last reviewed"), null=True, blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        MultiFieldPanel(
            [FieldPanel("audience"), FieldPanel("tags"), FieldPanel("last_reviewed")], heading=_("Audience and review")
        ),
        InlinePanel("related_links", label=_("Related articles")),
    ]
    parent_page_types = ["cms.CategoryPage"]
    subpage_types: list[str] = []
    template = "cms/article_page.html"

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("audience"),
    ]
    api_fields = [
        APIField("summary"),
        APIField("body"),
        APIField("body_html"),
        APIField("audience"),
        APIField("tag_names"),
        APIField("last_reviewed"),
        APIField("translation_available"),
        APIField("available_languages"),
        APIField("category_path"),
        APIField("related", serializer=RelatedArticlesField()),
        APIField("urls"),
    ]

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    # --- Languages (contract with search and deflection) ----------------------------------------

    def available_languages(self) -> list[str]:
        """Languages in which this article is written: its own title and body are filled in them."""
        return [code for code in language_codes() if _field_in(self, "title", code) and self._has_body(code)]

    def _has_body(self, language: str) -> bool:
        return len(_field_in(self, "body", language) or []) > 0

    def translation_available(self, language: str | None = None) -> bool:
        return (language or translation.get_language() or settings.LANGUAGE_CODE) in self.available_languages()

    def display_language(self, language: str | None = None) -> str:
        """The language the reader actually sees: theirs when the article exists in it, else the default."""
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        return language if self.translation_available(language) else settings.LANGUAGE_CODE

    def text_for(self, language: str) -> dict[str, Any]:
        """Title, summary and plain-text body in exactly ``language`` (empty when not translated), and the
        body's sections: (start in the body text, heading anchor, heading text)."""
        body, sections = stream_to_sections(_field_in(self, "body", language))
        return {
            "title": _field_in(self, "title", language) or "",
            "summary": _field_in(self, "summary", language) or "",
            "body": body,
            "sections": sections,
            "category_path": self.category_path(language),
            "tags": self.tag_names(),
        }

    def url_for_language(self, language: str) -> str:
        return _url_with_lang(self.url, language)

    def urls(self) -> dict[str, str]:
        return {code: self.url_for_language(code) for code in self.available_languages()}

    def category_path(self, language: str | None = None) -> list[str]:
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        ancestors = CategoryPage.objects.ancestor_of(self).order_by("depth")
        return [_title_in(category, language) for category in ancestors]

    def tag_names(self) -> list[str]:
        return sorted(tag.name for tag in self.tags.all())

    def body_html(self) -> str:
        return add_heading_anchors(str(self.body))

    def related_articles(self, user: object | None = None) -> list[ArticlePage]:
        """Live related articles the reader may see, in the editor's order."""
        audiences = article_audiences_for(user) if user is not None else {Audience.PUBLIC}
        pages = [link.target for link in self.related_links.select_related("target").all() if link.target_id]
        return [page for page in pages if page.live and page.audience in audiences]

    # --- Serving ---------------------------------------------------------------------------------

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if self.audience not in article_audiences_for(request.user):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            raise Http404
        response = super().serve(request, *args, **kwargs)
        counted = request.method == "GET" and request.headers.get("Purpose") != "prefetch"
        counted = counted and not getattr(request, "is_preview", False) and response.status_code == 200
        if counted and not is_bot(request.headers.get("User-Agent", "")):
            # In the cache: a read writes nothing to the database (flushed by ``cms.flush_article_views``).
            article_view_add(article_id=self.pk, language=self.display_language())
        return response

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """The reader's own vote comes from the ``reader_feedback`` template tag (selectors import these models)."""
        context = super().get_context(request, *args, **kwargs)
        language = translation.get_language() or settings.LANGUAGE_CODE
        available = self.available_languages()
        shown = self.display_language(language)
        context["reader_language"] = language
        context["display_language"] = shown
        # Title, summary and body all in the language shown, even when some fields are translated
        # and others not: a French title over an English body would mislead the reader.
        context["article_title"] = _field_in(self, "title", shown) or self.title
        context["article_summary"] = _field_in(self, "summary", shown) or ""
        context["article_body"] = _field_in(self, "body", shown) or self.body
        context["translation_missing"] = language not in available
        from_session = request.GET.get("from_session", "")
        keep = f"&{urlencode({'from_session': from_session})}" if from_session else ""
        context["language_links"] = [
            {"code": code, "url": self.url_for_language(code) + keep, "current": code == shown} for code in available
        ]
        context["breadcrumbs"] = self.get_ancestors().filter(depth__gt=2).specific()
        context["related_articles"] = self.related_articles(request.user)
        context["comment_max_length"] = COMMENT_MAX_LENGTH
        context["from_session"] = from_session
        context["article_outcome_template"] = _outcome_template() if from_session else None
        return context


def _outcome_template() -> str | None:
    """The deflection app's "this answered my question" panel, when that app provides it."""
    try:
        get_template(ARTICLE_OUTCOME_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return ARTICLE_OUTCOME_TEMPLATE


class RelatedArticle(Orderable):
    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="related_links")
    target = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="+", verbose_name=_("article"))

    panels = [FieldPanel("target")]

    class Meta(Orderable.Meta):
        verbose_name = _("related article")
        constraints = [models.UniqueConstraint(fields=["page", "target"], name="cms_related_article_unique")]


class ArticleViewCount(models.Model):
    """How many times an article was read in one language on one day (one row, incremented)."""

    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="view_counts")
    language = models.CharField(max_length=8)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "language", "day"], name="cms_view_count_unique"),
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.article_id} {self.language} {self.day}: {self.count}"


class ArticleFeedback(models.Model):
    """A reader's answer to "Was this article helpful?" (one per visitor and article, changeable)."""

    article = models.ForeignKey(ArticlePage, on_delete=models.CASCADE, related_name="feedback")
    language = models.CharField(max_length=8)
    helpful = models.BooleanField()
    comment = models.TextField(blank=True, max_length=COMMENT_MAX_LENGTH)
    visitor_key = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="article_feedback"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "visitor_key"], name="cms_feedback_one_per_visitor"),
        ]
        indexes = [models.Index(fields=["updated_at"])]

    def __str__(self) -> str:
        return f"{self.article_id} {self.language} {'yes' if self.helpful else 'no'}"

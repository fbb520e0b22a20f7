"""Fields translated by modeltranslation (Page's title is registered by wagtail-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from cms.models import ArticlePage, CategoryPage, HelpCenterPage


@register(HelpCenterPage)
class HelpCenterPageTR(TranslationOptions):
    fields = ("intro",)


@register(CategoryPage)
class CategoryPageTR(TranslationOptions):
    fields = ("description",)


@register(ArticlePage)
class ArticlePageTR(TranslationOptions):
    fields = ("summary", "body")

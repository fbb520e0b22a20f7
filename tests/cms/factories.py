"""Page factories: Wagtail pages are created under a parent with add_child, then published."""

from __future__ import annotations

from typing import Any

import factory

from accounts.audiences import Audience
from cms.models import ArticlePage, CategoryPage, HelpCenterPage


class _PageFactory(factory.Factory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: type, *args: Any, parent: Any, publish: bool = True, **kwargs: Any) -> Any:
        page = model_class(live=False, **kwargs)
        parent.add_child(instance=page)
        if publish:
            page.save_revision().publish()
            page.refresh_from_db()
        return page


class HelpCenterPageFactory(_PageFactory):
    class Meta:
        model = HelpCenterPage

    title_en = "Help center"
    title = "Help center"
    slug = "help"


class CategoryPageFactory(_PageFactory):
    class Meta:
        model = CategoryPage

    title_en = factory.Sequence(lambda n: f"Category {n}")
    title = factory.SelfAttribute("title_en")
    slug = factory.Sequence(lambda n: f"category-{n}")
    description_en = "Things to know."


def paragraph(text: str) -> list[dict[str, Any]]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


class ArticlePageFactory(_PageFactory):
    class Meta:
        model = ArticlePage

    title_en = factory.Sequence(lambda n: f"Article {n}")
    title = factory.SelfAttribute("title_en")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary_en = "A short summary."
    body_en = factory.LazyAttribute(lambda article: paragraph(f"Body of {article.title_en}."))
    audience = Audience.PUBLIC

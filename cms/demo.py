"""Demo help center for ``manage.py seed_demo``: the /help/ root, editorial groups and workflow,
and the categories and articles of ``cms/demo_data/help_center.json`` (format in CONTRACTS.md).

Idempotent: pages are matched by slug and only revised and republished when their content
changed, so running it on every start adds no revisions.
"""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.utils import translation
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from accounts.audiences import Audience
from cms.models import ArticlePage, CategoryPage, HelpCenterPage, RelatedArticle
from cms.services import site_follow_site_url

logger = logging.getLogger(__name__)

DATA_FILE = Path(__file__).resolve().parent / "demo_data" / "help_center.json"
EDITORS, REVIEWERS = "Editors", "Reviewers"
WORKFLOW_NAME = "Help center review"
REVIEW_TASK_NAME = "Reviewer approval"

HELP_CENTER_TITLES = {
    "en": "Help center",
    "fr": "Centre d'aide",
    "de": "Hilfe-Center",
    "es": "Centro de ayuda",
    "it": "Centro assistenza",
    "pt": "Central de ajuda",
    "ja": "ヘルプセンター",
}
HELP_CENTER_INTROS = {
    "en": "Answers to common questions about your account, billing and the support portal.",
    "fr": "Des réponses aux questions courantes sur votre compte, la facturation et le portail d'assistance.",
    "de": "Antworten auf häufige Fragen zu Konto, Abrechnung und Support-Portal.",
    "es": "Respuestas a las preguntas habituales sobre su cuenta, la facturación y el portal de soporte.",
}


def _languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def _publish(page: Page) -> None:
    page.save_revision().publish()


def _set_if_changed(page: Page, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(page, name) != value:
            setattr(page, name, value)
            changed = True
    return changed


# --- Root, groups, workflow -------------------------------------------------------------------------


def ensure_help_center() -> HelpCenterPage:
    """The help center page at /help/, under the default site's root page."""
    existing = HelpCenterPage.objects.first()
    if existing is not None:
        return existing
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        root = Page.get_first_root_node()
        site = Site.objects.create(hostname="localhost", port=80, root_page=root, is_default_site=True)
        site_follow_site_url()
        site.refresh_from_db()
    values: dict[str, Any] = {
        f"title_{code}": title for code, title in HELP_CENTER_TITLES.items() if code in _languages()
    }
    values |= {f"intro_{code}": intro for code, intro in HELP_CENTER_INTROS.items() if code in _languages()}
    page = HelpCenterPage(title=HELP_CENTER_TITLES["en"], slug="help", live=False, **values)
    site.root_page.add_child(instance=page)
    _publish(page)
    return page


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def ensure_editorial_groups(help_center_id: int | None) -> tuple[Group, Group]:
    """Editors write and submit for review; Reviewers also publish; a review task sits between them.

    Runs after every ``migrate`` (page rights and the workflow's page wait for the help center)
    and in ``seed_demo``. Takes an id: after ``migrate`` the page's translated columns may not
    exist yet (wagtail-modeltranslation adds them last), so no page is loaded here.
    """
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    access_admin = _permission("wagtailadmin", "access_admin")
    page_rights = {
        editors: ["add_page", "change_page", "lock_page"],
        reviewers: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    }
    media_rights = [
        ("wagtailimages", "add_image"),
        ("wagtailimages", "change_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "change_document"),
        ("wagtaildocs", "choose_document"),
    ]
    collection = Collection.get_first_root_node()
    for group, codenames in page_rights.items():
        group.permissions.add(access_admin)
        for codename in codenames if help_center_id is not None else []:
            GroupPagePermission.objects.get_or_create(
                group=group, page_id=help_center_id, permission=_permission("wagtailcore", codename)
            )
        for app_label, codename in media_rights if collection is not None else []:  # none after a flush
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=collection, permission=_permission(app_label, codename)
            )

    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=REVIEW_TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=REVIEW_TASK_NAME)
    task.groups.set([reviewers])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    if help_center_id is not None:
        WorkflowPage.objects.update_or_create(page_id=help_center_id, defaults={"workflow": workflow})
    return editors, reviewers


# --- Content ----------------------------------------------------------------------------------------


def _normalized_stream(raw: Any) -> list[dict[str, Any]]:
    """Blocks as type/value pairs without ids, list items unwrapped, for change detection."""
    blocks = []
    for block in raw or []:
        value = block["value"]
        if block["type"] == "steps":
            value = [item["value"] if isinstance(item, dict) and "value" in item else item for item in value]
        blocks.append({"type": block["type"], "value": value})
    return blocks


def _translated(spec: dict[str, str], field: str) -> dict[str, Any]:
    return {f"{field}_{code}": text for code, text in (spec or {}).items() if code in _languages()}


def _upsert_category(parent: Page, spec: dict[str, Any]) -> tuple[CategoryPage, bool]:
    values = _translated(spec.get("title"), "title") | _translated(spec.get("description"), "description")
    page = CategoryPage.objects.child_of(parent).filter(slug=spec["slug"]).first()
    if page is None:
        page = CategoryPage(slug=spec["slug"], title=spec["title"]["en"], live=False, **values)
        parent.add_child(instance=page)
        _publish(page)
        return page, True
    if _set_if_changed(page, values) or not page.live:
        _publish(page)
    return page, False


def _article_values(spec: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "audience": spec.get("audience") or Audience.PUBLIC,
        "last_reviewed": date.fromisoformat(spec["last_reviewed"]) if spec.get("last_reviewed") else None,
    }
    if values["audience"] not in Audience.values:
        raise ValueError(f"article {spec['slug']}: unknown audience {values['audience']!r}")
    for code, text in spec["translations"].items():
        if code not in _languages():
            continue
        values[f"title_{code}"] = text["title"]
        values[f"summary_{code}"] = (text.get("summary") or "")[:300]
        values[f"body_{code}"] = text.get("body") or []
    return values


def _upsert_article(
    help_center: HelpCenterPage, parent: CategoryPage, spec: dict[str, Any]
) -> tuple[ArticlePage, bool]:
    values = _article_values(spec)
    page = ArticlePage.objects.descendant_of(help_center).filter(slug=spec["slug"]).first()
    if page is None:
        page = ArticlePage(slug=spec["slug"], title=spec["translations"]["en"]["title"], live=False, **values)
        page.tags.set(spec.get("tags") or [])
        parent.add_child(instance=page)
        _publish(page)
        return page, True
    if page.get_parent().pk != parent.pk:
        page.move(parent, pos="last-child")
        page.refresh_from_db()
    changed = not page.live
    for name, value in values.items():
        if name.startswith("body_"):
            current = getattr(page, name)
            if _normalized_stream(current.raw_data if current is not None else []) != _normalized_stream(value):
                setattr(page, name, value)
                changed = True
        elif getattr(page, name) != value:
            setattr(page, name, value)
            changed = True
    if sorted(spec.get("tags") or []) != page.tag_names():
        page.tags.set(spec.get("tags") or [])
        changed = True
    if changed:
        _publish(page)
    return page, False


def _link_related(articles: dict[str, ArticlePage], specs: list[dict[str, Any]]) -> None:
    for spec in specs:
        page = ArticlePage.objects.get(pk=articles[spec["slug"]].pk)
        wanted = [articles[slug].pk for slug in spec.get("related") or [] if slug in articles and slug != spec["slug"]]
        current = [link.target_id for link in page.related_links.all()]
        if wanted != current:
            page.related_links = [RelatedArticle(target_id=pk, sort_order=i) for i, pk in enumerate(wanted)]
            _publish(page)


def load_help_center(data: dict[str, Any], help_center: HelpCenterPage) -> dict[str, Any]:
    """Create or update the categories and articles of ``data``; returns counts for the summary."""
    categories: dict[str, CategoryPage] = {}
    created = 0
    for spec in data.get("categories", []):
        category, new = _upsert_category(help_center, spec)
        categories[spec["slug"]] = category
        created += new
        for section_spec in spec.get("sections", []):
            section, new = _upsert_category(category, section_spec)
            categories[section_spec["slug"]] = section
            created += new
    articles: dict[str, ArticlePage] = {}
    per_language: dict[str, int] = {}
    for spec in data.get("articles", []):
        parent = categories.get(spec["category"])
        if parent is None:
            logger.warning("demo article %s: unknown category %s, skipped", spec["slug"], spec["category"])
            continue
        article, new = _upsert_article(help_center, parent, spec)
        articles[spec["slug"]] = article
        created += new
        for code in spec["translations"]:
            per_language[code] = per_language.get(code, 0) + 1
    _link_related(articles, data.get("articles", []))
    return {"categories": len(categories), "articles": len(articles), "languages": per_language, "created": created}


def seed(stdout: Any) -> list[str]:
    with translation.override(settings.LANGUAGE_CODE):
        help_center = ensure_help_center()
        ensure_editorial_groups(help_center.pk)
        if not DATA_FILE.exists():
            return [f"Help center: {help_center.url} (no demo articles: {DATA_FILE.name} is missing)"]
        data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
        counts = load_help_center(data, help_center)
    languages = ", ".join(f"{code} {count}" for code, count in sorted(counts["languages"].items()))
    return [
        f"Help center: {help_center.url} with {counts['categories']} categories and sections, "
        f"{counts['articles']} articles ({languages}); {counts['created']} pages created this run",
        f"Editorial groups: {EDITORS}, {REVIEWERS}; workflow '{WORKFLOW_NAME}' on the help center",
    ]

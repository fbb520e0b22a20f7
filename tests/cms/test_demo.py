"""seed_demo's cms part: the help center root, groups, workflow, and the content file (idempotent)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from wagtail.models import GroupPagePermission, Revision, WorkflowPage

from cms import demo
from cms.models import ArticlePage, CategoryPage, HelpCenterPage

FIXTURE = Path(__file__).resolve().parent / "help_center_fixture.json"


def test_missing_content_file_creates_only_the_root(db, monkeypatch, tmp_path):
    monkeypatch.setattr(demo, "DATA_FILE", tmp_path / "absent.json")
    lines = demo.seed(None)
    help_center = HelpCenterPage.objects.get()
    assert help_center.url == "/help/" and help_center.live
    assert help_center.title_fr == "Centre d'aide"
    assert not ArticlePage.objects.exists()
    assert "missing" in lines[0]


@pytest.mark.parametrize("runs", [2])
def test_seed_loads_content_idempotently(db, monkeypatch, runs):
    monkeypatch.setattr(demo, "DATA_FILE", FIXTURE)
    first = demo.seed(None)
    revisions = Revision.objects.count()
    for _ in range(runs - 1):
        again = demo.seed(None)
    assert Revision.objects.count() == revisions  # nothing changed, nothing republished
    assert "4 articles (en 4, fr 1); 7 pages created" in first[0]
    assert "0 pages created" in again[0]
    assert CategoryPage.objects.count() == 3 and ArticlePage.objects.count() == 4

    article = ArticlePage.objects.get(slug="reset-password")
    assert article.live and article.url == "/help/account/passwords/reset-password/"
    assert article.available_languages() == ["en", "fr"]
    assert article.tag_names() == ["password", "sign-in"]
    assert [link.target.slug for link in article.related_links.all()] == ["change-plan"]
    assert str(article.last_reviewed) == "2026-10-01"
    assert ArticlePage.objects.get(slug="agent-macros").audience == "internal"
    assert [block.block_type for block in article.body_en] == ["paragraph", "steps", "callout"]


def test_seed_updates_changed_articles(db, monkeypatch, tmp_path):
    monkeypatch.setattr(demo, "DATA_FILE", FIXTURE)
    demo.seed(None)
    changed = tmp_path / "help_center.json"
    changed.write_text(
        FIXTURE.read_text(encoding="utf-8").replace("Change your plan", "Switch plans"), encoding="utf-8"
    )
    monkeypatch.setattr(demo, "DATA_FILE", changed)
    demo.seed(None)
    article = ArticlePage.objects.get(slug="change-plan")
    assert article.title_en == "Switch plans" and article.live
    assert not article.has_unpublished_changes


def test_groups_permissions_and_workflow(db, monkeypatch, tmp_path):
    monkeypatch.setattr(demo, "DATA_FILE", tmp_path / "absent.json")
    demo.seed(None)
    help_center = HelpCenterPage.objects.get()
    editors, reviewers = Group.objects.get(name="Editors"), Group.objects.get(name="Reviewers")
    editor_rights = set(
        GroupPagePermission.objects.filter(group=editors, page=help_center).values_list(
            "permission__codename", flat=True
        )
    )
    reviewer_rights = set(
        GroupPagePermission.objects.filter(group=reviewers, page=help_center).values_list(
            "permission__codename", flat=True
        )
    )
    assert {"add_page", "change_page"} <= editor_rights and "publish_page" not in editor_rights
    assert {"add_page", "change_page", "publish_page"} <= reviewer_rights
    assert editors.permissions.filter(codename="access_admin").exists()
    workflow = WorkflowPage.objects.get(page=help_center).workflow
    task = workflow.tasks.get().specific
    assert list(task.groups.all()) == [reviewers]
    demo.seed(None)
    assert Group.objects.filter(name__in=["Editors", "Reviewers"]).count() == 2


def test_editor_submits_and_reviewer_approves_through_the_workflow(db, monkeypatch, django_user_model):
    monkeypatch.setattr(demo, "DATA_FILE", FIXTURE)
    demo.seed(None)
    editor = django_user_model.objects.create_user(email="ed@example.test", password="pw-123456789")
    reviewer = django_user_model.objects.create_user(email="rev@example.test", password="pw-123456789")
    editor.groups.add(Group.objects.get(name="Editors"))
    reviewer.groups.add(Group.objects.get(name="Reviewers"))
    article = ArticlePage.objects.get(slug="reset-password")
    assert article.permissions_for_user(editor).can_edit()
    assert not article.permissions_for_user(editor).can_publish()
    assert article.permissions_for_user(reviewer).can_publish()

    article.title_en = "Reset a password you forgot"
    revision = article.save_revision(user=editor)
    workflow = article.get_workflow()
    assert workflow.name == "Help center review"
    state = workflow.start(article, editor)
    task_state = state.current_task_state
    assert task_state.revision_id == revision.pk
    assert ArticlePage.objects.get(pk=article.pk).title_en == "Reset a forgotten password"  # not live yet

    task_state.task.specific.on_action(task_state, reviewer, "approve")
    state.refresh_from_db()
    assert state.status == state.STATUS_APPROVED
    assert ArticlePage.objects.get(pk=article.pk).title_en == "Reset a password you forgot"


def test_groups_exist_after_migrate_without_seeding(db):
    reviewers = Group.objects.get(name="Reviewers")
    assert reviewers.permissions.filter(codename="access_admin").exists()
    assert Group.objects.filter(name="Editors").exists()
    assert not HelpCenterPage.objects.exists()

"""The Wagtail editor shows the translated fields, and previews render the article template."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from wagtail.admin.navigation import get_site_for_user
from wagtail.models import GroupPagePermission

from cms.models import ArticleViewCount


def test_edit_view_has_a_field_per_language(tree, admin_client):
    response = admin_client.get(f"/admin/pages/{tree.bilingual.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ["title_en", "title_fr", "title_ja", "summary_fr", "audience", "last_reviewed", "tags"]:
        assert f'name="{name}"' in html, name
    for language in ["en", "fr", "de", "ja"]:
        assert f"body_{language}-content" in html  # the StreamField editor of each language


def test_add_views_follow_the_tree_rules(tree, admin_client):
    assert admin_client.get(f"/admin/pages/add/cms/articlepage/{tree.account.pk}/").status_code == 200
    refused = admin_client.get(f"/admin/pages/add/cms/articlepage/{tree.help_center.pk}/")
    assert refused.status_code == 302 and refused["Location"] == "/admin/"  # Wagtail refuses with a message
    assert admin_client.get(f"/admin/pages/add/cms/categorypage/{tree.account.pk}/").status_code == 200


def test_preview_renders_the_article_and_is_not_counted_as_a_view(tree):
    tree.bilingual.title_en = "Draft title"
    response = tree.bilingual.make_preview_request()
    assert response.status_code == 200
    assert "Draft title" in response.content.decode()
    assert not ArticleViewCount.objects.exists()


def test_scheduled_publishing_task_publishes_due_revisions(tree):
    import datetime as dt

    from django.utils import timezone

    from cms.tasks import publish_scheduled

    article = tree.english_only
    article.title_en = "Two-factor sign-in, revised"
    article.save_revision(approved_go_live_at=timezone.now() - dt.timedelta(minutes=1))
    article.refresh_from_db()
    assert article.title_en == "Turn on two-factor sign-in"
    publish_scheduled.apply()
    article.refresh_from_db()
    assert article.title_en == "Two-factor sign-in, revised"


def test_editors_and_administrators_see_the_same_admin_title(tree, django_user_model, client):
    """Wagtail names the admin after the site holding a user's pages (its host name when the site
    has no name): an editor of the help center and an administrator both see "Answerfirst"."""
    writers = Group.objects.create(name="Help center writers")
    writers.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=writers, page=tree.help_center, permission=Permission.objects.get(codename="change_page")
    )
    editor = django_user_model.objects.create_user("title-editor@content.test", "pw")
    editor.groups.add(writers)
    administrator = django_user_model.objects.create_superuser("title-admin@content.test", "pw")
    assert get_site_for_user(editor)["root_site"] is not None  # named after the site, not the setting
    assert {get_site_for_user(user)["site_name"] for user in (editor, administrator)} == {"Answerfirst"}
    client.force_login(editor)
    assert "localhost" not in client.get("/admin/").content.decode()

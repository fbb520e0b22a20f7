"""What other apps ask of cms: the categories an editor may add to, and a new article draft."""

from __future__ import annotations

from wagtail.models import Revision

from cms.demo import EDITORS, ensure_editorial_groups
from cms.models import ArticlePage, HelpCenterPage
from cms.selectors import categories_open_to
from cms.services import article_draft_create


def test_categories_open_to_follow_wagtail_page_permissions(tree, customer, django_user_model):
    ensure_editorial_groups(HelpCenterPage.objects.values_list("pk", flat=True).first())
    editor = django_user_model.objects.create_user(email="editor@example.com", password="x", is_staff=True)
    editor.groups.add(editor.groups.model.objects.get(name=EDITORS))
    categories = categories_open_to(editor)
    assert {tree.account, tree.passwords, tree.billing} <= set(categories)
    assert [page.path for page in categories] == sorted(page.path for page in categories)
    assert categories_open_to(customer) == []


def test_a_draft_is_unpublished_written_in_its_language_with_a_revision(tree, agent):
    body = [{"type": "paragraph", "value": "<p>Ouvrez les réglages.</p>", "id": "b1"}]
    page = article_draft_create(
        category=tree.account, author=agent, language="fr", title="Changer d'e-mail", summary="Résumé", body=body
    )
    stored = ArticlePage.objects.get(pk=page.pk)
    assert not stored.live
    assert stored.get_parent().pk == tree.account.pk
    assert (stored.title_fr, stored.summary_fr) == ("Changer d'e-mail", "Résumé")
    assert stored.slug.startswith("changer-de-mail-")
    assert "fr" in stored.available_languages()
    assert Revision.page_revisions.filter(object_id=str(page.pk), user=agent).count() == 1


def test_a_title_without_letters_gets_a_draft_slug(tree, agent):
    page = article_draft_create(category=tree.account, author=agent, language="en", title="!!!", summary="", body=[])
    assert page.slug.startswith("draft-")

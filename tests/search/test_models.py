"""Synonyms are a Wagtail snippet editors manage; the dirty queue is keyed by page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from search.models import Synonym


def test_synonym_needs_two_terms() -> None:
    with pytest.raises(ValidationError):
        Synonym(language="en", terms="reset").clean()
    Synonym(language="en", terms="reset, restore , recover").clean()
    assert Synonym(language="en", terms="reset, restore , recover,").term_list() == ["reset", "restore", "recover"]


@pytest.mark.django_db
def test_editors_manage_synonyms_in_the_wagtail_admin(client: Client, django_user_model: Any) -> None:
    admin = django_user_model.objects.create_superuser(email="admin@example.test", password="pw-123456789")
    client.force_login(admin)
    response = client.post(
        "/admin/snippets/search/synonym/add/", {"language": "fr", "terms": "résilier, annuler, arrêter"}
    )
    assert response.status_code == 302
    assert Synonym.objects.get().term_list() == ["résilier", "annuler", "arrêter"]
    assert client.get("/admin/snippets/search/synonym/").status_code == 200
    refused = client.post("/admin/snippets/search/synonym/add/", {"language": "fr", "terms": "seul"})
    assert refused.status_code == 200
    assert Synonym.objects.count() == 1

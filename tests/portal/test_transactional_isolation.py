"""Migrated data survives transactional tests (they flush the database when they end)."""

import pytest

from accounts.models import Plan


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_the_migrated_plans() -> None:
    assert Plan.objects.filter(code="pro").exists()
    Plan.objects.all().delete()


@pytest.mark.django_db
def test_the_next_test_still_has_them() -> None:
    assert set(Plan.objects.values_list("code", flat=True)) >= {"free", "trial", "pro", "business", "enterprise"}


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_sees_wagtails_default_site() -> None:
    from wagtail.models import Site

    assert Site.objects.filter(is_default_site=True).exists()


@pytest.mark.django_db(transaction=True)
def test_a_later_transactional_test_still_sees_it() -> None:
    from wagtail.models import Site

    assert Site.objects.filter(is_default_site=True).exists()

"""The accounts admin pages load, and a plan changed there is recorded."""

from __future__ import annotations

import pytest

from accounts.models import Organization, Plan, PlanChange
from tests.accounts.factories import member

pytestmark = pytest.mark.django_db


def test_admin_pages_load(admin_client) -> None:
    user = member("pro", "owner")
    organization = user.memberships.get().organization
    for url in (
        "/django-admin/accounts/user/",
        f"/django-admin/accounts/user/{user.pk}/change/",
        "/django-admin/accounts/organization/",
        f"/django-admin/accounts/organization/{organization.pk}/change/",
        "/django-admin/accounts/plan/",
        "/django-admin/accounts/membership/",
        "/django-admin/accounts/routehours/",
        "/django-admin/accounts/accountimport/add/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_plan_change_in_admin_is_recorded(admin_client) -> None:
    organization = member("pro", "owner").memberships.get().organization
    business = Plan.objects.get(code="business")
    response = admin_client.post(
        f"/django-admin/accounts/organization/{organization.pk}/change/",
        {
            "name": organization.name,
            "external_id": organization.external_id,
            "plan": business.pk,
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "plan_changes-TOTAL_FORMS": "0",
            "plan_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Organization.objects.get(pk=organization.pk).plan == business
    change = PlanChange.objects.get(organization=organization)
    assert (change.old_plan.code, change.new_plan.code, change.source) == ("pro", "business", "admin")


def test_gov_hours_row_is_validated_in_admin(admin_client) -> None:
    from accounts.models import RouteHours

    row = RouteHours.objects.get(route="gov")
    response = admin_client.post(
        f"/django-admin/accounts/routehours/{row.pk}/change/",
        {
            "route": "gov",
            "active": "on",
            "time_zone": "Pacific/Nowhere",
            "opens_at": "06:00",
            "closes_at": "18:00",
            "weekdays": "0,1,2,3,4",
            "holiday_country": "US",
        },
    )
    assert response.status_code == 200
    assert "Unknown time zone." in response.content.decode()
    row.refresh_from_db()
    assert row.time_zone == "America/Los_Angeles"

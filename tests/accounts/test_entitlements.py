"""The whole eligibility matrix: plan x role x Gov, plus anonymous and multi-organization users."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.entitlements import entitlement_for
from accounts.models import Plan, Role
from tests.accounts.factories import UserFactory, member

PLANS = ["free", "trial", "pro", "business", "enterprise"]
ROLES = [role.value for role in Role]
FILING_PLANS = {"trial", "pro", "business", "enterprise"}
BILLING_ROLES = {"owner", "admin"}


def expected(plan: str, role: str, gov: bool) -> tuple[bool, str, list[str]]:
    routes: list[str] = []
    if plan in FILING_PLANS:
        routes.append("gov" if gov else "standard")
    if role in BILLING_ROLES:
        routes.append("billing")
    if plan in FILING_PLANS:
        reason = "gov" if gov else "paid_plan"
    elif role in BILLING_ROLES:
        reason = "billing_only"
    else:
        reason = "free_plan"
    return bool(routes), reason, routes


@pytest.mark.django_db
@pytest.mark.parametrize("gov", [False, True], ids=["commercial", "gov"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("plan", PLANS)
def test_matrix(plan: str, role: str, gov: bool) -> None:
    user = member(plan, role, gov=gov)
    can_file, reason, routes = expected(plan, role, gov)

    entitlement = entitlement_for(user)

    assert (entitlement.can_file, entitlement.reason, entitlement.route_codes) == (can_file, reason, routes)
    assert entitlement.organization == user.memberships.get().organization
    assert entitlement.message
    gov_route = entitlement.route("gov")
    if gov_route:
        assert gov_route.hours is not None
        assert gov_route.hours.time_zone == "America/Los_Angeles"
    for code in ("standard", "billing"):
        route = entitlement.route(code)
        if route:
            assert route.hours is None  # always taking requests unless configured


@pytest.mark.django_db
def test_anonymous_is_asked_to_sign_in() -> None:
    for visitor in (None, AnonymousUser()):
        entitlement = entitlement_for(visitor)
        assert not entitlement.can_file
        assert entitlement.reason == "anonymous"
        assert entitlement.routes == []
        assert "sign in" in entitlement.message.lower()


@pytest.mark.django_db
def test_free_editors_and_viewers_get_the_community_link(settings) -> None:
    settings.COMMUNITY_URL = "https://community.example.org/"
    for role in ("editor", "viewer"):
        entitlement = entitlement_for(member("free", role))
        assert not entitlement.can_file
        assert entitlement.community_url == "https://community.example.org/"
        assert "community" in entitlement.message


@pytest.mark.django_db
def test_user_without_organization_cannot_file() -> None:
    entitlement = entitlement_for(UserFactory())
    assert (entitlement.can_file, entitlement.reason, entitlement.organization) == (False, "no_organization", None)


@pytest.mark.django_db
def test_one_paid_organization_is_enough() -> None:
    user = member("free", "viewer")
    member("business", "unlicensed", user=user)
    entitlement = entitlement_for(user)
    assert entitlement.can_file
    assert entitlement.reason == "paid_plan"
    assert entitlement.organization.plan.code == "business"
    assert entitlement.route_codes == ["standard"]
    assert entitlement.can_set_priority  # business plan flag


@pytest.mark.django_db
def test_gov_and_commercial_member_gets_both_routes_each_with_its_organization() -> None:
    user = member("enterprise", "licensed", gov=True)
    member("pro", "owner", user=user)
    entitlement = entitlement_for(user)
    assert entitlement.reason == "gov"
    assert entitlement.route_codes == ["gov", "standard", "billing"]
    gov_org = user.memberships.get(organization__is_government=True).organization
    pro_org = user.memberships.get(organization__is_government=False).organization
    assert entitlement.route("gov").organization_id == gov_org.pk
    assert entitlement.route("standard").organization_id == pro_org.pk
    assert entitlement.route("billing").organization_id == pro_org.pk


@pytest.mark.django_db
def test_plan_flags_are_data() -> None:
    Plan.objects.filter(code="free").update(can_file_tickets=True)
    assert entitlement_for(member("free", "viewer")).can_file
    assert not entitlement_for(member("pro", "viewer")).can_set_priority

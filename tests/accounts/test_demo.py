"""seed_demo's accounts part: every plan, Gov, every role, staff groups; idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Group

from accounts import demo
from accounts.entitlements import entitlement_for
from accounts.models import Membership, Organization, Role, User
from accounts.selectors import is_gov_cleared

pytestmark = pytest.mark.django_db


def test_seed_covers_every_plan_role_and_staff(settings) -> None:
    lines = demo.seed(StringIO())
    plans = set(Organization.objects.values_list("plan__code", flat=True))
    assert plans == {"free", "trial", "pro", "business", "enterprise"}
    assert Organization.objects.filter(is_government=True).exists()
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    for user in User.objects.filter(memberships__isnull=False):
        assert any(user.email in line and settings.DEMO_PASSWORD in line for line in lines)
        assert user.check_password(settings.DEMO_PASSWORD)
    gov_agent = User.objects.get(email="gov.agent@answerfirst.localhost")
    assert is_gov_cleared(gov_agent)
    assert not is_gov_cleared(User.objects.get(email="agent@answerfirst.localhost"))
    assert Group.objects.filter(name="Editors", user__email="editor@answerfirst.localhost").exists()
    assert Group.objects.filter(name="Reviewers", user__email="reviewer@answerfirst.localhost").exists()
    assert not entitlement_for(User.objects.get(email="free.viewer@answerfirst.localhost")).can_file
    assert entitlement_for(User.objects.get(email="gov.licensed@answerfirst.localhost")).reason == "gov"

    counts = (User.objects.count(), Organization.objects.count(), Membership.objects.count())
    assert demo.seed(StringIO()) == lines
    assert (User.objects.count(), Organization.objects.count(), Membership.objects.count()) == counts

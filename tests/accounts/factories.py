"""factory_boy factories for accounts (plans come from the data migration)."""

from __future__ import annotations

import factory

from accounts.models import Membership, Organization, Plan, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    password = factory.django.Password("correct horse battery")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    external_id = factory.Sequence(lambda n: f"org-{n}")
    plan = factory.LazyFunction(lambda: Plan.objects.get(code="pro"))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = "licensed"


def member(plan: str, role: str, *, gov: bool = False, user: User | None = None) -> User:
    """A user with one membership of ``role`` in a new organization on ``plan``."""
    organization = OrganizationFactory(plan=Plan.objects.get(code=plan), is_government=gov)
    membership = MembershipFactory(organization=organization, role=role, **({"user": user} if user else {}))
    return membership.user

"""Who may file a ticket, and through which routes: the one place that decides it.

Rules (from the product's support policy):

- members of an organization on a plan with ``can_file_tickets`` (trial, pro, business,
  enterprise) may file technical tickets, whatever their role, licensed or not;
- members whose organizations are all on the free plan may not; they get an explanation and
  the community link (``settings.COMMUNITY_URL``);
- owners and admins of any organization, free included, reach the billing route for billing
  and licensing questions;
- members of a Gov organization on a filing plan file through the Gov route (staffed hours,
  see ``accounts.hours``) instead of the standard one: the plan decides *whether* someone may
  file, the Gov flag decides *where*;
- anonymous visitors are asked to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext

from accounts.hours import SupportHours, parse_weekdays
from accounts.models import BILLING_ROLES, Membership, Organization, RouteCode, RouteHours


@dataclass(frozen=True)
class SupportRoute:
    code: str  # "standard" | "billing" | "gov"
    label: str
    hours: SupportHours | None  # None: requests are taken at any time
    organization_id: int | None = None  # the organization a ticket on this route belongs to


@dataclass(frozen=True)
class Entitlement:
    can_file: bool
    reason: str  # "paid_plan" | "gov" | "billing_only" | "free_plan" | "no_organization" | "anonymous"
    message: str
    routes: list[SupportRoute] = field(default_factory=list)
    community_url: str = ""
    organization: Organization | None = None

    def route(self, code: str) -> SupportRoute | None:
        return next((route for route in self.routes if route.code == code), None)

    @property
    def route_codes(self) -> list[str]:
        return [route.code for route in self.routes]

    @property
    def can_set_priority(self) -> bool:
        return bool(self.organization and self.organization.plan.can_set_priority)


def route_hours() -> dict[str, SupportHours]:
    """Staffed hours per route code, from the admin-editable ``RouteHours`` rows."""
    hours = {}
    for row in RouteHours.objects.filter(active=True):
        hours[row.route] = SupportHours(
            time_zone=row.time_zone,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            weekdays=parse_weekdays(row.weekdays),
            holiday_country=row.holiday_country,
            holiday_subdivision=row.holiday_subdivision,
        )
    return hours


def _route(code: RouteCode, hours: dict[str, SupportHours], organization: Organization) -> SupportRoute:
    return SupportRoute(
        code=code.value, label=str(code.label), hours=hours.get(code.value), organization_id=organization.pk
    )


def entitlement_for(user: object | None) -> Entitlement:
    """Whether ``user`` may file a ticket now, why, and the routes open to them."""
    community = settings.COMMUNITY_URL
    if user is None or not getattr(user, "is_authenticated", False):
        return Entitlement(
            can_file=False,
            reason="anonymous",
            message=gettext("Please sign in to submit a request."),
            community_url=community,
        )
    memberships: list[Membership] = list(
        Membership.objects.filter(user=user).select_related("organization__plan").order_by("organization_id")
    )
    filing = [m for m in memberships if m.organization.plan.can_file_tickets]
    billing = [m for m in memberships if m.role in BILLING_ROLES]
    # Gov first: a person in both kinds of organization is routed where the stricter rules apply.
    gov_filing = [m for m in filing if m.organization.is_government]
    standard_filing = [m for m in filing if not m.organization.is_government]

    hours = route_hours()
    routes: list[SupportRoute] = []
    if gov_filing:
        routes.append(_route(RouteCode.GOV, hours, gov_filing[0].organization))
    if standard_filing:
        routes.append(_route(RouteCode.STANDARD, hours, standard_filing[0].organization))
    if billing:
        billing_member = next((m for m in billing if m in filing), billing[0])
        routes.append(_route(RouteCode.BILLING, hours, billing_member.organization))

    if gov_filing:
        reason, organization = "gov", gov_filing[0].organization
        message = gettext("Public-sector (Gov) support handles your requests during its support hours.")
    elif standard_filing:
        reason, organization = "paid_plan", standard_filing[0].organization
        message = gettext("Your plan includes technical support: describe your question and we will help.")
    elif billing:
        reason, organization = "billing_only", billing[0].organization
        message = gettext(
            "Your plan does not include technical support tickets; the community can help with those. "
            "Billing and licensing questions can still be sent to our billing team."
        )
    elif memberships:
        reason, organization = "free_plan", memberships[0].organization
        message = gettext(
            "Free accounts cannot submit technical support requests. Ask the community: "
            "other customers and our experts answer there."
        )
    else:
        reason, organization = "no_organization", None
        message = gettext(
            "Your sign-in is not linked to a customer account, so you cannot submit requests. "
            "Ask your account's owner to add you, or ask the community."
        )
    return Entitlement(
        can_file=bool(routes),
        reason=reason,
        message=message,
        routes=routes,
        community_url=community,
        organization=organization,
    )

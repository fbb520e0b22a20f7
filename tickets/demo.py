"""Demo queues and a few demo tickets for ``seed_demo`` (idempotent: matched by queue code and subject)."""

from __future__ import annotations

from typing import TextIO

from django.db import transaction

from accounts.models import RouteHours, User
from tickets import services
from tickets.lifecycle import Actor
from tickets.models import Queue, Route, Status, Ticket

DOMAIN = "answerfirst.localhost"

# code, name, route, time zone, hours, holiday country, first response h, resolution h
QUEUES = [
    ("standard", "Technical support", Route.STANDARD, "Europe/Paris", ("09:00", "18:00"), "FR", 8, 40),
    ("billing", "Billing and licensing", Route.BILLING, "Europe/Paris", ("09:00", "17:00"), "FR", 16, 40),
    ("gov", "Public sector (Gov)", Route.GOV, "America/Los_Angeles", ("06:00", "18:00"), "US", 4, 24),
]

# requester local part, subject, description, product area, final status, agent reply
TICKETS = [
    (
        "pro.licensed",
        "CSV export stops halfway",
        "When I export the projects list to CSV, the download stops at about 50%.\n"
        "I tried Chrome and Firefox. Is there a size limit?",
        "usage",
        Status.OPEN,
        "Thanks for the details. Exports over 50,000 rows are split into several files; "
        "could you check whether a second file was created?",
    ),
    (
        "pro.admin",
        "Facture de mars en double",
        "Nous avons reçu deux factures pour le mois de mars avec le même montant. Pouvez-vous vérifier ?",
        "billing",
        Status.PENDING,
        "Bonjour, nous avons bien trouvé le doublon. Pouvez-vous nous confirmer le numéro de commande ?",
    ),
    (
        "business.licensed",
        "Single sign-on redirects in a loop",
        "After enabling SSO, signing in sends me back to the sign-in page again and again.",
        "account",
        Status.SOLVED,
        "The identity provider's callback URL had a trailing slash; removing it fixes the loop.",
    ),
    (
        "gov.owner",
        "Audit log retention for our agency",
        "Our records policy requires seven years of audit logs. What does the Gov plan keep?",
        "other",
        Status.NEW,
        "",
    ),
]


def _queues() -> dict[str, Queue]:
    gov_hours = RouteHours.objects.filter(route=Route.GOV, active=True).first()
    queues = {}
    for code, name, route, zone, (opens, closes), country, first, resolution in QUEUES:
        if code == "gov" and gov_hours is not None:  # the Gov queue works the route's published hours
            zone, country = gov_hours.time_zone, gov_hours.holiday_country
            opens, closes = gov_hours.opens_at.strftime("%H:%M"), gov_hours.closes_at.strftime("%H:%M")
            days = [int(day) for day in gov_hours.weekdays.split(",") if day.strip()]
        else:
            days = list(range(5))
        queues[code], _created = Queue.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "route": route,
                "product_area": "",
                "time_zone": zone,
                "business_hours": {str(day): [opens, closes] for day in days},
                "holiday_country": country,
                "first_response_hours": first,
                "resolution_hours": resolution,
            },
        )
    return queues


def seed(stdout: TextIO) -> list[str]:
    """Queues with the demo agents, and a handful of tickets in different states."""
    queues = _queues()
    agent = User.objects.filter(email=f"agent@{DOMAIN}").first()
    gov_agent = User.objects.filter(email=f"gov.agent@{DOMAIN}").first()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    for staff in (agent, gov_agent, admin):
        if staff is not None:
            queues["standard"].agents.add(staff)
            queues["billing"].agents.add(staff)
    if gov_agent is not None:
        queues["gov"].agents.add(gov_agent)

    created = 0
    for local, subject, description, area, final, reply in TICKETS:
        requester = User.objects.filter(email=f"{local}@{DOMAIN}").first()
        if requester is None or Ticket.objects.filter(requester=requester, subject=subject).exists():
            continue
        with transaction.atomic():
            route = Route.BILLING if area == "billing" else ""
            ticket = services.ticket_create(
                requester=requester, subject=subject, description=description, route=route, product_area=area
            )
        # The demo has no worker guarantee at seed time: process now (idempotent if a worker also does).
        services.new_ticket_process(ticket_id=ticket.pk)
        ticket.refresh_from_db()
        responder = gov_agent if ticket.is_gov else agent
        if reply and responder is not None:
            services.comment_add(ticket=ticket, author=responder, body=reply)
        if final in {Status.PENDING, Status.SOLVED} and responder is not None:
            services.ticket_transition(ticket=ticket, target=final, actor_user=responder, actor=Actor.AGENT)
        created += 1
    return [f"Tickets: {Ticket.objects.count()} demo requests ({created} new); queues: {', '.join(queues)}"]

"""Demo agents on the default queues and a few demo tickets for ``seed_demo`` (idempotent: tickets
are matched by requester and subject)."""

from __future__ import annotations

from typing import TextIO

from django.db import transaction

from accounts.models import User
from tickets import services
from tickets.lifecycle import Actor
from tickets.models import Queue, Route, Status, Ticket

DOMAIN = "answerfirst.localhost"

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


def seed(stdout: TextIO) -> list[str]:
    """The default queues (tickets 0002) staffed by the demo agents, and a handful of tickets in different states."""
    queues = {queue.route: queue for queue in Queue.objects.filter(product_area="")}
    agent = User.objects.filter(email=f"agent@{DOMAIN}").first()
    gov_agent = User.objects.filter(email=f"gov.agent@{DOMAIN}").first()
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    for staff in (agent, gov_agent, admin):
        if staff is not None:
            queues[Route.STANDARD].agents.add(staff)
            queues[Route.BILLING].agents.add(staff)
    if gov_agent is not None:
        queues[Route.GOV].agents.add(gov_agent)

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
    names = ", ".join(queue.code for queue in queues.values())
    return [f"Tickets: {Ticket.objects.count()} demo requests ({created} new); queues: {names}"]

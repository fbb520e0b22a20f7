"""Agent queue benchmark: render the /agent/ list views over 10,000 tickets on SQLite.

Builds a fresh SQLite database (its own VAR_DIR), fills it with tickets, comments and SLA marks
through bulk inserts, then renders each queue view through Django's test client as an agent who
sees every ticket (superuser, Gov cleared), and reports the median and worst render time and the
number of queries of each view. Prints JSON as its last output; never part of the test suite.

    python -m bench.agent_queue [--tickets 10000] [--runs 7] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

VIEWS = {
    "active (default)": "/agent/",
    "mine": "/agent/?view=mine",
    "unassigned by priority": "/agent/?view=unassigned&sort=priority",
    "breaching soon by due": "/agent/?view=breaching&sort=due",
    "one queue, status new": "/agent/?view=active&queue=standard&status=new",
    "search (subject, text, comments)": "/agent/?view=all&q=invoice",
    "all, page 100": "/agent/?view=all&page=100",
}
SUBJECTS = [
    "Cannot sign in after password reset",
    "Invoice shows the wrong VAT number",
    "Export to CSV fails with error 500",
    "Webhook retries never stop",
    "How do I add a viewer to a sheet",
    "Notifications arrive twice",
]


def _setup(var_dir: Path) -> None:
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ.setdefault("ANSWERFIRST_TEST_RUN", "bench-agent-queue")
    # Served as in production: no test instrumentation of template rendering, so the test
    # client's host must be allowed explicitly.
    os.environ["ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _fill(count: int) -> object:
    """Queues, organizations, customers, one all-seeing agent, tickets, comments and SLA marks."""
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.models import Organization, Plan, User
    from tickets.agents.models import SlaMark
    from tickets.conf import GOV_CLEARED_GROUP
    from tickets.models import Comment, Priority, Queue, Route, Status, Ticket

    rng = random.Random(42)
    plan, _created = Plan.objects.get_or_create(
        code="pro", defaults={"name": "Pro", "is_paid": True, "can_file_tickets": True}
    )
    queues = [Queue.objects.get(route=route, product_area="") for route in Route]  # tickets' migration 0002
    organizations = Organization.objects.bulk_create(
        [Organization(name=f"Org {i}", plan=plan, is_government=i % 10 == 0) for i in range(50)]
    )
    customers = User.objects.bulk_create(
        [User(email=f"customer{i}@example.test", first_name=f"C{i}", password="!") for i in range(500)]
    )
    agents = User.objects.bulk_create(
        [User(email=f"agent{i}@support.test", first_name=f"A{i}", password="!", is_staff=True) for i in range(20)]
    )
    boss = User.objects.create_superuser("bench-agent@support.test", "pw")
    boss.groups.add(Group.objects.get_or_create(name=GOV_CLEARED_GROUP)[0])
    for queue in queues:
        queue.agents.add(boss, *agents)

    now = timezone.now()
    statuses = [Status.NEW, Status.OPEN, Status.OPEN, Status.PENDING, Status.SOLVED, Status.CLOSED]
    tickets = []
    for index in range(count):
        queue = queues[index % 3]
        created = now - dt.timedelta(minutes=rng.randint(10, 60 * 24 * 60))
        tickets.append(
            Ticket(
                number=1001 + index,
                requester=customers[index % len(customers)],
                organization=organizations[index % len(organizations)],
                route=queue.route,
                queue=queue,
                subject=f"{rng.choice(SUBJECTS)} ({index})",
                description="The customer describes the problem in a few sentences. " * 4,
                status=rng.choice(statuses),
                priority=rng.choice(Priority.values),
                assignee=rng.choice([None, None, boss, *agents[:5]]),
                language=rng.choice(["en", "fr", "de"]),
                first_response_due_at=created + dt.timedelta(hours=rng.randint(1, 72)),
                resolution_due_at=created + dt.timedelta(hours=rng.randint(40, 400)),
                triaged_at=created,
            )
        )
    Ticket.objects.bulk_create(tickets, batch_size=1000)
    ids = list(Ticket.objects.values_list("pk", "requester_id"))
    Comment.objects.bulk_create(
        [
            Comment(
                ticket_id=pk, author_id=requester if n == 0 else boss.pk, body=f"Message {n} about the invoice {pk}"
            )
            for pk, requester in ids
            for n in range(2)
        ],
        batch_size=2000,
    )
    SlaMark.objects.bulk_create(
        [SlaMark(ticket_id=pk, breached=pk % 8 == 0) for pk, _requester in ids if pk % 4 == 0], batch_size=2000
    )
    return boss


def _measure(client: object, user: object, path: str, runs: int) -> dict[str, object]:
    from django.db import connection
    from django.http import QueryDict

    from tickets.agents.selectors import QueueFilters, queue_page

    response = client.get(path)  # warm-up: templates compiled, caches filled
    assert response.status_code == 200, (path, response.status_code)
    executed: list[str] = []

    def counting(execute: object, sql: str, params: object, many: bool, context: dict) -> object:
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        client.get(path)
    params = QueryDict(path.partition("?")[2])
    page = queue_page(
        user,
        QueueFilters(**{k: params[k] for k in ("view", "queue", "status", "q", "sort") if k in params}),
        page=params.get("page", 1),
    )
    samples, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return {
        "path": path,
        "tickets_in_view": page.paginator.count,
        "rows_rendered": len(page.object_list),
        "queries": len(executed),
        "median_ms": round(statistics.median(samples) * 1000, 1),
        "max_ms": round(max(samples) * 1000, 1),
        # CPU time of this process (Python and SQLite run in it): less sensitive to a busy machine.
        "median_cpu_ms": round(statistics.median(cpu) * 1000, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", help="build the database in this folder and leave it there")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="af-bench-agent-") as temporary:
        var_dir = Path(args.keep or temporary)
        var_dir.mkdir(parents=True, exist_ok=True)
        (var_dir / "bench.sqlite3").unlink(missing_ok=True)
        _setup(var_dir)
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False, stdout=io.StringIO())
        migrate_s = time.perf_counter() - started
        started = time.perf_counter()
        boss = _fill(args.tickets)
        fill_s = time.perf_counter() - started
        client = Client()
        client.force_login(boss)
        results = {name: _measure(client, boss, path, args.runs) for name, path in VIEWS.items()}
        connection.close()

    slowest = max(result["median_ms"] for result in results.values())
    slowest_cpu = max(result["median_cpu_ms"] for result in results.values())
    print(
        json.dumps(
            {
                "benchmark": "agent_queue",
                "database": "sqlite",
                "tickets": args.tickets,
                "comments": args.tickets * 2,
                "page_size": 50,
                "runs_per_view": args.runs,
                "setup_seconds": {"migrate": round(migrate_s, 1), "fill": round(fill_s, 1)},
                "views": results,
                "slowest_median_ms": slowest,
                "slowest_median_cpu_ms": slowest_cpu,
                "load_average_1m": round(os.getloadavg()[0], 2),
                "cpus": os.cpu_count(),
                "under_one_second": slowest < 1000,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

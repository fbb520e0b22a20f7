"""Load benchmark: suggestions and ticket creation against gunicorn on loopback.

Starts a fresh product (its own VAR_DIR, SQLite, filesystem broker) with gunicorn and a Celery
worker, fires a fixed number of requests at fixed concurrency from a thread pool, reports
throughput and p50/p95/p99 latency, then waits for the worker and checks that every accepted
ticket got its acknowledgement: ``lost`` must be 0. Prints JSON; never part of the test suite.

    python -m bench.load [--requests 300] [--concurrency 8] [--tickets 100]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DRAFTS = [
    ("I forgot my password", "The reset email never arrives, I checked spam."),
    (
        "Facture en double",
        "J'ai été facturé deux fois pour mon abonnement ce mois-ci, comment obtenir un remboursement ?",
    ),
    ("How do I share a sheet with a viewer", "My colleague only needs to read it, not edit."),
    ("notifications", "Too many emails every day, how do I turn them off or get a digest instead?"),
    ("Changer la langue", "Je voudrais le portail en français et mon fuseau horaire à Paris."),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _percentiles(samples: list[float]) -> dict[str, float]:
    if not samples:
        return {"p50_ms": 0.0, "p95_ms": 0.0, "p99_ms": 0.0}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49] * 1000, 1),
        "p95_ms": round(cuts[94] * 1000, 1),
        "p99_ms": round(cuts[98] * 1000, 1),
    }


def _post(port: int, path: str, body: dict, headers: dict[str, str]) -> tuple[int, float, bytes]:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, json.dumps(body), {"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        payload = response.read()
        return response.status, time.perf_counter() - started, payload
    finally:
        connection.close()


def _csrf_headers(port: int) -> dict[str, str]:
    """An anonymous visitor's CSRF cookie and header, as the New request page hands them out."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/requests/new")
        response = connection.getresponse()
        response.read()
        cookie = response.getheader("Set-Cookie", "")
    finally:
        connection.close()
    token = cookie.split("csrftoken=", 1)[1].split(";", 1)[0]
    return {"Cookie": f"csrftoken={token}", "X-CSRFToken": token}


def _run_phase(port: int, jobs: list[tuple[str, dict, dict]], concurrency: int) -> tuple[dict, list[bytes]]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda job: _post(port, *job), jobs))
    elapsed = time.perf_counter() - started
    statuses: dict[str, int] = {}
    for status, _seconds, _payload in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    latencies = [seconds for _status, seconds, _payload in results]
    figures = {
        "requests": len(jobs),
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "throughput_rps": round(len(jobs) / elapsed, 1),
        "statuses": statuses,
        **_percentiles(latencies),
    }
    accepted = [payload for status, _seconds, payload in results if status == 201]
    return figures, accepted


def _wait_until_up(port: int, deadline: float) -> None:
    while time.time() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300, help="suggestion requests")
    parser.add_argument("--tickets", type=int, default=100, help="ticket creations")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--wait", type=int, default=180, help="seconds to wait for the worker")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="answerfirst-load-"))
    env = {
        **os.environ,
        "VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
        "DEBUG": "false",
        "RATELIMIT_ENABLE": "false",  # measure the work, not the limiter
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    for key in ("DATABASE_URL", "CELERY_BROKER_URL", "ELASTICSEARCH_URL"):
        env.pop(key, None)
    os.environ.update(env)
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True)

    import django

    django.setup()
    from rest_framework.authtoken.models import Token

    from accounts.models import Membership, Organization, Plan, User
    from tickets.mail.models import OutboundMessage
    from tickets.models import Ticket

    organization = Organization.objects.create(name="Load test Inc.", plan=Plan.objects.get(code="pro"))
    tokens = []
    for number in range(args.concurrency):
        user = User.objects.create_user(f"load{number}@example.com", "load-password")
        Membership.objects.create(user=user, organization=organization, role="licensed")
        tokens.append(Token.objects.create(user=user).key)

    port = _free_port()
    bin_dir = Path(python).parent
    web = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "portal.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2", "--threads", "4"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    worker = subprocess.Popen(
        [str(bin_dir / "celery"), "-A", "portal", "worker", "--pool", "threads", "-c", "4", "-l", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(port, time.time() + 60)
        csrf = _csrf_headers(port)
        suggest_jobs = [
            ("/api/deflection/suggest", {"subject": s, "description": d, "language": "fr" if "é" in d else "en"}, csrf)
            for s, d in (DRAFTS[i % len(DRAFTS)] for i in range(args.requests))
        ]
        suggest, _ = _run_phase(port, suggest_jobs, args.concurrency)
        ticket_jobs = [
            (
                "/api/tickets/",
                {"subject": f"Load ticket {i}", "description": DRAFTS[i % len(DRAFTS)][1]},
                {"Authorization": f"Token {tokens[i % len(tokens)]}"},
            )
            for i in range(args.tickets)
        ]
        create, accepted = _run_phase(port, ticket_jobs, args.concurrency)
        numbers = {json.loads(payload)["number"] for payload in accepted}

        deadline = time.time() + args.wait
        acknowledged = 0
        while time.time() < deadline:
            acknowledged = OutboundMessage.objects.filter(
                kind=OutboundMessage.Kind.ACKNOWLEDGEMENT,
                status=OutboundMessage.Status.SENT,
                ticket__number__in=numbers,
            ).count()
            if acknowledged >= len(numbers):
                break
            time.sleep(1)
        stored = Ticket.objects.filter(number__in=numbers).count()
        report = {
            "benchmark": "load",
            "backend": "sqlite + filesystem broker",
            "suggest": suggest,
            "ticket_create": create,
            "tickets_accepted": len(numbers),
            "tickets_stored": stored,
            "tickets_acknowledged": acknowledged,
            "lost": len(numbers) - min(stored, acknowledged),
        }
        print(json.dumps(report, indent=2))
    finally:
        for process in (web, worker):
            process.terminate()
        for process in (web, worker):
            process.wait(timeout=30)


if __name__ == "__main__":
    main()

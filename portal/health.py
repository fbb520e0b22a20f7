"""``/healthz``: one JSON answer on whether the database, the broker and search respond."""

import logging

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.celery import app as celery_app
from search.health import engine_health

logger = logging.getLogger(__name__)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.vendor


def _broker() -> str:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
        conn.default_channel.queue_declare(queue="healthz", passive=False, auto_delete=True)
        return conn.transport.driver_type


CHECKS = {"database": _database, "broker": _broker, "search": engine_health}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    report: dict[str, dict[str, str]] = {}
    failed = []
    for name, check in CHECKS.items():
        try:
            result = check()
            report[name] = {"status": "ok", **(result if isinstance(result, dict) else {"engine": result})}
        except Exception as error:  # any failure is reported, none escapes as a 500
            logger.warning("healthz: %s failed: %s", name, error)
            report[name] = {"status": "error", "error": str(error) or error.__class__.__name__}
            failed.append(name)
    body = {"status": "error" if failed else "ok", "failed": failed, "checks": report}
    return JsonResponse(body, status=503 if failed else 200)

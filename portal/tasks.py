"""Tasks that belong to the platform itself rather than to one app."""

from celery import shared_task


@shared_task(name="portal.ping", ignore_result=False)  # its result is the proof
def ping(payload: str = "pong") -> str:
    """Echo ``payload``: lets health checks and tests prove a worker really consumes the queue."""
    return payload

"""The optional IMAP poller: fetch unread messages from ``IMAP_URL`` and ingest each one.

A message is flagged \\Seen only after ``email_ingest`` stored it, so a crash or a database
outage leaves it unread for the next poll (and the Message-ID check absorbs a repeat).
``IMAP_URL`` looks like ``imaps://user:password@imap.example.com:993/INBOX``; ``imap://`` is plain
IMAP, upgraded with STARTTLS when the URL ends in ``?starttls=1``.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from urllib.parse import parse_qs, unquote, urlsplit

from django.db import DatabaseError

from tickets.ingest.inbound import email_ingest
from tickets.mail.models import InboundMessage

logger = logging.getLogger(__name__)

BATCH = 100
TIMEOUT_SECONDS = 30


def _connect(url: str) -> tuple[imaplib.IMAP4, str]:
    parts = urlsplit(url)
    if parts.scheme not in {"imap", "imaps"}:
        raise ValueError("IMAP_URL must start with imap:// or imaps://")
    host = parts.hostname or "localhost"
    if parts.scheme == "imaps":
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            host, parts.port or 993, ssl_context=ssl.create_default_context(), timeout=TIMEOUT_SECONDS
        )
    else:
        client = imaplib.IMAP4(host, parts.port or 143, timeout=TIMEOUT_SECONDS)
        if parse_qs(parts.query).get("starttls") == ["1"]:
            client.starttls(ssl_context=ssl.create_default_context())
    client.login(unquote(parts.username or ""), unquote(parts.password or ""))
    folder = unquote(parts.path.lstrip("/")) or "INBOX"
    return client, folder


def poll(url: str, *, batch: int = BATCH) -> int:
    """Ingest up to ``batch`` unread messages; returns how many were stored (duplicates included)."""
    client, folder = _connect(url)
    stored = 0
    try:
        status, _data = client.select(folder)
        if status != "OK":
            raise ConnectionError(f"cannot open IMAP folder {folder!r}")
        status, found = client.uid("SEARCH", None, "UNSEEN")
        uids = found[0].split()[:batch] if status == "OK" and found and found[0] else []
        for uid in uids:
            status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((item[1] for item in fetched or [] if isinstance(item, tuple)), None)
            if status != "OK" or raw is None:
                logger.warning("IMAP message %s could not be fetched", uid)
                continue
            try:
                email_ingest(raw=raw, source=InboundMessage.Source.IMAP)
            except DatabaseError:
                logger.exception("IMAP message %s not stored; left unread for the next poll", uid)
                break
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            stored += 1
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return stored

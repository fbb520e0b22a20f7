"""``manage.py ingest_email < message.eml``: one RFC 822 message from stdin, as an MTA pipe delivers it.

Exit status follows sendmail's conventions: 0 once the message is stored (whatever became of
it: a comment, a new ticket, quarantine), 75 (EX_TEMPFAIL) when it could not be stored, so the
MTA keeps it and tries again, never bouncing it to the sender.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from tickets.ingest.inbound import email_ingest
from tickets.mail.models import InboundMessage

EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one email message from standard input and thread it into the help desk."
    requires_system_checks: list[str] = []  # an MTA pipe must not fail on an unrelated check

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--recipient", default="", help="Envelope recipient (e.g. the MTA's $RECIPIENT).")
        parser.add_argument(
            "--source",
            default=InboundMessage.Source.PIPE,
            choices=[value for value, _label in InboundMessage.Source.choices],
        )

    def handle(self, *args: object, recipient: str = "", source: str = "pipe", **options: object) -> None:
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            raise CommandError("No message on standard input.")
        try:
            result = email_ingest(raw=raw, source=source, envelope_recipient=recipient)
        except DatabaseError as error:
            self.stderr.write(f"could not store the message, try again later: {error}")
            sys.exit(EX_TEMPFAIL)
        message = result.message
        status = "duplicate" if result.duplicate else message.status
        ticket = f" ticket=#{message.ticket.number}" if message.ticket_id else ""
        self.stdout.write(f"{status} {message.reason or '-'} {message.message_id}{ticket}")

"""The IMAP poller against a small IMAP server on 127.0.0.1 (enough of RFC 3501 for imaplib)."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator

import pytest

from tests.tickets.conftest import World
from tests.tickets.mail.conftest import eml
from tickets.mail.models import InboundMessage
from tickets.tasks import poll_imap

pytestmark = pytest.mark.django_db


class Mailbox:
    def __init__(self, messages: list[bytes]) -> None:
        self.messages = {uid: raw for uid, raw in enumerate(messages, start=1)}
        self.seen: set[int] = set()
        self.logins: list[tuple[str, str]] = []


def handler_for(box: Mailbox) -> type[socketserver.StreamRequestHandler]:
    class Handler(socketserver.StreamRequestHandler):
        def reply(self, text: str | bytes) -> None:
            self.wfile.write(text.encode() if isinstance(text, str) else text)

        def handle(self) -> None:
            self.reply("* OK [CAPABILITY IMAP4rev1] test server ready\r\n")
            while line := self.rfile.readline():
                tag, _space, rest = line.decode().rstrip("\r\n").partition(" ")
                words = rest.split(" ")
                command = words[0].upper()
                if command == "CAPABILITY":
                    self.reply(f"* CAPABILITY IMAP4rev1\r\n{tag} OK done\r\n")
                elif command == "LOGIN":
                    box.logins.append((words[1], words[2].strip('"')))
                    self.reply(f"{tag} OK logged in\r\n")
                elif command == "SELECT":
                    self.reply(f"* {len(box.messages)} EXISTS\r\n{tag} OK [READ-WRITE] selected\r\n")
                elif command == "UID" and words[1].upper() == "SEARCH":
                    unseen = " ".join(str(uid) for uid in box.messages if uid not in box.seen)
                    self.reply(f"* SEARCH {unseen}\r\n{tag} OK searched\r\n".replace("SEARCH \r", "SEARCH\r"))
                elif command == "UID" and words[1].upper() == "FETCH":
                    uid = int(words[2])
                    raw = box.messages[uid]
                    self.reply(f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode() + raw + b")\r\n")
                    self.reply(f"{tag} OK fetched\r\n")
                elif command == "UID" and words[1].upper() == "STORE":
                    box.seen.add(int(words[2]))
                    self.reply(f"* {words[2]} FETCH (FLAGS (\\Seen))\r\n{tag} OK stored\r\n")
                elif command == "LOGOUT":
                    self.reply(f"* BYE\r\n{tag} OK bye\r\n")
                    return
                else:
                    self.reply(f"{tag} BAD unknown command\r\n")

    return Handler


@pytest.fixture
def imap_box(settings) -> Iterator[Mailbox]:
    box = Mailbox([eml("forwarded_en.eml"), eml("free_plan_request_en.eml")])
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler_for(box))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.IMAP_URL = f"imap://support%40answerfirst.localhost:s3cret@127.0.0.1:{server.server_address[1]}/INBOX"
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()


def test_the_poller_does_nothing_without_imap_url(settings) -> None:
    settings.IMAP_URL = ""
    assert poll_imap.apply().get() == 0


def test_unread_messages_are_ingested_then_flagged_seen_once(world: World, imap_box: Mailbox) -> None:
    assert poll_imap.apply().get() == 2
    assert imap_box.logins == [("support@answerfirst.localhost", "s3cret")]
    assert imap_box.seen == {1, 2}
    sources = set(InboundMessage.objects.values_list("source", "reason"))
    assert sources == {("imap", "new_ticket"), ("imap", "not_entitled")}
    assert poll_imap.apply().get() == 0  # nothing unread is left
    assert InboundMessage.objects.count() == 2

"""Reading one RFC 822 message: headers, the new text of a reply, attachments, loop signals.

Pure functions over ``email.message.EmailMessage``; nothing here touches the database. Problems
that make a message unusable raise ``Unprocessable`` with a machine reason, which the ingest
service turns into a quarantine entry.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import errors, policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

from bs4 import BeautifulSoup
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext
from mailparser_reply import EmailReplyParser

from tickets.mail import reply_languages

# Defects after which the structure of the message cannot be trusted.
_FATAL_DEFECTS = (
    errors.NoBoundaryInMultipartDefect,
    errors.StartBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
)
_AUTO_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
_BOUNCE_LOCAL_PARTS = {"mailer-daemon", "postmaster"}
# Our interface languages, more that customers write in, and reply_languages' additions.
_REPLY_LANGUAGES = ["fr", "en", "de", "es", "it", "ja", "nl", *reply_languages.register()]
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_SUBJECT_TOKEN = re.compile(r"\[#(\d{1,18})\]")
_FORWARD_PREFIX = re.compile(r"^\s*(fwd?|tr|wg|rv|i)\s*:", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*-{2,}\s*(original message|message d.origine|message original|mensaje original|"
    r"urspr\u00fcngliche nachricht|messaggio originale|mensagem original)\s*-{2,}\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_PLACEHOLDER = re.compile(r"^\s*\[(?:image|cid|inline image)[^\]]*\]\s*$", re.IGNORECASE | re.MULTILINE)
# Quoted history in HTML mail, per client: Gmail, Outlook, Apple Mail / Thunderbird, Yahoo.
_HTML_QUOTE_SELECTORS = (
    "div.gmail_quote",
    "blockquote.gmail_quote",
    "div#divRplyFwdMsg",
    "div#appendonsend",
    "div.OutlookMessageHeader",
    "blockquote[type=cite]",
    "div.moz-cite-prefix",
    "div.yahoo_quoted",
)


class Unprocessable(Exception):
    """The message cannot be processed; ``reason`` is a short code kept on the quarantine entry."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class ParsedMail:
    sender: str
    sender_name: str
    subject: str
    recipients: list[str]
    thread_ids: list[str]
    text: str
    attachments: list[SimpleUploadedFile] = field(default_factory=list)
    skipped_parts: list[str] = field(default_factory=list)
    language: str = ""
    is_forward: bool = False

    @property
    def subject_numbers(self) -> list[int]:
        return [int(number) for number in _SUBJECT_TOKEN.findall(self.subject)]


def parse_bytes(raw: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(raw)


def _header(message: Message, name: str) -> str:
    """A header as text, or "" when it is missing or cannot be decoded (never raises)."""
    try:
        value = message.get(name)
    except Exception:  # a malformed header the parser chokes on reads as absent
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def message_id_of(raw: bytes, message: EmailMessage | None) -> str:
    """The Message-ID, normalized; one derived from the bytes when missing or unusable.

    The derived id makes a re-delivery of the same bytes a duplicate too.
    """
    found = _MESSAGE_ID.search(_header(message, "Message-ID")) if message is not None else None
    if found is None:
        return f"<{hashlib.sha256(raw).hexdigest()}@no-message-id.invalid>"
    value = found.group(0)
    if len(value) > 255:
        return f"<{hashlib.sha256(value.encode()).hexdigest()}@long-message-id.invalid>"
    return value


def ids_in(value: str) -> list[str]:
    return _MESSAGE_ID.findall(value or "")


def automatic_reason(message: EmailMessage) -> str:
    """Why this message was sent by a machine (auto-reply, bounce, list), or "" for a person.

    Such messages never become comments and never get an answer, so two robots cannot loop.
    """
    if message.get_content_type() == "multipart/report":
        return "bounce"
    sender = parseaddr(_header(message, "From"))[1].lower()
    if sender.partition("@")[0] in _BOUNCE_LOCAL_PARTS:
        return "bounce"
    if _header(message, "Return-Path").strip() == "<>":
        return "bounce"
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return "auto_submitted"
    if _header(message, "Precedence").lower() in _AUTO_PRECEDENCE:
        return "precedence"
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return "auto_submitted"
    if _header(message, "X-Autogenerated").lower() == "reply":
        return "auto_submitted"
    if _header(message, "List-Id") or _header(message, "List-Unsubscribe"):
        return "mailing_list"
    if _header(message, "X-Answerfirst-Ticket"):
        return "own_message"  # one of ours, come back (a forwarding loop)
    return ""


def spoofing_suspected(message: EmailMessage) -> bool:
    """Our receiving MTA says the From domain's DMARC check failed (its Authentication-Results comes first)."""
    try:
        results = message.get_all("Authentication-Results") or []
    except Exception:
        return False
    return bool(results) and "dmarc=fail" in " ".join(str(results[0]).split()).lower()


def bounced_message_ids(message: EmailMessage) -> list[str]:
    """Message-IDs of our messages quoted in a delivery report (to mark them bounced)."""
    found: list[str] = []
    for part in message.walk():
        if part.get_content_type() in {"text/rfc822-headers", "message/rfc822", "message/rfc822-headers"}:
            payload = part.get_payload()
            text = payload[0].as_string() if isinstance(payload, list) and payload else str(payload)
            for line in text.splitlines():
                if line.lower().startswith("message-id:"):
                    found.extend(ids_in(line))
    return found


def _decode(part: Message) -> str:
    """The text of a part in its declared charset; an unknown charset makes the message unprocessable."""
    payload = part.get_payload(decode=True) or b""
    charset = part.get_content_charset() or "us-ascii"
    try:
        return payload.decode(charset, errors="replace")
    except LookupError:
        raise Unprocessable("unknown_charset", charset) from None


def html_to_text(html: str) -> str:
    """Readable text of an HTML body, without the quoted history mail clients nest in it."""
    soup = BeautifulSoup(html, "html.parser")
    for selector in _HTML_QUOTE_SELECTORS:
        for element in soup.select(selector):
            element.decompose()
    for element in soup(["script", "style", "head", "title"]):
        element.decompose()
    for element in soup.find_all("br"):
        element.replace_with("\n")
    for element in soup.find_all(["p", "div", "li", "tr", "h1", "h2", "h3", "h4"]):
        element.insert_after("\n")
    lines = [" ".join(line.split()) for line in soup.get_text().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# The first line of our emails, to the requester and to the assignee (see the mail templates).
REPLY_MARKERS = (
    "Reply above this line to add to your request.",
    "Reply above this line to answer the customer: your reply is added to the request, visible to them.",
)


def _own_markers() -> list[str]:
    """Our "reply above this line" markers in every language: everything below one is history."""
    markers = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            markers.extend(gettext(marker) for marker in REPLY_MARKERS)
    return markers


def strip_reply(text: str) -> str:
    """The new part of a reply: quoted history, reply headers and signatures removed (FR, EN and more)."""
    text = text.replace("\r\n", "\n")
    for marker in _own_markers():
        position = text.find(marker)
        if position >= 0:
            text = text[:position].rsplit("\n", 1)[0] if "\n" in text[:position] else ""
    separator = _ORIGINAL_MESSAGE.search(text)
    if separator is not None:
        text = text[: separator.start()]
    parsed = EmailReplyParser(languages=_REPLY_LANGUAGES).read(text)
    latest = parsed.replies[0].body if parsed.replies else text
    if not latest.strip() and text.strip():
        latest = parsed.replies[0].content if parsed.replies else text  # only a signature: keep it
    lines = [line for line in latest.splitlines() if not line.startswith(">")]
    cleaned = _PLACEHOLDER.sub("", "\n".join(lines))
    return re.sub(r"\n{3,}", "\n\n", cleaned).strip()


def _filename(part: Message, index: int) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    if name:
        return str(name)
    subtype = part.get_content_subtype() or "bin"
    return f"attachment-{index}.{subtype}"


def read(message: EmailMessage) -> ParsedMail:
    """Everything the ingest service needs from a parsed message; raises ``Unprocessable``."""
    if any(isinstance(defect, _FATAL_DEFECTS) for part in message.walk() for defect in part.defects):
        raise Unprocessable("malformed_mime", "multipart structure is broken")
    name, sender = parseaddr(_header(message, "From"))
    if not sender or "@" not in sender:
        raise Unprocessable("missing_sender", _header(message, "From")[:200])
    plain: list[str] = []
    html: list[str] = []
    attachments: list[SimpleUploadedFile] = []
    skipped: list[str] = []
    for index, part in enumerate(message.walk()):
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        if content_type in {"text/plain", "text/html"} and disposition != "attachment":
            (plain if content_type == "text/plain" else html).append(_decode(part))
            continue
        if content_type.startswith("message/") or content_type == "text/rfc822-headers":
            skipped.append(_filename(part, index))
            continue
        data = part.get_payload(decode=True)
        if not data:
            continue
        attachments.append(SimpleUploadedFile(_filename(part, index)[:150], data, content_type=content_type))
    subject = _header(message, "Subject")
    is_forward = bool(_FORWARD_PREFIX.match(subject))
    if plain:
        body = "\n\n".join(plain)
    elif html:
        body = "\n\n".join(html_to_text(fragment) for fragment in html)
    else:
        body = ""
    text = body.strip() if is_forward else strip_reply(body)
    recipients = [_header(message, header) for header in ("To", "Cc", "Delivered-To", "X-Original-To", "Envelope-To")]
    thread_ids = ids_in(_header(message, "In-Reply-To")) + ids_in(_header(message, "References"))[::-1]
    language = _header(message, "Content-Language").split(",")[0].strip().lower()[:2]
    return ParsedMail(
        sender=sender.strip().lower(),
        sender_name=name.strip(),
        subject=subject,
        recipients=[value for value in recipients if value],
        thread_ids=list(dict.fromkeys(thread_ids)),
        text=text,
        attachments=attachments,
        skipped_parts=skipped,
        language=language,
        is_forward=is_forward,
    )


def addresses_in(values: list[str]) -> list[str]:
    return [address for _name, address in getaddresses(values) if address]

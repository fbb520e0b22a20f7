"""Signed per-ticket reply addresses: ``support+<number>-<signature>@<domain>``.

The signature is an HMAC of the ticket number under ``SECRET_KEY``, so nobody can write an
address that lands in a ticket they were never sent. Hex digits only: some MTAs lowercase
local parts.
"""

from __future__ import annotations

import re
from email.utils import getaddresses

from django.utils.crypto import constant_time_compare, salted_hmac

from tickets.mail import conf

_SALT = "tickets.mail.reply-address"
_SIGNATURE_LENGTH = 20
_PLUS_ADDRESS = re.compile(
    r"^(?P<local>[^+@\s]+)\+(?P<number>\d{1,18})-(?P<signature>[0-9a-zA-Z]+)@(?P<domain>[^@\s]+)$"
)


class BadReplyAddress(Exception):
    """An address shaped like a reply address whose signature does not match (forged or mangled)."""


def signature_for(number: int) -> str:
    return salted_hmac(_SALT, str(int(number)), algorithm="sha256").hexdigest()[:_SIGNATURE_LENGTH]


def reply_address(number: int) -> str:
    """The address replies to ticket ``number`` go to."""
    return f"{conf.reply_local_part()}+{int(number)}-{signature_for(number)}@{conf.reply_domain()}"


def ticket_number_from(address: str) -> int | None:
    """The ticket number of one of our reply addresses; None for any other address.

    Raises ``BadReplyAddress`` when the address is ours in shape but its signature is wrong.
    """
    match = _PLUS_ADDRESS.match((address or "").strip())
    if match is None:
        return None
    if match["local"].lower() != conf.reply_local_part() or match["domain"].lower() != conf.reply_domain():
        return None
    number = int(match["number"])
    if not constant_time_compare(match["signature"].lower(), signature_for(number)):
        raise BadReplyAddress(address)
    return number


def numbers_in(header_values: list[str]) -> tuple[list[int], list[str]]:
    """Ticket numbers of valid reply addresses in recipient headers, and the forged addresses seen."""
    numbers: list[int] = []
    forged: list[str] = []
    for _name, address in getaddresses([value for value in header_values if value]):
        try:
            number = ticket_number_from(address)
        except BadReplyAddress:
            forged.append(address)
            continue
        if number is not None and number not in numbers:
            numbers.append(number)
    return numbers, forged

"""Reply headers mail-parser-reply does not know, registered in its own language table.

mail-parser-reply splits a message at the attribution line of the quoted mail ("On …, X wrote:")
with one entry per language in ``mailparser_reply.constants.MAIL_LANGUAGES``. Its 1.36 table
has no Russian or Portuguese and misses common client forms in English (Yahoo's "--- On …"),
Spanish (Gmail's single space before "escribió"), Dutch (Gmail's "schreef Name <address>:") and
Japanese (Gmail's header wrapped over two lines, Apple Mail's "…のメール:"). Adding entries to
that table is the library's own way to teach it a language; a code the library later ships
itself keeps the library's entry.
"""

from __future__ import annotations

from mailparser_reply.constants import MAIL_LANGUAGES, QUOTED_MATCH_INCLUDE

# A header may be wrapped once by the client (Gmail wraps at 78 columns): ".+?\s?.+?" spans two lines.
_WRAPPED = r"(?:.+?\s?.+?)"


def _wrote(*patterns: str) -> str:
    return "|".join(rf"^({QUOTED_MATCH_INCLUDE}{pattern})$" for pattern in patterns)


def _from(*names: str) -> str:
    """Outlook's block of "From:/Sent:/To:" lines, with the header names of one language."""
    return rf"((?:(?:^|\n|\n{QUOTED_MATCH_INCLUDE})[* ]*(?:{'|'.join(names)}):[ *]*(?:\s{{,2}}).*){{2,}}(?:\n.*){{,1}})"


EXTRA_LANGUAGES: dict[str, dict[str, str]] = {
    "ru": {
        "wrote_header": _wrote(
            rf"{_WRAPPED}\s?пользователь\s{_WRAPPED}\s?написал(?:\(а\)|а)?:",  # Gmail
            r".+?,\s.+?\sпишет:",  # Thunderbird
            r".+?\sот\s.+?<.+?>:",  # Mail.ru, Yandex
        ),
        "from_header": _from("От", "Отправлено", "Кому", "Тема", "Дата", "Копия"),
        "signatures": ["С уважением", "Спасибо,"],
        "sent_from": r"Отправлено с",
    },
    "pt": {
        "wrote_header": _wrote(rf"Em\s{_WRAPPED}\s?escreveu:"),  # Gmail, Apple Mail
        "from_header": _from("De", "Enviado", "Enviada", "Para", "Assunto", "Data", "Cc"),
        "signatures": ["Atenciosamente", "Cumprimentos", "Obrigad[oa],"],
        "sent_from": r"Enviado do meu",
    },
    # Forms of languages the library knows, as their clients really write them.
    "answerfirst": {
        "wrote_header": _wrote(
            r"-{2,3} ?On\s.+?\s?wrote:",  # Yahoo Mail
            rf"El\s{_WRAPPED}\s?escribi[oó]:",  # Gmail, Spanish
            rf"Op\s{_WRAPPED}\s?schreef\s{_WRAPPED}:",  # Gmail and Thunderbird, Dutch
            rf"\d{{4}}年\d{{1,2}}月\d{{1,2}}日(?:\(.\))?\s?\d{{1,2}}:\d{{2}}\s{_WRAPPED}:",  # Gmail, Japanese, wrapped
            r"\d{4}/\d{1,2}/\d{1,2}\s?\d{1,2}:\d{2}[、,]\s?.+?(?:のメール|のメッセージ|wrote):",  # Apple Mail, Japanese
        ),
    },
}


def register() -> list[str]:
    """Add the entries to mail-parser-reply's table; the codes to pass to ``EmailReplyParser``."""
    for code, entry in EXTRA_LANGUAGES.items():
        MAIL_LANGUAGES.setdefault(code, entry)
    return list(EXTRA_LANGUAGES)

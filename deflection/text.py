"""Text helpers: cleaning and cutting drafts for search, normalizing them for grouping."""

from __future__ import annotations

import re
import unicodedata

from mailparser_reply import EmailReplyParser

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_WORD = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower-case ``text`` and strip accents, so "Réinitialiser" and "reinitialiser" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalize_for_grouping(subject: str, description: str, *, max_length: int = 200) -> str:
    """The key content gaps are grouped by: the folded subject, else the start of the description."""
    source = subject.strip() or description.strip()
    words = _NON_WORD.sub(" ", fold(source)).split()
    return " ".join(words)[:max_length].strip()


def words(text: str) -> list[str]:
    """Folded word tokens of ``text``."""
    return _WORD.findall(fold(text))


def cut(text: str, limit: int) -> tuple[str, bool]:
    """``text`` cut to ``limit`` characters at a word boundary when one is near; and whether it was cut."""
    if len(text) <= limit:
        return text, False
    head = text[:limit]
    space = head.rfind(" ")
    if space > limit * 0.9:
        head = head[:space]
    return head, True


# --- Cleaning a draft before it becomes a query ----------------------------------------------------
# A customer's draft often carries more than the question: a greeting, a sign-off and signature, an
# earlier email quoted below, a pasted log or stack trace, links, words repeated for emphasis. Each
# adds terms that match other articles (a quoted invoice email, a log full of "sync" and "token")
# and crowds the question's own terms out of the query's budget (search keeps at most 32 terms).

_REPLY_PARSER = EmailReplyParser(languages=["en", "fr", "de", "es", "it", "pt", "ja"])
CLEAN_INPUT_CHARS = 20_000  # cleaning is linear; a 50,000-character paste keeps its head

_GREETINGS = (
    "hello", "hi", "hey", "dear", "good morning", "good afternoon", "good evening", "greetings",
    "bonjour", "bonsoir", "salut", "coucou", "madame", "monsieur",
    "hallo", "guten tag", "guten morgen", "guten abend", "liebes", "lieber", "liebe", "sehr geehrte", "sehr geehrter",
    "hola", "buenos dias", "buenas tardes", "buenas noches", "estimado", "estimada", "estimados",
    "ciao", "buongiorno", "buonasera", "salve", "gentile", "gentili",
    "ola", "oi", "bom dia", "boa tarde", "boa noite", "prezado", "prezada",
    "こんにちは", "お世話になっております", "お疲れ様です",
)  # fmt: skip
_SIGN_OFFS = (
    "thanks", "thank you", "thanks in advance", "many thanks", "best", "best regards", "kind regards", "regards",
    "thanks for your help", "thank you for your help", "thanks for the help", "merci pour votre aide",
    "merci d'avance pour votre aide", "merci de votre aide", "danke fur ihre hilfe", "gracias por su ayuda",
    "grazie per l'aiuto", "obrigado pela ajuda",
    "cheers", "sincerely", "yours", "all the best", "warm regards", "br",
    "merci", "merci d'avance", "merci par avance", "merci beaucoup", "cordialement", "bien cordialement",
    "bien a vous", "salutations", "bonne journee", "a bientot",
    "danke", "vielen dank", "danke im voraus", "mit freundlichen grussen", "freundliche grusse", "viele grusse",
    "beste grusse", "lg", "mfg", "gruss", "grusse",
    "gracias", "muchas gracias", "gracias de antemano", "saludos", "un saludo", "atentamente", "cordiales saludos",
    "grazie", "grazie mille", "grazie in anticipo", "cordiali saluti", "distinti saluti", "saluti", "buona giornata",
    "obrigado", "obrigada", "muito obrigado", "atenciosamente", "abracos", "cumprimentos", "att",
    "よろしくお願いします", "よろしくお願いいたします", "宜しくお願いします", "ありがとうございます",
)  # fmt: skip
_SIGN_OFF_MAX_WORDS = 6

# Every repetition below is bounded: an unbounded one rescans the rest of the text from each start
# ("a-a-a-…" took seconds), and the draft comes from the network.
_URL = re.compile(r"(?:https?://|www\.)\S{1,2000}|\b[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}\b", re.IGNORECASE)
_PATH = re.compile(r"(?:[A-Za-z]:\\|~?/)[\w.\\/-]*[\\/][\w.\\/-]+")  # /var/log/app.log, C:\Users\x\file
_LONG_TOKEN = re.compile(r"\b(?=\w*\d)[\w-]{16,}\b|\b[0-9a-f]{8,}\b", re.IGNORECASE)  # ids, hashes, tokens
_DOTTED = re.compile(r"\b(?:[A-Za-z_]\w*\.){2,}([A-Za-z_]\w*)\b")  # com.acme.sync.Worker → Worker
_STACK_FRAME = re.compile(
    r"^\s*(?:at\s+\S+\s*\(.*\)|at\s+[\w$.<>]+(?::\d+)*|File\s+\".*\",\s+line\s+\d+.*|\.\.\.\s*\d+\s+more"
    r"|Caused by:.*|#\d+\s+0x[0-9a-f]+.*|\^+)\s*$"
)
_TRACEBACK = re.compile(r"^\s*Traceback\s+\(most recent call last\):?\s*$")
_EXCEPTION = re.compile(r"^[\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Denied|[A-Z]\w+)(?::.*)?$")
_LOG_LINE = re.compile(  # a time stamp first: 2026-11-30 09:14:02, [09:14:03], 30/11/2026 09:14
    r"^\s*\[?(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}|\d{2}:\d{2}:\d{2}|\d{2}/\d{2}/\d{4}[ T]\d{2}:\d{2})"
)
_LEVEL_ONLY = re.compile(r"^\s*(?:\[?(?:TRACE|DEBUG|INFO|WARN|WARNING|ERROR|FATAL|CRITICAL)\]?:?)\s+(?=\S)")
_REPEATED_WORD = re.compile(  # "help help", "aidez-moi aidez-moi"
    r"\b(\w{1,40}(?:[-'\u2019]\w{1,40}){0,3})(?:[\s,!?.]{1,5}\1\b)+", re.IGNORECASE
)
_SPACES = re.compile(r"[ \t]{2,}")


def _phrase(line: str) -> str:
    """A line folded to its words ("Merci d'avance," → "merci d avance"), to compare with the lists."""
    return " ".join(words(line.replace("'", " ").replace("\u2019", " ")))


_GREETING_PHRASES = tuple(_phrase(greeting) for greeting in _GREETINGS)
_SIGN_OFF_PHRASES = tuple(_phrase(sign_off) for sign_off in _SIGN_OFFS)


def _starts_with(phrase: str, candidates: tuple[str, ...]) -> str:
    """The longest of ``candidates`` that ``phrase`` starts with (whole words), or ""."""
    found = [candidate for candidate in candidates if phrase == candidate or phrase.startswith(candidate + " ")]
    return max(found, key=len, default="")


def _drop_greeting(lines: list[str]) -> list[str]:
    """The first line's greetings go: "Hi team," alone, or "Bonjour, " before the question, or both
    parts of "Bonjour Madame, Monsieur,"."""
    for _ in range(3):
        shorter = _drop_one_greeting(lines)
        if shorter == lines:
            break
        lines = shorter
    return lines


def _drop_one_greeting(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        phrase = _phrase(line)
        if not phrase:
            continue
        greeting = _starts_with(phrase, _GREETING_PHRASES)
        if not greeting:
            return lines
        head = re.match(r"^\s*(?P<head>[^,:!.?\n]{0,60})[,:!.]\s*(?P<rest>.*)$", line)
        if head and _addressed(head.group("head"), greeting):
            rest = head.group("rest")  # "Hi team, I can't log in" keeps "I can't log in"
        elif _addressed(line, greeting):
            rest = ""  # "Hello support team" on its own line
        else:  # "Hi my export fails": only the greeting goes
            rest = re.sub(r"^\s*" + r"\W+".join(r"\w+" for _ in greeting.split()) + r"\W*", "", line, count=1)
        return [*lines[:index], rest, *lines[index + 1 :]]
    return lines


_ADDRESSEES = frozenset(
    {
        "team", "all", "everyone", "there", "support", "folks", "guys", "sir", "madam", "friends", "service",
        "customer", "a", "tous", "toutes", "tout", "le", "la", "l", "les", "equipe", "client", "clients", "madame",
        "monsieur", "zusammen", "und", "die", "das", "liebe", "lieber", "kundenservice", "equipo", "todos",
        "soporte", "servicio", "tutti", "pessoal", "gente",
    }
)  # fmt: skip


def _addressed(head: str, greeting: str) -> bool:
    """Whether ``head`` is only the greeting and whom it greets: a few names (capitalized) or
    words like "team", "à tous", "zusammen" — not "Hi my export fails"."""
    names = re.findall(r"[^\W\d_]+", head)[len(greeting.split()) :]
    return len(names) <= 4 and all(name[:1].isupper() or fold(name) in _ADDRESSEES for name in names)


def _is_sign_off(line: str, phrase: str) -> bool:
    """ "Thanks!", "Merci d'avance,", "Best regards, Anna": a known sign-off alone, ending with a comma,
    or followed by a name (capitalized words), not "Best option for exports" or a question."""
    sign_off = _starts_with(phrase, _SIGN_OFF_PHRASES)
    if not sign_off or "?" in line:
        return False
    extra = len(phrase.split()) - len(sign_off.split())
    if extra == 0:
        return True
    if extra <= _SIGN_OFF_MAX_WORDS and line.rstrip().endswith(","):
        return True
    tail = line.split()[-extra:]
    return extra <= 2 and all(word[:1].isupper() for word in tail)


def _drop_sign_off(lines: list[str]) -> list[str]:
    """From a sign-off line (after some text) or the "-- " delimiter on, the rest is signature."""
    seen_text = False
    for index, line in enumerate(lines):
        if line.strip() in {"--", "__", "\u2014"}:
            return lines[:index]
        phrase = _phrase(line)
        if not phrase:
            continue
        if seen_text and _is_sign_off(line, phrase):
            return lines[:index]
        seen_text = True
    return lines


def _without_traces(lines: list[str]) -> list[str]:
    """Lines that are not pasted machine output: log lines (a time stamp or a level first), stack
    frames, and the whole of a Python traceback (its source lines and the exception at its end).

    Their words (sync, token, export, calendar…) name the product's parts, not the question, and
    the question says what went wrong in the customer's words.
    """
    kept: list[str] = []
    in_traceback = False
    for line in lines:
        if _TRACEBACK.match(line):
            in_traceback = True
            continue
        if in_traceback:
            if not line.strip() or line[:1] in {" ", "\t"}:
                continue
            in_traceback = False
            if _EXCEPTION.match(line):
                continue  # "module.Error: message" closes the traceback
        if _STACK_FRAME.match(line) or _LOG_LINE.match(line) or _LEVEL_ONLY.match(line):
            continue
        kept.append(line)
    return kept


def clean_draft(text: str) -> str:
    """The question in a draft: without greeting, sign-off and signature, quoted emails, logs and
    stack traces, repeated lines, links, paths, ids and words repeated in a row.

    Only the query is cleaned; the draft is stored as typed. A draft that would clean to nothing
    (a bare URL, only a greeting) is returned as it was, so a short draft never loses its search.
    """
    original = text
    text = (text or "")[:CLEAN_INPUT_CHARS].replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        return original
    text = "\n".join(_without_traces(text.split("\n")))  # first: the reply parser strips indentation
    replied = _REPLY_PARSER.parse_reply(text)  # quoted history and reply headers, in seven languages
    lines = [line for line in (replied if replied.strip() else text).split("\n") if not line.lstrip().startswith(">")]
    lines = _drop_sign_off(_drop_greeting(lines))
    kept: list[str] = []
    seen: set[str] = set()
    for line in lines:
        message = _URL.sub(" ", line)
        message = _PATH.sub(" ", message)
        message = _DOTTED.sub(r"\1", message)
        message = _LONG_TOKEN.sub(" ", message)
        message = _REPEATED_WORD.sub(r"\1", message)
        key = " ".join(words(message))
        if not key:
            continue
        if key in seen:
            continue  # a log repeats its lines; a draft says a thing once
        seen.add(key)
        kept.append(_SPACES.sub(" ", message).strip())
    cleaned = "\n".join(kept).strip()
    return cleaned if len(cleaned) >= 3 else original

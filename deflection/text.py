"""Text helpers: cutting drafts for search and normalizing them for grouping."""

from __future__ import annotations

import re
import unicodedata

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

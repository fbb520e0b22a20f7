"""The note beside a suggestion shown in another language than the page's (live list and review page).

Two reasons, two notes: the article has no translation and is shown in the default language, or
the draft is written in another language and the article is in that one (``deflection.language``).
Language names are inflected and capitalized differently in each language, so each note is a
whole sentence to translate; a language added in settings without one gets the generic sentence.
"""

from __future__ import annotations

from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _

from deflection.language import configured_languages

FALLBACK_NOTE = gettext_lazy("Not yet translated: shown in English.")
LANGUAGE_NOTES = {
    "en": gettext_lazy("In English, the language of your question."),
    "fr": gettext_lazy("In French, the language of your question."),
    "de": gettext_lazy("In German, the language of your question."),
    "es": gettext_lazy("In Spanish, the language of your question."),
    "it": gettext_lazy("In Italian, the language of your question."),
    "pt": gettext_lazy("In Portuguese, the language of your question."),
    "ja": gettext_lazy("In Japanese, the language of your question."),
}


def language_note(*, language: str, is_fallback: bool, page_language: str) -> str:
    """The note for a suggestion in ``language`` on a page in ``page_language`` ("" when they agree)."""
    if not language or language == page_language:
        return ""
    if is_fallback:
        return str(FALLBACK_NOTE)
    note = LANGUAGE_NOTES.get(language)
    if note is not None:
        return str(note)
    try:
        name = get_language_info(language)["name_translated"]
    except KeyError:
        name = language
    return _("In %(language)s, the language of your question.") % {"language": name}


def language_notes() -> dict[str, str]:
    """The note for an article in each configured language, for the live list's script."""
    return {code: language_note(language=code, is_fallback=False, page_language="") for code in configured_languages()}

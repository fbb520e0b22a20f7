"""Query preparation: the beginnings of the reader's words used to find untranslated articles."""

from __future__ import annotations

from search.query import MAX_TERMS, cognate_beginnings


def test_beginnings_of_the_readers_longer_words_without_their_stop_words() -> None:
    assert cognate_beginnings("Desactivar todas las notificaciones por correo", "es") == ("desac", "notif", "corre")
    assert cognate_beginnings("Comment vérifier l'adresse e-mail ?", "fr") == ("verif", "adres")
    assert cognate_beginnings("Rechnung 2024 als PDF", "de") == ("rechn",)


def test_short_words_numbers_and_repeats_add_nothing() -> None:
    assert cognate_beginnings("pdf csv 123456 notificar notificación", "es") == ("notif",)
    assert cognate_beginnings("", "es") == ()


def test_a_long_draft_gives_a_bounded_number_of_beginnings() -> None:
    draft = " ".join(f"{chr(97 + i % 26)}{chr(97 + i // 26)}rtuvwx" for i in range(200))  # 200 distinct beginnings
    assert len(cognate_beginnings(draft, "es")) == MAX_TERMS

"""Every language's catalogs are complete, and the interface follows the chosen language."""

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = ("fr", "de", "es", "it", "pt", "ja")  # every configured language but English, the source
CATALOGS = sorted(
    p for language in TRANSLATED for p in ROOT.glob(f"**/locale/{language}/LC_MESSAGES/*.po") if ".venv" not in p.parts
)
FIELD = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d+\])?) ((?:".*"\n?)+)', re.M)


def _untranslated(po: Path) -> list[str]:
    """msgids with an empty msgstr (any plural form counts), the header aside."""
    missing = []
    for entry in po.read_text(encoding="utf-8").split("\n\n"):
        fields = {name: "".join(re.findall(r'"(.*)"', value)) for name, value in FIELD.findall(entry)}
        if fields.get("msgid") and any(value == "" for name, value in fields.items() if name.startswith("msgstr")):
            missing.append(fields["msgid"])
    return missing


def test_every_catalog_folder_has_each_translated_language() -> None:
    french = {po.parents[2] for po in CATALOGS if po.parts[-3] == "fr"}
    assert ROOT / "locale" in french
    for language in TRANSLATED:
        assert {po.parents[2] for po in CATALOGS if po.parts[-3] == language} == french, language


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_entry_is_left_untranslated_or_fuzzy(po: Path) -> None:
    assert _untranslated(po) == []
    assert "#, fuzzy" not in po.read_text(encoding="utf-8")
    assert po.with_suffix(".mo").exists(), "compiled catalog missing: run `make messages`"


@pytest.mark.django_db
def test_the_interface_follows_the_language_cookie(client: Client) -> None:
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "How can we help?" in english
    client.post("/i18n/setlang/", {"language": "fr", "next": "/"})
    french = client.get("/").content.decode()
    assert "Comment pouvons-nous vous aider ?" in french
    assert '<html lang="fr">' in french


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "greeting"),
    [
        ("de", "Wie können wir Ihnen helfen?"),
        ("es", "¿En qué podemos ayudarle?"),
        ("it", "Come possiamo aiutarLa?"),
        ("pt", "Como podemos ajudar?"),
        ("ja", "どのようなことでお困りですか？"),
        ("nl", "How can we help?"),  # not a configured language: English
    ],
)
def test_each_configured_language_gets_its_interface_others_english(
    client: Client, language: str, greeting: str
) -> None:
    page = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert greeting in page
    assert f'<html lang="{"en" if language == "nl" else language}">' in page


def test_every_configured_language_but_english_is_translated() -> None:
    from django.conf import settings

    assert {code for code, _name in settings.LANGUAGES} - {"en"} == set(TRANSLATED)

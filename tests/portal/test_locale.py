"""French and English catalogs are complete, and the interface follows the chosen language."""

import re
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]
CATALOGS = sorted(p for p in ROOT.glob("**/locale/fr/LC_MESSAGES/*.po") if ".venv" not in p.parts)
ENTRY = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n?)+)', re.M)


def _untranslated(po: Path) -> list[str]:
    text = po.read_text(encoding="utf-8")
    missing = []
    for msgid, msgstr in ENTRY.findall(text):
        if msgid.strip() == '""':
            continue  # the header
        if "".join(re.findall(r'"(.*)"', msgstr)) == "":
            missing.append(msgid.strip())
    return missing


def test_there_is_a_project_french_catalog() -> None:
    assert ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po" in CATALOGS


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_french_entry_is_left_untranslated_or_fuzzy(po: Path) -> None:
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

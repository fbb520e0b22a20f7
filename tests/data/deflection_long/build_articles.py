"""Rebuild ``articles.jsonl`` of the long-article set from Debian's English and French manual pages.

The source is four pinned Debian bookworm packages: ``manpages`` and ``manpages-dev`` (the Linux
man-pages project, English) and ``manpages-fr`` and ``manpages-fr-dev`` (their French translation,
manpages-l10n). A page becomes an article when both languages have it as a real page (not a
``.so`` alias) in sections 2, 3, 4, 5 or 7 and both render to at least ``MIN_CHARS`` characters.
Pages are rendered by groff (``-man -Tutf8``, no hyphenation, left-adjusted), and the boilerplate
sections every page shares (colophon, translators, "see also") are dropped so they do not match
every question. Needs ``groff`` and, without ``--debs``, ``apt-get download`` (network)::

    python tests/data/deflection_long/build_articles.py [--debs DIR] [--output PATH]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGES = {
    "manpages": "6.03-2",
    "manpages-dev": "6.03-2",
    "manpages-fr": "4.18.1-1",
    "manpages-fr-dev": "4.18.1-1",
}
SECTIONS = ("2", "3", "4", "5", "7")
MIN_CHARS = 3000
NAME_HEADINGS = {"NAME", "NOM"}
DROPPED_HEADINGS = {"COLOPHON", "TRADUCTION", "SEE ALSO", "VOIR AUSSI"}
SPDX = re.compile(r"SPDX-License-Identifier:\s*(\S+)")


def fetch(directory: Path) -> None:
    """Download the pinned packages into ``directory`` (``apt-get download``, no install)."""
    wanted = [f"{name}={version}" for name, version in PACKAGES.items()]
    subprocess.run(["apt-get", "download", *wanted], cwd=directory, check=True)


def extract(debs: Path, root: Path) -> None:
    for name, version in PACKAGES.items():
        matches = sorted(debs.glob(f"{name}_{version}_*.deb"))
        if not matches:
            sys.exit(f"missing {name}_{version}_*.deb in {debs}")
        subprocess.run(["dpkg-deb", "-x", str(matches[0]), str(root)], check=True)


def source_text(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def render(path: Path) -> str:
    """The page as plain text: groff's terminal output without bold, underline or colour."""
    result = subprocess.run(
        ["groff", "-t", "-man", "-Tutf8", "-k", "-rHY=0", "-dAD=l", "-rLL=150n", "-P-cbou"],
        input=gzip.decompress(path.read_bytes()),
        capture_output=True,
        check=True,
    )
    return result.stdout.decode("utf-8", errors="replace")


def sections(text: str) -> list[tuple[str, list[str]]]:
    """(heading, lines) pairs: a heading starts at column 0, text is indented; header and footer go."""
    lines = text.splitlines()[1:-1]
    found: list[tuple[str, list[str]]] = []
    for line in lines:
        if line and not line[0].isspace():
            found.append((line.strip(), []))
        elif found:
            found[-1][1].append(line.strip())
    return found


def paragraphs(lines: list[str]) -> str:
    """Lines joined into paragraphs (a blank line separates them); spaces collapsed."""
    blocks = re.split(r"\n\s*\n", "\n".join(lines))
    return "\n".join(" ".join(block.split()) for block in blocks if block.strip())


def article(path: Path) -> tuple[str, str] | None:
    """(title, body) of a page, or None when it has no name line."""
    title = ""
    parts: list[str] = []
    for heading, lines in sections(render(path)):
        if heading in NAME_HEADINGS:
            title = " ".join(" ".join(lines).split())
        elif heading not in DROPPED_HEADINGS:
            text = paragraphs(lines)
            if text:
                parts.append(f"{heading.capitalize()}\n{text}")
    return (title, "\n\n".join(parts)) if title else None


def real_page(path: Path) -> bool:
    """A page with content, not a ``.so`` alias of another page."""
    head = source_text(path).lstrip()
    return path.is_file() and not head.startswith(".so ") and ".so man" not in head[:200]


def pairs(root: Path) -> list[tuple[str, Path, Path]]:
    found = []
    for section in SECTIONS:
        for english in sorted((root / f"usr/share/man/man{section}").glob("*.gz")):
            french = root / f"usr/share/man/fr/man{section}" / english.name
            if french.is_file() and real_page(english) and real_page(french):
                found.append((english.name.removesuffix(".gz"), english, french))
    return found


def build(root: Path) -> list[dict]:
    candidates = pairs(root)
    with ThreadPoolExecutor(max_workers=2) as pool:
        english = list(pool.map(article, [pair[1] for pair in candidates]))
        french = list(pool.map(article, [pair[2] for pair in candidates]))
    rows = []
    for (page, english_path, _french_path), en, fr in zip(candidates, english, french, strict=True):
        if not en or not fr or len(en[1]) < MIN_CHARS or len(fr[1]) < MIN_CHARS:
            continue
        licence = SPDX.search(source_text(english_path))
        for language, (title, body) in (("en", en), ("fr", fr)):
            rows.append(
                {
                    "id": page,
                    "lang": language,
                    "title": title,
                    "body": body,
                    "licence": licence.group(1) if licence else "see page",
                }
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debs", type=Path, help="directory holding the pinned .deb files (else downloaded)")
    parser.add_argument("--output", type=Path, default=HERE / "articles.jsonl")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        debs = options.debs or Path(scratch) / "debs"
        if not options.debs:
            debs.mkdir()
            fetch(debs)
        root = Path(scratch) / "root"
        extract(debs, root)
        rows = build(root)
    with options.output.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    articles = len({row["id"] for row in rows})
    print(f"{articles} articles, {len(rows)} documents written to {options.output}")


if __name__ == "__main__":
    main()

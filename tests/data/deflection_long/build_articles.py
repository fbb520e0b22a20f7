"""Rebuild ``articles.jsonl`` of the long-article set from Debian's English and French manual pages.

The source is four pinned Debian bookworm packages: ``manpages`` and ``manpages-dev`` (the Linux
man-pages project, English) and ``manpages-fr`` and ``manpages-fr-dev`` (their French translation,
manpages-l10n). Every real page (not a symbolic link or a ``.so`` alias of another page) of sections 1 to 8
becomes a document when it renders to at least ``MIN_CHARS`` characters; the English and French
pages of one name are the two languages of one article. Many articles exist in only one language
(most commands of section 1 and 8 only in French, most library functions only in English), like
the untranslated articles of a real help center.
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
    # The English pages of the commands manpages-fr translates.
    "coreutils": "9.1-1",
    "util-linux": "2.38.1-5+deb12u3",
    "mount": "2.38.1-5+deb12u3",
    "bsdutils": "1:2.38.1-5+deb12u3",
    "e2fsprogs": "1.47.0-2+b2",
    "procps": "2:4.0.2-3",
    "findutils": "4.9.0-4",
    "grep": "3.8-5",
    "sed": "4.9-1+deb12u1",
    "gzip": "1.12-1",
    "tar": "1.34+dfsg-1.2+deb12u1",
    "diffutils": "1:3.8-4",
    "bash": "5.2.15-2+b13",
    "passwd": "1:4.13+dfsg1-1+deb12u2",
    "login": "1:4.13+dfsg1-1+deb12u2",
}
SECTIONS = ("1", "2", "3", "4", "5", "7", "8")
MIN_CHARS = 2000
NAME_HEADINGS = {"NAME", "NOM"}
DROPPED_HEADINGS = {"COLOPHON", "TRADUCTION", "SEE ALSO", "VOIR AUSSI"}
SPDX = re.compile(r"SPDX-License-Identifier:\s*(\S+)")


def fetch(directory: Path) -> None:
    """Download the pinned packages into ``directory`` (``apt-get download``, no install)."""
    wanted = [f"{name}={version}" for name, version in PACKAGES.items()]
    subprocess.run(["apt-get", "download", *wanted], cwd=directory, check=True)


def extract(debs: Path, root: Path) -> None:
    """Each package into its own folder of ``root``, so a page knows the package it comes from."""
    for name, version in PACKAGES.items():
        matches = sorted(debs.glob(f"{name}_{version.replace(':', '%3a')}_*.deb"))
        if not matches:
            sys.exit(f"missing {name}_{version}_*.deb in {debs}")
        (root / name).mkdir(parents=True)
        subprocess.run(["dpkg-deb", "-x", str(matches[0]), str(root / name)], check=True)


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


def article(path: Path) -> tuple[str, str, list[list[object]]] | None:
    """(title, body, sections) of a page, or None when it has no name line.

    ``sections`` gives where each heading starts in the body and its text (``[start, heading]``),
    as an article's h2 headings are indexed: its passages and their anchors.
    """
    title = ""
    parts: list[str] = []
    headings: list[list[object]] = []
    start = 0
    for heading, lines in sections(render(path)):
        if heading in NAME_HEADINGS:
            title = " ".join(" ".join(lines).split())
        elif heading not in DROPPED_HEADINGS:
            text = paragraphs(lines)
            if text:
                parts.append(f"{heading.capitalize()}\n{text}")
                headings.append([start, heading.capitalize()])
                start += len(parts[-1]) + 2  # the blank line joining the parts
    return (title, "\n\n".join(parts), headings) if title else None


def real_page(path: Path) -> bool:
    """A page with content, not a link to or a ``.so`` alias of another page."""
    if path.is_symlink() or not path.is_file():
        return False
    head = source_text(path).lstrip()
    return not head.startswith(".so ") and ".so man" not in head[:200]


def pages(root: Path) -> list[tuple[str, str, str, Path]]:
    """(page name, language, package, path) of every real page; the first package listed wins a name."""
    found = []
    seen: set[tuple[str, str]] = set()
    for package in PACKAGES:
        for section in SECTIONS:
            for language, folder in (("en", f"usr/share/man/man{section}"), ("fr", f"usr/share/man/fr/man{section}")):
                for path in sorted((root / package / folder).glob("*.gz")):
                    page = path.name.removesuffix(".gz")
                    if (page, language) not in seen and real_page(path):
                        seen.add((page, language))
                        found.append((page, language, package, path))
    return found


def build(root: Path) -> list[dict]:
    candidates = pages(root)
    with ThreadPoolExecutor(max_workers=2) as pool:
        rendered = list(pool.map(article, [path for _page, _language, _package, path in candidates]))
    rows = []
    for (page, language, package, path), made in zip(candidates, rendered, strict=True):
        if not made or len(made[1]) < MIN_CHARS:
            continue
        licence = SPDX.search(source_text(path))
        title, body, headings = made
        rows.append(
            {
                "id": page,
                "lang": language,
                "title": title,
                "body": body,
                "sections": headings,
                "source": f"{package} {PACKAGES[package]}",
                "licence": licence.group(1) if licence else f"see /usr/share/doc/{package}/copyright",
            }
        )
    return sorted(rows, key=lambda row: (row["id"], row["lang"]))


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
    per_language = {language: sum(row["lang"] == language for row in rows) for language in ("en", "fr")}
    print(f"{articles} articles, {len(rows)} documents {per_language} written to {options.output}")


if __name__ == "__main__":
    main()

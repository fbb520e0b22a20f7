"""Build articles.jsonl (the offline deflection corpus) from the demo help center.

The evaluation command reads one plain-text document per article and language, the same
shape the search index receives, so this flattens each translation's summary and
StreamField-like body blocks (HTML paragraphs, callouts, steps, code) into text.

Usage: python tests/data/deflection_dev/build_articles.py [--source PATH] [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
DEFAULT_SOURCE = REPO_ROOT / "cms" / "demo_data" / "help_center.json"
DEFAULT_OUTPUT = HERE / "articles.jsonl"

# Tags after which a line break keeps list items and paragraphs from running together.
_BLOCK_TAGS = {"p", "li", "ul", "ol", "br", "h2", "h3", "h4", "div", "tr"}


class _TextExtractor(HTMLParser):
    """Collect the text of an HTML fragment, breaking lines at block-level tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment with collapsed spaces and one line per block."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def block_to_text(block: dict[str, Any]) -> str:
    """Plain text of one body block, whatever its type."""
    kind, value = block["type"], block["value"]
    if kind == "paragraph":
        return html_to_text(value)
    if kind == "callout":
        return html_to_text(value["text"])
    if kind == "steps":
        return "\n".join(f"{number}. {html_to_text(step)}" for number, step in enumerate(value, start=1))
    if kind == "code":
        return str(value["code"])
    if kind == "image":
        return str(value.get("caption", ""))
    return ""


def article_rows(help_center: dict[str, Any]) -> list[dict[str, str]]:
    """One row per article and language present in the demo data, in file order."""
    rows: list[dict[str, str]] = []
    for article in help_center["articles"]:
        for language, translation in article["translations"].items():
            parts = [translation["summary"].strip()]
            parts.extend(text for text in (block_to_text(block) for block in translation["body"]) if text)
            rows.append(
                {
                    "id": article["slug"],
                    "lang": language,
                    "title": translation["title"].strip(),
                    "body": "\n\n".join(parts),
                }
            )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)

    help_center = json.loads(args.source.read_text(encoding="utf-8"))
    rows = article_rows(help_center)
    with args.output.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} article documents to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

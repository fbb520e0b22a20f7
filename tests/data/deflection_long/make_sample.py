"""Write the small sample CI scores on every engine: every fourth question, the articles that answer
them, and distractors up to ``ARTICLES`` articles (all languages of each), picked by a stable hash.

    python tests/data/deflection_long/make_sample.py --output-dir DIR

CI builds it on the fly (``.ci/run``) rather than committing a second copy of those articles.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = 200
EVERY = 4


def stable(article_id: str) -> str:
    return hashlib.sha256(article_id.encode()).hexdigest()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, required=True)
    output = parser.parse_args().output_dir
    output.mkdir(parents=True, exist_ok=True)
    queries = [json.loads(line) for line in (HERE / "queries.jsonl").open(encoding="utf-8") if line.strip()]
    lines = [line for line in (HERE / "articles.jsonl").open(encoding="utf-8") if line.strip()]
    ids = sorted({json.loads(line)["id"] for line in lines})
    picked = queries[::EVERY]
    keep = {article_id for query in picked for article_id in query["relevant"]}
    for article_id in sorted(ids, key=stable):
        if len(keep) >= ARTICLES:
            break
        keep.add(article_id)
    with (output / "sample_queries.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(query, ensure_ascii=False) + "\n" for query in picked)
    with (output / "sample_articles.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(line for line in lines if json.loads(line)["id"] in keep)
    print(f"{len(picked)} questions, {len(keep)} articles")


if __name__ == "__main__":
    main()

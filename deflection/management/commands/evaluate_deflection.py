"""``manage.py evaluate_deflection --articles A.jsonl --queries Q.jsonl [--engine E] [--k 10] [--json]``.

Stands alone: it needs no migrated database (only a temporary search index, dropped at the end).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from deflection.evaluation import DatasetError, evaluate, load_articles, load_queries, synthetic_dataset
from deflection.suggestions import FUSIONS, SIGNALS
from search.service import ENGINES, EngineNotConfigured, SearchUnavailable

METRIC_ORDER = ["recall@1", "recall@5", "recall@{k}", "hit@1", "hit@5", "mrr@{k}", "ndcg@{k}"]


class Command(BaseCommand):
    help = (
        "Score the suggestion ranking offline: index the articles in a temporary index on the configured "
        "search engine and run every query through the suggestion service."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--articles",
            type=Path,
            help='JSON lines: {"id", "lang", "title", "body"}, optionally "sections": [[start, heading], ...]',
        )
        parser.add_argument("--queries", type=Path, help='JSON lines: {"id", "lang", "text", "relevant": [ids]}')
        parser.add_argument(
            "--engine",
            choices=ENGINES,
            default=None,
            help="search engine to evaluate (default: the configured one); sqlite and postgres need DATABASE_URL "
            "to point to that database, elasticsearch needs ELASTICSEARCH_URL",
        )
        parser.add_argument(
            "--page-language",
            default=None,
            help="ask every query from a page in this language (e.g. en: drafts written in another language "
            "than the reader's page); default: each query's own language",
        )
        parser.add_argument("--k", type=int, default=10, help="cut-off for Recall, MRR and nDCG (default 10)")
        parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
        parser.add_argument(
            "--signals",
            default=None,
            help="comma-separated re-ranking signals to use instead of the kept ones "
            f"({', '.join([*SIGNALS, *FUSIONS])}; "
            "'none' for the baseline)",
        )
        parser.add_argument(
            "--synthetic",
            default=None,
            metavar="ARTICLES,QUERIES",
            help="time a generated set instead of files (e.g. 10000,500)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        k = options["k"]
        if k < 1 or k > 100:
            raise CommandError("--k must be between 1 and 100")
        signals = None
        if options["signals"] is not None:
            signals = [] if options["signals"] in {"", "none"} else options["signals"].split(",")
            unknown = set(signals) - set(SIGNALS) - FUSIONS
            if unknown:
                raise CommandError(f"unknown signals: {', '.join(sorted(unknown))}")
        if options["synthetic"]:
            try:
                counts = [int(part) for part in options["synthetic"].split(",")]
                articles, queries = synthetic_dataset(counts[0], counts[1])
            except (ValueError, IndexError) as error:
                raise CommandError("--synthetic takes ARTICLES,QUERIES, e.g. 10000,500") from error
        else:
            if not options["articles"] or not options["queries"]:
                raise CommandError("--articles and --queries are required (or --synthetic)")
            for name in ("articles", "queries"):
                options[name] = Path(options[name])
                if not options[name].is_file():
                    raise CommandError(f"--{name}: no such file {options[name]}")
            try:
                articles = load_articles(options["articles"])
                queries = load_queries(options["queries"], known_articles={article.id for article in articles})
            except DatasetError as error:
                raise CommandError(str(error)) from error
        if not articles or not queries:
            raise CommandError("the article and query sets must not be empty")

        codes = [code for code, _name in settings.LANGUAGES]
        if options["page_language"] is not None and options["page_language"] not in codes:
            raise CommandError(f"--page-language must be one of {', '.join(codes)}")
        try:
            report = evaluate(
                articles,
                queries,
                k=k,
                signals=signals,
                engine=options["engine"],
                page_language=options["page_language"],
            )
        except EngineNotConfigured as error:
            raise CommandError(f"--engine: {error}") from error
        except SearchUnavailable as error:
            raise CommandError(f"the search engine failed: {error}") from error
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2, sort_keys=True))
            return
        self._print(report.as_dict(), k)

    def _print(self, report: dict, k: int) -> None:
        names = [name.format(k=k) for name in METRIC_ORDER]
        self.stdout.write(
            f"{report['articles']} articles ({report['documents']} documents) indexed in "
            f"{report['index_seconds']:.1f}s; {report['overall']['queries']} queries in "
            f"{report['query_seconds']:.1f}s on {report['engine']}; "
            f"signals: {', '.join(report['signals']) or 'none'}"
        )
        header = (
            f"{'':10}{'queries':>8}"
            + "".join(f"{name:>11}" for name in names)
            + f"{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        )
        self.stdout.write(header)
        rows = [("overall", report["overall"]), *report["by_language"].items()]
        for label, figures in rows:
            self.stdout.write(
                f"{label:10}{figures['queries']:>8}"
                + "".join(f"{figures[name]:>11.3f}" for name in names)
                + f"{figures['latency_p50_ms']:>9.1f}{figures['latency_p95_ms']:>9.1f}{figures['latency_p99_ms']:>9.1f}"
            )

"""Search benchmark: our index against Wagtail's built-in page search on one synthetic corpus.

Builds a fresh product (its own VAR_DIR and SQLite database unless ``--database-url`` names a
PostgreSQL one), creates N live articles in English (all) and French (about 70 %), then reports:

- index build rate (documents per second) of the configured engine, from documents in memory
  and from the live pages (``index_rebuild``, which includes reading the pages);
- query latency p50/p95/p99 for short queries (1–3 words, some with a typo) and for long
  drafted questions (~1,000–2,000 characters), through ``search_articles``;
- the same queries through Wagtail's page search (``ArticlePage.objects.live().search``) on the
  same pages, and the ratios (Wagtail ÷ ours, latency: above 1 means ours is faster);
- how often the article a query was written from comes back in the top 10 (both engines).

Prints one JSON object; never part of the test suite.

    python -m bench.search [--articles 10000] [--queries 200] [--database-url postgres://…]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# Parallel vocabularies: the same "meaning" in both languages, so French articles and queries
# exercise French analysis (plurals, elision, accents) the way English ones do English.
TOPICS = [
    ("password", "mot de passe"),
    ("invoice", "facture"),
    ("subscription", "abonnement"),
    ("refund", "remboursement"),
    ("notification", "notification"),
    ("account", "compte"),
    ("export", "exportation"),
    ("integration", "intégration"),
    ("webhook", "webhook"),
    ("calendar", "calendrier"),
    ("permission", "autorisation"),
    ("workspace", "espace de travail"),
    ("attachment", "pièce jointe"),
    ("signature", "signature"),
    ("report", "rapport"),
    ("language", "langue"),
    ("timezone", "fuseau horaire"),
    ("payment", "paiement"),
    ("receipt", "reçu"),
    ("contract", "contrat"),
    ("domain", "domaine"),
    ("certificate", "certificat"),
    ("backup", "sauvegarde"),
    ("template", "modèle"),
    ("dashboard", "tableau de bord"),
    ("shortcut", "raccourci"),
    ("mailbox", "boîte aux lettres"),
    ("license", "licence"),
    ("device", "appareil"),
    ("profile", "profil"),
    ("session", "session"),
    ("folder", "dossier"),
]
ACTIONS = [
    ("reset", "réinitialiser"),
    ("change", "modifier"),
    ("delete", "supprimer"),
    ("download", "télécharger"),
    ("share", "partager"),
    ("renew", "renouveler"),
    ("cancel", "résilier"),
    ("restore", "restaurer"),
    ("configure", "configurer"),
    ("verify", "vérifier"),
    ("update", "mettre à jour"),
    ("import", "importer"),
    ("transfer", "transférer"),
    ("activate", "activer"),
    ("disable", "désactiver"),
    ("recover", "récupérer"),
]
FILLER = [
    ("open the settings page", "ouvrez la page des paramètres"),
    ("choose the option in the menu", "choisissez l'option dans le menu"),
    ("the change applies immediately", "la modification s'applique immédiatement"),
    ("administrators can do this for every member", "les administrateurs peuvent le faire pour chaque membre"),
    ("an email confirms the operation", "un courriel confirme l'opération"),
    ("contact support if the problem continues", "contactez l'assistance si le problème persiste"),
    ("this is available on paid plans", "cette fonction est disponible avec les formules payantes"),
    ("the history keeps the previous versions", "l'historique conserve les versions précédentes"),
]
DRAFT_OPENERS = [
    ("Hello, I have a problem and I need help.", "Bonjour, j'ai un problème et j'ai besoin d'aide."),
    ("Since yesterday something does not work.", "Depuis hier quelque chose ne fonctionne plus."),
    ("My manager asked me to sort this out today.", "Mon responsable m'a demandé de régler ça aujourd'hui."),
]


def _setup_django(database_url: str | None, var_dir: str) -> None:
    os.environ["VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    os.environ["DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{var_dir}/bench.sqlite3"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    with contextlib.redirect_stdout(sys.stderr):  # the translation migrate prints its SQL
        call_command("migrate", verbosity=0, interactive=False)


def _article_text(rng: random.Random, index: int, language: int) -> dict[str, str]:
    topic = TOPICS[index % len(TOPICS)]
    action = ACTIONS[(index // len(TOPICS)) % len(ACTIONS)]
    second = TOPICS[(index * 7 + 3) % len(TOPICS)]
    variant = index // (len(TOPICS) * len(ACTIONS))
    if language == 0:
        title = f"How to {action[0]} your {topic[0]} ({variant})"
        summary = f"Steps to {action[0]} a {topic[0]} and what happens to the {second[0]}s afterwards."
        words = [f"To {action[0]} the {topic[0]}, {rng.choice(FILLER)[0]}." for _ in range(6)]
        words += [f"The {second[0]} is not affected; {rng.choice(FILLER)[0]}." for _ in range(4)]
    else:
        title = f"Comment {action[1]} votre {topic[1]} ({variant})"
        summary = f"Les étapes pour {action[1]} un {topic[1]} et l'effet sur les {second[1]}s ensuite."
        words = [f"Pour {action[1]} le {topic[1]}, {rng.choice(FILLER)[1]}." for _ in range(6)]
        words += [f"Le {second[1]} n'est pas concerné ; {rng.choice(FILLER)[1]}." for _ in range(4)]
    rng.shuffle(words)
    return {"title": title, "summary": summary, "body": " ".join(words)}


def _typo(rng: random.Random, word: str) -> str:
    if len(word) < 6:
        return word
    position = rng.randrange(1, len(word) - 2)
    return word[:position] + word[position + 1] + word[position] + word[position + 2 :]


def _queries(rng: random.Random, count: int, articles: int) -> dict[str, list[tuple[str, str, int]]]:
    """(language, text, index of the article it was written from) for short and long queries."""
    short, long = [], []
    for _ in range(count):
        index = rng.randrange(articles)
        language = rng.choice([0, 1]) if index % 10 < 7 else 0
        code = "en" if language == 0 else "fr"
        topic = TOPICS[index % len(TOPICS)][language]
        action = ACTIONS[(index // len(TOPICS)) % len(ACTIONS)][language]
        words = rng.choice([[topic], [action, topic], [action, _typo(rng, topic)]])
        if language == 1 and rng.random() < 0.5:
            words = [f"l'{words[-1]}"] if words[-1][0] in "aeiouéè" else words
        short.append((code, " ".join(words), index))
        text = _article_text(rng, index, language)
        draft = [rng.choice(DRAFT_OPENERS)[language], text["summary"], text["body"]]
        while sum(len(part) for part in draft) < 1200:
            draft.append(rng.choice(FILLER)[language] + ".")
        long.append((code, " ".join(draft)[:2000], index))
    return {"short": short, "long": long}


def _percentiles(samples: list[float]) -> dict[str, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49] * 1000, 2),
        "p95_ms": round(cuts[94] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
    }


def _build_pages(articles: int, rng: random.Random) -> tuple[list[int], list[Any]]:
    """Live pages (no revisions: the benchmark measures search, not publishing) and their documents."""
    from django.db import transaction
    from django.db.models.signals import post_save
    from modelsearch.signal_handlers import post_save_signal_handler
    from wagtail.models import Page, Site
    from wagtail.signal_handlers import disable_reference_index_auto_update

    from cms.models import ArticlePage, CategoryPage, HelpCenterPage

    # Wagtail would index and reference-index each page as it is saved; the benchmark indexes
    # with ``update_index`` afterwards, timed on its own.
    for model in (Page, HelpCenterPage, CategoryPage, ArticlePage):
        post_save.disconnect(post_save_signal_handler, sender=model)
    root = Site.objects.get(is_default_site=True).root_page
    ids: list[int] = []
    with transaction.atomic(), disable_reference_index_auto_update():
        help_center = root.add_child(instance=HelpCenterPage(title="Help", title_en="Help", slug="help", live=True))
        categories = [
            help_center.add_child(
                instance=CategoryPage(title=t[0], title_en=t[0].title(), title_fr=t[1].title(), slug=f"c{n}", live=True)
            )
            for n, t in enumerate(TOPICS)
        ]
        for index in range(articles):
            english = _article_text(rng, index, 0)
            fields: dict[str, Any] = {
                "title": english["title"],
                "title_en": english["title"],
                "summary_en": english["summary"],
                "body_en": [{"type": "paragraph", "value": f"<p>{english['body']}</p>"}],
            }
            if index % 10 < 7:
                french = _article_text(rng, index, 1)
                fields |= {
                    "title_fr": french["title"],
                    "summary_fr": french["summary"],
                    "body_fr": [{"type": "paragraph", "value": f"<p>{french['body']}</p>"}],
                }
            page = categories[index % len(categories)].add_child(
                instance=ArticlePage(slug=f"a{index}", live=True, **fields)
            )
            ids.append(page.pk)
    return ids, categories


def _phase(name: str, started: float) -> float:
    print(f"search bench: {name} done at {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)
    return time.perf_counter()


def _time(function: Any, items: list[tuple[str, str, int]], ids: list[int], budget: float) -> dict[str, Any]:
    """Latency percentiles and top-10 hit rate; stops after ``budget`` seconds (Wagtail's long drafts)."""
    samples: list[float] = []
    found = 0
    began = time.perf_counter()
    for language, text, index in items:
        started = time.perf_counter()
        result_ids = function(language, text)
        samples.append(time.perf_counter() - started)
        found += str(ids[index]) in result_ids
        if time.perf_counter() - began > budget and len(samples) >= 3:
            break
    return {**_percentiles(samples), "queries": len(samples), "target_in_top10": round(found / len(samples), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file in a temporary folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--budget", type=float, default=120.0, help="seconds per engine and query kind; the rest are skipped"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="af-bench-search-") as var_dir:
        started = time.perf_counter()
        _setup_django(args.database_url, var_dir)
        from django.core.management import call_command
        from django.db import connection
        from django.utils import translation

        from cms.models import ArticlePage
        from search.backends import get_backend
        from search.service import documents_for_article, index_rebuild, search_articles, temporary_index

        rng = random.Random(args.seed)
        _phase("migrate", started)
        ids, _categories = _build_pages(args.articles, rng)
        _phase(f"{args.articles} pages", started)
        setup_seconds = time.perf_counter() - started

        # Our engine, from documents in memory (engine speed only).
        documents = [
            d for page in ArticlePage.objects.filter(pk__in=ids).order_by("pk") for d in documents_for_article(page)
        ]
        with temporary_index() as scratch:
            began = time.perf_counter()
            scratch.rebuild(iter(documents))
            engine_seconds = time.perf_counter() - began

        # Our engine, from the live pages (what `search_rebuild` does).
        _phase("engine rebuild from documents", started)
        report = index_rebuild()
        _phase("index_rebuild from pages", started)

        # Wagtail's built-in page search over the same pages.
        with translation.override("en"):
            began = time.perf_counter()
            call_command("update_index", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
            wagtail_seconds = time.perf_counter() - began
        _phase("wagtail update_index", started)

        queries = _queries(random.Random(args.seed + 1), args.queries, args.articles)
        audiences = ["public"]

        def ours(language: str, text: str) -> list[str]:
            results = search_articles(text, language=language, audiences=audiences, limit=10)
            return [hit.article_id for hit in results.hits]

        def wagtail(language: str, text: str) -> list[str]:
            with translation.override(language):
                pages = ArticlePage.objects.live().filter(audience__in=audiences).search(text[:2000], operator="or")
                return [str(page.pk) for page in pages[:10]]

        ours("en", "warm up")
        wagtail("en", "warm up")
        result: dict[str, Any] = {
            "engine": get_backend().describe(),
            "database": connection.vendor,
            "articles": args.articles,
            "documents": len(documents),
            "setup_seconds": round(setup_seconds, 1),
            "index": {
                "engine_documents_per_second": round(len(documents) / engine_seconds, 1),
                "engine_seconds": round(engine_seconds, 2),
                "from_pages_documents_per_second": round(report.documents / report.seconds, 1),
                "from_pages_seconds": round(report.seconds, 2),
                "wagtail_update_index_seconds": round(wagtail_seconds, 2),
            },
        }
        for kind in ("short", "long"):
            mine = _time(ours, queries[kind], ids, args.budget)
            _phase(f"our {kind} queries", started)
            theirs = _time(wagtail, queries[kind], ids, args.budget)
            _phase(f"wagtail {kind} queries", started)
            result[kind] = {
                "ours": mine,
                "wagtail": theirs,
                "latency_ratio_wagtail_over_ours": {
                    key: round(theirs[key] / mine[key], 2) if mine[key] else None
                    for key in ("p50_ms", "p95_ms", "p99_ms")
                },
            }
        result["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

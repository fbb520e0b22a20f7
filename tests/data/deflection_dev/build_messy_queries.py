"""Build messy_queries.jsonl: every development question buried as customers bury theirs.

Each question of ``queries.jsonl`` keeps its id (suffixed ``-messy``), language and labels; its
text gets, chosen by a seeded random generator, a greeting, words repeated for emphasis, a link,
a pasted log or stack trace (English, full of product words: sync, calendar, export, token), a
sign-off with a signature, and an earlier email quoted below it — taken from *another* article of
the same language, so its words point to the wrong answer. ``evaluate_deflection`` on this file
shows what draft cleaning (``deflection.text.clean_draft``) is worth (issue 14, item 4).

Usage: python tests/data/deflection_dev/build_messy_queries.py [--seed 14] [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

GREETINGS = {
    "en": ["Hi,", "Hello team,", "Hey there!", "Dear support,", "Good morning,"],
    "fr": ["Bonjour,", "Bonjour à tous,", "Salut,", "Bonsoir,", "Bonjour Madame, Monsieur,"],
    "de": ["Hallo,", "Guten Tag,", "Sehr geehrte Damen und Herren,", "Hallo zusammen,"],
    "es": ["Hola,", "Buenos días,", "Hola equipo,", "Estimados:"],
    "it": ["Ciao,", "Buongiorno,", "Salve,"],
    "pt": ["Olá,", "Bom dia,", "Prezados,"],
}
SIGN_OFFS = {
    "en": ["Thanks in advance,", "Best regards,", "Kind regards,", "Thanks,", "Cheers,"],
    "fr": ["Merci d'avance,", "Cordialement,", "Bien cordialement,", "Merci,", "Bonne journée,"],
    "de": ["Vielen Dank,", "Mit freundlichen Grüßen", "Viele Grüße,", "Danke im Voraus,"],
    "es": ["Gracias,", "Saludos,", "Un saludo,", "Muchas gracias,"],
    "it": ["Grazie,", "Cordiali saluti,", "Grazie mille,"],
    "pt": ["Obrigado,", "Atenciosamente,", "Abraços,"],
}
SIGNATURES = [
    "Claire Martin\nOperations manager | Northwind Logistics\nTel +33 1 84 88 21 07\nwww.northwind-logistics.example",
    "Tom Becker\nHead of Finance, Brightline GmbH\nMobile: +49 151 2345 6789",
    "Ana López\nProject coordinator\nAcme Iberia S.L. – calendar, billing & sync team",
    "J. Smith\nIT admin | invoices, exports and single sign-on\nSent from my iPhone",
]
QUOTE_HEADERS = {
    "en": "On Mon, Nov 30, 2026 at 9:12 AM Worklane Support <support@worklane.example> wrote:",
    "fr": "Le lun. 30 nov. 2026 à 09:12, Support Worklane <support@worklane.example> a écrit :",
    "de": "Am Mo., 30. Nov. 2026 um 09:12 Uhr schrieb Worklane Support <support@worklane.example>:",
    "es": "El lun, 30 nov 2026 a las 9:12, Soporte Worklane (<support@worklane.example>) escribió:",
    "it": "Il giorno lun 30 nov 2026 alle ore 09:12 Worklane Support <support@worklane.example> ha scritto:",
    "pt": "Em seg., 30 de nov. de 2026 às 09:12, Suporte Worklane <support@worklane.example> escreveu:",
}
LOG_LINES = [
    "2026-11-30 09:14:02,311 ERROR [sync-worker-2] com.worklane.integrations.CalendarSync - OAuth token refresh "
    "failed for calendar export (status 401)",
    "2026-11-30 09:14:02,402 WARN  [sync-worker-2] com.worklane.integrations.CalendarSync - retrying webhook "
    "delivery 3/5 for workspace 8f3a9c2e71b44d0e",
    "[09:14:03] INFO  scheduler: export job 5521 queued (format=csv, attachments=true)",
]
STACK_TRACE = [
    "Traceback (most recent call last):",
    '  File "/srv/worklane/integrations/sync.py", line 214, in push_events',
    "    response = session.post(url, json=payload, timeout=10)",
    '  File "/srv/worklane/integrations/http.py", line 88, in post',
    '    raise PermissionDenied("token expired")',
    "worklane.integrations.errors.PermissionDenied: token expired",
    "\tat com.worklane.api.AuthFilter.doFilter(AuthFilter.java:57)",
    "\tat org.apache.catalina.core.ApplicationFilterChain.internalDoFilter(ApplicationFilterChain.java:178)",
]
LINKS = [
    "https://app.worklane.example/settings/billing/invoices?workspace=8f3a9c2e71b44d0e&tab=export",
    "https://app.worklane.example/sheets/4471/calendar-sync/share?view=grid",
    "see https://status.worklane.example/incidents/2026-11-30-webhooks",
]
EMPHASIS = {
    "en": ["urgent urgent urgent", "please please help", "HELP HELP"],
    "fr": ["urgent urgent", "svp svp svp", "aidez-moi aidez-moi"],
    "de": ["dringend dringend", "bitte bitte helfen"],
    "es": ["urgente urgente", "ayuda ayuda por favor"],
    "it": ["urgente urgente", "aiuto aiuto"],
    "pt": ["urgente urgente", "socorro socorro"],
}


def _quoted(language: str, other: dict) -> list[str]:
    body = " ".join(other["body"].split())[:400]
    quoted = [f"> {body[start : start + 76]}" for start in range(0, len(body), 76)]
    return ["", QUOTE_HEADERS[language], f"> {other['title']}", *quoted]


def messy(rng: random.Random, query: dict, articles: list[dict]) -> str:
    language = query["lang"]
    lines: list[str] = []
    if rng.random() < 0.8:
        lines.append(rng.choice(GREETINGS[language]))
    question = query["text"]
    if rng.random() < 0.4:
        question = f"{question} {rng.choice(EMPHASIS[language])}"
    lines.append(question)
    if rng.random() < 0.3:
        lines.append(rng.choice(LINKS))
    noise = rng.random()
    if noise < 0.35:
        lines += ["", *LOG_LINES[: rng.randint(1, 3)] * rng.randint(1, 3)]
    elif noise < 0.6:
        lines += ["", *STACK_TRACE]
    if rng.random() < 0.8:
        lines += ["", rng.choice(SIGN_OFFS[language]), rng.choice(SIGNATURES)]
    others = [a for a in articles if a["lang"] == language and a["id"] not in set(query["relevant"])]
    if others and rng.random() < 0.6:
        lines += _quoted(language, rng.choice(others))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--output", type=Path, default=HERE / "messy_queries.jsonl")
    options = parser.parse_args()
    rng = random.Random(options.seed)
    articles = [json.loads(line) for line in (HERE / "articles.jsonl").read_text(encoding="utf-8").splitlines() if line]
    queries = [json.loads(line) for line in (HERE / "queries.jsonl").read_text(encoding="utf-8").splitlines() if line]
    rows = [{**query, "id": f"{query['id']}-messy", "text": messy(rng, query, articles)} for query in queries]
    options.output.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    print(f"{len(rows)} messy queries written to {options.output}")


if __name__ == "__main__":
    main()

"""Search documents for tests: small, readable, one article per call."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from cms.anchors import anchor_ids
from search.service import SearchDocument, Section


def doc(
    article_id: str,
    language: str,
    title: str,
    summary: str = "",
    body: str = "",
    *,
    audience: str = "public",
    tags: list[str] | None = None,
    category_path: list[str] | None = None,
) -> SearchDocument:
    return SearchDocument(
        article_id=article_id,
        language=language,
        title=title,
        summary=summary,
        body=body,
        category_path=category_path or [],
        audience=audience,
        tags=tags or [],
        url=f"/help/a/{article_id}/?lang={language}",
        published_at=datetime(2026, 1, 2, tzinfo=UTC),
        updated_at=datetime(2026, 3, 4, tzinfo=UTC),
    )


def headed(document: SearchDocument) -> SearchDocument:
    """``document`` with a section at the start of its body and after each blank line, headed by its
    first line (as the long-article set's manual pages are)."""
    body = document.body
    starts = [0] + [index + 2 for index in range(len(body)) if body.startswith("\n\n", index)]
    headings = [body[start:].split("\n", 1)[0] for start in starts]
    anchors = anchor_ids(headings)
    return replace(
        document,
        sections=tuple(Section(*section) for section in zip(starts, anchors, headings, strict=True)),
    )


# A small help center in English and French; article "billing-fr-only" exists only in French,
# "export" only in English (the fallback case).
CORPUS = [
    doc(
        "reset",
        "en",
        "Reset your password",
        "Choose a new password when you forgot it.",
        "Open the sign-in page, follow the forgotten password link and check your email.",
    ),
    doc(
        "reset",
        "fr",
        "Réinitialiser votre mot de passe",
        "Choisissez un nouveau mot de passe si vous l'avez oublié.",
        "Ouvrez la page de connexion, suivez le lien et consultez vos courriels.",
    ),
    doc(
        "subscriptions",
        "en",
        "Manage subscriptions",
        "Change or cancel the plans you pay for.",
        "Your subscriptions are listed on the billing page. Upgrades take effect immediately.",
    ),
    doc(
        "subscriptions",
        "fr",
        "Gérer les abonnements",
        "Modifier ou arrêter les formules payées.",
        "Vos abonnements figurent sur la page de facturation. Les changements sont immédiats.",
    ),
    doc(
        "export",
        "en",
        "Export your data",
        "Download every ticket and article as a spreadsheet.",
        "Exports are prepared in the background; a download link is emailed when the file is ready.",
    ),
    doc(
        "gov-hours",
        "en",
        "Support hours for public-sector customers",
        "When the Gov team answers.",
        "The government support desk answers on working days.",
        audience="gov",
    ),
    doc(
        "internal-runbook",
        "en",
        "Escalation runbook for agents",
        "Internal steps for escalations.",
        "Page the on-call engineer when an outage hits several customers.",
        audience="internal",
    ),
    doc(
        "invoices",
        "en",
        "Download invoices",
        "Find the invoices of every billing period.",
        "Invoices are PDF files. Each invoice lists taxes, the billing address and the payment method.",
    ),
    doc(
        "invoices",
        "fr",
        "Télécharger les factures",
        "Retrouvez les factures de chaque période.",
        "Les factures sont des fichiers PDF avec les taxes et l'adresse de facturation.",
    ),
    doc(
        "two-factor",
        "en",
        "Turn on two-factor authentication",
        "Protect your account with a second step.",
        "Scan the QR code with an authenticator app, then enter the six-digit code.",
    ),
    doc(
        "password-policy",
        "en",
        "Password rules",
        "How long a password must be.",
        "A password needs twelve characters. Reset links expire after one hour.",
    ),
    doc(
        "ja-reset",
        "ja",
        "パスワードをリセットする",
        "新しいパスワードを設定します。",
        "サインインページでリンクを開いてください。",
    ),
]

"""The article feedback report: figures on a known fixture, filters, CSV/XLSX export, permissions."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission

from cms.models import ArticleFeedback, ArticlePage, ArticleViewCount
from cms.selectors import feedback_report

REPORT = "/admin/reports/article-feedback/"


@pytest.fixture
def figures(tree):
    """bilingual: en 10 views on Nov 1 and 5 on Nov 20, fr 4 views; 3 yes / 1 no in en, 1 no in fr."""
    ArticleViewCount.objects.create(article=tree.bilingual, language="en", day=dt.date(2026, 11, 1), count=10)
    ArticleViewCount.objects.create(article=tree.bilingual, language="en", day=dt.date(2026, 11, 20), count=5)
    ArticleViewCount.objects.create(article=tree.bilingual, language="fr", day=dt.date(2026, 11, 1), count=4)
    ArticleViewCount.objects.create(article=tree.english_only, language="en", day=dt.date(2026, 11, 1), count=2)
    with time_machine.travel(dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC), tick=False):
        for n in range(3):
            ArticleFeedback.objects.create(article=tree.bilingual, language="en", helpful=True, visitor_key=f"v{n}")
        ArticleFeedback.objects.create(
            article=tree.bilingual, language="en", helpful=False, visitor_key="v3", comment="Too short."
        )
    with time_machine.travel(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC), tick=False):
        ArticleFeedback.objects.create(
            article=tree.bilingual, language="fr", helpful=False, visitor_key="v4", comment="Lien expiré."
        )
    return tree


def row(queryset, article):
    page = queryset.get(pk=article.pk)
    return (page.views, page.yes, page.no)


def test_report_figures_and_filters(figures):
    assert row(feedback_report(), figures.bilingual) == (19, 3, 2)
    assert row(feedback_report(), figures.english_only) == (2, 0, 0)
    assert row(feedback_report(), figures.internal) == (0, 0, 0)
    assert row(feedback_report(language="en"), figures.bilingual) == (15, 3, 1)
    assert row(feedback_report(language="fr"), figures.bilingual) == (4, 0, 1)
    assert row(feedback_report(date_from=dt.date(2026, 11, 10)), figures.bilingual) == (5, 0, 1)
    assert row(feedback_report(date_to=dt.date(2026, 11, 10), language="en"), figures.bilingual) == (10, 3, 1)
    assert feedback_report(order="views").first().pk == figures.bilingual.pk  # most viewed first


def test_admin_report_page_and_exports(figures, admin_client):
    page = admin_client.get(REPORT)
    assert page.status_code == 200
    html = page.content.decode()
    cells = " ".join(html[html.index("Reset your password") :].split())
    figures_cells = "<td > 19 </td> <td > 3 </td> <td > 2 </td> <td > 60% </td>"
    assert cells.startswith(f"Reset your password </a> </div> </td> {figures_cells}")
    assert "[fr] Lien expiré. | [en] Too short." in cells

    csv = admin_client.get(REPORT, {"export": "csv", "language": "en"})
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "Article,Path,Views,Yes,No,Helpful ratio,Recent comments"
    assert "Reset your password,/home/help/account/passwords/reset-password/,15,3,1,0.75,[en] Too short." in lines

    xlsx = admin_client.get(REPORT, {"export": "xlsx", "date_from": "2026-11-10"})
    assert xlsx.status_code == 200
    sheet = openpyxl.load_workbook(
        io.BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content)
    ).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Reset your password"][2:6] == (5, 0, 1, 0)


def test_the_report_puts_what_needs_attention_first_and_the_order_is_selectable(figures, admin_client):
    """Most "No" first, then the lowest share of "Yes"; articles without votes last (by views, then tree)."""
    ArticleFeedback.objects.create(article=figures.english_only, language="en", helpful=False, visitor_key="n1")
    ArticleFeedback.objects.create(article=figures.english_only, language="en", helpful=False, visitor_key="n2")
    ArticleFeedback.objects.create(article=figures.internal, language="en", helpful=True, visitor_key="y1")
    ArticleFeedback.objects.create(article=figures.internal, language="en", helpful=False, visitor_key="n3")
    # english_only: 0 yes / 2 no (0%); bilingual: 3 yes / 2 no (60%, most viewed); internal: 1 / 1 (50%).
    first_three = [figures.english_only.pk, figures.bilingual.pk, figures.internal.pk]
    assert [page.pk for page in feedback_report()][:3] == first_three
    assert [page.pk for page in feedback_report(order="views")][:2] == [figures.bilingual.pk, figures.english_only.pk]
    assert [page.pk for page in feedback_report(order="helpful")][:3] == [
        figures.bilingual.pk,
        figures.internal.pk,
        figures.english_only.pk,
    ]
    tree_order = [page.pk for page in feedback_report(order="tree")]
    assert tree_order == sorted(tree_order, key=lambda pk: ArticlePage.objects.get(pk=pk).path)

    def titles(response) -> list[str]:
        html = response.content.decode()
        wanted = {"Turn on two-factor sign-in", "Reset your password", "Refund macro"}
        positions = {title: html.index(title) for title in wanted}
        return sorted(wanted, key=positions.get)

    page = admin_client.get(REPORT)
    assert titles(page) == ["Turn on two-factor sign-in", "Reset your password", "Refund macro"]
    assert "Needs attention first" in page.content.decode()
    by_helpful = admin_client.get(REPORT, {"order": "helpful"})
    assert titles(by_helpful) == ["Reset your password", "Refund macro", "Turn on two-factor sign-in"]
    csv = admin_client.get(REPORT, {"export": "csv", "order": "attention"})
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in lines[1:4]] == [
        "Turn on two-factor sign-in",
        "Reset your password",
        "Refund macro",
    ]


def test_report_needs_page_permissions(figures, client, customer):
    client.force_login(customer)
    assert client.get(REPORT).status_code in {302, 403}
    editors = Group.objects.create(name="Report editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=editors, page=figures.help_center, permission=Permission.objects.get(codename="change_page")
    )
    customer.groups.add(editors)
    assert client.get(REPORT).status_code == 200

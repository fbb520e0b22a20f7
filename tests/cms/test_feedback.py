"""'Was this article helpful?': create, change, refuse invalid input without writing anything."""

from __future__ import annotations

from django.test import Client

from cms.models import ArticleFeedback

JSON = {"HTTP_ACCEPT": "application/json"}


def url(article) -> str:
    return f"/help/_feedback/{article.pk}/"


def test_vote_without_javascript_redirects_back_to_the_article(tree, client):
    response = client.post(url(tree.bilingual), {"helpful": "yes", "language": "en"})
    assert response.status_code == 302
    assert response["Location"] == "/help/account/passwords/reset-password/?lang=en#feedback"
    vote = ArticleFeedback.objects.get()
    assert (vote.article_id, vote.language, vote.helpful, vote.comment, vote.user) == (
        tree.bilingual.pk,
        "en",
        True,
        "",
        None,
    )
    assert vote.visitor_key.startswith("visitor:")
    page = client.get(tree.bilingual.url).content.decode()
    assert 'value="yes" aria-pressed="true"' in page


def test_vote_with_javascript_gets_json_and_one_vote_per_visitor_is_changeable(tree, client):
    first = client.post(url(tree.bilingual), {"helpful": "yes", "language": "fr"}, **JSON)
    assert first.status_code == 200 and first.json()["created"] is True and first.json()["helpful"] is True
    second = client.post(url(tree.bilingual), {"helpful": "no", "language": "fr"}, **JSON)
    assert second.json() | {"message": ""} == {"helpful": False, "comment": "", "created": False, "message": ""}
    third = client.post(
        url(tree.bilingual), {"helpful": "no", "language": "fr", "comment": "  The link never arrived.  "}, **JSON
    )
    assert third.json()["comment"] == "The link never arrived."
    vote = ArticleFeedback.objects.get()
    assert (vote.helpful, vote.comment, vote.language) == (False, "The link never arrived.", "fr")
    client.post(url(tree.bilingual), {"helpful": "no", "language": "fr"}, **JSON)  # a bare "No" again
    vote.refresh_from_db()
    assert vote.comment == "The link never arrived."
    client.post(url(tree.bilingual), {"helpful": "no", "language": "fr", "comment": ""}, **JSON)
    vote.refresh_from_db()
    assert vote.comment == ""  # the reader emptied the comment box
    client.post(url(tree.bilingual), {"helpful": "no", "language": "fr", "comment": "Still no email."}, **JSON)
    client.post(url(tree.bilingual), {"helpful": "yes", "language": "fr"}, **JSON)
    vote.refresh_from_db()
    assert (vote.helpful, vote.comment) == (True, "")  # a comment belongs with a "No" only
    assert ArticleFeedback.objects.count() == 1


def test_two_visitors_vote_separately_and_signed_in_users_are_recorded(tree, client, customer):
    client.post(url(tree.bilingual), {"helpful": "yes", "language": "en"})
    other = Client()
    other.force_login(customer)
    other.post(url(tree.bilingual), {"helpful": "no", "language": "en"})
    assert ArticleFeedback.objects.count() == 2
    mine = ArticleFeedback.objects.get(user=customer)
    assert mine.visitor_key == f"user:{customer.pk}" and mine.helpful is False


def test_comment_is_stored_as_text_and_escaped(tree, client):
    client.post(url(tree.bilingual), {"helpful": "no", "language": "en", "comment": "<script>alert(1)</script>"})
    assert ArticleFeedback.objects.get().comment == "<script>alert(1)</script>"
    html = client.get(tree.bilingual.url).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html


def test_too_long_comment_is_refused_and_nothing_is_written(tree, client):
    response = client.post(url(tree.bilingual), {"helpful": "no", "language": "en", "comment": "x" * 2001}, **JSON)
    assert response.status_code == 400
    assert "2000" in response.json()["error"]
    assert not ArticleFeedback.objects.exists()
    ok = client.post(url(tree.bilingual), {"helpful": "no", "language": "en", "comment": "x" * 2000}, **JSON)
    assert ok.status_code == 200


def test_unsupported_language_and_bad_vote_are_400(tree, client):
    assert client.post(url(tree.bilingual), {"helpful": "yes", "language": "xx"}).status_code == 400
    assert client.post(url(tree.bilingual), {"helpful": "maybe", "language": "en"}).status_code == 400
    assert client.post(url(tree.bilingual), {"language": "en"}).status_code == 400
    assert not ArticleFeedback.objects.exists()


def test_unknown_or_hidden_article_is_404(tree, client):
    assert client.post("/help/_feedback/999999/", {"helpful": "yes", "language": "en"}).status_code == 404
    assert client.post(url(tree.internal), {"helpful": "yes", "language": "en"}).status_code == 404
    assert client.post(url(tree.account), {"helpful": "yes", "language": "en"}).status_code == 404  # not an article
    assert not ArticleFeedback.objects.exists()


def test_vote_without_csrf_token_is_403(tree):
    client = Client(enforce_csrf_checks=True)
    response = client.post(url(tree.bilingual), {"helpful": "yes", "language": "en"})
    assert response.status_code == 403
    assert not ArticleFeedback.objects.exists()


def test_get_is_not_allowed(tree, client):
    assert client.get(url(tree.bilingual)).status_code == 405

"""A repeat visit of an unchanged page costs a 304, not the page (GUIDE §6), on the pages that do
not make their own ETag (the plan pages do): the municipality, activity, comments,
notifications, profile, history and login pages."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest
from django.test import Client

from jalon.discussions.models import Notification
from jalon.discussions.services import notify, thread_start
from jalon.plans.services import answer_save

from .conftest import PASSWORD, client_for

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')


def again(client: Client, path: str, first) -> int:
    return client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code


@pytest.mark.parametrize(
    "path",
    [
        "/organisations/{org}/",
        "/organisations/{org}/activity/",
        "/plans/{plan}/activity/",
        "/plans/{plan}/comments/",
        "/plans/{plan}/items/competences/history/",
        "/notifications/",
        "/accounts/profile/",
    ],
)
def test_an_unchanged_page_answers_304_and_a_changed_one_the_page(client, plan, people, path):
    path = path.format(org=plan.organisation_id, plan=plan.pk)
    owner = client_for(client, people["owner"])
    first = owner.get(path)
    assert first.status_code == 200 and first["ETag"]
    assert again(owner, path, first) == 304
    # Something the page may show changes: a comment, an answer, a notification, a name.
    thread_start(plan=plan, user=people["editor"], item_id="competences", body="Vu ?")
    answer_save(plan=plan, user=people["editor"], item_id="competences", raw="B", base_version=0)
    notify(recipients=[people["owner"]], actor=people["editor"], kind=Notification.Kind.COMMENT,
           plan=plan, summary="Vu ?", url=f"/plans/{plan.pk}/")  # fmt: skip
    people["owner"].name = "Owner Renamed"
    people["owner"].save()
    assert again(owner, path, first) == 200


def test_a_page_kept_by_the_browser_still_posts_and_a_new_login_makes_a_new_etag(plan, people):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")
    browser.post(
        "/accounts/login/",
        {"username": people["owner"].email, "password": PASSWORD,
         "csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
    )  # fmt: skip
    path = "/accounts/profile/"
    first = browser.get(path)
    kept = TOKEN.search(first.content.decode())
    assert kept is not None
    # The browser shows its kept copy after a 304, and posts with the token in it.
    assert again(browser, path, first) == 304
    posted = browser.post(
        path,
        {"name": "Awa", "language": "fr", "digest": "daily", "csrfmiddlewaretoken": kept[1]},
    )
    assert posted.status_code == 302
    # A new login makes a new CSRF secret: the kept copy's tokens would fail, so no 304.
    now = browser.get(path)
    browser.logout()
    browser.get("/accounts/login/")
    browser.post(
        "/accounts/login/",
        {"username": people["owner"].email, "password": PASSWORD,
         "csrfmiddlewaretoken": browser.cookies["csrftoken"].value},
    )  # fmt: skip
    assert again(browser, path, now) == 200


def test_a_page_with_a_one_time_message_is_never_a_304(client, plan, people):
    owner = client_for(client, people["owner"])
    path = f"/organisations/{plan.organisation_id}/"
    first = owner.get(path)
    owner.post(path, {"email": "someone@example.org", "role": "viewer"})  # « Invitation sent »
    with_message = owner.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert with_message.status_code == 200
    assert "someone@example.org" in with_message.content.decode()


def test_pages_go_out_in_brotli_to_browsers_that_read_it_else_in_gzip(client, plan, people):
    owner = client_for(client, people["owner"])
    path = f"/plans/{plan.pk}/steps/6/"

    def unmasked(page: bytes) -> str:  # each response masks the CSRF token anew
        return TOKEN.sub("", page.decode())

    plain = owner.get(path).content
    both = owner.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert both["Content-Encoding"] == "br" and "Accept-Encoding" in both["Vary"]
    assert unmasked(brotli.decompress(both.content)) == unmasked(plain)
    assert len(both.content) < len(gzip.compress(plain, 6))
    older = owner.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert older["Content-Encoding"] == "gzip"
    assert unmasked(gzip.decompress(older.content)) == unmasked(plain)
    # The ETag is weak once compressed, and still answers 304.
    assert both["ETag"].startswith('W/"')
    again = owner.get(path, HTTP_ACCEPT_ENCODING="br", HTTP_IF_NONE_MATCH=both["ETag"])
    assert again.status_code == 304

"""What the API answers: the plan's data, versioned writes and their conflicts, the files, and
a clear refusal in the person's language for everything else."""

from __future__ import annotations

import json
import re

import pytest
from django.test import override_settings

from jalon.api.api import THROTTLE
from jalon.plans.models import Answer, Record
from jalon.plans.services import answer_save
from jalon.reports.formats import FORMATS

from ..conftest import client_for
from .conftest import call


@pytest.fixture
def editor(tokens):
    return tokens["editor", "write"]


def test_municipalities_members_and_plans_as_the_municipality_page_shows_them(
    client, world, editor
):
    municipalities = call(client, "get", "/api/v1/municipalities", editor).json()
    assert municipalities["count"] == 1
    assert municipalities["items"][0] | {"role": "editor"} == municipalities["items"][0]
    members = call(client, "get", f"/api/v1/municipalities/{world['org']}/members", editor)
    assert {m["email"] for m in members.json()["items"]} == {
        f"{n}@example.org" for n in ("owner", "editor", "commenter", "viewer")
    }
    plans = call(client, "get", f"/api/v1/municipalities/{world['org']}/plans", editor).json()
    assert [p["id"] for p in plans["items"]] == [world["plan"]]


def test_the_plan_says_its_worksheet_review_state_and_progress(client, plan, world, editor):
    body = call(client, "get", f"/api/v1/plans/{plan.pk}", editor).json()
    assert body["definition"] == {
        "id": plan.definition_id, "version": plan.definition_version, "hash": plan.definition_hash
    }  # fmt: skip
    assert body["review_state"] == "draft"
    assert [step["number"] for step in body["progress"]] == [1, 2, 3, 4, 5, 6]


def test_a_write_based_on_the_current_version_is_saved_and_bumps_it(client, plan, editor):
    path = f"/api/v1/plans/{plan.pk}/answers/competences"
    response = call(client, "put", path, editor, {"value": "Voirie", "base_version": 0})
    assert response.status_code == 200
    assert response.json()["version"] == 1 and response.json()["changed"] is True
    assert Answer.objects.get(plan=plan, item_id="competences").value == "Voirie"
    assert call(client, "get", path, editor).json()["value"] == "Voirie"
    answers = call(client, "get", f"/api/v1/plans/{plan.pk}/answers", editor).json()
    assert {"competences", "orientation"} <= {a["item"] for a in answers}
    assert all(a["item"] != "actors" for a in answers)  # lists: their records


def test_a_stale_write_answers_409_with_the_current_value_and_version(client, plan, people, editor):
    answer_save(plan=plan, user=people["owner"], item_id="competences", raw="Eau",
                base_version=None)  # fmt: skip
    path = f"/api/v1/plans/{plan.pk}/answers/competences"
    response = call(client, "put", path, editor, {"value": "Voirie", "base_version": 0})
    assert response.status_code == 409
    assert response.json()["current"] == {"version": 1, "value": "Eau"}
    assert Answer.objects.get(plan=plan, item_id="competences").value == "Eau"


def test_records_are_added_changed_moved_and_removed_with_their_versions(client, plan, editor):
    base = f"/api/v1/plans/{plan.pk}"
    first = call(client, "post", f"{base}/items/actors/records", editor, {"data": {"name": "A"}})
    second = call(client, "post", f"{base}/items/actors/records", editor, {"data": {"name": "B"}})
    assert first.status_code == second.status_code == 201
    uid = first.json()["uid"]
    stale = call(client, "patch", f"{base}/records/{uid}", editor,
                 {"data": {"name": "A2"}, "base_version": 7})  # fmt: skip
    assert stale.status_code == 409
    assert stale.json()["current"]["data"]["name"] == "A"
    changed = call(client, "patch", f"{base}/records/{uid}", editor,
                   {"data": {"name": "A2"}, "base_version": 1})  # fmt: skip
    assert changed.json()["data"]["name"] == "A2" and changed.json()["version"] == 2
    moved = call(client, "post", f"{base}/records/{uid}/move", editor, {"offset": 1})
    assert moved.json()["position"] == 2
    listed = call(client, "get", f"{base}/items/actors/records", editor).json()
    assert [r["data"]["name"] for r in listed["items"]] == ["B", "A2"]
    assert call(client, "delete", f"{base}/records/{uid}?base_version=1", editor).status_code == 409
    assert call(client, "delete", f"{base}/records/{uid}?base_version=2", editor).status_code == 204
    assert not Record.objects.filter(uid=uid).exists()
    history = call(client, "get", f"{base}/history?limit=2", editor).json()
    assert history["count"] == 5 and len(history["items"]) == 2
    assert history["items"][0]["action"] == "delete"


def test_a_list_is_paged_at_most_a_hundred_at_a_time(client, plan, editor):
    response = call(client, "get", f"/api/v1/plans/{plan.pk}/history?limit=500", editor)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"].endswith("limit")


@pytest.mark.parametrize("code", list(FORMATS))
def test_every_export_is_the_same_file_as_the_page_download(client, plan, people, editor, code):
    answer_save(plan=plan, user=people["owner"], item_id="competences", raw="Voirie",
                base_version=None)  # fmt: skip
    api = call(client, "get", f"/api/v1/plans/{plan.pk}/export/{code}?lang=en", editor)
    client_for(client, people["editor"])
    page = client.get(f"/plans/{plan.pk}/download/{code}/?lang=en")
    assert api.status_code == page.status_code == 200
    assert api["Content-Type"] == page["Content-Type"]
    assert api["Content-Disposition"] == page["Content-Disposition"]
    if code == "json":  # says when it was exported
        assert json.loads(api.content)["plan"] == json.loads(page.content)["plan"]
    else:
        assert api.content == page.content


def test_an_unknown_format_or_item_is_a_404_that_says_so(client, plan, editor):
    response = call(client, "get", f"/api/v1/plans/{plan.pk}/export/odt", editor)
    assert response.status_code == 404 and "pdf" in response.json()["detail"]
    response = call(client, "get", f"/api/v1/plans/{plan.pk}/answers/nothing", editor)
    assert response.status_code == 404 and "nothing" in response.json()["detail"]
    response = call(client, "get", f"/api/v1/plans/{plan.pk}/answers/actors", editor)
    assert response.status_code == 404


def test_errors_speak_the_language_of_accept_language(client, plan, editor):
    path = f"/api/v1/plans/{plan.pk}/answers/competences"
    french = call(client, "put", path, editor, {"value": 3, "base_version": 0})
    english = call(client, "put", path, editor, {"value": 3, "base_version": 0},
                   HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.8")  # fmt: skip
    assert french.status_code == english.status_code == 422
    assert french.json()["detail"] != english.json()["detail"]
    assert "text" in english.json()["detail"]
    assert (french["Content-Language"], english["Content-Language"]) == ("fr", "en")
    anonymous = client.get("/api/v1/municipalities", HTTP_ACCEPT_LANGUAGE="en")
    assert "token" in anonymous.json()["detail"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ('{"value": "x", "base_version": ', 400, "body"),
        ('{"value": "x"}', 422, "base_version"),
        ('{"value": "x", "base_version": "two"}', 422, "base_version"),
        ('{"value": "x", "base_version": 99999999999999999999}', 422, "base_version"),
        ("[1, 2]", 422, "body"),
    ],
)
def test_malformed_json_or_wrong_types_are_refused_naming_the_field(
    client, plan, editor, body, status, field
):
    response = client.put(
        f"/api/v1/plans/{plan.pk}/answers/competences", body,
        content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {editor}",
    )  # fmt: skip
    assert response.status_code == status
    assert any(field in error["field"] for error in response.json()["errors"])
    assert not Answer.objects.exists()


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_size_limit_is_413(client, plan, editor):
    path = f"/api/v1/plans/{plan.pk}/answers/competences"
    response = call(client, "put", path, editor, {"value": "x" * 2000, "base_version": 0})
    assert response.status_code == 413
    assert response.json()["detail"]


def test_a_comment_goes_through_the_same_text_checks(client, plan, editor):
    path = f"/api/v1/plans/{plan.pk}/comments"
    bad = call(client, "post", path, editor, {"item": "competences", "body": "a\x1bb"})
    assert bad.status_code == 422 and "U+001B" in bad.json()["detail"]
    good = call(client, "post", path, editor, {"item": "competences", "body": "Une question"})
    assert good.status_code == 201
    threads = call(client, "get", path, editor).json()
    assert threads["items"][0]["comments"][0]["body"] == "Une question"


def test_advice_and_worksheets_are_read(client, plan, editor):
    advice = call(client, "get", f"/api/v1/plans/{plan.pk}/advice", editor)
    assert advice.status_code == 200 and isinstance(advice.json(), list)
    worksheets = call(client, "get", "/api/v1/worksheets", editor).json()
    ids = {(w["id"], w["version"]) for w in worksheets}
    assert (plan.definition_id, plan.definition_version) in ids
    path = f"/api/v1/worksheets/{plan.definition_id}/{plan.definition_version}"
    one = call(client, "get", path, editor)
    steps = one.json()["steps"]
    assert len(steps) == 6
    first = steps[0]["sections"][0]["items"][0]
    assert first["label"]["fr"] and first["label"]["en"]


def test_too_many_requests_answer_429_with_retry_after(client, plan, editor, monkeypatch):
    monkeypatch.setattr(THROTTLE, "num_requests", 3)
    statuses = [call(client, "get", f"/api/v1/plans/{plan.pk}", editor).status_code
                for _ in range(4)]  # fmt: skip
    assert statuses == [200, 200, 200, 429]
    response = call(client, "get", f"/api/v1/plans/{plan.pk}", editor)
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"]


def test_the_openapi_description_and_the_docs_page_are_served_from_jalon(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith("/static/") or url == "data:," for url in urls)
    assert "http" not in " ".join(urls)

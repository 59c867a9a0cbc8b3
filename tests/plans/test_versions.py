"""Snapshots and the versions pages: keeping a named version (editors only, the review left as
it is), the list, comparing two versions or one with now, and every bad request answered."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from jalon.discussions.activity import Filters, Kind, snapshot_events
from jalon.organisations.models import Membership
from jalon.plans import review
from jalon.plans.models import Plan, PlanVersion, ReviewState
from jalon.plans.services import answer_save, record_add, record_delete, record_update
from jalon.reports.formats import FORMATS, VERSION_BUILDERS

from ..conftest import client_for


def member(plan: Plan, user) -> Membership:
    return Membership.objects.get(organisation=plan.organisation, user=user)


def snapshot(plan: Plan, user, name: str = "Avant le conseil") -> PlanVersion:
    return review.snapshot_create(plan=plan, membership=member(plan, user), name=name)


def visible(html: str) -> str:
    """The page's text as read: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def main_of(response) -> str:
    html: str = response.content.decode()
    return html.split('<main id="main"')[1].split("</main>")[0]


# The service


def test_a_snapshot_freezes_the_plan_under_its_name_and_leaves_the_review_alone(plan, people):
    owner = member(plan, people["owner"])
    answer_save(plan=plan, user=people["editor"], item_id="competences", raw="Deux agents",
                base_version=None)  # fmt: skip
    review.review_request(plan=plan, membership=owner)
    version = snapshot(plan, people["editor"], "  Avant   le conseil ")
    assert version.kind == PlanVersion.Kind.SNAPSHOT and version.name == "Avant le conseil"
    assert version.created_by == people["editor"] and version.validated_at is None
    assert version.content["answers"]["competences"]["value"] == "Deux agents"
    assert version.content["snapshot"] == {
        "name": "Avant le conseil", "taken_by": "Editor", "review_state": "in_review"
    }  # fmt: skip
    assert Plan.objects.get(pk=plan.pk).review_state == ReviewState.IN_REVIEW
    answer_save(plan=plan, user=people["editor"], item_id="competences", raw="Trois agents",
                base_version=None)  # fmt: skip
    version.refresh_from_db()
    assert version.content["answers"]["competences"]["value"] == "Deux agents"


def test_a_snapshot_of_a_validated_plan_keeps_it_validated(plan, people):
    review.review_validate(plan=plan, membership=member(plan, people["owner"]))
    snapshot(plan, people["editor"])
    assert Plan.objects.get(pk=plan.pk).review_state == ReviewState.VALIDATED


@pytest.mark.parametrize(
    "name, problem",
    [("   ", "Donnez un nom"), ("x" * 201, "au plus 200"), ("Nul\x00", "caractère")],
)
def test_a_bad_name_keeps_nothing_and_says_why(plan, people, name, problem):
    with pytest.raises(review.ReviewError) as refused:
        snapshot(plan, people["editor"], name)
    assert refused.value.status == 400 and problem in str(refused.value)
    assert not PlanVersion.objects.filter(plan=plan).exists()


def test_a_snapshot_is_a_line_of_the_plans_activity(client, plan, people):
    version = snapshot(plan, people["editor"], "Envoyée à l'AFD")
    (event,) = snapshot_events([plan], Filters(), 10)
    assert event.kind == Kind.SNAPSHOT and event.actor_id == people["editor"].pk
    assert event.url == reverse("plan_version", args=[plan.pk, version.pk])
    assert snapshot_events([plan], Filters(person=people["owner"].pk), 10) == []
    assert snapshot_events([plan], Filters(step="1"), 10) == []
    page = client_for(client, people["viewer"]).get(f"/plans/{plan.pk}/activity/")
    assert "Editor a gardé une version de « Déchets solides 2027 » : « Envoyée à l'AFD »" in (
        visible(page.content.decode()).replace("\u00a0", " ").replace("&#x27;", "'")
    )


# Keeping a version over HTTP


def test_an_editor_keeps_a_version_from_the_versions_page(client, plan, people):
    client_for(client, people["editor"])
    page = client.get(f"/plans/{plan.pk}/versions/").content.decode()
    assert 'name="name"' in page and 'value="Version du ' in page  # today's date proposed
    response = client.post(f"/plans/{plan.pk}/versions/", {"name": "Avant le conseil"})
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/versions/"
    version = PlanVersion.objects.get(plan=plan)
    assert version.name == "Avant le conseil" and version.kind == "snapshot"
    page = client.get(f"/plans/{plan.pk}/versions/").content.decode()
    assert "Version « Avant le conseil » gardée" in page.replace("\u00a0", " ")
    assert reverse("plan_version", args=[plan.pk, version.pk]) in page


@pytest.mark.parametrize("name", ["", "x" * 201, "Nul\x01"])
def test_a_bad_name_comes_back_with_the_problem_next_to_the_field(client, plan, people, name):
    client_for(client, people["editor"])
    response = client.post(f"/plans/{plan.pk}/versions/", {"name": name})
    assert response.status_code == 400
    assert 'class="errorlist" id="snapshot-name-error"' in response.content.decode()
    assert not PlanVersion.objects.filter(plan=plan).exists()


def test_readers_see_the_versions_but_no_form_to_keep_one(client, plan, people):
    snapshot(plan, people["owner"])
    for role in ("viewer", "commenter"):
        page = client_for(client, people[role]).get(f"/plans/{plan.pk}/versions/")
        assert page.status_code == 200
        assert 'method="post"' not in main_of(page) and "Avant le conseil" in main_of(page)
        assert client.post(f"/plans/{plan.pk}/versions/", {"name": "X"}).status_code == 403
    assert PlanVersion.objects.filter(plan=plan).count() == 1


def test_the_list_holds_validations_and_snapshots_newest_first(client, plan, people):
    review.review_validate(plan=plan, membership=member(plan, people["owner"]))
    snapshot(plan, people["editor"], "Après validation")
    page = main_of(client_for(client, people["viewer"]).get(f"/plans/{plan.pk}/versions/"))
    text = visible(page)
    assert text.index("Après validation") < text.index("Validée le")
    assert "Version gardée" in text and "Version validée" in text
    assert "par Editor" in text and "par Owner (propriétaire)" in text


def test_the_overview_links_to_all_the_versions(client, plan, people):
    snapshot(plan, people["editor"])
    page = client_for(client, people["editor"]).get(f"/plans/{plan.pk}/").content.decode()
    assert reverse("plan_versions", args=[plan.pk]) in page and "Avant le conseil" in page


def test_a_snapshot_taken_changes_the_overview_even_for_a_browser_that_has_it(client, plan, people):
    client_for(client, people["viewer"])
    first = client.get(f"/plans/{plan.pk}/")
    snapshot(plan, people["editor"], "Nouvelle version")
    again = client.get(f"/plans/{plan.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200 and "Nouvelle version" in again.content.decode()


def test_a_snapshots_page_and_downloads_say_what_it_is(client, plan, people):
    version = snapshot(plan, people["editor"])
    client_for(client, people["viewer"])
    page = client.get(f"/plans/{plan.pk}/versions/{version.pk}/").content.decode()
    assert "Version « Avant le conseil » du" in page.replace("\u00a0", " ")
    assert "Version validée" not in page
    exported = json.loads(client.get(f"/plans/{plan.pk}/versions/{version.pk}/download/json/")
                          .content)  # fmt: skip
    assert exported["review"] == {
        "state": "draft", "validated_by": None, "role": None, "validated_at": None
    }  # fmt: skip


# Comparing


@pytest.fixture
def two_snapshots(plan, people):
    """Two snapshots with known changes between them, and a change after the second."""
    editor = people["editor"]
    answer_save(plan=plan, user=editor, item_id="competences",
                raw="Deux agents formés au SIG.", base_version=None)  # fmt: skip
    answer_save(plan=plan, user=editor, item_id="orientation",
                raw={"choice": "inclusion", "note": ""}, base_version=None)  # fmt: skip
    kept = record_add(plan=plan, user=editor, item_id="actors", raw={"name": "Mairie"})
    gone = record_add(plan=plan, user=editor, item_id="actors", raw={"name": "ONG Kalaba"})
    first = snapshot(plan, editor, "Premier jet")
    answer_save(plan=plan, user=editor, item_id="competences",
                raw="Trois agents formés au SIG.", base_version=None)  # fmt: skip
    record_delete(plan=plan, user=editor, uid=gone.uid, base_version=gone.version)
    record_add(plan=plan, user=editor, item_id="actors", raw={"name": "Radio Kalaba"})
    second = snapshot(plan, editor, "Second jet")
    record_update(plan=plan, user=editor, uid=kept.uid, raw={"name": "Mairie de Kalaba"},
                  base_version=kept.version)  # fmt: skip
    return first, second


def compare_url(plan, old, new="now"):
    return f"/plans/{plan.pk}/versions/compare/?from={old}&to={new}"


def test_comparing_two_snapshots_shows_exactly_what_changed_between_them(
    client, plan, people, two_snapshots
):
    first, second = two_snapshots
    response = client_for(client, people["viewer"]).get(compare_url(plan, first.pk, second.pk))
    assert response.status_code == 200
    page = main_of(response)
    text = visible(page).replace("\u00a0", " ")
    assert "1 réponse modifiée, 1 fiche ajoutée, 1 supprimée." in text
    assert "<del>Deux</del><ins>Trois</ins>" in page
    assert "Radio Kalaba" in text and "ONG Kalaba" in text
    # Unchanged answers, and what changed after the second snapshot, are not there.
    assert "Mairie" not in text and "orientation" not in page
    assert text.count("Ajoutée") == 1 and text.count("Supprimée") == 1


def test_comparing_with_now_shows_the_changes_since(client, plan, people, two_snapshots):
    _first, second = two_snapshots
    page = main_of(client_for(client, people["viewer"]).get(compare_url(plan, second.pk)))
    text = visible(page).replace("\u00a0", " ")
    assert "1 fiche modifiée." in text
    assert '<span class="words">Mairie<ins> de Kalaba</ins></span>' in page
    assert "le plan tel qu’il est maintenant" in text


def test_a_version_compared_with_itself_says_nothing_changed(client, plan, people, two_snapshots):
    first, _second = two_snapshots
    page = main_of(client_for(client, people["viewer"]).get(compare_url(plan, first.pk, first.pk)))
    assert "Rien n’a changé entre ces deux versions" in page
    assert "<del>" not in page and "<ins>" not in page


def test_the_comparison_reads_in_english(client, plan, people, two_snapshots):
    first, second = two_snapshots
    client_for(client, people["viewer"]).post("/i18n/setlang/", {"language": "en", "next": "/"})
    text = visible(main_of(client.get(compare_url(plan, first.pk, second.pk))))
    assert "1 answer changed, 1 record added, 1 removed." in text


def test_the_text_a_member_wrote_is_escaped_in_the_comparison(client, plan, people):
    editor = people["editor"]
    first = snapshot(plan, editor)
    answer_save(plan=plan, user=editor, item_id="competences",
                raw="<script>alert(1)</script> & co", base_version=None)  # fmt: skip
    page = client_for(client, editor).get(compare_url(plan, first.pk)).content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "query",
    ["", "?to=now", "?from=abc", "?from=&to=now", "?from=1.5", "?from={v}&to=x", "?from=-1"],
)
def test_a_comparison_that_does_not_say_which_versions_is_a_400_with_the_form(
    client, plan, people, query
):
    version = snapshot(plan, people["editor"])
    response = client_for(client, people["viewer"]).get(
        f"/plans/{plan.pk}/versions/compare/" + query.format(v=version.pk)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert" id="compare-problem"' in page and "Choisissez la version" in page
    assert f'action="/plans/{plan.pk}/versions/compare/"' in page


@pytest.mark.parametrize("which", ["from", "to"])
def test_a_version_of_another_plan_or_none_at_all_is_not_found(
    client, plan, other_plan, people, which
):
    own = snapshot(plan, people["editor"])
    outsider = Membership.objects.get(organisation=other_plan.organisation)
    foreign = review.snapshot_create(plan=other_plan, membership=outsider, name="Autre")
    client_for(client, people["owner"])
    for bad in (foreign.pk, 999_999, "9" * 18, "9" * 40):
        ids = {"from": own.pk, "to": own.pk, which: bad}
        response = client.get(compare_url(plan, ids["from"], ids["to"]))
        assert response.status_code == 404, bad
        assert "introuvable" in response.content.decode().lower()


def test_the_compare_form_works_without_javascript(client, plan, people, two_snapshots):
    _first, second = two_snapshots
    page = client_for(client, people["viewer"]).get(f"/plans/{plan.pk}/versions/")
    html = page.content.decode()
    form = html.split('class="form filters compare-form"')[1].split("</form>")[0]
    assert 'name="from"' in form and 'name="to"' in form and '<option value="now"' in form
    assert f'<option value="{second.pk}" selected>' in form  # the newest, by default


@pytest.mark.parametrize("code", list(VERSION_BUILDERS))
def test_a_snapshot_downloads_in_every_format(client, plan, people, code):
    version = snapshot(plan, people["editor"])
    response = client_for(client, people["viewer"]).get(
        f"/plans/{plan.pk}/versions/{version.pk}/download/{code}/"
    )
    assert response.status_code == 200 and len(response.content) > 100
    assert response["Content-Type"] == FORMATS[code].content_type

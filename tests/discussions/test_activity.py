"""The activity of a plan and of a municipality: who changed what and who invited whom, newest
first, grouped, filtered, paged, with what is new since the person's last visit marked."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from jalon.discussions import services as comment_services
from jalon.discussions.models import Visit
from jalon.organisations import services as organisation_services
from jalon.plans import review
from jalon.plans.models import Revision
from jalon.plans.plan_file import parse
from jalon.plans.services import answer_save, plan_import, record_add
from jalon.reports import to_json
from jalon.reports.selectors import plan_export

from ..conftest import client_for
from ..organisations.test_invitations import link_in

NEW = "Nouveau depuis votre dernière visite"


def save(plan, user, item_id="competences", text="Texte"):
    answer_save(plan=plan, user=user, item_id=item_id, raw=text, base_version=None)


def lines(page: str) -> list[str]:
    """The text of each line of the activity, spaces collapsed."""
    found = re.findall(r'<ol class="activity">(.*?)</ol>', page, re.S)
    items = re.findall(r"<li[^>]*>(.*?)</li>", found[0], re.S) if found else []
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def activity(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_persons_changes_to_one_item_within_ten_minutes_make_one_line(client, plan, people):
    for n in range(3):
        save(plan, people["editor"], text=f"Version {n}")
    save(plan, people["editor"], item_id="excluded_groups_text")
    save(plan, people["owner"], item_id="excluded_groups_text", text="Autre")
    client_for(client, people["viewer"])
    shown = lines(activity(client, f"/plans/{plan.pk}/activity/"))
    assert len(shown) == 3
    assert shown[0].startswith("Owner a modifié « Qui sont les groupes")
    assert shown[1].startswith("Editor a modifié « Qui sont les groupes")
    assert shown[2].startswith("Editor a modifié « Quelle est la répartition")
    assert "(3 fois)" in shown[2] and "fois" not in shown[1]


def test_changes_further_apart_than_ten_minutes_are_separate_lines(client, plan, people):
    save(plan, people["editor"])
    Revision.objects.update(created=F("created") - timedelta(minutes=11))
    save(plan, people["editor"], text="Plus tard")
    client_for(client, people["viewer"])
    shown = lines(activity(client, f"/plans/{plan.pk}/activity/"))
    assert len(shown) == 2 and not any("fois" in line for line in shown)


def test_each_line_links_to_the_item_on_its_step_page(client, plan, people):
    save(plan, people["editor"])
    record = record_add(plan=plan, user=people["editor"], item_id="actors", raw={"name": "ONG"})
    client_for(client, people["viewer"])
    page = activity(client, f"/plans/{plan.pk}/activity/")
    assert f'href="/plans/{plan.pk}/steps/2/#item-competences"' in page
    assert f'href="/plans/{plan.pk}/steps/3/#record-{record.uid}"' in page


def test_an_import_is_one_line(client, plan, organisation, people):
    save(plan, people["editor"])
    save(plan, people["editor"], item_id="excluded_groups_text")
    export = plan_export(plan)
    imported = plan_import(
        organisation=organisation, user=people["owner"], data=parse(to_json.build(export))
    )
    assert Revision.objects.filter(plan=imported).count() == 2
    client_for(client, people["viewer"])
    shown = lines(activity(client, f"/plans/{imported.pk}/activity/"))
    assert len(shown) == 1 and "Owner a importé le plan (2 réponses et fiches)" in shown[0]


def test_invitations_sent_and_accepted_show(client, plan, people):
    client_for(client, people["owner"])
    client.post(f"/plans/{plan.pk}/invite/", {"email": "outsider@example.org", "role": "viewer"})
    path = link_in(mail.outbox[0])
    client_for(client, people["outsider"]).post(path)
    shown = lines(activity(client, f"/plans/{plan.pk}/activity/"))
    joined = "Outsider a accepté l’invitation et a rejoint la commune comme lecteur"
    assert shown[0].startswith(joined)
    assert shown[1].startswith("Owner a invité outsider@example.org comme lecteur")
    page = activity(client, f"/organisations/{plan.organisation_id}/activity/")
    assert len(lines(page)) == 2


def test_filters_by_person_and_by_step(client, plan, people):
    save(plan, people["editor"])  # step 2
    save(plan, people["owner"], item_id="excluded_groups_text")  # step 1
    organisation_services.invitation_create(
        organisation=plan.organisation, invited_by=people["owner"], email="a@example.org",
        role="viewer", plan_id=plan.pk,
    )  # fmt: skip
    client_for(client, people["viewer"])
    path = f"/plans/{plan.pk}/activity/"
    assert len(lines(activity(client, path))) == 3
    by_owner = lines(activity(client, path, person=people["owner"].pk))
    assert len(by_owner) == 2 and all(line.startswith("Owner") for line in by_owner)
    step_two = lines(activity(client, path, step="2"))
    assert len(step_two) == 1 and step_two[0].startswith("Editor")
    assert lines(activity(client, path, step="2", person=people["owner"].pk)) == []
    # Unknown values are ignored, never a 500.
    for junk in ({"person": "x"}, {"person": "999999"}, {"step": "99"}, {"step": "%00"}):
        assert len(lines(activity(client, path, **junk))) == 3
    # The municipality's page filters the same way.
    org_path = f"/organisations/{plan.organisation_id}/activity/"
    assert len(lines(activity(client, org_path, step="1"))) == 1


def test_comments_and_review_moves_show_and_filter(client, plan, people):
    comment = comment_services.thread_start(
        plan=plan, user=people["commenter"], item_id="competences", body="Qui forme les agents ?"
    )
    comment_services.comment_reply(thread=comment.thread, user=people["editor"], body="La DSI.")
    comment_services.thread_resolve(thread=comment.thread, user=people["editor"])
    owner = plan.organisation.memberships.get(user=people["owner"])
    review.review_validate(plan=plan, membership=owner, message="Bon pour le conseil")
    client_for(client, people["viewer"])
    path = f"/plans/{plan.pk}/activity/"
    shown = lines(activity(client, path))
    assert shown[0].startswith("Owner a validé « ") and "Bon pour le conseil" in shown[0]
    assert shown[1].startswith("Editor a résolu une discussion sur « ")
    assert shown[2].startswith("Editor a répondu sur « ")
    assert shown[3].startswith("Commenter a commenté « ")
    # A comment belongs to its item's step; a review move to no step.
    assert len(lines(activity(client, path, step="2"))) == 3
    assert lines(activity(client, path, step="1")) == []
    assert len(lines(activity(client, path, person=people["editor"].pk))) == 2
    page = activity(client, path)
    assert f'href="/plans/{plan.pk}/steps/2/#item-competences"' in page
    org_page = activity(client, f"/organisations/{plan.organisation_id}/activity/")
    assert len(lines(org_page)) == 4


@pytest.fixture
def busy_plan(plan, people):
    """A plan with 51 lines of activity: two people taking turns on one item."""
    for n in range(51):
        save(plan, people["editor" if n % 2 else "owner"], text=f"Version {n}")
    return plan


def test_fifty_lines_a_page_and_any_page_number_is_answered(client, busy_plan, people):
    client_for(client, people["viewer"])
    path = f"/plans/{busy_plan.pk}/activity/"
    first = activity(client, path)
    assert len(lines(first)) == 50 and 'rel="next"' in first and 'rel="prev"' not in first
    second = activity(client, path, page="2")
    assert len(lines(second)) == 1 and 'rel="prev"' in second and 'rel="next"' not in second
    assert lines(second)[0].startswith("Owner")  # the oldest: the first save
    for junk in ("abc", "", "0", "-3", "1.5", "%00"):
        assert lines(activity(client, path, page=junk)) == lines(first)
    for far in ("3", "99999999999999999999999"):
        page = activity(client, path, page=far)
        assert lines(page) == [] and "au-delà de la fin" in page


def test_the_queries_do_not_grow_with_the_lines_shown(client, busy_plan, plan, people):
    client_for(client, people["viewer"])

    def count(path, **params):
        with CaptureQueriesContext(connection) as queries:
            activity(client, path, **params)
        return len(queries)

    path = f"/plans/{busy_plan.pk}/activity/"
    activity(client, path)  # the first visit is written; the next ones are within it
    many = count(path)  # 50 lines
    few = count(path, page="2")  # 1 line
    assert many == few


def test_an_outsider_gets_a_404(client, plan, people):
    client_for(client, people["outsider"])
    assert client.get(f"/plans/{plan.pk}/activity/").status_code == 404
    assert client.get(f"/organisations/{plan.organisation_id}/activity/").status_code == 404


def test_what_others_did_since_the_last_visit_is_marked(client, plan, people):
    save(plan, people["editor"], text="Avant")
    client_for(client, people["owner"])
    path = f"/plans/{plan.pk}/activity/"
    assert NEW not in activity(client, path)  # a first visit: nothing to compare with
    # Later (past the ten minutes a visit lasts), others change things, and so does the owner.
    Visit.objects.update(seen_at=F("seen_at") - timedelta(minutes=30))
    Revision.objects.update(created=F("created") - timedelta(minutes=40))
    save(plan, people["editor"], item_id="excluded_groups_text", text="Après")
    save(plan, people["owner"], text="Le mien")
    overview = client.get(f"/plans/{plan.pk}/").content.decode()
    assert "1 changement depuis votre dernière visite" in overview
    assert f'href="/plans/{plan.pk}/activity/"' in overview
    page = activity(client, path)  # from the overview: the same visit, still marked
    shown = lines(page)
    assert shown[0].startswith("Owner") and NEW not in shown[0]  # one's own change
    assert shown[1].startswith(NEW) and "Editor a modifié « Qui sont" in shown[1]
    assert NEW not in shown[2]  # before the last visit
    assert Visit.objects.filter(user=people["owner"], plan=plan).count() == 1


def test_a_visit_writes_at_most_once_in_ten_minutes(client, plan, people):
    client_for(client, people["owner"])
    client.get(f"/plans/{plan.pk}/")
    first = Visit.objects.get(user=people["owner"], plan=plan).seen_at
    client.get(f"/plans/{plan.pk}/activity/")
    client.get(f"/plans/{plan.pk}/")
    assert Visit.objects.get(user=people["owner"], plan=plan).seen_at == first
    client.get(f"/plans/{plan.pk}/steps/1/")  # the step page never writes one
    assert Visit.objects.count() == 1
    client.get(f"/organisations/{plan.organisation_id}/activity/")
    assert Visit.objects.filter(plan=None).count() == 1


def test_the_overview_and_the_municipality_link_to_their_activity(client, plan, people):
    client_for(client, people["viewer"])
    assert f"/plans/{plan.pk}/activity/" in client.get(f"/plans/{plan.pk}/").content.decode()
    page = client.get(f"/organisations/{plan.organisation_id}/").content.decode()
    assert f"/organisations/{plan.organisation_id}/activity/" in page
    # Only owners are offered to invite from the plan.
    assert f"/plans/{plan.pk}/invite/" not in client.get(f"/plans/{plan.pk}/").content.decode()
    client_for(client, people["owner"])
    assert f"/plans/{plan.pk}/invite/" in client.get(f"/plans/{plan.pk}/").content.decode()


def test_names_are_escaped_in_the_activity(client, plan, people):
    people["editor"].name = "<script>alert(1)</script>"
    people["editor"].save()
    save(plan, people["editor"])
    client_for(client, people["viewer"])
    page = activity(client, f"/plans/{plan.pk}/activity/")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)" in page


def test_a_return_to_draft_reads_in_the_readers_language(client, plan, people):
    owner = plan.organisation.memberships.get(user=people["owner"])
    review.review_validate(plan=plan, membership=owner)
    save(plan, people["editor"])  # after validation: a draft again, with the automatic message
    client_for(client, people["viewer"])
    path = f"/plans/{plan.pk}/activity/"
    french = [line for line in lines(activity(client, path)) if "brouillon" in line]
    assert len(french) == 1 and "Modifié après validation" in french[0]
    client.cookies["django_language"] = "en"
    english = [line for line in lines(activity(client, path)) if "draft again" in line]
    assert len(english) == 1 and "Changed after validation" in english[0]
    assert "Modifié" not in english[0]

"""Step pages and saves over HTTP, with and without JavaScript."""

from __future__ import annotations

import pytest

from jalon.plans.models import Answer, Record, Revision
from jalon.plans.services import answer_save, record_add

from ..conftest import client_for
from ..fidelity import missing_texts

AUTOSAVE = {"HTTP_X_JALON_AUTOSAVE": "1"}


def item_url(plan, item_id):
    return f"/plans/{plan.pk}/items/{item_id}/"


@pytest.fixture
def editor(client, people):
    return client_for(client, people["editor"])


def test_every_seed_item_is_on_the_rendered_step_pages(editor, plan):
    pages = [editor.get(f"/plans/{plan.pk}/steps/{n}/") for n in range(1, 7)]
    assert all(page.status_code == 200 for page in pages)
    text = "\n".join(page.content.decode() for page in pages)
    assert missing_texts(text) == []


def test_pages_are_french_by_default_and_english_on_request(editor, plan):
    page = editor.get(f"/plans/{plan.pk}/steps/1/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert '<html lang="fr">' in page.content.decode()
    assert "Expliciter ses attentes du numérique" in page.content.decode()
    editor.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = editor.get(f"/plans/{plan.pk}/steps/1/")
    assert '<html lang="en">' in page.content.decode()
    assert "Clarify what you expect from digital technology" in page.content.decode()


def test_a_plain_form_post_saves_and_returns_to_the_item(editor, plan):
    response = editor.post(
        item_url(plan, "orientation"),
        {"choice": "inclusion", "note": "Quartiers nord", "version": "0"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{plan.pk}/steps/1/#item-orientation"
    assert Answer.objects.get(plan=plan, item_id="orientation").value == {
        "choice": "inclusion",
        "note": "Quartiers nord",
    }
    page = editor.get(f"/plans/{plan.pk}/steps/1/").content.decode()
    assert "Quartiers nord" in page and "Enregistré à" in page and "par Editor" in page


def test_an_autosave_answers_json_with_version_time_and_author(editor, plan):
    response = editor.post(
        item_url(plan, "competences"), {"text": "L’État", "version": "0"}, **AUTOSAVE
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] and body["version"] == 1 and body["by"] == "Editor" and body["saved_time"]


def test_a_stale_autosave_gets_409_with_the_other_persons_value(client, plan, people):
    answer_save(
        plan=plan,
        user=people["owner"],
        item_id="competences",
        raw="Version d’Owner",
        base_version=0,
    )
    editor = client_for(client, people["editor"])
    response = editor.post(
        item_url(plan, "competences"), {"text": "Ma version", "version": "0"}, **AUTOSAVE
    )
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"]["by"] == "Owner" and body["conflict"]["version"] == 1
    assert "Version d’Owner" in body["html"] and "Ma version" in body["html"]
    assert 'name="version" value="1"' in body["html"]  # saving again means "keep mine"
    assert Answer.objects.get(plan=plan, item_id="competences").value == "Version d’Owner"


def test_a_stale_plain_post_shows_both_versions_on_the_page(client, plan, people):
    answer_save(
        plan=plan,
        user=people["owner"],
        item_id="competences",
        raw="Version d’Owner",
        base_version=0,
    )
    editor = client_for(client, people["editor"])
    response = editor.post(item_url(plan, "competences"), {"text": "Ma version", "version": "0"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Version d’Owner" in page and "Ma version" in page and "Garder la mienne" in page


def test_out_of_order_autosaves_keep_the_newest(editor, plan):
    url = item_url(plan, "competences")
    newest = editor.post(
        url, {"text": "abc", "version": "0", "client": "t1", "seq": "2"}, **AUTOSAVE
    )
    late = editor.post(url, {"text": "ab", "version": "0", "client": "t1", "seq": "1"}, **AUTOSAVE)
    assert newest.json()["version"] == 1 and late.json()["ignored"] is True
    assert Answer.objects.get(plan=plan, item_id="competences").value == "abc"


BAD_INPUTS = [
    ("unknown item", "nope", {"text": "x"}, "pas d’élément 'nope'"),
    (
        "unknown option code",
        "orientation",
        {"choice": "teleportation"},
        "ne fait pas partie des options",
    ),
    ("wrong type", "maturity_equipment", {"level": "high"}, "de 0 à 4"),
    ("text over the limit", "competences", {"text": "x" * 20_001}, "20000"),
]


@pytest.mark.parametrize(
    ("case", "item_id", "data", "message"), BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS]
)
def test_bad_input_gets_400_with_a_message_and_writes_nothing(
    editor, plan, case, item_id, data, message
):
    response = editor.post(item_url(plan, item_id), {**data, "version": "0"}, **AUTOSAVE)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not Answer.objects.filter(plan=plan).exists()
    assert not Revision.objects.filter(plan=plan).exists()


def test_a_refused_plain_post_keeps_what_the_person_typed(editor, plan):
    response = editor.post(
        item_url(plan, "funding_programmes") + "records/",
        {
            "name": "Fonds vert",
            "deadline": "demain",
            "amount.amount": "10",
            "amount.currency": "XOF",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="Fonds vert"' in page and 'value="demain"' in page and "AAAA-MM-JJ" not in page
    assert not Record.objects.exists()


def test_a_list_over_its_limit_gets_400(editor, plan, people):
    for i in range(200):
        record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": f"A{i}"})
    response = editor.post(
        item_url(plan, "actors") + "records/", {"name": "Un de trop"}, **AUTOSAVE
    )
    assert response.status_code == 400 and "200" in response.json()["error"]
    assert Record.objects.filter(plan=plan).count() == 200


def test_a_reference_to_another_plans_record_gets_400(editor, plan, other_plan, people):
    elsewhere = record_add(
        plan=other_plan, user=people["outsider"], item_id="pilot_actions", raw={"title": "Ailleurs"}
    )
    response = editor.post(
        item_url(plan, "perimeters") + "records/", {"action": elsewhere.uid}, **AUTOSAVE
    )
    assert response.status_code == 400 and "n’appartient pas à ce plan" in response.json()["error"]
    assert not Record.objects.filter(plan=plan).exists()


def test_records_are_added_edited_reordered_and_removed_without_javascript(editor, plan):
    base = f"/plans/{plan.pk}"
    for name in ("Mairie", "Orange Sénégal"):
        assert (
            editor.post(
                f"{base}/items/actors/records/", {"name": name, "type": "telecoms"}
            ).status_code
            == 302
        )
    first, second = Record.objects.filter(plan=plan, item_id="actors")
    response = editor.post(
        f"{base}/records/{first.uid}/", {"name": "Mairie de Kalaba", "version": "1"}
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#record-{first.uid}")
    editor.post(f"{base}/records/{second.uid}/move/", {"direction": "up"})
    assert [r.data["name"] for r in Record.objects.filter(plan=plan)] == [
        "Orange Sénégal",
        "Mairie de Kalaba",
    ]
    editor.post(f"{base}/records/{second.uid}/delete/", {"version": "1"})
    assert [r.data["name"] for r in Record.objects.filter(plan=plan)] == ["Mairie de Kalaba"]
    page = editor.get(f"{base}/steps/3/").content.decode()
    assert "Mairie de Kalaba" in page and "Orange Sénégal" not in page


def test_the_overview_shows_progress_per_step_and_last_changes(editor, plan):
    editor.post(item_url(plan, "orientation"), {"choice": "inclusion", "version": "0"})
    editor.post(item_url(plan, "competences"), {"text": "Répartition", "version": "0"})
    page = editor.get(f"/plans/{plan.pk}/").content.decode()
    assert "en cours · 1 sur 5 complètes" in page  # step 1: the orientation only
    assert "en cours · 1 sur 11 complètes" in page  # step 2: the competences
    assert "à faire · 0 sur 3 complètes" in page  # step 3: nothing yet
    # Each step's open questions, each a link to its place on the step page.
    assert f'href="/plans/{plan.pk}/steps/1/#item-excluded_groups"' in page
    assert "Orientation principale du numérique pour ce service" in page


def test_an_items_history_shows_who_changed_what(editor, plan, people):
    answer_save(
        plan=plan, user=people["owner"], item_id="competences", raw="Texte initial", base_version=0
    )
    answer_save(
        plan=plan, user=people["editor"], item_id="competences", raw="Texte revu", base_version=1
    )
    page = editor.get(item_url(plan, "competences") + "history/").content.decode()
    history = page[page.index('<ol class="history">') :]
    newest, oldest = history.split("<li>")[1:3]
    assert "Editor" in newest and "Texte initial" in newest and "Texte revu" in newest
    assert "Owner" in oldest and "Texte initial" in oldest and "Texte revu" not in oldest


def test_a_cached_step_page_shows_every_change_and_each_readers_rights(client, plan, people):
    editor = client_for(client, people["editor"])
    url = f"/plans/{plan.pk}/steps/2/"
    assert "Première version" not in editor.get(url).content.decode()  # warms the cache
    answer_save(
        plan=plan,
        user=people["owner"],
        item_id="competences",
        raw="Première version",
        base_version=0,
    )
    page = editor.get(url).content.decode()
    assert "Première version" in page and 'class="save"' in page
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert token and "jalon-csrf-slot" not in page
    viewer = client_for(client, people["viewer"])
    page = viewer.get(url).content.decode()
    assert "Première version" in page and 'class="save"' not in page


def test_numbers_show_in_the_readers_notation_and_read_back_the_same(editor, plan, people):
    record_add(
        plan=plan,
        user=people["owner"],
        item_id="indicators",
        raw={"name": "Taux", "baseline_value": "32.5"},
    )
    page = editor.get(f"/plans/{plan.pk}/steps/6/").content.decode()
    assert 'value="32,5"' in page
    editor.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'value="32.5"' in editor.get(f"/plans/{plan.pk}/steps/6/").content.decode()


def test_moving_a_record_without_javascript_says_so(editor, plan, people):
    first = record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "A"})
    record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "B"})
    response = editor.post(
        f"/plans/{plan.pk}/records/{first.uid}/move/", {"direction": "down"}, follow=True
    )
    assert "Déplacé." in response.content.decode()

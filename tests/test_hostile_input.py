"""Every input has an answer: hostile ids, text and sizes get a clear 4xx, never a 500.

The text rule (jalon/worksheets/text.py) is checked where text comes in: autosaves and plain posts
of answers and records, the forms (names, titles), and the plan file. These tests run on SQLite
and on PostgreSQL (CI's second pass), where NUL used to be a 500.
"""

from __future__ import annotations

import pytest
from django import forms
from django.conf import settings

from jalon.accounts.tokens import token_create
from jalon.discussions.services import thread_start
from jalon.field.demo import add_demo_responses
from jalon.field.models import OperatorResponse
from jalon.organisations.services import invitation_create
from jalon.plans.advice import advice_set_aside
from jalon.plans.models import Answer, Plan, Record
from jalon.plans.review import review_validate
from jalon.plans.services import record_add
from jalon.worksheets.text import PlainTextValidator

from .conftest import client_for
from .field.shapes import proposed_import
from .test_access import ACCESS

AUTOSAVE = {"HTTP_X_JALON_AUTOSAVE": "1"}
HUGE = "99999999999999999999999"

# Characters refused wherever text comes in, with the code point the message names.
REFUSED = {
    "NUL": ("\x00", "U+0000"),
    "BEL": ("\x07", "U+0007"),
    "ESC": ("\x1b", "U+001B"),
    "DEL": ("\x7f", "U+007F"),
    "C1 CSI": ("\x9b", "U+009B"),
    "noncharacter U+FFFF": ("\uffff", "U+FFFF"),
    "noncharacter U+FDD0": ("\ufdd0", "U+FDD0"),
    "noncharacter U+10FFFF": ("\U0010ffff", "U+10FFFF"),
}
# A form post cannot carry a lone surrogate (UTF-8 cannot encode one; Django reads such bytes as
# U+FFFD), but a JSON plan file can: tests/reports/test_json.py and the engine's tests cover it.

# Text that is text: stored as sent.
KEPT = {
    "emoji": "Tri 🚮♻️ au marché",
    "flag": "Partenaires 🇸🇳 et 🇲🇱",
    "Chinese": "中文 合作伙伴",
    "stacked combining marks": "e\u0301\u0302\u0323\u0330 à revoir",
    "line separator": "première ligne\u2028seconde ligne\u2029paragraphe",
    "Arabic": "بلدية نواكشوط",
    "West African letters": "Ɛ ɛ Ɔ ɔ Ŋ ŋ Ƙ ƙ Ɗ ɗ ẹ ọ ṣ à́",
    "tab and newlines": "a\tb\nc\r\nd",
}


@pytest.fixture
def editor(client, people):
    return client_for(client, people["editor"])


@pytest.mark.parametrize("name", list(REFUSED))
def test_an_autosave_with_a_refused_character_gets_400_naming_it_in_french(editor, plan, name):
    char, code = REFUSED[name]
    response = editor.post(
        f"/plans/{plan.pk}/items/competences/",
        {"text": f"Texte {char} collé", "version": "0"},
        **AUTOSAVE,
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert code in error and "La réponse" in error and "caractère" in error
    assert not Answer.objects.filter(plan=plan, item_id="competences").exists()


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_record_field_with_a_refused_character_names_the_field(editor, plan, name):
    char, code = REFUSED[name]
    response = editor.post(
        f"/plans/{plan.pk}/items/actors/records/", {"name": f"ONG{char}"}, **AUTOSAVE
    )
    assert response.status_code == 400
    assert code in response.json()["error"]
    assert "Nom" in response.json()["error"]
    assert not Record.objects.filter(plan=plan).exists()


def test_a_plain_post_with_a_refused_character_shows_the_page_with_the_message(editor, plan):
    response = editor.post(
        f"/plans/{plan.pk}/items/orientation/", {"choice": "inclusion", "note": "a\x1bb"}
    )
    assert response.status_code == 400
    assert "U+001B" in response.content.decode()
    assert not Answer.objects.filter(plan=plan, item_id="orientation").exists()


@pytest.mark.parametrize("name", list(KEPT))
def test_text_that_is_text_is_stored_as_sent(editor, plan, name):
    text = KEPT[name]
    response = editor.post(
        f"/plans/{plan.pk}/items/competences/", {"text": text, "version": "0"}, **AUTOSAVE
    )
    assert response.status_code == 200, response.content
    stored = Answer.objects.get(plan=plan, item_id="competences").value
    assert stored == text.replace("\r\n", "\n")
    response = editor.post(f"/plans/{plan.pk}/items/actors/records/", {"name": text}, **AUTOSAVE)
    assert response.status_code == 200
    assert Record.objects.get(plan=plan).data["name"] == text.replace("\r\n", "\n")[:500]


def every_form_class():

    seen, todo = set(), [forms.Form, forms.ModelForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("jalon."):
                seen.add(sub)
    return sorted(seen, key=lambda c: c.__qualname__)


def test_every_text_field_of_every_form_carries_the_text_rule():
    forms_found = every_form_class()
    assert len(forms_found) >= 5  # signup, organisation, member, role, plan…
    unguarded = []
    for form_class in forms_found:
        for name, field in form_class().fields.items():
            plain_text = type(field) is forms.CharField and not isinstance(
                field.widget, forms.PasswordInput
            )
            if plain_text and not any(isinstance(v, PlainTextValidator) for v in field.validators):
                unguarded.append(f"{form_class.__qualname__}.{name}")
    assert unguarded == []


@pytest.mark.parametrize(("char", "code"), [REFUSED["ESC"], REFUSED["NUL"], REFUSED["C1 CSI"]])
def test_names_and_titles_refuse_control_characters_next_to_the_field(
    client, people, organisation, char, code
):
    client_for(client, people["owner"])
    response = client.post(
        f"/organisations/{organisation.pk}/plans/new/",
        {"service": "other", "service_other": f"Eau{char}", "title": f"Plan{char}"},
    )
    assert response.status_code == 200  # the form again, with the errors
    page = response.content.decode()
    assert code in page and "Titre du plan" in page
    assert not Plan.objects.filter(organisation=organisation).exists()
    response = client.post(
        "/organisations/new/",
        {"name": f"Commune{char}", "country": "Mali", "city": "Kayes", "currency": "XOF"},
    )
    assert response.status_code == 200 and code in response.content.decode()


def test_signup_refuses_a_name_with_a_control_character(client, db):
    response = client.post(
        "/accounts/signup/",
        {
            "name": "Awa\x1b[31m",
            "email": "awa@example.org",
            "password1": "un-long-mot-de-passe-42",
            "password2": "un-long-mot-de-passe-42",
        },
    )
    assert response.status_code == 200
    assert "U+001B" in response.content.decode()


# Out-of-range ids: every URL of ACCESS with an id, the id replaced by one past 64 bits.
ID_URLS = {name: spec for name, spec in ACCESS.items() if "{org}" in spec[1] or "{plan}" in spec[1]}


@pytest.fixture
def ids(plan, people):
    owner = plan.organisation.memberships.get(user=people["owner"])
    version = review_validate(plan=plan, membership=owner).version_id
    record = record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "Mairie"})
    member = plan.organisation.memberships.get(user=people["viewer"])
    sent = invitation_create(
        organisation=plan.organisation, invited_by=people["owner"], email="new@example.org",
        role="viewer",
    )  # fmt: skip
    comment = thread_start(plan=plan, user=people["owner"], item_id="competences", body="Bien ?")
    set_aside = advice_set_aside(
        plan=plan, user=people["owner"], rule="pilot-action-without-indicator", reason="Plus tard"
    )
    access_token = token_create(user=people["owner"], name="Script", scope="read").token
    submission = proposed_import(plan, people["owner"])
    add_demo_responses(plan, people["owner"])
    return {
        "access_token": access_token.pk,
        "submission": submission.pk,
        "operator_response": OperatorResponse.objects.filter(plan=plan).earliest("pk").pk,
        "set_aside": set_aside.pk,
        "org": plan.organisation_id,
        "plan": plan.pk,
        "record": record.uid,
        "member": member.pk,
        "version": version,
        "invitation": sent.invitation.pk,
        "token": sent.token,
        "thread": comment.thread_id,
        "comment": comment.pk,
    }


@pytest.mark.parametrize("name", list(ID_URLS))
def test_an_out_of_range_id_is_a_404_on_every_url(client, people, ids, name):
    method, path, data, _expected = ID_URLS[name]
    client_for(client, people["owner"])
    for key in (
        "org", "plan", "member", "version", "invitation", "thread", "comment", "set_aside",
        "submission",
        "operator_response",
    ):  # fmt: skip
        if "{" + key + "}" in path:
            response = getattr(client, method)(path.format(**{**ids, key: HUGE}), data)
            assert response.status_code == 404, (name, key)


@pytest.mark.parametrize(
    "path",
    [
        "/plans/{plan}/records/{bad}/",
        "/plans/{plan}/records/{bad}/delete/",
        "/plans/{plan}/items/{bad}/",
        "/plans/{plan}/items/{bad}/history/",
        "/plans/{plan}/steps/{bad}/",
        "/plans/{plan}/download/{bad}/",
        "/invitations/{bad}/",
    ],
)
@pytest.mark.parametrize("bad", ["%00", "%1B", "a%20b", "x" * 65, "%ED%A0%80", "%C3%A9"])
def test_a_malformed_key_in_a_url_is_a_404(client, people, ids, path, bad):
    client_for(client, people["owner"])
    url = path.format(plan=ids["plan"], bad=bad)
    assert client.get(url).status_code == 404
    assert client.post(url, {"version": "1"}).status_code in (404, 405)


def test_bytes_that_are_not_utf8_in_a_post_are_read_as_replacement_characters(editor, plan):
    response = editor.post(
        f"/plans/{plan.pk}/items/competences/",
        "text=Texte%20%ED%A0%80%FF&version=0",
        content_type="application/x-www-form-urlencoded",
        **AUTOSAVE,
    )
    assert response.status_code == 200
    stored = Answer.objects.get(plan=plan, item_id="competences").value
    assert isinstance(stored, str) and stored.startswith("Texte \ufffd")


@pytest.mark.parametrize("value", ["²", "٣", "-1", "1e3", HUGE, "\x00"])
def test_odd_versions_and_sequence_numbers_are_read_as_absent(editor, plan, value):
    response = editor.post(
        f"/plans/{plan.pk}/items/competences/",
        {"text": "Texte", "version": value, "seq": value, "client": f"tab {value}\x00"},
        **AUTOSAVE,
    )
    assert response.status_code == 200
    answer = Answer.objects.get(plan=plan, item_id="competences")
    assert answer.last_seq == 0 and answer.last_client == ""


@pytest.mark.parametrize("level", ["²", "٣", "5", "-1", HUGE])
def test_an_odd_maturity_level_gets_400(editor, plan, level):
    response = editor.post(
        f"/plans/{plan.pk}/items/maturity_data/", {"level": level, "version": "0"}, **AUTOSAVE
    )
    assert response.status_code == 400
    assert "niveau" in response.json()["error"]


def test_a_body_over_the_limit_answers_json_in_french_to_an_autosave(editor, plan):
    text = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1000)
    response = editor.post(
        f"/plans/{plan.pk}/items/competences/", {"text": text, "version": "0"}, **AUTOSAVE
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "Rien n’a été enregistré" in response.json()["error"]
    assert not Answer.objects.filter(plan=plan).exists()


def test_a_body_over_the_limit_shows_the_page_with_the_message_to_a_form_post(editor, plan):
    text = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1000)
    response = editor.post(f"/plans/{plan.pk}/items/competences/", {"text": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="fr">' in page and "Rien n’a été enregistré" in page
    editor.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = editor.post(f"/plans/{plan.pk}/items/competences/", {"text": text}, **AUTOSAVE)
    assert "Nothing was saved" in response.json()["error"]


# Every deliverable of a plan holding text that was accepted (or stored before the text rule)
# answers 200, in both languages: the builders make text safe at their own boundary, and fonts
# that ship with Jalon print every script, with a visible replacement for what none has.
FORMATS = ("pdf", "docx", "xlsx", "csv", "json")


def plan_holding(plan, user, text: str) -> None:
    """`text` in an answer and in the names the charts and tables print."""
    from jalon.plans.services import answer_save

    answer_save(plan=plan, user=user, item_id="competences", raw=text, base_version=None)
    actor = record_add(plan=plan, user=user, item_id="actors", raw={"name": text})
    record_add(
        plan=plan,
        user=user,
        item_id="partners",
        raw={"actor": actor.uid, "digital_ease": "high", "interests": ["profit"]},
    )
    action = record_add(
        plan=plan, user=user, item_id="pilot_actions", raw={"title": text, "family": "data"}
    )
    record_add(
        plan=plan,
        user=user,
        item_id="roadmap",
        raw={"action": action.uid, "start": "2027-01-01", "end": "2027-06-30"},
    )
    indicator = record_add(
        plan=plan,
        user=user,
        item_id="indicators",
        raw={
            "name": text,
            "baseline_value": "10",
            "baseline_date": "2026-01-01",
            "target_value": "20",
            "target_date": "2027-12-31",
            "unit": text[:20],
        },
    )
    # The follow-up draws the indicator's trajectory and prints the measurement's source.
    record_add(
        plan=plan,
        user=user,
        item_id="measurements",
        raw={"indicator": indicator.uid, "date": "2026-06-30", "value": "12", "source": text},
    )


def downloads_all_answer_200(client, plan) -> None:
    for language in ("fr", "en"):
        client.post("/i18n/setlang/", {"language": language, "next": "/"})
        for format_code in FORMATS:
            response = client.get(f"/plans/{plan.pk}/download/{format_code}/")
            assert response.status_code == 200, (language, format_code)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert len(body) > 0
        assert client.get(f"/plans/{plan.pk}/print/").status_code == 200
        assert client.get(f"/plans/{plan.pk}/follow-up/").status_code == 200
        assert client.get(f"/plans/{plan.pk}/").status_code == 200


@pytest.mark.parametrize("name", list(KEPT))
def test_every_deliverable_of_a_plan_holding_accepted_text_answers_200(client, plan, people, name):
    plan_holding(plan, people["owner"], KEPT[name])
    downloads_all_answer_200(client_for(client, people["viewer"]), plan)


@pytest.mark.parametrize("name", [n for n in REFUSED if n != "NUL"])
def test_text_stored_before_the_rule_still_exports(client, plan, people, name):
    """Written straight to the tables, as an older Jalon could have (NUL aside: PostgreSQL never
    stored it, and on SQLite the same path is covered by the builders' own tests)."""
    char, _code = REFUSED[name]
    plan_holding(plan, people["owner"], "avant")
    text = f"texte {char} ancien"
    Answer.objects.filter(plan=plan).update(value=text)
    for record in Record.objects.filter(plan=plan):
        for key in ("name", "title"):
            if key in record.data:
                record.data[key] = text
        record.save()
    downloads_all_answer_200(client_for(client, people["viewer"]), plan)


@pytest.mark.parametrize("name", list(REFUSED))
def test_a_library_search_with_a_refused_character_is_answered_naming_it(editor, plan, name):
    char, code = REFUSED[name]
    response = editor.get(f"/plans/{plan.pk}/library/", {"q": f"eau{char}"})
    assert response.status_code == 400
    assert code in response.content.decode()


@pytest.mark.parametrize("name", list(KEPT))
def test_a_library_search_with_text_that_is_text_is_answered(editor, plan, name):
    response = editor.get(f"/plans/{plan.pk}/library/", {"q": KEPT[name][:200]})
    assert response.status_code == 200
    assert "Chercher dans la bibliothèque" in response.content.decode()

"""Submissions into plans: a new plan, proposals on an existing one, the pages and the command."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from jalon.field.exports import read_export
from jalon.field.models import OperatorResponse, SubmissionImport
from jalon.field.services import import_apply, import_propose, plan_from_submission, plan_records
from jalon.field.submissions import SubmissionsError, check_file, check_worksheet
from jalon.plans.models import Answer, Plan, Record, Revision
from jalon.plans.services import answer_save, record_add
from jalon.worksheets.answers import AnswerError
from jalon.worksheets.survey import bundled_survey

from ..conftest import client_for
from . import shapes
from .shapes import DEFINITION, item, operator, submission
from .test_exports import OPERATOR, REPEATS, VALUES


def stored(plan, item_id):
    value = Answer.objects.get(plan=plan, item_id=item_id).value
    assert isinstance(value, dict)
    return value


def checked_for(plan, content):
    return check_worksheet(read_export(content), DEFINITION, plan_records=plan_records(plan))


def propose(plan, user, content, **kwargs):
    return import_propose(
        plan=plan, user=user, checked=checked_for(plan, content), file_name="f.xlsx",
        file_format="kobo-xlsx", **kwargs,
    )  # fmt: skip


def by_item(found):
    return {(p["kind"], p["item"], p.get("title", "")): p for p in found.proposals}


# A new plan ------------------------------------------------------------------------------------


def test_a_new_plan_holds_the_submission_with_its_history(organisation, people):
    content = shapes.kobo_xlsx([submission(VALUES, REPEATS)])
    (entry,) = check_worksheet(read_export(content), DEFINITION).entries
    plan = plan_from_submission(
        organisation=organisation, user=people["editor"], entry=entry, title="Relevé Kalaba"
    )
    assert plan.title == "Relevé Kalaba" and plan.definition_version == DEFINITION.version
    assert stored(plan, "maturity_uses")["level"] == 2
    actors = {r.data["name"]: r.uid for r in Record.objects.filter(plan=plan, item_id="actors")}
    partner = Record.objects.get(plan=plan, item_id="partners")
    assert partner.data["actor"] == actors["Orange"]  # the title became the record's uid
    assert Revision.objects.filter(plan=plan, user=people["editor"]).count() == len(
        entry.answers
    ) + sum(len(r) for r in entry.records.values())


def test_a_new_plan_is_all_or_nothing(organisation, people):
    """A write that fails late (here a record the services refuse) leaves no plan behind."""
    content = shapes.kobo_json([submission(VALUES, REPEATS)])
    (entry,) = check_worksheet(read_export(content), DEFINITION).entries
    entry.records["actors"][1].data["type"] = "pirates"
    with pytest.raises(AnswerError):
        plan_from_submission(
            organisation=organisation, user=people["editor"], entry=entry, title="Relevé"
        )
    assert not Plan.objects.filter(organisation=organisation).exists()
    assert not Answer.objects.exists()


# Proposals on an existing plan -----------------------------------------------------------------


def test_proposals_say_what_changes_and_accepting_some_applies_only_those(plan, people):
    answer_save(plan=plan, user=people["owner"], item_id="maturity_uses",
                raw={"level": 1, "note": "", "target": None, "target_date": None},
                base_version=None)  # fmt: skip
    record_add(plan=plan, user=people["owner"], item_id="actors",
               raw={"name": "Orange", "type": "private_companies"})  # fmt: skip
    found = propose(plan, people["editor"], shapes.kobo_xlsx([submission(VALUES, REPEATS)]))
    assert found.status == SubmissionImport.Status.PROPOSED
    proposals = by_item(found)
    maturity = proposals[("answer", "maturity_uses", "")]
    assert maturity["before"]["level"] == 1 and maturity["after"]["level"] == 2
    assert maturity["version"] == 1
    # Orange exists: its type changes; the town hall is new.
    assert proposals[("update", "actors", "Orange")]["after"]["type"] == "telecoms"
    assert ("add", "actors", "Mairie de Kalaba") in proposals
    accepted = {maturity["id"], proposals[("update", "actors", "Orange")]["id"]}
    done = import_apply(submission_import=found, user=people["editor"], accepted=accepted)
    assert (done.applied, done.conflicts, done.failed) == (2, 0, 0)
    assert done.rejected == len(found.proposals) - 2
    assert stored(plan, "maturity_uses")["level"] == 2
    assert not Answer.objects.filter(plan=plan, item_id="orientation").exists()
    assert set(Record.objects.filter(plan=plan, item_id="actors").values_list(
        "data__type", flat=True)) == {"telecoms"}  # fmt: skip


def test_a_change_made_since_the_proposal_is_a_conflict_not_overwritten(plan, people):
    found = propose(plan, people["editor"], shapes.kobo_csv([submission(VALUES)]))
    answer_save(plan=plan, user=people["owner"], item_id="competences",
                raw="Changé entre-temps", base_version=None)  # fmt: skip
    every = {p["id"] for p in found.proposals}
    done = import_apply(submission_import=found, user=people["editor"], accepted=every)
    assert done.conflicts == 1 and done.applied == len(every) - 1
    assert Answer.objects.get(plan=plan, item_id="competences").value == "Changé entre-temps"
    (conflict,) = [p for p in found.proposals if p["outcome"] == "conflict"]
    assert conflict["current"] == "Changé entre-temps"
    with pytest.raises(SubmissionsError):  # applied once only
        import_apply(submission_import=found, user=people["editor"], accepted=every)


def test_a_reference_to_a_rejected_new_record_is_not_applied(plan, people):
    found = propose(plan, people["editor"], shapes.kobo_json([submission(VALUES, REPEATS)]))
    proposals = by_item(found)
    keep = {p["id"] for key, p in proposals.items() if key != ("add", "actors", "Orange")}
    done = import_apply(submission_import=found, user=people["editor"], accepted=keep)
    assert done.failed == 1
    assert not Record.objects.filter(plan=plan, item_id="partners").exists()


def test_an_unchanged_submission_proposes_nothing(plan, people):
    content = shapes.kobo_json([submission(VALUES, REPEATS)])
    first = propose(plan, people["editor"], content)
    import_apply(submission_import=first, user=people["editor"],
                 accepted={p["id"] for p in first.proposals})  # fmt: skip
    assert propose(plan, people["editor"], content).proposals == []


def test_a_list_the_submission_would_fill_past_its_limit_writes_nothing(plan, people):
    limit = item("actors").max_records
    for n in range(limit - 1):
        record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": f"A{n}"})
    content = shapes.kobo_json([submission(VALUES, {"actors": REPEATS["actors"]})])
    with pytest.raises(SubmissionsError):
        propose(plan, people["editor"], content)
    assert not SubmissionImport.objects.exists()


# Pages -----------------------------------------------------------------------------------------


def upload(client, url, content, name="export.xlsx", **data):
    return client.post(url, {"file": SimpleUploadedFile(name, content), **data})


def test_the_upload_page_and_the_review_apply_the_accepted_changes(client, plan, people):
    client_for(client, people["editor"])
    url = f"/plans/{plan.pk}/submissions/import/"
    assert client.get(url).status_code == 200
    response = upload(client, url, shapes.kobo_xlsx([submission(VALUES, REPEATS)]))
    found = SubmissionImport.objects.get(plan=plan)
    assert response.status_code == 302 and response["Location"].endswith(f"/{found.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "Orange" in page and 'name="accept"' in page
    response = client.post(response["Location"], {"accept_all": "1"})
    assert response.status_code == 302
    assert stored(plan, "maturity_uses")["level"] == 2
    page = client.get(response["Location"]).content.decode()
    assert "badge conflict" not in page and 'name="accept"' not in page


def test_a_file_of_several_submissions_asks_which_one(client, plan, people):
    client_for(client, people["editor"])
    content = shapes.kobo_csv(
        [submission(VALUES), submission({**VALUES, "maturity_uses": "4"}, uuid="b", by="moussa")]
    )
    response = upload(client, f"/plans/{plan.pk}/submissions/import/", content, "e.csv")
    page = client.get(response["Location"]).content.decode()
    assert "moussa" in page and 'name="choose"' in page
    client.post(response["Location"], {"choose": "1"})
    found = SubmissionImport.objects.get(plan=plan)
    assert found.chosen == 1
    (maturity,) = [p for p in found.proposals if p["item"] == "maturity_uses"]
    assert maturity["after"]["level"] == 4


def test_a_bad_file_is_refused_with_its_problems_and_nothing_is_kept(client, plan, people):
    client_for(client, people["editor"])
    content = shapes.kobo_csv([submission({**VALUES, "maturity_uses": "7"})])
    response = upload(client, f"/plans/{plan.pk}/submissions/import/", content, "e.csv")
    assert response.status_code == 400
    assert "step_2/section_2_2/maturity_uses" in response.content.decode()
    assert not SubmissionImport.objects.exists()


def test_operators_answers_go_to_the_evidence(client, plan, people, stored_responses):
    client_for(client, people["editor"])
    content = shapes.kobo_csv([operator(OPERATOR), operator(OPERATOR, uuid="b")])
    response = upload(client, f"/plans/{plan.pk}/submissions/import/", content, "ops.csv")
    assert response.status_code == 302
    (call,) = stored_responses
    assert call["plan"] == plan and call["user"] == people["editor"]
    assert [r.answers["operator_type"] for r in call["responses"]] == ["informal_group"] * 2
    assert call["source"] == "ops.csv"
    assert not SubmissionImport.objects.exists()
    assert OperatorResponse.objects.filter(plan=plan).count() == 2  # kept as evidence


def test_a_new_plan_from_the_municipality_page(client, organisation, people):
    client_for(client, people["editor"])
    url = f"/organisations/{organisation.pk}/submissions/import/"
    assert client.get(url).status_code == 200
    content = shapes.central_json([submission(VALUES, REPEATS)])
    response = upload(client, url, content, "releve.json", service="solid_waste", title="")
    plan = Plan.objects.get(organisation=organisation, title="releve")
    assert response.status_code == 302 and response["Location"] == f"/plans/{plan.pk}/"
    assert Record.objects.filter(plan=plan, item_id="actors").count() == 2


# The command -----------------------------------------------------------------------------------


def test_the_command_prints_proposals_and_the_review_address(plan, people, tmp_path, capsys):
    path = tmp_path / "export.xlsx"
    path.write_bytes(shapes.kobo_xlsx([submission(VALUES, REPEATS)]))
    call_command("import_submissions", str(path), "--plan", str(plan.pk))
    out = capsys.readouterr().out
    found = SubmissionImport.objects.get(plan=plan)
    assert f"/plans/{plan.pk}/submissions/{found.pk}/" in out
    assert "Orange" in out and "→" in out
    assert not Answer.objects.filter(plan=plan).exists()


def test_the_command_applies_everything_with_accept_all(plan, people, tmp_path, capsys):
    path = tmp_path / "export.zip"
    path.write_bytes(shapes.central_zip([submission(VALUES, REPEATS)]))
    call_command("import_submissions", str(path), "--plan", str(plan.pk),
                 "--user", people["editor"].email, "--accept-all")  # fmt: skip
    assert Record.objects.filter(plan=plan, item_id="partners").count() == 1
    assert "0 in conflict" in capsys.readouterr().out


def test_the_command_refuses_a_bad_file_one_problem_a_line(plan, tmp_path):
    path = tmp_path / "export.csv"
    bad = {**VALUES, "maturity_uses": "7", "orientation": "x"}
    path.write_bytes(shapes.kobo_csv([submission(bad)]))
    with pytest.raises(CommandError) as refused:
        call_command("import_submissions", str(path), "--plan", str(plan.pk))
    assert str(refused.value).count("\n- ") == 2
    assert not SubmissionImport.objects.exists()


def test_the_command_makes_a_new_plan(organisation, people, tmp_path, capsys):
    path = tmp_path / "kalaba.json"
    path.write_bytes(shapes.kobo_json([submission(VALUES, REPEATS)]))
    call_command("import_submissions", str(path), "--organisation", str(organisation.pk),
                 "--user", people["owner"].email)  # fmt: skip
    plan = Plan.objects.get(pk=int(capsys.readouterr().out.strip()))
    assert plan.title == "kalaba"
    assert stored(plan, "orientation")["choice"] == "inclusion"


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--plan", "999999"], "No plan has the id"),
        (["--plan", "{plan}", "--accept-all"], "--accept-all needs --user"),
        (["--plan", "{plan}", "--user", "nobody@example.org"], "is not a member"),
    ],
)
def test_the_command_says_what_is_wrong(plan, tmp_path, arguments, words):
    path = tmp_path / "export.csv"
    path.write_bytes(shapes.kobo_csv([submission(VALUES)]))
    with pytest.raises(CommandError) as refused:
        call_command("import_submissions", str(path),
                     *[a.format(plan=plan.pk) for a in arguments])  # fmt: skip
    assert words in str(refused.value)


def test_what_the_submission_leaves_blank_keeps_the_plans_value(plan, people):
    answer_save(plan=plan, user=people["owner"], item_id="actor_types",
                raw={"choices": ["telecoms"], "note": "Notre note"}, base_version=None)  # fmt: skip
    record_add(plan=plan, user=people["owner"], item_id="actors",
               raw={"name": "Orange", "type": "telecoms", "contact": "M. Sy"})  # fmt: skip
    repeats = {"actors": [{"actors__name": "Orange", "actors__type": "private_companies"}]}
    found = propose(plan, people["editor"], shapes.kobo_json([submission(VALUES, repeats)]))
    proposals = by_item(found)
    assert proposals[("answer", "actor_types", "")]["after"]["note"] == "Notre note"
    update = proposals[("update", "actors", "Orange")]
    assert update["after"]["contact"] == "M. Sy" and update["after"]["type"] == "private_companies"


def test_the_review_page_shows_a_conflict_with_the_colleagues_value(client, plan, people):
    client_for(client, people["editor"])
    response = upload(client, f"/plans/{plan.pk}/submissions/import/",
                      shapes.kobo_csv([submission(VALUES)]), "e.csv")  # fmt: skip
    answer_save(plan=plan, user=people["owner"], item_id="competences",
                raw="Écrit par l’owner pendant ce temps", base_version=None)  # fmt: skip
    page = client.get(client.post(response["Location"], {"accept_all": "1"})["Location"])
    text = page.content.decode()
    assert "badge conflict" in text and "Écrit par l’owner pendant ce temps" in text
    assert stored(plan, "maturity_uses")["level"] == 2


def test_the_import_link_leads_to_the_plans_upload_page(plan):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("fr"):
        html = render_to_string("field/_import_link.html", {"plan": plan})
    assert f'href="/plans/{plan.pk}/submissions/import/"' in html
    assert "(KoboToolbox, ODK)" in html


def test_a_new_plan_from_a_file_of_several_submissions_asks_for_its_row(
    client, organisation, people
):
    client_for(client, people["editor"])
    url = f"/organisations/{organisation.pk}/submissions/import/"
    content = shapes.kobo_csv(
        [submission(VALUES), submission({**VALUES, "maturity_uses": "4"}, uuid="b", by="moussa")]
    )
    response = upload(client, url, content, "deux.csv", service="markets")
    assert response.status_code == 400 and "moussa" in response.content.decode()
    assert not Plan.objects.filter(organisation=organisation).exists()
    response = upload(client, url, content, "deux.csv", service="markets", row="3")
    plan = Plan.objects.get(organisation=organisation)
    assert response.status_code == 302 and plan.service == "markets"
    assert stored(plan, "maturity_uses")["level"] == 4


def test_an_operators_file_cannot_make_a_new_plan(client, organisation, people):
    client_for(client, people["editor"])
    url = f"/organisations/{organisation.pk}/submissions/import/"
    content = shapes.kobo_csv([operator(OPERATOR)])
    response = upload(client, url, content, "ops.csv", service="markets")
    assert response.status_code == 400
    assert not Plan.objects.filter(organisation=organisation).exists()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "vide"),  # Django's own message: « Le fichier soumis est vide. »
        (b"PK\x03\x04\x00\x00garbage", "ZIP"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "UTF-8"),
        (b"x" * (10 * 1024 * 1024 + 1), "10"),
    ],
)
def test_a_bad_upload_gets_its_message_never_a_500(client, plan, people, content, words):
    client_for(client, people["editor"])
    response = upload(client, f"/plans/{plan.pk}/submissions/import/", content, "f.bin")
    assert response.status_code == 400
    assert words in response.content.decode()
    assert not SubmissionImport.objects.exists()


def test_a_double_click_applies_the_proposals_once(plan, people):
    content = shapes.kobo_xlsx(
        [
            submission(
                {"competences": "A"},
                {"actors": [{"actors__name": "Orange", "actors__type": "telecoms"}]},
            )
        ]
    )
    found = propose(plan, people["editor"], content)
    # Both requests read the import before either applies it.
    first = SubmissionImport.objects.get(pk=found.pk)
    second = SubmissionImport.objects.get(pk=found.pk)
    every = {p["id"] for p in first.proposals}
    import_apply(submission_import=first, user=people["editor"], accepted=every)
    with pytest.raises(SubmissionsError, match="déjà été appliquées"):
        import_apply(submission_import=second, user=people["editor"], accepted=every)
    names = Record.objects.filter(plan=plan, item_id="actors").values_list("data__name", flat=True)
    assert list(names) == ["Orange"]
    outcomes = SubmissionImport.objects.get(pk=found.pk).proposals
    assert {p["outcome"] for p in outcomes} == {"applied"}


def test_a_title_two_plan_records_share_names_neither(plan, people):
    owner = people["owner"]
    record_add(plan=plan, user=owner, item_id="actors", raw={"name": "Orange", "type": "telecoms"})
    record_add(plan=plan, user=owner, item_id="actors", raw={"name": "orange"})
    # A reference to that title is refused, naming the row and the column.
    content = shapes.kobo_xlsx([submission({}, {"partners": [{"partners__actor": "Orange"}]})])
    with pytest.raises(SubmissionsError) as refused:
        checked_for(plan, content)
    (message,) = refused.value.messages
    assert "partners__actor" in message and "plusieurs fiches" in message
    # A record of that title is proposed as a new one, never as a change of either.
    content = shapes.kobo_xlsx(
        [submission({}, {"actors": [{"actors__name": "Orange", "actors__contact": "77 000"}]})]
    )
    found = propose(plan, people["editor"], content)
    assert [p["kind"] for p in found.proposals if p["item"] == "actors"] == ["add"]


def test_operators_without_a_submission_id_are_refused_by_row(plan, people):
    rows = [operator(OPERATOR, uuid=""), operator(OPERATOR, uuid="")]
    content = shapes.kobo_csv(rows)
    with pytest.raises(SubmissionsError) as refused:
        check_file(
            read_export(content), definition=DEFINITION, survey=bundled_survey(), plan_records={}
        )
    assert len([m for m in refused.value.messages if "identifiant de soumission" in m]) == 2


def test_importing_the_same_operators_again_says_nothing_was_added(client, plan, people):
    client_for(client, people["editor"])
    url = f"/plans/{plan.pk}/submissions/import/"
    content = shapes.kobo_csv([operator(OPERATOR), operator(OPERATOR, uuid="b")])
    upload(client, url, content, "ops.csv")
    response = upload(client, url, content, "ops.csv")
    page = client.get(response["Location"]).content.decode()
    assert "0 réponse d’opérateur ajoutée" in page and "2 étaient déjà là" in page
    assert OperatorResponse.objects.filter(plan=plan).count() == 2


@pytest.mark.parametrize("forged", ["²", "9" * 5000, "-1", "1e3"])
def test_a_forged_index_on_the_review_page_is_no_error(client, plan, people, forged):
    client_for(client, people["editor"])
    found = propose(plan, people["editor"], shapes.kobo_xlsx([submission({"competences": "B"})]))
    url = f"/plans/{plan.pk}/submissions/{found.pk}/"
    assert client.post(url, {"choose": forged}).status_code in (200, 400, 409)
    assert client.post(url, {"accept": [forged]}).status_code in (200, 302)

"""Reading exports (every format KoboToolbox and ODK Central give) and checking them."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from jalon.field.exports import ExportError, read_export
from jalon.field.naming import MARK, survey_mark, worksheet_mark
from jalon.field.submissions import (
    OperatorsFile,
    SubmissionsError,
    WorksheetFile,
    check_file,
    check_worksheet,
)
from jalon.worksheets.loading import get_definition
from jalon.worksheets.survey import bundled_survey

from . import shapes
from .shapes import BUILDERS, DEFINITION, WITH_REPEATS, item, operator, submission

SURVEY = bundled_survey()
VALUES = {
    "orientation": "inclusion",
    "orientation_note": "Parce que les quartiers nord sont loin de tout.",
    "maturity_uses": "2",
    "maturity_uses_note": "WhatsApp partout",
    "maturity_uses_target": "3",
    "maturity_uses_target_date": "2027-12-31",
    "actor_types": "local_authorities telecoms",
    "competences": "La commune gère la collecte.",
}
REPEATS = {
    "actors": [
        {"actors__name": "Mairie de Kalaba", "actors__type": "local_authorities"},
        {"actors__name": "Orange", "actors__type": "telecoms"},
    ],
    "partners": [{"partners__actor": "Orange", "partners__interests": ""}],
    "funding_programmes": [
        {
            "funding_programmes__name": "PNDL",
            "funding_programmes__amount": "1500000",
            "funding_programmes__amount__currency": "XOF",
        }
    ],
}


def check(content: bytes, name: str = "export"):
    return check_file(read_export(content, name), definition=DEFINITION, survey=SURVEY)


@pytest.mark.parametrize("kind", BUILDERS)
def test_every_format_reads_the_same_answers(kind):
    repeats = REPEATS if kind in WITH_REPEATS else {}
    content = BUILDERS[kind]([submission(VALUES, repeats)])
    export = read_export(content, "export")
    assert export.format == kind
    (sub,) = export.submissions
    assert sub.instance_id.endswith("6e5b0d3c-1111-4c6a-9d0e-000000000001")
    assert sub.submitted is not None and sub.submitted.year == 2026
    assert sub.submitter == "awa"
    checked = check(content)
    assert isinstance(checked, WorksheetFile)
    (entry,) = checked.entries
    assert entry.answers["orientation"] == {
        "choice": "inclusion",
        "note": "Parce que les quartiers nord sont loin de tout.",
    }
    assert entry.answers["maturity_uses"] == {
        "level": 2,
        "note": "WhatsApp partout",
        "target": 3,
        "target_date": "2027-12-31",
    }
    assert entry.answers["actor_types"]["choices"] == ["local_authorities", "telecoms"]
    assert entry.answers["competences"] == "La commune gère la collecte."
    if kind in WITH_REPEATS:
        actors = entry.records["actors"]
        assert [r.data["name"] for r in actors] == ["Mairie de Kalaba", "Orange"]
        # The partner names its actor by title: the submission's own record.
        (partner,) = entry.records["partners"]
        assert partner.data["actor"] == actors[1].token
        (programme,) = entry.records["funding_programmes"]
        assert programme.data["amount"] == {"amount": "1500000", "currency": "XOF"}
    else:
        assert entry.records == {}


def test_the_kobo_column_per_option_of_a_multiple_choice_is_ignored():
    content = shapes.kobo_csv(
        [submission(VALUES)], options={"actor_types": ["local_authorities", "telecoms"]}
    )
    export = read_export(content)
    assert "step_3/section_3_1/actor_types/telecoms" not in {
        v.column for v in export.submissions[0].values.values()
    }
    assert check(content).entries[0].answers["actor_types"]["choices"] == [
        "local_authorities",
        "telecoms",
    ]


def test_a_comma_separated_kobo_csv_reads_too():
    content = shapes.kobo_csv([submission(VALUES)], delimiter=",")
    assert check(content).entries[0].answers["maturity_uses"]["level"] == 2


def test_a_bad_value_is_named_by_row_and_column(english):
    content = shapes.kobo_csv(
        [
            submission(VALUES),
            submission({**VALUES, "maturity_uses": "7"}, uuid="b"),
            submission({**VALUES, "orientation": "nonsense"}, uuid="c"),
        ]
    )
    with pytest.raises(SubmissionsError) as refused:
        check(content)
    assert refused.value.messages == [
        "Row 3, column step_2/section_2_2/maturity_uses: "
        "The maturity level must be a whole number from 0 to 4.",
        "Row 4, column step_1/section_1_1/orientation: "
        "'nonsense' is not an option of " + str(item("orientation").label) + ".",
    ]


def test_a_bad_record_field_names_its_sheet_row_and_column(english):
    repeats = {"actors": [{"actors__name": "Orange", "actors__type": "pirates"}]}
    with pytest.raises(SubmissionsError) as refused:
        check(shapes.kobo_xlsx([submission(VALUES, repeats)]))
    (message,) = refused.value.messages
    assert message.startswith("Sheet actors, row 2, column step_3/section_3_1/actors/actors__type:")


def test_a_reference_to_an_unknown_title_is_refused(english):
    repeats = {"partners": [{"partners__actor": "Personne"}]}
    with pytest.raises(SubmissionsError) as refused:
        check(shapes.kobo_json([submission(VALUES, repeats)]))
    assert "Personne" in refused.value.messages[0]
    assert "partners__actor" in refused.value.messages[0]


def test_too_many_records_are_refused(english):
    limit = item("actors").max_records
    rows = [{"actors__name": f"Acteur {n}"} for n in range(limit + 1)]
    with pytest.raises(SubmissionsError) as refused:
        check(shapes.kobo_json([submission(VALUES, {"actors": rows})]))
    assert refused.value.messages == [
        f"Row 1, column actors: the list holds {limit + 1} records; its limit is {limit}."
    ]


def test_labels_instead_of_codes_are_refused_saying_how_to_export(english):
    label = item("orientation").options[0].label.fr
    with pytest.raises(SubmissionsError) as refused:
        check(shapes.kobo_csv([submission({**VALUES, "orientation": label})]))
    assert "XML values and headers" in refused.value.messages[0]
    assert "orientation" in refused.value.messages[0]


def test_a_file_exported_with_label_headers_has_no_mark_and_is_refused(english):
    content = "\ufeffOrientation;Niveau\r\nInclusion;2\r\n".encode()
    with pytest.raises(SubmissionsError) as refused:
        check(content)
    assert f"no {MARK} column" in refused.value.messages[0]


def test_another_version_of_the_worksheet_is_refused_saying_which(english):
    older = get_definition(DEFINITION.id, 2)
    content = shapes.kobo_csv([submission(VALUES, mark=str(worksheet_mark(older)))])
    with pytest.raises(SubmissionsError) as refused:
        check(content)
    (message,) = refused.value.messages
    assert "version 2" in message and "version 3" in message


def test_another_worksheet_is_refused(english):
    mark = f"another-worksheet v1 {'a' * 12} all"
    with pytest.raises(SubmissionsError) as refused:
        check(shapes.kobo_csv([submission(VALUES, mark=mark)]))
    assert "another-worksheet" in refused.value.messages[0]


def test_the_same_version_with_another_content_is_refused(english):
    mark = f"{DEFINITION.id} v{DEFINITION.version} {'0' * 12} all"
    with pytest.raises(SubmissionsError) as refused:
        check(shapes.kobo_csv([submission(VALUES, mark=mark)]))
    assert "000000000000" in refused.value.messages[0]


def test_rows_of_two_forms_in_one_file_are_refused_naming_the_row(english):
    older = get_definition(DEFINITION.id, 2)
    content = shapes.kobo_csv(
        [submission(VALUES), submission(VALUES, uuid="x", mark=str(worksheet_mark(older)))]
    )
    with pytest.raises(SubmissionsError) as refused:
        check(content)
    assert refused.value.messages[0].startswith("Row 3, column jalon_form:")


def test_a_step_form_reads_only_its_step():
    mark = worksheet_mark(DEFINITION, DEFINITION.steps[1])
    content = shapes.kobo_csv([submission(VALUES, mark=str(mark))])
    (entry,) = check(content).entries
    assert set(entry.answers) == {"maturity_uses", "competences"}


# Operators' survey -----------------------------------------------------------------------------

OPERATOR = {
    "operator_name": "Groupement Book Jappo",
    "operator_type": "informal_group",
    "neighbourhood": "Médina",
    "location": "14.6937 -17.4441 12 5",
    "equipment": "basic_phone smartphone",
    "uses": "calls_sms mobile_money",
    "online_presence": "none",
    "data_kept": "customers payments",
    "data_medium": "paper",
    "services_offered": "information",
    "startups_known": "no",
}


@pytest.mark.parametrize("kind", ["kobo-csv", "kobo-xlsx", "kobo-json", "central-json"])
def test_operators_answers_are_read_with_their_location(kind):
    builder = BUILDERS[kind]
    kwargs = {"geopoints": {"location"}} if kind == "central-json" else {}
    checked = check(builder([operator(OPERATOR)], **kwargs))
    assert isinstance(checked, OperatorsFile)
    (answers,) = checked.responses
    assert answers.answers["equipment"] == ["basic_phone", "smartphone"]
    assert answers.answers["operator_type"] == "informal_group"
    assert (answers.latitude, answers.longitude) == (14.6937, -17.4441)
    assert "location" not in answers.answers


def test_central_csv_joins_a_split_geopoint():
    checked = check(shapes.central_csv([operator(OPERATOR)], geopoints={"location"}))
    assert (checked.responses[0].latitude, checked.responses[0].longitude) == (14.6937, -17.4441)


@pytest.mark.parametrize(
    ("change", "column", "words"),
    [
        ({"equipment": "none smartphone"}, "equipment", "cannot be ticked with another"),
        ({"neighbourhood": ""}, "neighbourhood", "requires an answer"),
        ({"data_kept": "none", "data_medium": "paper"}, "data_medium", "only asked after"),
        ({"startups_known": "maybe"}, "startups_known", "not an option"),
        ({"location": "95 10 0 5"}, "location", "not a latitude and a longitude"),
        ({"operator_name": "x" * 501}, "operator_name", "the limit is 500"),
    ],
)
def test_operators_answers_are_checked_against_the_survey(english, change, column, words):
    with pytest.raises(SubmissionsError) as refused:
        check(shapes.kobo_csv([operator(OPERATOR), operator({**OPERATOR, **change}, uuid="b")]))
    (message,) = refused.value.messages
    assert message.startswith(f"Row 3, column {column}:") and words in message


def test_another_survey_version_is_refused(english):
    mark = survey_mark(SURVEY)
    stale = f"{mark.source} v{mark.version + 1} {mark.hash} operators"
    with pytest.raises(SubmissionsError) as refused:
        check(shapes.kobo_csv([operator(OPERATOR, mark=stale)]))
    assert "survey" in refused.value.messages[0]


def test_a_survey_file_is_refused_for_a_plan_of_another_worksheet(english):
    other = DEFINITION.__class__(
        id="another-worksheet", version=1, title=DEFINITION.title, source=DEFINITION.source,
        steps=(), hash="f" * 64,
    )  # fmt: skip
    export = read_export(shapes.kobo_csv([operator(OPERATOR)]))
    with pytest.raises(SubmissionsError) as refused:
        check_file(export, definition=other, survey=SURVEY)
    assert "another-worksheet" in refused.value.messages[0]


def test_a_survey_file_is_not_a_worksheet_submission(english):
    with pytest.raises(SubmissionsError) as refused:
        check_worksheet(read_export(shapes.kobo_csv([operator(OPERATOR)])), DEFINITION)
    assert "operators' survey" in refused.value.messages[0]


# Files that are no export ----------------------------------------------------------------------


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _formula_workbook() -> bytes:
    book = Workbook()
    book.worksheets[0].append([MARK, "step_1/section_1_1/orientation"])
    book.worksheets[0].append([str(worksheet_mark(DEFINITION)), '=HYPERLINK("http://x")'])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"\xff\xfeO\x00r\x00", "not UTF-8"),
        ("Orientation;Niveau\n".encode("cp1252") + "Évolution;2\n".encode("cp1252"), "UTF-8"),
        (shapes.central_zip([submission(VALUES, REPEATS)])[:300], "damaged or incomplete"),
        (b"PK\x03\x04garbage", "damaged or incomplete"),
        (_zip({"notes.txt": b"hello"}), "no CSV file"),
        (_zip({f"{n}.csv": b"" for n in range(300)}), "too much data"),
        (_zip({"big.csv": b"a" * (61 * 1024 * 1024)}), "too much data"),
        (b"x" * (10 * 1024 * 1024 + 1), "larger than 10 MB"),
        (b'{"value": 3}', "holds no submissions"),
        (b'{"results": [3]}', "not an object"),
        (b"[" * 50 + b"]" * 50, "too deep"),
        (b"{not json", "not valid JSON"),
        (_formula_workbook(), "formula"),
        (b'{"value": [{"__id": "a", "g": {"r@odata.navigationLink": "x"}}]}', "$expand=*"),
    ],
)
def test_a_file_that_is_no_export_gets_a_clear_message(english, content, words):
    with pytest.raises(ExportError) as refused:
        read_export(content, "file")
    assert words in refused.value.messages[0]


def test_a_repeat_row_without_its_parent_is_refused(english):
    content = shapes.central_zip([submission(VALUES, REPEATS)])
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    repeat = f"{shapes.FORM_ID}-actors.csv"
    files[repeat] = files[repeat].replace(b"uuid:6e5b", b"uuid:0000")
    with pytest.raises(ExportError) as refused:
        read_export(_zip(files))
    assert "PARENT_KEY" in refused.value.messages[0]


def test_label_headers_with_the_mark_kept_are_refused(english):
    """Kobo keeps a question's name as its header when it has no label, as the hidden mark."""
    content = f"\ufeff{MARK};Orientation\r\n{worksheet_mark(DEFINITION)};Inclusion\r\n".encode()
    with pytest.raises(SubmissionsError) as refused:
        check(content)
    assert "labels for headers" in refused.value.messages[0]


def test_labels_of_a_multiple_choice_are_refused_saying_how_to_export(english):
    labels = " ".join(o.label.fr for o in item("actor_types").leaf_options()[:2])
    with pytest.raises(SubmissionsError) as refused:
        check(shapes.kobo_csv([submission({**VALUES, "actor_types": labels})]))
    assert "XML values and headers" in refused.value.messages[0]
    assert "actor_types" in refused.value.messages[0]


def test_labels_in_a_record_field_are_refused(english):
    label = item("actors").field("type").options[0].label.fr
    repeats = {"actors": [{"actors__name": "Mairie", "actors__type": label}]}
    with pytest.raises(SubmissionsError) as refused:
        check(shapes.kobo_json([submission(VALUES, repeats)]))
    assert "XML values and headers" in refused.value.messages[0]


def test_a_workbook_of_a_million_empty_rows_is_refused_early(english):
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.append([MARK, "step_1/section_1_1/orientation"])
    sheet.cell(row=1_000_000, column=1, value="x")
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ExportError) as refused:
        read_export(out.getvalue())
    assert "more than 5000 rows" in refused.value.messages[0]


def test_a_kobo_sheet_name_cut_to_31_characters_still_finds_its_list():
    """formpack cuts a repeat's sheet name past Excel's 31 characters to `first 28...`."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(shapes.kobo_xlsx([submission(VALUES, REPEATS)])))
    book["actors"].title = "acto..."
    out = io.BytesIO()
    book.save(out)
    (entry,) = check(out.getvalue()).entries
    assert [r.data["name"] for r in entry.records["actors"]] == ["Mairie de Kalaba", "Orange"]


def test_a_central_repeat_file_numbered_for_a_shared_name_still_finds_its_list():
    with zipfile.ZipFile(io.BytesIO(shapes.central_zip([submission(VALUES, REPEATS)]))) as zipped:
        files = {name: zipped.read(name) for name in zipped.namelist()}
    files[f"{shapes.FORM_ID}-actors~1.csv"] = files.pop(f"{shapes.FORM_ID}-actors.csv")
    (entry,) = check(_zip(files)).entries
    assert len(entry.records["actors"]) == 2


def test_control_characters_in_what_the_file_says_of_itself_are_dropped():
    content = shapes.kobo_json([submission(VALUES, by="awa\x00\x1b[31m")])
    (entry,) = check(content).entries
    assert entry.submitter == "awa[31m"


def test_a_file_of_too_many_worksheet_submissions_is_refused(english):
    subs = [submission(VALUES, uuid=str(n)) for n in range(101)]
    with pytest.raises(SubmissionsError) as refused:
        check(shapes.kobo_csv(subs))
    assert "101 worksheet submissions" in refused.value.messages[0]


def test_a_number_of_thousands_of_digits_is_no_crash(english):
    with pytest.raises(ExportError) as refused:
        read_export(b'{"results": [{"a": ' + b"1" * 5000 + b"}]}")
    assert "not valid JSON" in refused.value.messages[0]


def test_a_damaged_sheet_inside_a_workbook_gets_a_message(english):
    content = shapes.kobo_xlsx([submission(VALUES)])
    with zipfile.ZipFile(io.BytesIO(content)) as zipped:
        files = {name: zipped.read(name) for name in zipped.namelist()}
    files["xl/worksheets/sheet1.xml"] = files["xl/worksheets/sheet1.xml"][:400]
    with pytest.raises(ExportError) as refused:
        read_export(_zip(files))
    assert "damaged" in refused.value.messages[0]


def test_a_password_protected_zip_member_gets_a_message(english):
    content = bytearray(_zip({f"{shapes.FORM_ID}.csv": b"KEY\nuuid:1\n"}))
    content[6] |= 0x1  # the local header's "encrypted" flag
    central = content.rfind(b"PK\x01\x02")
    content[central + 8] |= 0x1  # and the central directory's
    with pytest.raises(ExportError) as refused:
        read_export(bytes(content))
    assert "damaged or incomplete" in refused.value.messages[0]


def test_kobo_headers_with_dots_for_groups_read_too():
    """KoboToolbox lets the person choose `.` as the group separator."""
    content = shapes.kobo_csv(
        [submission(VALUES)], options={"actor_types": ["local_authorities", "telecoms"]}
    ).replace(b"/", b".")
    (entry,) = check(content).entries
    assert entry.answers["maturity_uses"]["level"] == 2
    assert entry.answers["actor_types"]["choices"] == ["local_authorities", "telecoms"]

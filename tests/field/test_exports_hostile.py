"""Exports made to hurt: millions of empty lines, numbers past any float, locations that are no
GeoJSON, times at the calendar's ends, workbooks whose rows start empty. Each gets a message
(or is read as it should be), never an exception, and the readers stop early."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from jalon.field import exports
from jalon.field.exports import MAX_BYTES, MAX_LINES, MAX_ROWS, ExportError, read_export
from jalon.field.models import OperatorResponse, SubmissionImport
from jalon.field.naming import MARK, survey_mark, worksheet_mark
from jalon.field.services import entry_from_json
from jalon.field.submissions import WorksheetFile
from jalon.worksheets.survey import bundled_survey

from ..conftest import client_for
from . import shapes
from .shapes import DEFINITION, operator, submission
from .test_exports import OPERATOR, REPEATS, VALUES, check

TOO_MANY = f"more than {MAX_ROWS} rows"
FAR_TIMES = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"]


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.fixture
def lines_read(monkeypatch):
    """How many lines the readers take out of every `csv.reader` they make."""
    counts: list[int] = []
    real = csv.reader

    class Counted:
        def __init__(self, *args, **kwargs):
            self.reader = real(*args, **kwargs)
            self.index = len(counts)
            counts.append(0)

        def __iter__(self):
            return self

        def __next__(self):
            row = next(self.reader)
            counts[self.index] += 1
            return row

        @property
        def line_num(self):
            return self.reader.line_num

    monkeypatch.setattr(csv, "reader", Counted)
    return counts


# Line by line ----------------------------------------------------------------------------------


def test_ten_million_empty_lines_are_refused_after_a_few_thousand(english, lines_read):
    header = b"jalon_form,_uuid\n"
    content = header + b"\n" * (MAX_BYTES - len(header))  # 10,485,743 empty lines
    with pytest.raises(ExportError) as refused:
        read_export(content, "f.csv")
    assert TOO_MANY in refused.value.messages[0]
    (count,) = lines_read
    assert count <= MAX_LINES + 1  # not the ten million: the reader stopped at the cap


def test_a_zip_of_60_mb_of_empty_lines_is_refused_after_a_few_thousand(english, lines_read):
    empty = b"KEY,SubmissionDate\n" + b"\n" * (59 * 1024 * 1024)
    content = _zip({f"{shapes.FORM_ID}.csv": empty})
    assert len(content) < 200_000  # small to send, 59 MB once expanded
    with pytest.raises(ExportError) as refused:
        read_export(content, "f.zip")
    assert TOO_MANY in refused.value.messages[0]
    (count,) = lines_read
    assert count <= MAX_LINES + 1


def test_rows_of_only_separators_count_as_lines(english, lines_read):
    header = b"jalon_form" + b"".join(b",c%d" % n for n in range(100)) + b"\n"
    content = header + (b"," * 100 + b"\n") * (MAX_LINES + 500)
    with pytest.raises(ExportError) as refused:
        read_export(content, "f.csv")
    assert TOO_MANY in refused.value.messages[0]
    assert lines_read == [MAX_LINES + 1]  # the header, lines 2 to MAX_LINES, then the one past


def test_a_zip_still_reads_a_cell_of_several_lines_and_names_rows_as_a_spreadsheet():
    content = shapes.central_zip(
        [submission({**VALUES, "competences": "Collecte\npar la commune"}, REPEATS)]
    )
    (entry,) = check(content).entries
    assert entry.answers["competences"] == "Collecte\npar la commune"
    assert entry.row == 2
    assert [r.data["name"] for r in entry.records["actors"]] == ["Mairie de Kalaba", "Orange"]


def test_a_zip_member_that_is_not_utf8_names_its_byte(english):
    content = _zip({f"{shapes.FORM_ID}.csv": b"KEY,SubmissionDate\nuuid:\xff1,x\n"})
    with pytest.raises(ExportError) as refused:
        read_export(content, "f.zip")
    assert "not UTF-8 text (byte 24)" in refused.value.messages[0]


def test_too_many_json_submissions_are_counted_before_any_is_read(english, monkeypatch):
    walked: list[int] = []
    real = exports._json_submission

    def counting(raw, number, sheet, budget):
        walked.append(number)
        return real(raw, number, sheet, budget)

    monkeypatch.setattr(exports, "_json_submission", counting)
    content = json.dumps({"results": [{"_uuid": str(n)} for n in range(MAX_ROWS + 1)]})
    with pytest.raises(ExportError) as refused:
        read_export(content.encode(), "f.json")
    assert TOO_MANY in refused.value.messages[0]
    assert walked == []


def test_millions_of_json_objects_are_refused_while_parsing(english, monkeypatch):
    walked: list[object] = []
    monkeypatch.setattr(exports, "_depth", walked.append)
    content = b'{"results": [{"g": [' + b"{}," * 3_000_000 + b"{}]}]}"
    with pytest.raises(ExportError) as refused:
        read_export(content, "f.json")
    assert TOO_MANY in refused.value.messages[0]
    assert walked == []  # json stopped at the cap: nothing came out to walk


# Numbers and shapes ----------------------------------------------------------------------------


def test_an_index_of_400_digits_is_ignored_on_a_submission():
    mark = str(worksheet_mark(DEFINITION))
    orientation = shapes.path("orientation")
    content = f"{MARK};{orientation};_uuid;_index\n{mark};inclusion;u1;{'9' * 400}\n".encode()
    checked = check(content)
    assert isinstance(checked, WorksheetFile)
    (entry,) = checked.entries
    assert (entry.instance_id, entry.answers["orientation"]["choice"]) == ("u1", "inclusion")


@pytest.mark.parametrize("index", ["9" * 400, "1e999", "nan", "-inf"])
def test_a_parent_index_that_is_no_row_number_names_its_row(english, index):
    book = load_workbook(io.BytesIO(shapes.kobo_xlsx([submission(VALUES, REPEATS)])))
    sheet = book["actors"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=3, column=header.index("_parent_index") + 1, value=index)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ExportError) as refused:
        read_export(out.getvalue())
    assert refused.value.messages == [
        "Sheet actors, row 3: its _parent_index names no row of the sheet it belongs to; "
        "the file is incomplete."
    ]


@pytest.mark.parametrize(
    "point",
    [
        {"type": "Point", "coordinates": [-17.4, 14.6], "properties": 5},
        {"type": "Point", "coordinates": [-17.4, 14.6], "properties": ["accuracy", 5]},
        {"type": "Point", "coordinates": [-17.4, 14.6], "properties": {"accuracy": {"m": 5}}},
        {"type": "Point", "coordinates": [[-17.4], 14.6]},
        {"type": "Point", "coordinates": [-17.4, "14.6"]},
        {"type": "Point", "coordinates": [True, 14.6]},
    ],
)
def test_a_location_that_is_no_geojson_point_gets_a_message(english, point):
    raw = {"__id": "uuid:1", "operator_name": "Awa", "location": point}
    with pytest.raises(ExportError) as refused:
        read_export(json.dumps({"value": [raw]}).encode(), "f.json")
    assert refused.value.messages == [
        "Submission 1, location: this location is not a GeoJSON point (numbers for longitude, "
        "latitude, altitude; an accuracy in its properties)."
    ]


def test_a_geojson_point_with_or_without_properties_reads():
    points = [
        {"type": "Point", "coordinates": [-17.4441, 14.6937, 12], "properties": {"accuracy": 5}},
        {"type": "Point", "coordinates": [-17.4441, 14.6937], "properties": None},
    ]
    raws = [{"__id": str(n), "location": p} for n, p in enumerate(points)]
    export = read_export(json.dumps({"value": raws}).encode(), "f.json")
    assert [s.text("location") for s in export.submissions] == [
        "14.6937 -17.4441 12 5",
        "14.6937 -17.4441 0",
    ]


# Times -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("when", FAR_TIMES)
def test_a_time_at_the_calendars_ends_is_no_date(when):
    export = read_export(shapes.kobo_json([submission(VALUES, when=when)]))
    assert export.submissions[0].submitted is None


def test_a_time_is_kept_in_utc():
    export = read_export(shapes.kobo_json([submission(VALUES, when="2026-11-20T09:15:02+02:00")]))
    assert export.submissions[0].submitted == datetime.datetime(
        2026, 11, 20, 7, 15, 2, tzinfo=datetime.UTC
    )
    assert export.submissions[0].submitted.utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize("when", FAR_TIMES)
def test_a_proposal_kept_with_a_far_time_reads_as_no_date(when):
    entry = entry_from_json(
        {"row": 2, "instance_id": "u", "submitted": when, "submitter": "", "title": "",
         "answers": {}, "records": {}}
    )  # fmt: skip
    assert entry.submitted is None


@pytest.mark.parametrize("when", FAR_TIMES)
def test_the_review_page_shows_a_submission_of_a_far_time(client, plan, people, when):
    client_for(client, people["editor"])
    content = shapes.kobo_json([submission({"competences": "Relevé"}, when=when)])
    url = f"/plans/{plan.pk}/submissions/import/"
    response = client.post(url, {"file": SimpleUploadedFile("f.json", content)})
    assert response.status_code == 302
    assert SubmissionImport.objects.get(plan=plan).entries[0]["submitted"] is None
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("when", FAR_TIMES)
def test_operators_answers_of_a_far_time_are_kept_without_date(client, plan, people, when):
    client_for(client, people["editor"])
    content = shapes.kobo_csv([operator(OPERATOR, when=when)])
    url = f"/plans/{plan.pk}/submissions/import/"
    response = client.post(url, {"file": SimpleUploadedFile("ops.csv", content)})
    assert response.status_code == 302
    (kept,) = OperatorResponse.objects.filter(plan=plan)
    assert kept.submitted is None
    assert client.get(f"/plans/{plan.pk}/operators/").status_code == 200


# Workbooks -------------------------------------------------------------------------------------


def test_rows_whose_first_cell_is_empty_are_read_with_their_row(english):
    mark = str(survey_mark(bundled_survey()))
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.append(["start", MARK, "_uuid"])
    sheet.append([None, mark, "u1"])
    sheet.append([])
    sheet.append([None, mark, "u2"])
    out = io.BytesIO()
    book.save(out)
    export = read_export(out.getvalue())
    assert [(s.row, s.instance_id) for s in export.submissions] == [(2, "u1"), (4, "u2")]


def test_a_formula_after_an_empty_first_cell_names_its_row(english):
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.append(["start", MARK, "step_1/section_1_1/orientation"])
    sheet.append([None, str(worksheet_mark(DEFINITION)), "inclusion"])
    sheet.append([None, str(worksheet_mark(DEFINITION)), '=HYPERLINK("http://x")'])
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(ExportError) as refused:
        read_export(out.getvalue())
    assert (
        "row 3, column step_1/section_1_1/orientation holds a formula"
        in (refused.value.messages[0])
    )

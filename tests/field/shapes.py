"""Submissions exports built by hand, in the shapes KoboToolbox and ODK Central give them.

A submission is given as plain data: `values` (question name → value as the phone sends it) and
`repeats` (repeat name → rows of field name → value); each builder lays them out as its server
does, with the group path of every question (`step_N/section_N_M/…`, `jalon.field.naming`) and
the server's own meta columns. Where each shape comes from:

- Kobo (formpack, `formpack/reporting/export.py` and its tests; KoboToolbox's « Exporting and
  downloading your data » help page): headers are group paths joined by `/` (« include groups
  in headers », « XML values and headers »); the meta columns end each row: `_id`, `_uuid`,
  `_submission_time`, `_validation_status`, `_notes`, `_status`, `_submitted_by`,
  `__version__`, `_tags`, `_index`; a select_multiple gets a 0/1 column per option
  (`…/question/code`); XLSX puts each repeat on its own sheet named after it, with `_index`,
  `_parent_table_name`, `_parent_index`, `_submission__id`, `_submission__uuid`…; the CSV is
  `;`-separated by default and holds the first sheet only; the API's JSON (`/api/v2/assets/
  <uid>/data/`) is `{"count", "next", "previous", "results"}`, each result flat with group-path
  keys, a repeat a list of objects whose keys are full paths too.
- ODK Central (central-backend `lib/data/csv.js`, `lib/data/odata.js`; docs « Submissions »
  and « OData »): CSV headers join the group path with `-`, first `SubmissionDate`, then the
  questions, `meta-instanceID`, `KEY`, `SubmitterID`, `SubmitterName`, `AttachmentsPresent`,
  `AttachmentsExpected`, `Status`, `ReviewState`, `DeviceID`, `Edits`, `FormVersion`; a
  geopoint is split into `…-Latitude`, `-Longitude`, `-Altitude`, `-Accuracy`; the ZIP holds
  `<formId>.csv` and `<formId>-<repeat>.csv`, a repeat's rows ending with `PARENT_KEY`, `KEY`;
  OData JSON nests groups as objects, repeats inline with `$expand=*`, `__id`, `__system`
  (`submissionDate`, `submitterName`…), a geopoint as GeoJSON.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Collection
from typing import Any

from openpyxl import Workbook

from jalon.field.naming import MARK, field_name, item_name, section_group, step_group
from jalon.worksheets.loading import latest_definition
from jalon.worksheets.survey import bundled_survey

DEFINITION = latest_definition("gerer-les-services-urbains")
KOBO_META = [
    "_id",
    "_uuid",
    "_submission_time",
    "_validation_status",
    "_notes",
    "_status",
    "_submitted_by",
    "__version__",
    "_tags",
    "_index",
]
CENTRAL_META = [
    "meta-instanceID",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
]
FORM_ID = "jalon_gerer_les_services_urbains_v3"


def groups() -> dict[str, tuple[str, ...]]:
    """Every worksheet name → its groups; a list's fields → the list's groups and repeat."""
    found: dict[str, tuple[str, ...]] = {}
    for step in DEFINITION.steps:
        for section in step.sections:
            path = (step_group(step), section_group(section))
            for item in section.items:
                for name in (item.id, f"{item.id}_note", f"{item.id}_target"):
                    found[name] = path
                found[f"{item.id}_target_date"] = path
                for f in item.fields:
                    found[field_name(item, f)] = (*path, item_name(item))
                    found[f"{field_name(item, f)}__currency"] = (*path, item_name(item))
    return found


GROUPS = groups()


def item(item_id: str) -> Any:
    """A worksheet item that exists (the tests name them)."""
    found = DEFINITION.item(item_id)
    assert found is not None
    return found


def path(name: str, separator: str = "/") -> str:
    return separator.join((*GROUPS.get(name, ()), name))


def submission(
    values: dict[str, str],
    repeats: dict[str, list[dict[str, str]]] | None = None,
    *,
    uuid: str = "6e5b0d3c-1111-4c6a-9d0e-000000000001",
    when: str = "2026-11-20T09:15:02",
    mark: str | None = None,
    by: str = "awa",
) -> dict[str, Any]:
    from jalon.field.naming import worksheet_mark

    return {
        "values": {MARK: mark if mark is not None else str(worksheet_mark(DEFINITION)), **values},
        "repeats": repeats or {},
        "uuid": uuid,
        "when": when,
        "by": by,
    }


def operator(values: dict[str, str], **kwargs: Any) -> dict[str, Any]:
    from jalon.field.naming import survey_mark

    kwargs.setdefault("mark", str(survey_mark(bundled_survey())))
    return submission(values, **kwargs)


def _columns(subs: list[dict[str, Any]]) -> list[str]:
    names: list[str] = []
    for sub in subs:
        for name in sub["values"]:
            if name not in names:
                names.append(name)
    return names


# KoboToolbox -----------------------------------------------------------------------------------


def _kobo_rows(
    subs: list[dict[str, Any]], options: dict[str, list[str]] | None = None
) -> tuple[list[str], list[list[str]]]:
    names = _columns(subs)
    header = ["start", "end"]
    for name in names:
        header.append(path(name))
        for code in (options or {}).get(name, []):  # a select_multiple's 0/1 columns
            header.append(f"{path(name)}/{code}")
    header += KOBO_META
    rows = []
    for index, sub in enumerate(subs, start=1):
        row = ["2026-11-20T08:01:00.000+00:00", "2026-11-20T08:40:00.000+00:00"]
        for name in names:
            value = sub["values"].get(name, "")
            row.append(value)
            for code in (options or {}).get(name, []):
                row.append("1" if code in value.split() else "0")
        row += [
            str(1000 + index),
            sub["uuid"],
            sub["when"],
            "",
            "",
            "submitted_via_web",
            sub["by"],
            "vK3rUoS8wbNE7yiFZ7cZ3v",
            "",
            str(index),
        ]
        rows.append(row)
    return header, rows


def kobo_csv(subs: list[dict[str, Any]], *, delimiter: str = ";", **kwargs: Any) -> bytes:
    header, rows = _kobo_rows(subs, **kwargs)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode()


def kobo_xlsx(subs: list[dict[str, Any]], **kwargs: Any) -> bytes:
    book = Workbook()
    main = book.worksheets[0]
    main.title = "Jalon – fiche"  # formpack names the first sheet after the form's title
    header, rows = _kobo_rows(subs, **kwargs)
    main.append(header)
    for row in rows:
        main.append(row)
    repeats: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
    for index, sub in enumerate(subs, start=1):
        for name, records in sub["repeats"].items():
            for record in records:
                repeats.setdefault(name, []).append((index, sub, record))
    for name, rows_of in repeats.items():
        sheet = book.create_sheet(name if len(name) <= 31 else name[:28] + "...")
        fields = []
        for _index, _sub, record in rows_of:
            fields += [f for f in record if f not in fields]
        sheet.append(
            [path(f) for f in fields]
            + ["_index", "_parent_table_name", "_parent_index", "_submission__id"]
            + ["_submission__uuid", "_submission__submission_time"]
        )
        for number, (parent, sub, record) in enumerate(rows_of, start=1):
            cells: list[Any] = [record.get(f, "") for f in fields]
            sheet.append(
                [*cells, number, main.title, parent, 1000 + parent, sub["uuid"], sub["when"]]
            )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def kobo_json(subs: list[dict[str, Any]]) -> bytes:
    results = []
    for index, sub in enumerate(subs, start=1):
        result: dict[str, Any] = {
            "_id": 1000 + index,
            "formhub/uuid": "0c9f5a1e0b4a4f0e9c8e3f2d1a0b9c8d",
            "start": "2026-11-20T08:01:00.000+00:00",
        }
        result |= {path(name): value for name, value in sub["values"].items()}
        for name, records in sub["repeats"].items():
            result[path(name)] = [{path(f): v for f, v in record.items()} for record in records]
        result |= {
            "__version__": "vK3rUoS8wbNE7yiFZ7cZ3v",
            "meta/instanceID": f"uuid:{sub['uuid']}",
            "_xform_id_string": "aB3dE5fG7hI9",
            "_uuid": sub["uuid"],
            "_attachments": [],
            "_status": "submitted_via_web",
            "_geolocation": [None, None],
            "_submission_time": sub["when"],
            "_tags": [],
            "_notes": [],
            "_validation_status": {},
            "_submitted_by": sub["by"],
        }
        results.append(result)
    return json.dumps(
        {"count": len(results), "next": None, "previous": None, "results": results}
    ).encode()


# ODK Central -----------------------------------------------------------------------------------


def _central_header(names: list[str], geopoints: set[str]) -> list[str]:
    header = ["SubmissionDate"]
    for name in names:
        if name in geopoints:
            header += [f"{path(name, '-')}-{part}" for part in ("Latitude", "Longitude")]
            header += [f"{path(name, '-')}-{part}" for part in ("Altitude", "Accuracy")]
        else:
            header.append(path(name, "-"))
    return header + CENTRAL_META


def _central_main(subs: list[dict[str, Any]], geopoints: set[str]) -> str:
    names = _columns(subs)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_central_header(names, geopoints))
    for sub in subs:
        row = [sub["when"] + ".245Z"]
        for name in names:
            value = sub["values"].get(name, "")
            row += (value.split() + [""] * 4)[:4] if name in geopoints else [value]
        key = f"uuid:{sub['uuid']}"
        row += [key, key, "5", sub["by"], "0", "0", "", "", "collect:abc", "0", "3.fc7ac572efb7"]
        writer.writerow(row)
    return out.getvalue()


def central_csv(subs: list[dict[str, Any]], *, geopoints: Collection[str] = frozenset()) -> bytes:
    return _central_main(subs, set(geopoints)).encode()


def central_zip(subs: list[dict[str, Any]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{FORM_ID}.csv", _central_main(subs, set()))
        repeats: dict[str, list[tuple[str, dict[str, str]]]] = {}
        for sub in subs:
            for name, records in sub["repeats"].items():
                for record in records:
                    repeats.setdefault(name, []).append((f"uuid:{sub['uuid']}", record))
        for name, rows in repeats.items():
            fields: list[str] = []
            for _key, record in rows:
                fields += [f for f in record if f not in fields]
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            # A repeat's columns are named from the repeat down (briefcase.js `getHeader`).
            writer.writerow([*fields, "PARENT_KEY", "KEY"])
            counters: dict[str, int] = {}
            for parent, record in rows:
                counters[parent] = counters.get(parent, 0) + 1
                key = f"{parent}/{'/'.join(GROUPS[name])}/{name}[{counters[parent]}]"
                writer.writerow([record.get(f, "") for f in fields] + [parent, key])
            archive.writestr(f"{FORM_ID}-{name}.csv", text.getvalue())
    return out.getvalue()


def _nest(target: dict[str, Any], groups: tuple[str, ...], name: str, value: Any) -> None:
    for group in groups:
        target = target.setdefault(group, {})
    target[name] = value


def central_json(subs: list[dict[str, Any]], *, geopoints: Collection[str] = frozenset()) -> bytes:
    value = []
    for sub in subs:
        key = f"uuid:{sub['uuid']}"
        row: dict[str, Any] = {
            "__id": key,
            "__system": {
                "submissionDate": sub["when"] + ".245Z",
                "submitterId": "5",
                "submitterName": sub["by"],
                "attachmentsPresent": 0,
                "attachmentsExpected": 0,
                "status": None,
                "reviewState": None,
                "deviceId": None,
                "edits": 0,
                "formVersion": "3.fc7ac572efb7",
            },
            "meta": {"instanceID": key},
        }
        for name, text in sub["values"].items():
            if name in geopoints and text:
                lat, lon, alt, acc = [*text.split(), "0", "0"][:4]
                point = {
                    "type": "Point",
                    "coordinates": [float(lon), float(lat), float(alt)],
                    "properties": {"accuracy": float(acc)},
                }
                _nest(row, GROUPS.get(name, ()), name, point)
            else:
                _nest(row, GROUPS.get(name, ()), name, text or None)
        for name, records in sub["repeats"].items():
            rows = []
            for number, record in enumerate(records, start=1):
                rows.append({"__id": f"{number:040x}", **{f: v or None for f, v in record.items()}})
            _nest(row, GROUPS[name], name, rows)
            _nest(row, GROUPS[name], f"{name}@odata.navigationLink", "Submissions('…')")
        value.append(row)
    return json.dumps(
        {
            "@odata.context": f"https://central.example/v1/projects/1/forms/{FORM_ID}.svc/$metadata",
            "value": value,
        }
    ).encode()


BUILDERS: dict[str, Callable[..., bytes]] = {
    "kobo-csv": kobo_csv,
    "kobo-xlsx": kobo_xlsx,
    "kobo-json": kobo_json,
    "central-csv": central_csv,
    "central-zip": central_zip,
    "central-json": central_json,
}
WITH_REPEATS = ("kobo-xlsx", "kobo-json", "central-zip", "central-json")


def proposed_import(plan: Any, user: Any) -> Any:
    """A worksheet submission proposed to `plan`, through the real checks and services."""
    from jalon.field.exports import read_export
    from jalon.field.services import import_propose
    from jalon.field.submissions import check_worksheet

    content = kobo_csv([submission({"competences": "Relevé sur le terrain"})])
    checked = check_worksheet(read_export(content), DEFINITION)
    return import_propose(
        plan=plan, user=user, checked=checked, file_name="export.csv", file_format="kobo-csv"
    )

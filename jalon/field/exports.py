"""Reading a submissions export, as KoboToolbox and ODK Central make them, into plain data.

Whatever the format, an export becomes a list of `Submission`: its row (the line of its sheet a
person sees in a spreadsheet, header on line 1; or its position in a JSON file), its instance id,
when it was submitted, its values by question NAME (the last part of the group path: Jalon's
names are unique in a form, `jalon.field.naming`) with the column as the file writes it, for
messages, and its repeats as lists of sub-submissions by repeat name. Nothing here knows the
worksheet: `jalon.field.submissions` checks the values against it.

The shapes read (from KoboToolbox's formpack and ODK Central's export code and documentation):

- Kobo XLSX: the first sheet holds the submissions, one column per question named by its group
  path (`step_2/section_2_2/maturity_uses`), then the meta columns `_id`, `_uuid`,
  `_submission_time`, `_validation_status`, `_notes`, `_status`, `_submitted_by`,
  `__version__`, `_tags`, `_index`; each repeat has its own sheet, named after the repeat, whose
  rows point at their parent with `_parent_table_name` and `_parent_index` (the parent's
  `_index`). A select_multiple also gets one 0/1 column per option (`…/q/code`): ignored.
- Kobo CSV: the first sheet only (formpack's CSV holds no repeats), `;` or `,` separated.
- Kobo JSON (the API's `/data/` answer): `{"results": [...]}` (or a bare list), each
  submission flat with `group/…/name` keys, a repeat a list of objects keyed the same way.
- ODK Central CSV: group path joined with `-` (`step_2-section_2_2-maturity_uses`), meta columns
  `SubmissionDate`, `meta-instanceID`, `KEY`, `SubmitterName`…, a geopoint split into
  `…-Latitude`, `…-Longitude`, `…-Altitude`, `…-Accuracy`; its ZIP holds the main CSV and one
  CSV per repeat (`<form>-<repeat>.csv`) whose rows point at their parent's `KEY` with
  `PARENT_KEY`.
- ODK Central JSON (OData, `…/Submissions?$expand=*`): `{"value": [...]}`, groups as nested
  objects, repeats as lists of objects, `__id` the instance id, `__system.submissionDate`, a
  geopoint as GeoJSON (`{"type": "Point", "coordinates": [lon, lat, alt]}`).

The file may come from anyone: its size, the ZIP's members and expanded size, the number of
rows and cells are bounded before use, and every problem is a message, never an exception.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import json
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024  # an export of thousands of submissions is under 10 MB
MAX_EXPANDED = 60 * 1024 * 1024  # a ZIP (XLSX too) may not expand past this: no ZIP bomb
MAX_MEMBERS = 200  # files in a ZIP: Central's holds one per repeat, an XLSX about 20
MAX_ROWS = 5_000  # submissions and repeat rows together
MAX_LINES = 4 * MAX_ROWS  # lines of a sheet, empty ones included
MAX_COLUMNS = 2_000  # the whole worksheet form has about 400 questions
MAX_DEPTH = 12  # JSON nesting: steps › sections › repeat › fields is under 8
# Objects in a JSON file, groups and locations included: a submission of the whole worksheet
# holds under 50, and json stops at the first one past this, before building millions of `{}`.
MAX_OBJECTS = 50 * MAX_ROWS
MAX_ERRORS = 20

KOBO_SEPARATOR = "/"
CENTRAL_SEPARATOR = "-"
# Meta columns read for the submission itself: its id, when, by whom. Every other meta column
# (`_status`, `__version__`, `start`, `deviceid`…) is simply not a question of the form.
INSTANCE_COLUMNS = ("meta/instanceID", "meta-instanceID", "_uuid", "KEY", "__id", "instanceID")
TIME_COLUMNS = ("_submission_time", "SubmissionDate", "submissionDate")
SUBMITTER_COLUMNS = ("_submitted_by", "SubmitterName", "submitterName")
GEO_PARTS = ("Latitude", "Longitude", "Altitude", "Accuracy")  # Central CSV's split geopoint
KEY, PARENT_KEY = "KEY", "PARENT_KEY"
INDEX, PARENT_INDEX, PARENT_TABLE = "_index", "_parent_index", "_parent_table_name"
NAVIGATION = "@odata.navigationLink"


class ExportError(ValueError):
    """The file cannot be read as an export; `messages` says why, one per problem."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass(frozen=True)
class Value:
    text: str
    column: str  # as the file writes it: `step_2/section_2_2/maturity_uses`


@dataclass
class Submission:
    row: int  # the line in its sheet (header on line 1), or the position in a JSON file
    sheet: str  # "" for the submissions themselves, the repeat's sheet or file for a repeat
    instance_id: str = ""
    submitted: datetime.datetime | None = None
    submitter: str = ""
    values: dict[str, Value] = field(default_factory=dict)
    repeats: dict[str, list[Submission]] = field(default_factory=dict)
    columns: tuple[str, ...] = ()  # every column of its sheet, for messages on labels

    def text(self, name: str) -> str:
        value = self.values.get(name)
        return value.text if value else ""


@dataclass(frozen=True)
class Export:
    # "kobo-xlsx", "kobo-csv", "kobo-json", "central-csv", "central-zip" or "central-json"
    format: str
    submissions: list[Submission]


def _fail(message: str) -> ExportError:
    return ExportError([message])


def too_large_message(limit: int = MAX_BYTES) -> str:
    return _("The file is larger than %(limit)s MB: export fewer submissions at a time.") % {
        "limit": limit // (1024 * 1024)
    }


def read_limited(stream: Any, limit: int = MAX_BYTES) -> bytes:
    """At most `limit` bytes of `stream`; one byte more means the file is too large."""
    content: bytes = stream.read(limit + 1)
    if len(content) > limit:
        raise _fail(too_large_message(limit))
    return content


SEPARATORS = re.compile(r"[/.-]")  # Kobo `/` (or `.`, its other choice), Central `-`


def name_of(column: str) -> str:
    """A column's question name: the last part of its group path. Jalon's names hold none of
    these separators (`jalon.field.naming`), so any of them ends a group."""
    return SEPARATORS.split(column)[-1]


# A moment this far from the calendar's ends converts to any time zone (offsets are under a day).
EARLIEST = datetime.datetime.min.replace(tzinfo=datetime.UTC) + datetime.timedelta(days=2)
LATEST = datetime.datetime.max.replace(tzinfo=datetime.UTC) - datetime.timedelta(days=2)


def parse_time(text: str) -> datetime.datetime | None:
    """When a submission was sent, in UTC; None (« no date ») for what is not an ISO time or lies
    so near year 1 or 9999 that showing it in another zone would overflow (`9999-12-31T23:59:59
    -12:00` is past the last moment Python can hold once in UTC)."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:  # Kobo writes UTC without saying so
            moment = moment.replace(tzinfo=datetime.UTC)
        moment = moment.astimezone(datetime.UTC)
        timezone.localtime(moment)  # as the pages will show it
    except (ValueError, OverflowError):
        return None
    return moment if EARLIEST <= moment <= LATEST else None


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "1" if raw else "0"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))  # a spreadsheet's 3.0 is the 3 the phone sent
    if isinstance(raw, datetime.datetime):  # a spreadsheet's date cell
        return raw.date().isoformat() if raw.time() == datetime.time() else raw.isoformat()
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    return str(raw)


def _option_columns(columns: list[str]) -> set[str]:
    """Kobo's one-column-per-option of a select_multiple (`g/q/code` beside `g/q`)."""
    full = set(columns)
    found = set()
    for column in columns:
        parts = SEPARATORS.split(column)
        if len(parts) > 1 and column[: -len(parts[-1]) - 1] in full:
            found.add(column)
    return found


def _geopoints(row: dict[str, str]) -> dict[str, str]:
    """Central's CSV splits a geopoint into four columns: joined back into “lat lon alt acc”."""
    joined: dict[str, str] = {}
    for column in row:
        if column.endswith("-Latitude"):
            base = column[: -len("-Latitude")]
            parts = [row.get(f"{base}-{part}", "").strip() for part in GEO_PARTS]
            joined[base] = " ".join(parts).strip() if parts[0] or parts[1] else ""
    return joined


def _submission(row: Mapping[str, str], number: int, sheet: str) -> Submission:
    columns = list(row)
    options = _option_columns(columns)
    geo = _geopoints(dict(row))
    split = {f"{base}-{part}" for base in geo for part in GEO_PARTS}
    found = Submission(row=number, sheet=sheet, columns=tuple(columns))
    for column, raw in [*row.items(), *geo.items()]:
        if column in options or column in split or not column:
            continue
        found.values[name_of(column)] = Value(raw, column)
    found.instance_id = next((row[c] for c in INSTANCE_COLUMNS if row.get(c)), "")
    found.submitted = next((parse_time(row[c]) for c in TIME_COLUMNS if row.get(c)), None)
    found.submitter = next((row[c] for c in SUBMITTER_COLUMNS if row.get(c)), "")
    return found


# Tables: rows of named cells, from CSV or XLSX sheets ------------------------------------------


@dataclass
class _Table:
    name: str
    rows: list[tuple[int, dict[str, str]]]  # (line, column → text)


def _header(cells: list[str], sheet: str) -> list[str]:
    header = [cell.strip() for cell in cells]
    if not any(header):
        raise _fail(_("The sheet %(sheet)s has no header line.") % {"sheet": sheet or "1"})
    if len(header) > MAX_COLUMNS:
        raise _fail(_("The file has more than %(max)s columns.") % {"max": MAX_COLUMNS})
    named = [h for h in header if h]
    if len(set(named)) != len(named):
        twice = next(h for h in named if named.count(h) > 1)
        raise _fail(_("The column %(column)s appears twice.") % {"column": twice[:80]})
    return header


def not_utf8_message(what: str, position: int) -> str:
    return _(
        "%(what)s is not UTF-8 text (byte %(position)s): export it again from "
        "KoboToolbox or ODK Central without opening and saving it in a spreadsheet."
    ) % {"what": what, "position": position}


def _decode(content: bytes, what: str) -> str:
    if content.startswith(b"\xef\xbb\xbf"):  # Kobo's CSV starts with a byte order mark
        content = content[3:]
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _fail(not_utf8_message(what, error.start)) from None


def _bad_byte(stream: IO[bytes]) -> int:
    """Where the first byte that is not UTF-8 is, read in pieces (a ZIP's member may be large)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    while True:
        piece = stream.read(64 * 1024)
        pending = len(decoder.getstate()[0])  # the start of a character cut by the last piece
        try:
            decoder.decode(piece, final=not piece)
        except UnicodeDecodeError as error:
            return offset - pending + error.start
        if not piece:
            return offset
        offset += len(piece)


def _too_many_rows() -> ExportError:
    return _fail(_("The file holds more than %(max)s rows.") % {"max": MAX_ROWS})


def _csv_table(text: IO[str], name: str, budget: list[int]) -> _Table:
    """A CSV file's rows, read a line at a time: every line, empty ones too, counts against
    MAX_LINES before the next is read, so ten million empty lines are refused after a few
    thousand, never held in memory."""
    first = text.readline()
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(itertools.chain([first], text), delimiter=delimiter)
    try:
        cells = next(reader, None)
        if cells is None:
            raise _fail(_("The file is empty."))
        header = _header(cells, name)
        rows = []
        for line, cells in enumerate(reader, start=2):
            if reader.line_num > MAX_LINES:  # a quoted cell may hold several lines
                raise _too_many_rows()
            if not any(cell.strip() for cell in cells):
                continue
            budget[0] -= 1
            if budget[0] < 0:
                raise _too_many_rows()
            rows.append((line, {h: c for h, c in zip(header, cells, strict=False) if h}))
    except csv.Error as error:
        raise _fail(_("The CSV file cannot be read (%(error)s).") % {"error": error}) from None
    return _Table(name, rows)


def _check_zip(archive: zipfile.ZipFile) -> None:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_EXPANDED:
        raise _fail(_("The ZIP file expands to too much data to be an export."))


def _xlsx_tables(content: bytes, budget: list[int]) -> list[_Table]:
    # openpyxl reads the workbook's XML with the standard library's expat, which resolves no
    # external entity and (expat ≥ 2.4) bounds entity expansion; the ZIP's size is bounded first.
    from openpyxl import load_workbook

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        _check_zip(archive)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of error on a damaged workbook
        raise _fail(_("The XLSX file is damaged or is not a workbook.")) from None
    tables = []
    try:
        for sheet in book.worksheets:
            lines = sheet.iter_rows(values_only=False)
            first = next(lines, None)
            if first is None:
                continue
            header = _header([_text(cell.value) for cell in first], sheet.title)
            rows = []
            for line, cells in enumerate(lines, start=2):
                if line > MAX_LINES:  # empty rows too: a sheet may claim a million of them
                    raise _too_many_rows()
                values = {}
                for column, cell in zip(header, cells, strict=False):
                    if not column or cell.value is None:
                        continue
                    if cell.data_type == "f":
                        raise _fail(
                            _(
                                "Sheet %(sheet)s, row %(row)s, column %(column)s holds a formula:"
                                " exports hold values only. Export the file again."
                            )
                            % {"sheet": sheet.title, "row": line, "column": column[:80]}
                        )
                    values[column] = _text(cell.value)
                if not any(v.strip() for v in values.values()):
                    continue
                budget[0] -= 1
                if budget[0] < 0:
                    raise _too_many_rows()
                # `line`, not the first cell's row: an empty first cell (EmptyCell) has none.
                rows.append((line, values))
            tables.append(_Table(sheet.title, rows))
    except ExportError:
        raise
    except Exception:  # a sheet's XML damaged past its first lines: openpyxl raises anything
        raise _fail(_("The XLSX file is damaged or is not a workbook.")) from None
    finally:
        book.close()
    if not tables:
        raise _fail(_("The file is empty."))
    return tables


def _integer(text: str) -> int | None:
    """A row's `_index`; None for anything else, a number of 400 digits included (float() of it
    is infinite and int() of that overflows): such a row is then linked to nothing."""
    found = re.fullmatch(r"(-?[0-9]{1,15})(\.0+)?", text.strip())
    return int(found.group(1)) if found else None


def _kobo_tables(tables: list[_Table]) -> list[Submission]:
    """Kobo's sheets: the first holds submissions, the others repeats linked by `_index`."""
    main = tables[0]
    by_sheet: dict[str, dict[int, Submission]] = {}
    result = []
    for line, row in main.rows:
        submission = _submission(row, line, "")
        result.append(submission)
        index = _integer(row.get(INDEX, ""))
        if index is not None:
            by_sheet.setdefault(main.name, {})[index] = submission
    for table in tables[1:]:
        for line, row in table.rows:
            child = _submission(row, line, table.name)
            index = _integer(row.get(INDEX, ""))
            if index is not None:
                by_sheet.setdefault(table.name, {})[index] = child
            parent_sheet = row.get(PARENT_TABLE) or main.name
            parent_index = _integer(row.get(PARENT_INDEX, ""))
            parents = by_sheet.get(parent_sheet) or by_sheet.get(main.name, {})
            parent = parents.get(parent_index) if parent_index is not None else None
            if parent is None:
                raise _fail(
                    _(
                        "Sheet %(sheet)s, row %(row)s: its %(column)s names no row of the "
                        "sheet it belongs to; the file is incomplete."
                    )
                    % {"sheet": table.name, "row": line, "column": PARENT_INDEX}
                )
            parent.repeats.setdefault(table.name, []).append(child)
    return result


def _central_tables(tables: list[_Table]) -> list[Submission]:
    """Central's CSVs: the main one, then one per repeat linked by `PARENT_KEY` → `KEY`."""
    main, *repeats = tables
    by_key: dict[str, Submission] = {}
    result = []
    for line, row in main.rows:
        submission = _submission(row, line, "")
        result.append(submission)
        by_key[row.get(KEY, "")] = submission
    for table in repeats:
        repeat = name_of(table.name)
        for line, row in table.rows:
            child = _submission(row, line, table.name)
            by_key[row.get(KEY, "")] = child
        for line, row in table.rows:
            parent = by_key.get(row.get(PARENT_KEY, ""))
            if parent is None:
                raise _fail(
                    _(
                        "File %(sheet)s, row %(row)s: its %(column)s names no submission of "
                        "the export; the file is incomplete."
                    )
                    % {"sheet": table.name, "row": line, "column": PARENT_KEY}
                )
            parent.repeats.setdefault(repeat, []).append(by_key[row.get(KEY, "")])
    return result


def _central_zip(content: bytes, budget: list[int]) -> Export:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        _check_zip(archive)
        names = [n for n in archive.namelist() if n.lower().endswith(".csv")]
        if not names:
            raise _fail(_("The ZIP file holds no CSV file: it is not an ODK Central export."))
        # The main CSV is `<form>.csv`; each repeat's is `<form>-<repeat>.csv`.
        main = min(names, key=len)
        stem = main[: -len(".csv")]
        tables = []
        for name in [main, *sorted(n for n in names if n != main)]:
            if name != main and not name.startswith(stem + "-"):
                continue
            # Two repeats of one name get `~1`, `~2` (Central's briefcase.js): Jalon's names
            # are unique, so the suffix is only dropped.
            repeat = re.sub(r"~[0-9]+$", "", name[len(stem) + 1 : -4]) or stem
            try:
                # Read a line at a time: a member may expand to 60 MB of empty lines.
                with archive.open(name) as member:
                    text = io.TextIOWrapper(member, encoding="utf-8-sig", newline="")
                    tables.append(_csv_table(text, repeat, budget))
            except UnicodeDecodeError:
                with archive.open(name) as member:
                    raise _fail(not_utf8_message(name, _bad_byte(member))) from None
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
                # RuntimeError: a member protected by a password; NotImplementedError: an
                # unknown compression method.
                raise _fail(_("The ZIP file is damaged or incomplete.")) from None
    return Export("central-zip", _central_tables(tables))


# JSON ------------------------------------------------------------------------------------------


def _depth(node: Any, depth: int = 1) -> None:
    stack = [(node, depth)]
    while stack:
        current, level = stack.pop()
        if level > MAX_DEPTH:
            raise _fail(_("The JSON file nests data too deep to be an export."))
        children = current.values() if isinstance(current, dict) else current
        stack.extend((c, level + 1) for c in children if isinstance(c, dict | list))


def _is_geojson(value: Mapping[str, Any]) -> bool:
    return value.get("type") == "Point" and isinstance(value.get("coordinates"), list)


def _number(raw: Any) -> bool:
    return isinstance(raw, int | float) and not isinstance(raw, bool)


def _geojson_text(value: Mapping[str, Any], number: int, column: str) -> str:
    properties = value.get("properties") or {}
    accuracy = properties.get("accuracy") if isinstance(properties, dict) else None
    if (
        not all(_number(c) for c in value["coordinates"])
        or not isinstance(properties, dict)
        or (accuracy is not None and not _number(accuracy))
    ):
        raise _fail(
            _(
                "Submission %(number)s, %(column)s: this location is not a GeoJSON point "
                "(numbers for longitude, latitude, altitude; an accuracy in its properties)."
            )
            % {"number": number, "column": column[:80]}
        )
    coordinates = [_text(c) for c in value["coordinates"]]
    if len(coordinates) < 2:
        return ""
    longitude, latitude, *rest = coordinates  # GeoJSON puts the longitude first
    parts = [latitude, longitude, *(rest[:1] or ["0"])]
    if accuracy is not None:
        parts.append(_text(accuracy))
    return " ".join(parts)


def _flatten(node: Mapping[str, Any], path: str) -> Iterator[tuple[str, Any]]:
    """OData's nested groups as (group path, value) pairs; repeats stay lists."""
    for key, value in node.items():
        column = f"{path}/{key}" if path else key
        if key.endswith(NAVIGATION):
            repeat = key[: -len(NAVIGATION)]
            if not isinstance(node.get(repeat), list):
                raise _fail(
                    _(
                        "The repeat %(name)s is only linked, not included: download the "
                        "submissions from ODK Central with $expand=*."
                    )
                    % {"name": repeat[:80]}
                )
            continue
        if isinstance(value, dict) and not _is_geojson(value) and key != "__system":
            yield from _flatten(value, column)
        else:
            yield column, value


def _json_submission(raw: Any, number: int, sheet: str, budget: list[int]) -> Submission:
    if not isinstance(raw, dict):
        raise _fail(_("Submission %(number)s is not an object.") % {"number": number})
    budget[0] -= 1
    if budget[0] < 0:
        raise _too_many_rows()
    flat: dict[str, str] = {}
    found = Submission(row=number, sheet=sheet)
    for column, value in _flatten(raw, ""):
        if column == "__system" and isinstance(value, dict):
            found.submitted = parse_time(_text(value.get("submissionDate")))
            found.submitter = _text(value.get("submitterName"))
        elif isinstance(value, list) and all(isinstance(v, dict) for v in value):
            name = name_of(column)
            found.repeats[name] = [
                _json_submission(child, position, name, budget)
                for position, child in enumerate(value, start=1)
            ]
        elif isinstance(value, dict):
            flat[column] = _geojson_text(value, number, column)
        elif isinstance(value, list):  # Kobo's `_geolocation` [lat, lon], `_tags`, `_notes`…
            flat[column] = " ".join(_text(v) for v in value)
        else:
            flat[column] = _text(value)
    single = _submission(flat, number, sheet)
    found.values, found.columns = single.values, single.columns
    found.instance_id = single.instance_id or found.instance_id
    found.submitted = found.submitted or single.submitted
    found.submitter = found.submitter or single.submitter
    return found


def _json(text: str, budget: list[int]) -> Export:
    objects = itertools.count(1)

    def counted(found: dict[str, Any]) -> dict[str, Any]:
        if next(objects) > MAX_OBJECTS:
            raise _too_many_rows()
        return found

    try:
        data = json.loads(text, object_hook=counted)
    except (ValueError, RecursionError) as error:  # ValueError: a number of over 4,300 digits
        if isinstance(error, ExportError):
            raise
        raise _fail(_("The file is not valid JSON.")) from None
    if isinstance(data, dict) and isinstance(data.get("value"), list):
        kind, items = "central-json", data["value"]
    elif isinstance(data, dict) and isinstance(data.get("results"), list):
        kind, items = "kobo-json", data["results"]
    elif isinstance(data, list):
        kind, items = "kobo-json", data
    else:
        raise _fail(
            _(
                "This JSON file holds no submissions: KoboToolbox's have a “results” list, "
                "ODK Central's a “value” list."
            )
        )
    if len(items) > MAX_ROWS:  # counted before any is walked
        raise _too_many_rows()
    _depth(data)
    submissions = [_json_submission(raw, n, "", budget) for n, raw in enumerate(items, start=1)]
    return Export(kind, submissions)


# The entry point -------------------------------------------------------------------------------


def read_export(content: bytes, filename: str = "") -> Export:
    """The submissions of an export file; `ExportError` with the reason if it is not one."""
    if len(content) > MAX_BYTES:
        raise _fail(too_large_message())
    budget = [MAX_ROWS]
    if not content.strip():
        raise _fail(_("The file is empty."))
    if content.startswith(b"PK"):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, EOFError, ValueError):
            raise _fail(_("The ZIP file is damaged or incomplete.")) from None
        try:
            if "xl/workbook.xml" in names:
                return Export("kobo-xlsx", _kobo_tables(_xlsx_tables(content, budget)))
            return _central_zip(content, budget)
        except (zipfile.BadZipFile, EOFError, zlib.error):
            raise _fail(_("The ZIP file is damaged or incomplete.")) from None
    text = _decode(content, _("The file"))
    if text.lstrip().startswith(("{", "[")):
        return _json(text, budget)
    table = _csv_table(io.StringIO(text, newline=""), filename, budget)
    header = {column for _line, row in table.rows[:1] for column in row}
    if header & {KEY, "SubmissionDate", "meta-instanceID"}:
        return Export("central-csv", _central_tables([table]))
    return Export("kobo-csv", _kobo_tables([table]))

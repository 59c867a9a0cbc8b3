"""Checking an export's submissions against the form Jalon made, before anything is written.

`check_file` takes what `exports.read_export` read and returns either the worksheet's
submissions (answers by item, records by list, every value checked by the engine's own
`clean_answer` / `clean_record`) or the operators' answers (checked against the survey), or
raises `SubmissionsError` with one message per problem, each naming the row and the column
(« Ligne 4, colonne step_2/section_2_2/maturity_uses : … »). All or nothing: a file with one bad
row is refused whole.

The hidden `jalon_form` question says which form a submission answers (`naming.parse_mark`): a
submission of another worksheet, version or content is refused saying which it is and which the
plan uses; a survey's submissions go to the operators' evidence.

Pure: no database. The plan's records come in as plain data, for references.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from jalon.plans.plan_file import PlanFileError, Problems
from jalon.worksheets.answers import AnswerError, clean_answer, clean_field, clean_record
from jalon.worksheets.schema import Definition, Field, FieldKind, Item, ItemKind, Option
from jalon.worksheets.survey import Question, QuestionKind, Survey

from .evidence import OperatorAnswers
from .exports import Export, Submission
from .naming import (
    MARK,
    OPERATORS,
    Mark,
    currency_name,
    field_name,
    item_name,
    note_name,
    parse_mark,
    target_date_name,
    target_name,
)

# A file holds the submissions of one plan's team, a few at most: each becomes proposals to review.
MAX_WORKSHEET_SUBMISSIONS = 100
NEW = "new:"  # a reference to a record of the same submission, not yet in the plan
AMBIGUOUS = "ambiguous:"  # a title two of the plan's records share: it names neither


def by_title(records: Sequence[tuple[str, str]]) -> dict[str, str]:
    """(uid, title) pairs → folded title → uid; a title two records share maps to AMBIGUOUS,
    so that neither is picked in silence."""
    found: dict[str, str] = {}
    for uid, title in records:
        if title:
            key = title.casefold()
            found[key] = AMBIGUOUS if key in found else uid
    return found


TITLE_QUESTIONS = ("plan_title", "title")  # a form value that names a new plan, if present


class SubmissionsError(PlanFileError):
    """The submissions file cannot be imported; `messages` says every reason found, one per
    problem (as a plan file's)."""


class _Problems(Problems):
    """The plan file's collector of problems, with each problem's row and column."""

    error = SubmissionsError

    def at(self, submission: Submission, column: str, problem: str) -> None:
        where = {"row": submission.row, "column": column[:120], "problem": problem}
        if submission.sheet:
            self.add(
                _("Sheet %(sheet)s, row %(row)s, column %(column)s: %(problem)s")
                % {**where, "sheet": submission.sheet[:60]}
            )
        else:
            self.add(_("Row %(row)s, column %(column)s: %(problem)s") % where)


def _fail(message: str) -> SubmissionsError:
    return SubmissionsError([message])


def plain(text: str, limit: int) -> str:
    """A line the file says of itself (an id, who submitted, a title), kept for display: no
    control or format character (PostgreSQL's JSON cannot even hold a NUL), bounded."""
    return "".join(ch for ch in text if unicodedata.category(ch)[0] != "C").strip()[:limit]


# The form a file answers -----------------------------------------------------------------------


def _describe(mark: Mark) -> str:
    return _("“%(source)s” version %(version)s (%(hash)s)") % {
        "source": mark.source,
        "version": mark.version,
        "hash": mark.hash,
    }


def file_mark(export: Export) -> Mark:
    """The form every submission of the file answers; refused if none or several."""
    problems = _Problems()
    marks: list[Mark] = []
    for submission in export.submissions:
        value = submission.values.get(MARK)
        if value is None:
            continue
        mark = parse_mark(value.text)
        if mark is None:
            problems.at(submission, value.column, _("this is not the mark of a form Jalon made."))
        else:
            marks.append(mark)
    if not export.submissions:
        raise _fail(_("The file holds no submission."))
    if not marks and not problems.messages:
        raise _fail(
            _(
                "The file has no %(mark)s column: it answers a form Jalon did not make, or it "
                "was exported with labels rather than names. Export it again choosing “XML "
                "values and headers” (KoboToolbox) or the CSV/JSON download (ODK Central)."
            )
            % {"mark": MARK}
        )
    problems.raise_if_any()
    first = marks[0]
    for submission in export.submissions:
        value = submission.values.get(MARK)
        mark = parse_mark(value.text) if value else None
        if mark is None:
            problems.at(submission, MARK, _("the submission does not say which form it answers."))
        elif (mark.source, mark.version, mark.hash) != (first.source, first.version, first.hash):
            problems.at(
                submission,
                value.column if value else MARK,
                _("this submission answers %(this)s, the first one %(first)s: import them apart.")
                % {"this": _describe(mark), "first": _describe(first)},
            )
    problems.raise_if_any()
    return first


def check_worksheet_mark(mark: Mark, definition: Definition) -> None:
    if mark.scope == OPERATORS:
        raise _fail(
            _("This file holds operators' survey answers (%(form)s), not a worksheet's.")
            % {"form": _describe(mark)}
        )
    ours = (definition.id, definition.version, definition.hash[: len(mark.hash)])
    if (mark.source, mark.version, mark.hash) != ours:
        raise _fail(
            _(
                "This file answers the form of worksheet %(file)s; this plan uses %(plan)s. "
                "Download the form again from the plan and collect with it."
            )
            % {
                "file": _describe(mark),
                "plan": _describe(Mark(definition.id, definition.version, ours[2], mark.scope)),
            }
        )


def check_survey_mark(mark: Mark, survey: Survey, definition: Definition) -> None:
    ours = (survey.id, survey.version, survey.hash[: len(mark.hash)])
    if (mark.source, mark.version, mark.hash) != ours:
        raise _fail(
            _("This file answers the survey %(file)s; Jalon uses %(ours)s.")
            % {
                "file": _describe(mark),
                "ours": _describe(Mark(survey.id, survey.version, ours[2], OPERATORS)),
            }
        )
    if survey.worksheet != definition.id:
        raise _fail(
            _("The operators' survey feeds the worksheet “%(survey)s”; this plan uses “%(plan)s”.")
            % {"survey": survey.worksheet, "plan": definition.id}
        )


# Worksheet submissions -------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedRecord:
    token: str  # `new:<item>:<n>`: how references of this submission name it
    title: str  # its title as typed (or the title of the record its title field points at)
    data: dict[str, Any]  # checked; references hold tokens of this submission or plan uids


@dataclass(frozen=True)
class WorksheetEntry:
    """One worksheet submission, checked."""

    row: int
    instance_id: str
    submitted: datetime.datetime | None
    submitter: str
    title: str  # a value of the form that names the plan, if any
    answers: dict[str, Any] = field(default_factory=dict)  # item id → checked value
    records: dict[str, list[CheckedRecord]] = field(default_factory=dict)


@dataclass(frozen=True)
class WorksheetFile:
    mark: Mark
    entries: list[WorksheetEntry]


PlanRecords = Mapping[str, Sequence[tuple[str, str]]]  # list item id → (uid, title) in the plan


def _labels(options: Sequence[Option]) -> dict[str, str]:
    found = {}
    for option in options:
        for leaf in option.options or (option,):
            for text in (leaf.label.fr, leaf.label.en):
                found[text.strip().casefold()] = leaf.code
    return found


def _label_problem(text: str, options: Sequence[Option]) -> str | None:
    """A label where a code belongs: the file was exported with labels. A multiple choice's
    labels are joined by the server in ways that cannot be split back: any label in it tells."""
    codes = {leaf.code for option in options for leaf in option.options or (option,)}
    if not text.strip() or text in codes or all(word in codes for word in text.split()):
        return None
    labels = _labels(options)
    folded = text.strip().casefold()
    if folded in labels or any(label in folded for label in labels if len(label) >= 4):
        return _(
            "“%(value)s” is an option's label, not its code: export the file again choosing "
            "“XML values and headers”."
        ) % {"value": text[:60]}
    return None


def _answer_parts(item: Item) -> list[tuple[str, str]]:
    """(part of the value, name in the form) for a non-list item."""
    key = {
        ItemKind.SINGLE_CHOICE: "choice",
        ItemKind.MULTIPLE_CHOICE: "choices",
        ItemKind.MATURITY: "level",
    }.get(item.kind)
    if key is None:
        return []
    parts = [(key, item_name(item))]
    if item.note is not None:
        parts.append(("note", note_name(item)))
    if item.target:
        parts += [("target", target_name(item)), ("target_date", target_date_name(item))]
    return parts


def _answer(item: Item, submission: Submission, problems: _Problems) -> tuple[bool, Any]:
    """(answered in the field, checked value)."""
    if item.kind is ItemKind.TEXT:
        value = submission.values.get(item_name(item))
        if value is None or not value.text.strip():
            return False, None
        try:
            return True, clean_answer(item, value.text)
        except AnswerError as error:
            problems.at(submission, value.column, str(error))
            return False, None
    parts = _answer_parts(item)
    texts = {part: submission.text(name) for part, name in parts}
    if not any(text.strip() for text in texts.values()):
        return False, None
    raw: dict[str, Any] = {}
    for part, name in parts:  # part by part, so that a problem names its column
        text = texts[part].strip()
        column = submission.values[name].column if name in submission.values else name
        choice_kinds = (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE)
        if part in ("choice", "choices", "target") and item.kind in choice_kinds:
            label = _label_problem(text, item.options)
            if label:
                problems.at(submission, column, label)
                return False, None
        raw[part] = text.split() if part == "choices" else (text or None)
        try:
            value = clean_answer(item, raw)
        except AnswerError as error:
            problems.at(submission, column, str(error))
            return False, None
    return True, value


def _record_title(item: Item, raw: Mapping[str, Any]) -> str:
    value = raw.get(item.title_field or "")
    return value.strip() if isinstance(value, str) else ""


def _titles(text: str, multiple: bool) -> list[str]:
    if not multiple:
        return [text.strip()] if text.strip() else []
    return [part.strip() for part in text.replace(";", "\n").splitlines() if part.strip()]


def _raw_record(item: Item, row: Submission) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for f in item.fields:
        text = row.text(field_name(item, f)).strip()
        if f.kind is FieldKind.MULTIPLE_CHOICE:
            raw[f.id] = text.split()
        elif f.kind is FieldKind.MONEY:
            currency = row.text(currency_name(item, f)).strip()
            raw[f.id] = {"amount": text, "currency": currency} if text else None
        elif f.kind is FieldKind.REFERENCE:
            raw[f.id] = _titles(text, f.multiple) if f.multiple else (text or None)
        else:
            raw[f.id] = text or None
    return raw


def _resolve(
    item: Item,
    raw: dict[str, Any],
    own: Mapping[str, Mapping[str, str]],
    plan: Mapping[str, Mapping[str, str]],
) -> dict[str, Any]:
    """References by title → the submission's record of that title, else the plan's."""
    resolved = dict(raw)
    for f in item.fields:
        if f.kind is not FieldKind.REFERENCE or not raw.get(f.id):
            continue
        target = f.references or ""

        def find(title: str, target: str = target) -> str:
            key = title.casefold()
            found = own.get(target, {}).get(key) or plan.get(target, {}).get(key) or title
            return f"{AMBIGUOUS}{title}" if found == AMBIGUOUS else found

        value = raw[f.id]
        resolved[f.id] = [find(t) for t in value] if isinstance(value, list) else find(value)
    return resolved


def _ambiguous(item: Item, resolved: Mapping[str, Any]) -> tuple[Field, str] | None:
    """The first reference of a record that names a title two of the plan's records share."""
    for f in item.fields:
        value = resolved.get(f.id)
        for one in value if isinstance(value, list) else [value]:
            if isinstance(one, str) and one.startswith(AMBIGUOUS):
                return f, one[len(AMBIGUOUS) :]
    return None


def _field_column(item: Item, row: Submission, message: str) -> str:
    """The column a record's problem is about: the field whose label the message names."""
    for f in item.fields:
        if str(f.label) in message:
            name = field_name(item, f)
            return row.values[name].column if name in row.values else name
    return item_name(item)


def _repeat(submission: Submission, name: str) -> list[Submission]:
    """A repeat's rows. Kobo names an XLSX sheet after its repeat, cut to Excel's 31
    characters as `first 28...`."""
    if name in submission.repeats:
        return submission.repeats[name]
    for sheet, rows in submission.repeats.items():
        if sheet.endswith("...") and name.startswith(sheet[:-3]):
            return rows
    return []


def _records(
    items: Sequence[Item],
    submission: Submission,
    plan_records: PlanRecords,
    problems: _Problems,
) -> dict[str, list[CheckedRecord]]:
    lists = [i for i in items if i.kind is ItemKind.RECORDS]
    rows: dict[str, list[tuple[Submission, dict[str, Any]]]] = {}
    for item in lists:
        found = []
        for row in _repeat(submission, item_name(item)):
            raw = _raw_record(item, row)
            if any(v not in (None, "", []) for v in raw.values()):
                found.append((row, raw))
        if len(found) > item.max_records:
            problems.at(
                submission,
                item_name(item),
                _("the list holds %(count)s records; its limit is %(max)s.")
                % {"count": len(found), "max": item.max_records},
            )
            found = []
        rows[item.id] = found
    # The titles this submission gives its records, then the plan's: references name them.
    own: dict[str, dict[str, str]] = {}
    for item in lists:
        for number, (_row, raw) in enumerate(rows[item.id]):
            title = _record_title(item, raw)
            if title:
                own.setdefault(item.id, {}).setdefault(title.casefold(), f"{NEW}{item.id}:{number}")
    plan = {item_id: by_title(records) for item_id, records in plan_records.items()}
    references = {
        item_id: set(own.get(item_id, {}).values()) | {uid for uid, _t in records}
        for item_id, records in plan_records.items()
    }
    for item_id, tokens in own.items():
        references.setdefault(item_id, set()).update(tokens.values())
    checked: dict[str, list[CheckedRecord]] = {}
    for item in lists:
        for number, (row, raw) in enumerate(rows[item.id]):
            problem = next(
                (
                    (column, label)
                    for f in item.fields
                    if f.options
                    and (column := field_name(item, f)) in row.values
                    and (label := _label_problem(row.values[column].text, f.options))
                ),
                None,
            )
            if problem:
                problems.at(row, row.values[problem[0]].column, problem[1])
                continue
            resolved = _resolve(item, raw, own, plan)
            ambiguous = _ambiguous(item, resolved)
            if ambiguous:
                f, title = ambiguous
                name = field_name(item, f)
                problems.at(
                    row,
                    row.values[name].column if name in row.values else name,
                    _(
                        "“%(title)s” is the title of several records of the plan's list: give "
                        "them distinct titles in Jalon, then import the file again."
                    )
                    % {"title": title[:80]},
                )
                continue
            try:
                data = clean_record(item, resolved, references)
            except AnswerError as error:
                problems.at(row, _field_column(item, row, str(error)), str(error))
                continue
            checked.setdefault(item.id, []).append(
                CheckedRecord(
                    f"{NEW}{item.id}:{number}", plain(_record_title(item, raw), 500), data
                )
            )
    return checked


def _no_question_read(export: Export, names: set[str]) -> None:
    """The mark is there (a question without a label keeps its name) but no question is: the
    file was exported with labels for headers."""
    for submission in export.submissions:
        if (set(submission.values) | set(submission.repeats)) & names:
            return
    raise _fail(
        _(
            "No column of the file is a question of the form: it was exported with labels for "
            "headers. Export it again choosing “XML values and headers”."
        )
    )


def check_worksheet(
    export: Export,
    definition: Definition,
    *,
    plan_records: PlanRecords | None = None,
) -> WorksheetFile:
    """Every worksheet submission of the file, checked against `definition`."""
    mark = file_mark(export)
    check_worksheet_mark(mark, definition)
    step = mark.step
    if len(export.submissions) > MAX_WORKSHEET_SUBMISSIONS:
        raise _fail(
            _(
                "The file holds %(count)s worksheet submissions; import at most %(max)s at a "
                "time (KoboToolbox and ODK Central export a selection)."
            )
            % {"count": len(export.submissions), "max": MAX_WORKSHEET_SUBMISSIONS}
        )
    items = [i for s in definition.steps if step in (None, s.number) for i in s.items]
    names = {i.id for i in items} | {name for i in items for _part, name in _answer_parts(i)}
    _no_question_read(export, names)
    problems = _Problems()
    entries = []
    for submission in export.submissions:
        answers = {}
        for item in items:
            if item.kind is ItemKind.RECORDS:
                continue
            answered, value = _answer(item, submission, problems)
            if answered:
                answers[item.id] = value
        records = _records(items, submission, plan_records or {}, problems)
        title = next((submission.text(q) for q in TITLE_QUESTIONS if submission.text(q)), "")
        entries.append(
            WorksheetEntry(
                row=submission.row,
                instance_id=plain(submission.instance_id, 100),
                submitted=submission.submitted,
                submitter=plain(submission.submitter, 150),
                title=plain(title, 200),
                answers=answers,
                records=records,
            )
        )
    problems.raise_if_any()
    return WorksheetFile(mark, entries)


# Operators' submissions ------------------------------------------------------------------------


def _as_field(question: Question) -> Field:
    """A survey question as a record field, so the engine's own checks apply to it."""
    kinds = {
        QuestionKind.TEXT: FieldKind.TEXT,
        QuestionKind.LONG_TEXT: FieldKind.LONG_TEXT,
        QuestionKind.CHOICE: FieldKind.CHOICE,
        QuestionKind.MULTIPLE_CHOICE: FieldKind.MULTIPLE_CHOICE,
    }
    options = tuple(Option(code=o.code, label=o.label) for o in question.options)
    return Field(id=question.id, kind=kinds[question.kind], label=question.label, options=options)


def _coordinates(text: str) -> tuple[float, float] | None:
    parts = text.split()
    try:
        latitude, longitude = float(parts[0]), float(parts[1])
    except (IndexError, ValueError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def _relevant(question: Question, answers: Mapping[str, Any]) -> bool:
    rule = question.relevant
    if rule is None:
        return True
    given = answers.get(rule.question)
    if rule.equals is not None:
        return bool(given == rule.equals)
    return isinstance(given, list) and bool(given) and rule.excludes not in given


def _condition(question: Question, survey: Survey) -> tuple[str, str]:
    """The question and the option a question is asked after, as a person reads them."""
    rule = question.relevant
    assert rule is not None
    other = survey.question(rule.question)
    code = rule.equals or rule.excludes or ""
    option = other.option(code) if other else None
    label = str(option.label) if option else code
    return (str(other.label) if other else rule.question), label


def _operator(submission: Submission, survey: Survey, problems: _Problems) -> Any:
    answers: dict[str, Any] = {}
    latitude = longitude = None
    for question in survey.questions:
        value = submission.values.get(question.id)
        text = value.text.strip() if value else ""
        column = value.column if value else question.id
        if not _relevant(question, answers):
            if text:
                asked, option = _condition(question, survey)
                problems.at(
                    submission,
                    column,
                    _("answered, yet it is only asked after “%(option)s” to “%(question)s”.")
                    % {"option": option, "question": asked},
                )
            continue
        if not text:
            if question.required:
                problems.at(submission, column, _("this question requires an answer."))
            continue
        if question.kind is QuestionKind.GEOPOINT:
            point = _coordinates(text)
            if point is None:
                problems.at(submission, column, _("this is not a latitude and a longitude."))
            else:
                latitude, longitude = point
            continue
        label = _label_problem(text, _as_field(question).options) if question.options else None
        if label:
            problems.at(submission, column, label)
            continue
        raw: Any = text.split() if question.kind is QuestionKind.MULTIPLE_CHOICE else text
        try:
            cleaned = clean_field(_as_field(question), raw, {})
        except AnswerError as error:
            problems.at(submission, column, str(error))
            continue
        if isinstance(cleaned, list) and len(cleaned) > 1:
            alone = [code for code in cleaned if (o := question.option(code)) and o.exclusive]
            if alone:
                exclusive = question.option(alone[0])
                problems.at(
                    submission,
                    column,
                    _("“%(option)s” cannot be ticked with another answer.")
                    % {"option": exclusive.label if exclusive else alone[0]},
                )
                continue
        answers[question.id] = cleaned
    instance_id = plain(submission.instance_id, 100)
    if not instance_id:  # it is what keeps one operator from counting twice
        problems.add(
            _(
                "Row %(row)s: no submission id (_uuid, meta/instanceID or KEY). Export the file "
                "with its meta columns: the id keeps an operator from counting twice when a file "
                "is imported again."
            )
            % {"row": submission.row}
        )
    return OperatorAnswers(
        instance_id=instance_id,
        submitted=submission.submitted,
        answers=answers,
        latitude=latitude,
        longitude=longitude,
    )


@dataclass(frozen=True)
class OperatorsFile:
    mark: Mark
    responses: list[Any]  # jalon.field.evidence.OperatorAnswers


def check_operators(export: Export, survey: Survey, definition: Definition) -> OperatorsFile:
    mark = file_mark(export)
    check_survey_mark(mark, survey, definition)
    _no_question_read(export, {question.id for question in survey.questions})
    problems = _Problems()
    responses = [_operator(submission, survey, problems) for submission in export.submissions]
    problems.raise_if_any()
    return OperatorsFile(mark, responses)


def check_file(
    export: Export,
    *,
    definition: Definition,
    survey: Survey,
    plan_records: PlanRecords | None = None,
) -> WorksheetFile | OperatorsFile:
    """The file's submissions, checked: the worksheet's, or the operators' survey's."""
    mark = file_mark(export)
    if mark.scope == OPERATORS:
        return check_operators(export, survey, definition)
    return check_worksheet(export, definition, plan_records=plan_records)

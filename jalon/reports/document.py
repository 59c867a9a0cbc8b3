"""A plan as a document: plain data, in one language, that every deliverable is built from.

`build_document` takes the definition and the plan's answers and records as plain data and
returns a `Document`; the print view, PDF, DOCX, XLSX and CSV builders and the charts only read
it, so they say the same thing in the same words. No database here: `jalon.reports.selectors`
loads a plan, or a frozen version of it, into this shape.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jalon.field.evidence import OperatorsSummary
from jalon.organisations.models import Role
from jalon.plans.models import ReviewState
from jalon.worksheets.answers import is_answered
from jalon.worksheets.display import (
    RecordData,
    describe_answer,
    describe_field,
    describe_target,
    option_label,
    record_titles,
)
from jalon.worksheets.followup import FollowUp, LineStatus, follow_up
from jalon.worksheets.profile import Profile, plan_profile
from jalon.worksheets.schema import Definition, Field, FieldKind, Item, ItemKind, Option

from .summary import Summary, summarise


@dataclass(frozen=True)
class Meta:
    municipality: str
    country: str
    city: str
    service: str
    title: str
    definition_id: str
    definition_version: int
    definition_hash: str
    worksheet_title: str
    worksheet_source: str
    language: str
    generated: datetime.date
    revision_count: int = 0
    # The plan's review: a validated plan or version carries who validated it, their role then
    # (a Role code) and when; anything else is a draft (« Projet — non validé » on every page).
    review_state: str = "draft"
    validated_by: str = ""
    validated_role: str = ""
    validated_at: datetime.datetime | None = None
    validation_message: str = ""
    # A frozen version's name and the day it was kept; "" and None for the plan as it is.
    version_name: str = ""
    version_date: datetime.date | None = None

    @property
    def validated(self) -> bool:
        return self.review_state == "validated" and self.validated_at is not None


# What a deliverable says of the review, in its language.
REVIEW_WORDS: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "draft": "Projet — non validé",
        "validated": "Validé par {name}, {role}, le {date}",
        "validated_short": "Version validée le {date}",
    },
    "en": {
        "draft": "Draft — not validated",
        "validated": "Validated by {name}, {role}, on {date}",
        "validated_short": "Version validated on {date}",
    },
}


def long_date(day: datetime.date, language: str) -> str:
    """« 1er décembre 2026 » (French writes the first of the month as an ordinal), « 1 December
    2026 »."""
    with translation.override(language):
        if language.startswith("fr") and day.day == 1:
            return "1er " + formats.date_format(day, "F Y")
        return formats.date_format(day, "j F Y")


EDITION_WORDS: Mapping[str, Mapping[str, str]] = {
    "fr": {
        "plan": "État au {date} · révision {count}",
        "version": "Version «\u00a0{name}\u00a0» du {date}",
    },
    "en": {"plan": "As of {date} · revision {count}", "version": "Version “{name}” of {date}"},
}
VERSION_NAME = 40  # characters of a version's name in a running footer


def edition(meta: Meta) -> str:
    """Which state of the plan a page shows, for its running footer: the day and the count of
    changes behind it (two prints with the same count say the same), or the frozen version."""
    language = "fr" if meta.language.startswith("fr") else "en"
    words = EDITION_WORDS[language]
    if meta.version_name and meta.version_date:
        name = meta.version_name
        if len(name) > VERSION_NAME:
            name = name[: VERSION_NAME - 1].rstrip() + "…"
        return words["version"].format(name=name, date=long_date(meta.version_date, language))
    return words["plan"].format(date=long_date(meta.generated, language), count=meta.revision_count)


@dataclass(frozen=True)
class Contributor:
    """Someone who wrote in the plan, from its history: how many changes, in which sections."""

    name: str
    changes: int
    sections: tuple[str, ...]  # section ids (« 2.1 »), in the worksheet's order


def contributors(
    definition: Definition, contributions: Mapping[str, Mapping[str, int]]
) -> tuple[Contributor, ...]:
    """`contributions`: a person's name → item id → changes. The most active first."""
    order = {
        item.id: (index, section.id)
        for index, (section, item) in enumerate(
            (section, item)
            for step in definition.steps
            for section in step.sections
            for item in section.items
        )
    }
    people = []
    for name, items in contributions.items():
        known = sorted((order[i] for i in items if i in order), key=lambda pair: pair[0])
        people.append(
            Contributor(
                name=name,
                changes=sum(items.values()),
                sections=tuple(dict.fromkeys(section for _index, section in known)),
            )
        )
    return tuple(sorted(people, key=lambda c: (-c.changes, c.name.casefold())))


@dataclass(frozen=True)
class Review:
    """The review as the deliverables print it: `line` on the cover (who validated, as what,
    when; or that it is a draft), `mark` on every page."""

    state: str  # the state's name in the document's language
    line: str
    mark: str
    validated: bool


def role_name(role: str, language: str) -> str:
    """A member's role as it reads inside a sentence (« propriétaire »); "" for none."""
    if role not in Role.values:
        return ""
    with translation.override(language):
        return str(Role(role).label).lower()


def review_of(meta: Meta) -> Review:
    language = "fr" if meta.language.startswith("fr") else "en"
    w = REVIEW_WORDS[language]
    with translation.override(language):
        state = str(ReviewState(meta.review_state).label)
    role = role_name(meta.validated_role, language)
    if not meta.validated or meta.validated_at is None:
        # « Projet — non validé », and where the review has gone: « (en relecture) ».
        line = w["draft"]
        if meta.review_state in (ReviewState.IN_REVIEW, ReviewState.CHANGES_REQUESTED):
            line += f" ({state.lower()})"
        return Review(state=state, line=line, mark=w["draft"], validated=False)
    day = long_date(timezone.localtime(meta.validated_at).date(), language)
    line = w["validated"].format(name=meta.validated_by, role=role, date=day)
    if not role:
        line = line.replace(", , ", ", ")
    return Review(
        state=state,
        line=line,
        mark=w["validated_short"].format(date=day),
        validated=True,
    )


@dataclass(frozen=True)
class Choice:
    label: str
    selected: bool
    family: str = ""  # the family heading of a checklist tree
    detail: str = ""  # a maturity level's written rubric


@dataclass(frozen=True)
class Amount:
    """A number field, or a money field's amount, kept as a number for spreadsheets."""

    value: Decimal
    currency: str = ""


@dataclass(frozen=True)
class Record:
    uid: str
    title: str
    cells: tuple[str, ...]  # one per column of the table, as text
    # One per column: the value as a number or a date where the field is one (spreadsheets keep
    # them sortable and summable), None elsewhere; empty for a record built without them.
    values: tuple[Amount | datetime.date | None, ...] = ()
    # One per column: whether the field applies to this record. A list whose fields come in
    # groups, one per option of a choice field (the pilot actions' « data » and
    # « communication » families), asks only the chosen family's questions: a card leaves out
    # the other family's fields (a table keeps the column, blank). Empty: every field applies.
    applicable: tuple[bool, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One item: its question and its answer, in the forms a deliverable may need."""

    id: str
    kind: ItemKind
    question: str
    answered: bool
    text: str = ""  # the answer as text (choices, level and note); "" for lists
    choices: tuple[Choice, ...] = ()  # every option, selected or not (a printed form shows all)
    level: int | None = None  # maturity level
    level_label: str = ""
    levels: tuple[Choice, ...] = ()  # maturity: every level « n — label », its rubric as detail
    note_label: str = ""
    note: str = ""
    target: str = ""  # « Cible : 3/4 d’ici le 31 décembre 2027 » (items that take a target)
    columns: tuple[str, ...] = ()  # lists: field labels
    # Lists: per column, the labels a choice field offers (() for other fields), so that a blank
    # form can print them.
    column_options: tuple[tuple[str, ...], ...] = ()
    # Lists: per column, the field's kind (a FieldKind value; "" for a computed column), so that
    # a spreadsheet can give a money field its currency column and its totals.
    column_kinds: tuple[str, ...] = ()
    records: tuple[Record, ...] = ()
    # Lists: the column that names each record (the item's title field), so that a card headed
    # by the record's title does not repeat it as a row; None when the list has none.
    title_column: int | None = None


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    instruction: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Step:
    id: str
    number: int
    title: str
    sections: tuple[Section, ...]
    answered: int
    total: int


# Chart data: what the four charts draw, already in words.
@dataclass(frozen=True)
class MaturityPoint:
    question: str
    short: str  # a short axis label
    level: int | None
    level_label: str = ""  # the rubric's name for the level (« Embryonnaire »)
    # The level the team aims for and by when (worksheets whose questions take a target).
    takes_target: bool = False
    target: int | None = None
    target_label: str = ""
    target_date: datetime.date | None = None


@dataclass(frozen=True)
class Actor:
    name: str
    type: str
    interests: tuple[str, ...]
    resources: tuple[str, ...]


@dataclass(frozen=True)
class RoadmapBar:
    action: str
    start: datetime.date | None
    end: datetime.date | None
    status: str
    status_code: str
    lead: str


@dataclass(frozen=True)
class Indicator:
    name: str
    family: str
    unit: str
    baseline: str | None  # decimal as text, as stored
    baseline_date: datetime.date | None
    target: str | None
    target_date: datetime.date | None


@dataclass(frozen=True)
class Document:
    meta: Meta
    steps: tuple[Step, ...]
    maturity: tuple[MaturityPoint, ...] = ()
    actors: tuple[Actor, ...] = ()
    roadmap: tuple[RoadmapBar, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    # Every option the partner map can show, in the worksheet's order, so that its columns and
    # groups do not depend on which ones the team happened to pick.
    actor_types: tuple[str, ...] = ()
    interest_options: tuple[str, ...] = ()
    resource_options: tuple[str, ...] = ()
    # The follow-up on the document's date (`meta.generated` is its « today »): trajectories of
    # the indicators and lateness of the roadmap's lines; `measured`: the worksheet has the
    # measurements list (6.3, from version 3); the labels of the data-quality scale and of the
    # roadmap's statuses, code → label, in the worksheet's order.
    follow_up: FollowUp | None = None
    measured: bool = False
    qualities: tuple[tuple[str, str], ...] = ()
    statuses: tuple[tuple[str, str], ...] = ()
    summary: Summary | None = None
    contributors: tuple[Contributor, ...] = ()
    # The operators' survey kept as evidence of step 2: what it says, and its responses as a
    # table (the header first, one row per operator, answers as labels); None and () when the
    # plan keeps none: no section at all then.
    operators: OperatorsSummary | None = None
    operator_responses: tuple[tuple[str, ...], ...] = ()

    def quality(self, code: str) -> str:
        """A data-quality level's short name (« Vérifiée »), the part of its label before the
        colon that explains it."""
        label = dict(self.qualities).get(code, "")
        return label.split(":")[0].strip() if label else ""

    def status(self, code: str) -> str:
        return dict(self.statuses).get(code, "")


def _choices(options: tuple[Option, ...], selected: set[str]) -> tuple[Choice, ...]:
    out: list[Choice] = []
    for option in options:
        if option.options:
            out += [
                Choice(str(o.label), o.code in selected, str(option.label)) for o in option.options
            ]
        else:
            out.append(Choice(str(option.label), option.code in selected))
    return tuple(out)


def _typed(field: Field, value: Any) -> Amount | datetime.date | None:
    try:
        if field.kind is FieldKind.NUMBER and value not in (None, ""):
            return Amount(Decimal(value))
        if field.kind is FieldKind.MONEY and isinstance(value, Mapping) and value.get("amount"):
            return Amount(Decimal(value["amount"]), str(value.get("currency") or ""))
    except (InvalidOperation, TypeError, ValueError):
        return None
    return _date(value) if field.kind is FieldKind.DATE else None


def applicable_fields(item: Item, data: Mapping[str, Any]) -> tuple[bool, ...]:
    """Per field of `item`, whether it applies to the record `data`: a field of another group
    than the record's family does not. Empty when every field applies (the item has no
    families, or the record has none chosen)."""
    family = item.family_field()
    chosen = data.get(family.id) if family else None
    if not isinstance(chosen, str) or chosen not in {group.id for group in item.groups}:
        return ()
    return tuple(f.group is None or f.group == chosen for f in item.fields)


def _entry(item: Item, value: Any, records: RecordData, titles: Mapping[str, str]) -> Entry:
    question = str(item.label)
    if item.kind is ItemKind.RECORDS:
        rows = tuple(
            Record(
                uid=uid,
                title=titles.get(uid, ""),
                cells=tuple(describe_field(f, data.get(f.id), titles) for f in item.fields),
                values=tuple(_typed(f, data.get(f.id)) for f in item.fields),
                applicable=applicable_fields(item, data),
            )
            for uid, data in records
        )
        field_ids = [f.id for f in item.fields]
        return Entry(
            id=item.id,
            kind=item.kind,
            question=question,
            answered=bool(rows),
            columns=tuple(str(f.label) for f in item.fields),
            column_options=tuple(
                tuple(
                    str(leaf.label) for option in f.options for leaf in option.options or (option,)
                )
                for f in item.fields
            ),
            column_kinds=tuple(f.kind.value for f in item.fields),
            records=rows,
            title_column=field_ids.index(item.title_field)
            if item.title_field in field_ids
            else None,
        )
    value = value if isinstance(value, Mapping) or item.kind is ItemKind.TEXT else None
    selected: set[str] = set()
    level = None
    if isinstance(value, Mapping):
        choice = value.get("choice")
        selected = set(value.get("choices") or ([choice] if choice else []))
        level = value.get("level")
    level_label = next((str(lvl.label) for lvl in item.levels if lvl.level == level), "")
    return Entry(
        id=item.id,
        kind=item.kind,
        question=question,
        answered=value is not None and is_answered(item, value),
        text=describe_answer(item, value),
        choices=_choices(item.options, selected),
        level=level,
        level_label=level_label,
        levels=tuple(
            Choice(f"{lvl.level} — {lvl.label}", lvl.level == level, detail=str(lvl.rubric))
            for lvl in item.levels
        ),
        note_label=str(item.note) if item.note else "",
        note=str(value.get("note") or "") if isinstance(value, Mapping) else "",
        target=describe_target(item, value) if item.target and isinstance(value, Mapping) else "",
    )


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def maturity_points(profile: Profile) -> tuple[MaturityPoint, ...]:
    """The maturity questions of a profile as the radar draws them, in the current language."""

    def level_label(item: Item, level: Any) -> str:
        return next((str(lvl.label) for lvl in item.levels if lvl.level == level), "")

    return tuple(
        MaturityPoint(
            question=str(q.label),
            short=str(q.label).split("?")[0][:48],
            level=q.current,
            level_label=level_label(q.item, q.current),
            takes_target=q.item.target,
            target=q.target,
            target_label=level_label(q.item, q.target),
            target_date=q.target_date,
        )
        for q in profile.maturity
    )


def _charts_data(
    definition: Definition,
    answers: Mapping[str, Any],
    records: Mapping[str, RecordData],
    titles: Mapping[str, str],
    profile: Profile,
) -> dict[str, Any]:
    """What the charts draw. Items are found by kind and id in the bundled worksheet; another
    worksheet without them simply gets empty charts."""

    maturity = maturity_points(profile)
    actors_item = definition.item("actors")
    partners_item = definition.item("partners")
    profiles = {
        data.get("actor"): data for _uid, data in records.get("partners", ()) if data.get("actor")
    }

    def labels(item: Item | None, field_id: str, codes: Any) -> tuple[str, ...]:
        f = item.field(field_id) if item else None
        return tuple(option_label(f.options, c) for c in codes or ()) if f else ()

    actors = tuple(
        Actor(
            name=titles.get(uid, ""),
            type=labels(actors_item, "type", [data.get("type")] if data.get("type") else [])[0]
            if data.get("type")
            else "",
            interests=labels(partners_item, "interests", profiles.get(uid, {}).get("interests")),
            resources=labels(partners_item, "resources", profiles.get(uid, {}).get("resources")),
        )
        for uid, data in records.get("actors", ())
    )
    roadmap_item = definition.item("roadmap")
    roadmap = tuple(
        RoadmapBar(
            action=titles.get(uid, ""),
            start=_date(data.get("start")),
            end=_date(data.get("end")),
            status=labels(roadmap_item, "status", [data["status"]])[0]
            if data.get("status")
            else "",
            status_code=data.get("status") or "",
            lead=titles.get(data.get("lead_partner") or "", ""),
        )
        for uid, data in records.get("roadmap", ())
    )
    indicators_item = definition.item("indicators")
    indicators = tuple(
        Indicator(
            name=str(data.get("name") or ""),
            family=labels(indicators_item, "family", [data["family"]])[0]
            if data.get("family")
            else "",
            unit=str(data.get("unit") or ""),
            baseline=data.get("baseline_value"),
            baseline_date=_date(data.get("baseline_date")),
            target=data.get("target_value"),
            target_date=_date(data.get("target_date")),
        )
        for _uid, data in records.get("indicators", ())
    )

    def all_labels(item: Item | None, field_id: str) -> tuple[str, ...]:
        f = item.field(field_id) if item else None
        return tuple(str(o.label) for o in f.options) if f else ()

    return {
        "maturity": maturity,
        "actors": actors,
        "roadmap": roadmap,
        "indicators": indicators,
        "actor_types": all_labels(actors_item, "type"),
        "interest_options": all_labels(partners_item, "interests"),
        "resource_options": all_labels(partners_item, "resources"),
    }


def lateness(line: LineStatus) -> str:
    """A roadmap line's lateness in words, in the active language."""
    if not line.late:
        return _("No")
    return ngettext("Yes, by %(days)s day", "Yes, by %(days)s days", line.days_late) % {
        "days": line.days_late
    }


def _with_lateness(entry: Entry, lines: tuple[LineStatus, ...]) -> Entry:
    """The roadmap with one more column, computed: whether each line is late, and by how many
    days, so that every deliverable prints it beside the line."""
    if not entry.records:  # a blank form has nothing to compute, and nothing to fill in there
        return entry
    by_uid = {line.uid: line for line in lines}
    records = tuple(
        Record(
            uid=record.uid,
            title=record.title,
            cells=(*record.cells, lateness(by_uid[record.uid])),
            values=(*record.values, None) if record.values else (),
            applicable=(*record.applicable, True) if record.applicable else (),
        )
        for record in entry.records
    )
    return dataclasses.replace(
        entry,
        columns=(*entry.columns, _("Late (computed)")),
        column_options=(*entry.column_options, ()) if entry.column_options else (),
        column_kinds=(*entry.column_kinds, "") if entry.column_kinds else (),
        records=records,
    )


def _labels(definition: Definition, item_id: str, field_id: str) -> tuple[tuple[str, str], ...]:
    item = definition.item(item_id)
    found = item.field(field_id) if item else None
    return tuple((o.code, str(o.label)) for o in found.options) if found else ()


def build_document(
    definition: Definition,
    answers: Mapping[str, Any],
    records: Mapping[str, RecordData],
    meta: Meta,
    *,
    authors: Mapping[str, str] | None = None,
    contributions: Mapping[str, Mapping[str, int]] | None = None,
    operators: OperatorsSummary | None = None,
    operator_responses: tuple[tuple[str, ...], ...] = (),
) -> Document:
    """The whole plan in `meta.language`. `answers`: item id → stored value; `records`: item id
    → (uid, data) pairs in list order; `authors`: a record's uid → who last wrote it (the
    follow-up says who entered each measurement); `contributions`: a person's name → item id →
    how many changes they made there; `operators`, `operator_responses`: the operators'
    survey, summarised and as a table, in `meta.language`."""
    with translation.override(meta.language):
        titles = record_titles(definition, records)
        progress = follow_up(records, meta.generated, titles=titles, authors=authors)
        profile = plan_profile(definition, answers)
        steps = []
        for step in definition.steps:
            sections = tuple(
                Section(
                    id=section.id,
                    title=str(section.title),
                    instruction=str(section.instruction),
                    entries=tuple(
                        _with_lateness(entry, progress.lines) if entry.id == "roadmap" else entry
                        for entry in (
                            _entry(item, answers.get(item.id), records.get(item.id, ()), titles)
                            for item in section.items
                        )
                    ),
                )
                for section in step.sections
            )
            entries = [e for s in sections for e in s.entries]
            steps.append(
                Step(
                    id=step.id,
                    number=step.number,
                    title=str(step.title),
                    sections=sections,
                    answered=sum(e.answered for e in entries),
                    total=len(entries),
                )
            )
        return Document(
            meta=meta,
            steps=tuple(steps),
            follow_up=progress,
            measured=definition.item("measurements") is not None,
            qualities=_labels(definition, "measurements", "quality"),
            statuses=_labels(definition, "roadmap", "status"),
            summary=summarise(definition, answers, records, titles, profile, progress),
            contributors=contributors(definition, contributions or {}),
            operators=operators if operators and operators.count else None,
            operator_responses=operator_responses if operators and operators.count else (),
            **_charts_data(definition, answers, records, titles, profile),
        )

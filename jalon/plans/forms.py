"""The one mapping between what a step page's forms send and the values the engine checks.

`answer_from_post` / `record_from_post` read a form post (plain or autosave) into raw values;
`item_view` shapes an item for the templates, showing what the person typed when a save failed,
so a refused save never loses their words.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from jalon.worksheets.schema import Field, FieldKind, Item, ItemKind, Option
from jalon.worksheets.text import PlainTextValidator

from .models import Answer, Record, UrbanService
from .selectors import PlanState


def answer_from_post(item: Item, post: QueryDict) -> Any:
    if item.kind is ItemKind.TEXT:
        return post.get("text", "")
    raw: dict[str, Any] = {}
    if item.note is not None:
        raw["note"] = post.get("note", "")
    if item.kind is ItemKind.SINGLE_CHOICE:
        raw["choice"] = post.get("choice") or None
    elif item.kind is ItemKind.MULTIPLE_CHOICE:
        raw["choices"] = post.getlist("choices")
    elif item.kind is ItemKind.MATURITY:
        raw["level"] = post.get("level") or None
    if item.target:
        # Every save replaces the whole value: the target goes with each one, or it is lost.
        raw["target"] = post.get("target") or None
        raw["target_date"] = post.get("target_date") or None
    return raw


def record_from_post(item: Item, post: QueryDict) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    for f in item.fields:
        if f.kind is FieldKind.MONEY:
            raw[f.id] = {
                "amount": post.get(f"{f.id}.amount", ""),
                "currency": post.get(f"{f.id}.currency", ""),
            }
        elif f.kind is FieldKind.MULTIPLE_CHOICE or (f.kind is FieldKind.REFERENCE and f.multiple):
            raw[f.id] = [v for v in post.getlist(f.id) if v]
        else:
            raw[f.id] = post.get(f.id, "")
    return raw


# What the browser sends beside a value: a version, the tab's id and its save counter. They are
# read strictly (ASCII digits, bounded; a tab id of letters, digits, - and _) so that nothing
# else reaches the database: "²" is a digit to str.isdigit() but not to int().
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _whole_number(raw: object) -> int | None:
    text = str(raw or "")
    return int(text) if WHOLE_NUMBER.fullmatch(text) else None


def version_from_post(post: QueryDict) -> int | None:
    return _whole_number(post.get("version"))


def sequence_from_post(post: QueryDict) -> tuple[str, int]:
    client = str(post.get("client") or "")
    return (client if CLIENT_ID.fullmatch(client) else ""), _whole_number(post.get("seq")) or 0


@dataclass
class Problem:
    """Why the last save of an item or record did not go through, and what was sent."""

    submitted: Any
    error: str = ""
    conflict: Answer | Record | None = None
    conflict_text: str = ""


@dataclass
class Choice:
    code: str
    label: str
    help: str = ""
    checked: bool = False
    children: list[Choice] = dataclasses.field(default_factory=list)


@dataclass
class FieldView:
    field: Field
    dom_id: str
    value: Any
    choices: list[Choice] = dataclasses.field(default_factory=list)
    amount: str = ""
    currency: str = ""


@dataclass
class RecordView:
    item: Item
    key: str  # the record's uid, or "new-<item id>" for the add form
    record: Record | None
    title: str
    groups: list[tuple[Any, list[FieldView]]]
    problem: Problem | None = None

    @property
    def version(self) -> int:
        if self.problem and self.problem.conflict:
            return self.problem.conflict.version  # saving again means "keep mine"
        return self.record.version if self.record else 0


@dataclass
class ItemView:
    item: Item
    key: str
    answer: Answer | None
    value: Any
    answered: bool
    problem: Problem | None = None
    choices: list[Choice] = dataclasses.field(default_factory=list)
    targets: list[Choice] = dataclasses.field(default_factory=list)  # items that take a target
    target_date: str = ""
    records: list[RecordView] = dataclasses.field(default_factory=list)
    new_record: RecordView | None = None

    @property
    def version(self) -> int:
        if self.problem and self.problem.conflict:
            return self.problem.conflict.version
        return self.answer.version if self.answer else 0


def _choices(options: tuple[Option, ...], chosen: set[str]) -> list[Choice]:
    return [
        Choice(
            code=o.code,
            label=str(o.label),
            help=str(o.help) if o.help else "",
            checked=o.code in chosen,
            children=_choices(o.options, chosen),
        )
        for o in options
    ]


def _as_set(value: Any) -> set[str]:
    if isinstance(value, list):
        return {str(v) for v in value}
    return set() if value in (None, "") else {str(value)}


def _field_view(f: Field, key: str, value: Any, state: PlanState) -> FieldView:
    view = FieldView(field=f, dom_id=f"{key}-{f.id}", value=value)
    if f.kind in (FieldKind.CHOICE, FieldKind.MULTIPLE_CHOICE):
        view.choices = _choices(f.options, _as_set(value))
    elif f.kind is FieldKind.REFERENCE:
        chosen = _as_set(value)
        targets = state.records.get(f.references or "", [])
        view.choices = [
            Choice(code=r.uid, label=state.titles.get(r.uid, "") or "—", checked=r.uid in chosen)
            for r in targets
        ]
    elif f.kind is FieldKind.MONEY:
        money = value if isinstance(value, dict) else {}
        view.amount = _in_reader_notation(money.get("amount") or "")
        view.currency = money.get("currency") or state.plan.organisation.currency
    elif f.kind is FieldKind.NUMBER:
        view.value = _in_reader_notation(value)
    return view


def _in_reader_notation(number: Any) -> Any:
    """A stored number (« 32.5 ») as the reader writes it (« 32,5 » in French); the engine
    reads either back."""
    separator = str(formats.get_format("DECIMAL_SEPARATOR"))
    return number.replace(".", separator) if isinstance(number, str) else number


def _record_view(
    item: Item, key: str, record: Record | None, state: PlanState, problem: Problem | None
) -> RecordView:
    data = problem.submitted if problem else (record.data if record else {})
    views = {f.id: _field_view(f, key, data.get(f.id), state) for f in item.fields}
    groups: list[tuple[Any, list[FieldView]]] = [
        (None, [views[f.id] for f in item.fields_in(None)])
    ]
    groups += [(g, [views[f.id] for f in item.fields_in(g.id)]) for g in item.groups]
    title = state.titles.get(record.uid, "") if record else ""
    return RecordView(item, key, record, title, groups, problem)


def _target_view(view: ItemView, item: Item, value: Any) -> None:
    """The target's options (the levels « 3 — Établi », or the choice's options) and its date,
    as stored or as the person sent them."""
    value = value if isinstance(value, dict) else {}
    chosen = _as_set(value.get("target"))
    if item.kind is ItemKind.MATURITY:
        view.targets = [
            Choice(str(lvl.level), f"{lvl.level} — {lvl.label}", checked=str(lvl.level) in chosen)
            for lvl in item.levels
        ]
    else:
        view.targets = _choices(item.options, chosen)
    view.target_date = str(value.get("target_date") or "")


def item_view(item: Item, state: PlanState, problems: dict[str, Problem]) -> ItemView:
    problem = problems.get(item.id)
    answer = state.answers.get(item.id)
    value = problem.submitted if problem else state.value(item)
    view = ItemView(item, item.id, answer, value, state.answered(item), problem)
    if item.kind in (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE):
        chosen = _as_set(value.get("choice") or value.get("choices") if value else None)
        view.choices = _choices(item.options, chosen)
    if item.kind is ItemKind.MATURITY:
        level = value.get("level") if value else None
        chosen = set() if level in (None, "") else {str(level)}
        view.choices = [
            Choice(str(lvl.level), str(lvl.label), str(lvl.rubric), str(lvl.level) in chosen)
            for lvl in item.levels
        ]
    if item.target:
        _target_view(view, item, value)
    if item.kind is ItemKind.RECORDS:
        view.records = [
            _record_view(item, r.uid, r, state, problems.get(r.uid))
            for r in state.item_records(item)
        ]
        new_key = f"new-{item.id}"
        view.new_record = _record_view(item, new_key, None, state, problems.get(new_key))
    return view


class PlanForm(forms.Form):
    service = forms.ChoiceField(
        label=_("Urban service"), choices=UrbanService.choices, widget=forms.RadioSelect
    )
    service_other = forms.CharField(
        label=_("Name of the service, if other"),
        max_length=120,
        required=False,
        validators=[PlainTextValidator(_("Name of the service, if other"))],
    )
    title = forms.CharField(
        label=_("Title of the plan"),
        max_length=200,
        required=False,
        validators=[PlainTextValidator(_("Title of the plan"))],
        help_text=_("Optional; by default the name of the service."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("service") == UrbanService.OTHER and not data.get("service_other"):
            self.add_error("service_other", _("Name the service."))
        return data


class ReviewForm(forms.Form):
    """What a person says with a review move: optional, except when asking for changes (the
    service says so, in words)."""

    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[PlainTextValidator(_("Message"))],
    )
    # Validating: the plan's latest change on the page the validator read (see review.py).
    seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class SnapshotForm(forms.Form):
    """The name of a version a member keeps; the page proposes « Version of <today> »."""

    name = forms.CharField(
        label=_("Name of the version"),
        max_length=200,
        strip=True,
        validators=[PlainTextValidator(_("Name of the version"))],
        help_text=_("For example: “Before the council of 12 March”."),
    )


class AdviceSetAsideForm(forms.Form):
    """Setting a piece of advice aside: which (rule, record), where the person was, and why."""

    AT_ITEM, AT_RECORD = "item", "record"

    rule = forms.SlugField(max_length=64)
    record = forms.CharField(
        max_length=32, required=False, validators=[PlainTextValidator(_("Record"))]
    )
    # The item the form was shown at (by its label, or on one of its record cards: `back`), to
    # come back to it; empty: the plan's advice page.
    item = forms.CharField(
        max_length=64, required=False, validators=[PlainTextValidator(_("Item"))]
    )
    back = forms.ChoiceField(
        choices=[("", ""), (AT_ITEM, AT_ITEM), (AT_RECORD, AT_RECORD)], required=False
    )
    reason = forms.CharField(
        label=_("Why set it aside?"),
        max_length=500,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 2}),
        validators=[PlainTextValidator(_("Reason"))],
        error_messages={"required": _("Say why this advice does not apply: the reason is kept.")},
    )


class HorizonForm(forms.Form):
    """The date by which the plan should be carried out; empty clears it."""

    horizon = forms.DateField(
        label=_("Horizon of the plan"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The date by which the plan should be carried out. Leave empty to clear it."),
    )


class LibrarySearchForm(forms.Form):
    """The indicator library's search: words, a code (EC-I-WS-5C) or an SDG number (11.6.1)."""

    q = forms.CharField(
        label=_("Search the library"),
        max_length=200,
        required=False,
        strip=True,
        validators=[PlainTextValidator(_("Search the library"))],
    )
    all = forms.BooleanField(required=False)  # every service, not only the plan's


class LibraryPickForm(forms.Form):
    code = forms.CharField(
        label=_("Indicator code"),
        max_length=40,
        validators=[PlainTextValidator(_("Indicator code"))],
    )

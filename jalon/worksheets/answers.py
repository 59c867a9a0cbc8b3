"""Checking what a team sends against the definition, and deciding what counts as answered.

Every function takes plain data (what a form or a JSON body carried) and returns the value to
store, or raises `AnswerError` with a message a person can act on. Stored values hold option
codes, never labels, so a translation or a reworded label never changes a plan.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence, Set
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.utils.translation import gettext as _

from .schema import Field, FieldKind, Item, ItemKind
from .text import text_problem

MAX_FIELD_TEXT = 20_000
MAX_LINE_TEXT = 500
CURRENCY = re.compile(r"^[A-Z]{3}$")
NUMBER_LIMIT = Decimal("1e15")


class AnswerError(ValueError):
    """What the person sent cannot be stored; the message says why, in their language."""


def _text(raw: Any, *, limit: int, what: object) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise AnswerError(_("%(what)s must be text.") % {"what": what})
    problem = text_problem(raw, what)  # before strip(): Python strips some control characters
    if problem:
        raise AnswerError(problem)
    text = raw.replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise AnswerError(
            _("%(what)s is %(length)s characters long; the limit is %(limit)s.")
            % {"what": what, "length": len(text), "limit": limit}
        )
    return text


def _code(raw: Any, codes: Set[str], what: object) -> str:
    if not isinstance(raw, str) or raw not in codes:
        raise AnswerError(_("%(code)r is not an option of %(what)s.") % {"code": raw, "what": what})
    return raw


def _codes(raw: Any, codes: Set[str], what: object, order: list[str]) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise AnswerError(_("%(what)s must be a list of options.") % {"what": what})
    chosen = {_code(code, codes, what) for code in raw}
    return [code for code in order if code in chosen]  # definition order, no duplicates


def empty_value(item: Item) -> Any:
    if item.kind is ItemKind.TEXT:
        return ""
    value: dict[str, Any]
    if item.kind is ItemKind.SINGLE_CHOICE:
        value = {"choice": None, "note": ""}
    elif item.kind is ItemKind.MULTIPLE_CHOICE:
        value = {"choices": [], "note": ""}
    elif item.kind is ItemKind.MATURITY:
        value = {"level": None, "note": ""}
    else:
        return None
    if item.target:
        value |= {"target": None, "target_date": None}
    return value


def _level(raw: Any, item: Item, message: str) -> int | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raw = -1
    elif isinstance(raw, str):
        # fullmatch, not isdigit(): "²" is a digit to Python but not a number int() reads
        raw = int(raw) if re.fullmatch(r"[0-9]{1,2}", raw) else -1
    if raw not in {lvl.level for lvl in item.levels}:
        raise AnswerError(message)
    return int(raw)


def _date(raw: Any, what: object) -> str | None:
    if raw in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(raw)).isoformat()
    except ValueError:
        raise AnswerError(_("%(what)s must be a date (YYYY-MM-DD).") % {"what": what}) from None


def clean_answer(item: Item, raw: Any) -> Any:
    """The value to store for a non-list item, from what was sent."""
    what = item.label  # turned into text only for an error message: saves are the hot path
    if item.kind is ItemKind.RECORDS:
        raise AnswerError(
            _("%(what)s is a list: add, change or remove its records.") % {"what": what}
        )
    if item.kind is ItemKind.TEXT:
        return _text(raw, limit=item.max_length, what=_("The answer"))
    if not isinstance(raw, Mapping):
        raise AnswerError(_("The answer to %(what)s is not in the expected form.") % {"what": what})
    allowed = {ItemKind.SINGLE_CHOICE: "choice", ItemKind.MULTIPLE_CHOICE: "choices"}
    key = allowed.get(item.kind, "level")
    # An item that takes a target carries it, and its date, in the same value: one save, one
    # version, one line of history for the answer and what the team aims for.
    known = {key, "note", "target", "target_date"} if item.target else {key, "note"}
    unknown = set(raw) - known
    if unknown:
        raise AnswerError(
            _("Unknown part(s) of the answer: %(keys)s.") % {"keys": ", ".join(sorted(unknown))}
        )
    note = _text(raw.get("note"), limit=item.max_length, what=_("The note"))
    if note and item.note is None:
        raise AnswerError(_("This question takes no note."))
    leaves = [option.code for option in item.leaf_options()]
    value: dict[str, Any]
    if item.kind is ItemKind.SINGLE_CHOICE:
        choice = raw.get("choice")
        value = {
            "choice": None if choice in (None, "") else _code(choice, set(leaves), what),
            "note": note,
        }
        target: Any = raw.get("target")
        if item.target and target not in (None, ""):
            target = _code(target, set(leaves), _("the target"))
    elif item.kind is ItemKind.MULTIPLE_CHOICE:
        return {"choices": _codes(raw.get("choices"), set(leaves), what, leaves), "note": note}
    else:
        message = _("The maturity level must be a whole number from 0 to 4.")
        value = {"level": _level(raw.get("level"), item, message), "note": note}
        target = _level(raw.get("target"), item, _("The target level must be from 0 to 4."))
    if item.target:
        value["target"] = None if target in (None, "") else target
        value["target_date"] = _date(raw.get("target_date"), _("The target date"))
    return value


def _number(raw: Any, what: object) -> str | None:
    if raw in (None, ""):
        return None
    try:
        number = Decimal(str(raw).replace(" ", "").replace("\u202f", "").replace(",", "."))
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite() or abs(number) >= NUMBER_LIMIT:
        raise AnswerError(_("%(what)s must be a number.") % {"what": what})
    return format(number.normalize(), "f")  # a string: no float rounding in storage or exports


def clean_field(field: Field, raw: Any, references: Mapping[str, Set[str]]) -> Any:
    """One field of a record; `references`: a list's item id → its records' ids in this plan."""
    what = field.label  # turned into text only for an error message
    if field.kind is FieldKind.TEXT:
        return _text(raw, limit=MAX_LINE_TEXT, what=what)
    if field.kind is FieldKind.LONG_TEXT:
        return _text(raw, limit=MAX_FIELD_TEXT, what=what)
    codes = [option.code for option in field.options]
    if field.kind is FieldKind.CHOICE:
        return None if raw in (None, "") else _code(raw, set(codes), what)
    if field.kind is FieldKind.MULTIPLE_CHOICE:
        return _codes(raw, set(codes), what, codes)
    if field.kind is FieldKind.NUMBER:
        return _number(raw, what)
    if field.kind is FieldKind.MONEY:
        if raw in (None, "") or (isinstance(raw, Mapping) and raw.get("amount") in (None, "")):
            return None
        if not isinstance(raw, Mapping) or set(raw) - {"amount", "currency"}:
            raise AnswerError(_("%(what)s must be an amount and a currency.") % {"what": what})
        currency = str(raw.get("currency") or "").strip().upper()
        if not CURRENCY.match(currency):
            raise AnswerError(_("The currency must be a three-letter code such as XOF or EUR."))
        return {"amount": _number(raw["amount"], what), "currency": currency}
    if field.kind is FieldKind.DATE:
        return _date(raw, what)
    # A reference may only point at a record of the same plan: ids of other plans are unknown here.
    known = references.get(field.references or "", set())
    # Left out (None or ""), a single or a multiple reference names no record.
    ids = [] if raw in (None, "") else raw if field.multiple else [raw]
    if not isinstance(ids, list) or not all(isinstance(one, str) for one in ids):
        raise AnswerError(_("%(what)s must name records of this plan.") % {"what": what})
    unknown = [one for one in ids if one not in known]
    if unknown:
        raise AnswerError(
            _("%(what)s names a record that is not in this plan (%(id)s).")
            % {"what": what, "id": unknown[0]}
        )
    if field.multiple:
        return list(dict.fromkeys(ids))
    return ids[0] if ids else None


def clean_record(item: Item, raw: Any, references: Mapping[str, Set[str]]) -> dict[str, Any]:
    """The data to store for one record of a list item."""
    if item.kind is not ItemKind.RECORDS:
        raise AnswerError(_("%(what)s is not a list.") % {"what": str(item.label)[:80]})
    if not isinstance(raw, Mapping):
        raise AnswerError(_("A record must be a set of fields."))
    unknown = set(raw) - {f.id for f in item.fields}
    if unknown:
        raise AnswerError(
            _("Unknown field(s): %(fields)s.") % {"fields": ", ".join(sorted(map(str, unknown)))}
        )
    data = {f.id: clean_field(f, raw.get(f.id), references) for f in item.fields}
    for f in item.fields:
        if f.required and data[f.id] in (None, "", []):
            raise AnswerError(_("%(what)s is required.") % {"what": f.label})
    return data


def is_answered(item: Item, value: Any) -> bool:
    """What counts for progress: a choice made, a level set, a text written or a record added."""
    if item.kind is ItemKind.RECORDS:
        return bool(value)  # the number of records
    if item.kind is ItemKind.TEXT:
        return bool(value)
    if not isinstance(value, Mapping):
        return False
    if item.kind is ItemKind.SINGLE_CHOICE:
        return value.get("choice") is not None
    if item.kind is ItemKind.MULTIPLE_CHOICE:
        return bool(value.get("choices"))
    return value.get("level") is not None


class ItemState(StrEnum):
    """Where an item stands: nothing yet, begun, or all the worksheet asks."""

    EMPTY = "empty"
    STARTED = "started"
    COMPLETE = "complete"


Rows = Mapping[str, Sequence[tuple[str, Mapping[str, Any]]]]  # list item id → (uid, data)


def _filled(item: Item, data: Mapping[str, Any]) -> bool:
    wanted = set(item.complete.fields) | {f.id for f in item.fields if f.required}
    return all(data.get(name) not in (None, "", []) for name in wanted)


def item_state(item: Item, value: Any, rows: Rows) -> ItemState:
    """An item's state, for progress. A question is complete once answered (a note alone has
    begun it, and so has a target alone). A list is complete when it holds what its
    definition's `complete` asks, every record with the fields it names: at least
    `min_records` records, or one record for each record of another list (a partner profile
    per actor, a perimeter per pilot action)."""
    if item.kind is not ItemKind.RECORDS:
        if is_answered(item, value):
            return ItemState.COMPLETE
        # A note, or a target set before today's level, has begun the question.
        begun = isinstance(value, Mapping) and any(
            value.get(part) not in (None, "") for part in ("note", "target", "target_date")
        )
        return ItemState.STARTED if begun else ItemState.EMPTY
    own = rows.get(item.id, ())
    rule = item.complete
    if rule.each_of and rule.via:
        targets = [uid for uid, _data in rows.get(rule.each_of, ())]
        covered = {data.get(rule.via) for _uid, data in own if _filled(item, data)}
        done = bool(targets) and all(uid in covered for uid in targets)
    else:
        done = len(own) >= rule.min_records and all(_filled(item, data) for _uid, data in own)
    if done:
        return ItemState.COMPLETE
    return ItemState.STARTED if own else ItemState.EMPTY


def section_state(states: Sequence[ItemState]) -> ItemState:
    """Several items' state together (a section's, a step's): complete when all are."""
    if all(state is ItemState.COMPLETE for state in states):
        return ItemState.COMPLETE
    begun = any(state is not ItemState.EMPTY for state in states)
    return ItemState.STARTED if begun else ItemState.EMPTY

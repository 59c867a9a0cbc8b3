"""Answers as words: how a stored value reads for a person, in the current language.

Used by the history, the conflict message and the reports, so a value reads the same everywhere.
Plain functions over the definition and plain data.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.utils.formats import date_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .schema import Definition, Field, FieldKind, Item, ItemKind, Option

RecordData = Sequence[tuple[str, Mapping[str, Any]]]  # a list's records: (uid, data), in order


def option_label(options: tuple[Option, ...], code: str | None) -> str:
    for option in options:
        if option.code == code:
            return str(option.label)
        for child in option.options:
            if child.code == code:
                return str(child.label)
    return code or ""


def _french() -> bool:
    return (get_language() or "").startswith("fr")


def list_separator() -> str:
    """Between choices in one line: « A ; B » in French (the documents' typography makes the
    space before « ; » non-breaking), « A; B » in English, which puts no space before it."""
    return " ; " if _french() else "; "


def joined(parts: Iterable[str]) -> str:
    return list_separator().join(parts)


def labelled(label: str, text: str) -> str:
    """« Label : valeur » in French, « Label: value » in English."""
    return f"{label} : {text}" if _french() else f"{label}: {text}"


def format_number(value: str | None) -> str:
    if not value:
        return ""
    return number_format(Decimal(value), use_l10n=True, force_grouping=True)


def describe_answer(item: Item, value: Any) -> str:
    """One non-list answer as text; empty string when unanswered."""
    if value is None:
        return ""
    if item.kind is ItemKind.TEXT:
        return str(value)
    if not isinstance(value, Mapping):
        return ""
    parts = []
    if item.kind is ItemKind.SINGLE_CHOICE and value.get("choice"):
        parts.append(option_label(item.options, value["choice"]))
    elif item.kind is ItemKind.MULTIPLE_CHOICE and value.get("choices"):
        parts.append(joined(option_label(item.options, c) for c in value["choices"]))
    elif item.kind is ItemKind.MATURITY and value.get("level") is not None:
        level = next((lvl for lvl in item.levels if lvl.level == value["level"]), None)
        parts.append(f"{value['level']}/4 — {level.label}" if level else str(value["level"]))
    if value.get("note"):
        parts.append(str(value["note"]))
    target = describe_target(item, value) if item.target else ""
    if target:
        parts.append(target)
    return "\n".join(parts)


def long_day(day: datetime.date) -> str:
    """« 31 décembre 2027 », « 1er mars 2027 » (French writes the first as an ordinal)."""
    if _french() and day.day == 1:
        return "1er " + date_format(day, "F Y")
    return date_format(day, "j F Y")


def target_words(item: Item, target: Any) -> str:
    """A target as it reads: « 3/4 » for a level, the option's label for a choice."""
    if target in (None, ""):
        return ""
    if item.kind is ItemKind.MATURITY:
        return f"{target}/4"
    return option_label(item.options, str(target))


def describe_target(item: Item, value: Mapping[str, Any]) -> str:
    """« Cible : 3/4 d’ici le 31 décembre 2027 »; "" when the team set no target."""
    words = target_words(item, value.get("target"))
    try:
        day = datetime.date.fromisoformat(value.get("target_date") or "")
    except (TypeError, ValueError):
        day = None
    if words and day:
        return _("Target: %(target)s by %(date)s") % {"target": words, "date": long_day(day)}
    if words:
        return _("Target: %(target)s") % {"target": words}
    if day:
        return _("Target date: %(date)s") % {"date": long_day(day)}
    return ""


def describe_field(field: Field, value: Any, titles: Mapping[str, str]) -> str:
    """One field of a record as text; `titles` maps record ids to their names, for references."""
    if value in (None, "", []):
        return ""
    if field.kind is FieldKind.CHOICE:
        return option_label(field.options, value)
    if field.kind is FieldKind.MULTIPLE_CHOICE:
        return joined(option_label(field.options, code) for code in value)
    if field.kind is FieldKind.NUMBER:
        return format_number(value)
    if field.kind is FieldKind.MONEY:
        return f"{format_number(value.get('amount'))} {value.get('currency', '')}".strip()
    if field.kind is FieldKind.REFERENCE:
        ids = value if isinstance(value, list) else [value]
        return joined(titles.get(uid, _("(removed)")) for uid in ids)
    return str(value)


def describe_record(item: Item, data: Mapping[str, Any] | None, titles: Mapping[str, str]) -> str:
    """A record as « Label : value » lines, skipping empty fields."""
    if not data:
        return ""
    lines = []
    for field in item.fields:
        text = describe_field(field, data.get(field.id), titles)
        if text:
            lines.append(labelled(str(field.label), text))
    return "\n".join(lines)


def record_title(item: Item, data: Mapping[str, Any], titles: Mapping[str, str]) -> str:
    field = item.field(item.title_field or "")
    if field is None:
        return ""
    return describe_field(field, data.get(field.id), titles)


def record_titles(definition: Definition, records: Mapping[str, RecordData]) -> dict[str, str]:
    """The name of every record, by uid: text titles first, then titles that are references to
    those (a partner profile is named after its actor)."""
    titles: dict[str, str] = {}
    for by_reference in (False, True):
        for item_id, item_records in records.items():
            item = definition.item(item_id)
            title_field = item.field(item.title_field or "") if item else None
            if item is None or title_field is None:
                continue
            if (title_field.kind is FieldKind.REFERENCE) == by_reference:
                for uid, data in item_records:
                    titles[uid] = record_title(item, data, titles)
    return titles

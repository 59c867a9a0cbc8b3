"""What changed between two versions of a plan, item by item and record by record.

A pure function over plain data: two contents as `review.plan_content` shapes them (a frozen
version's, or the plan's as it is now) and the worksheet definition each was written against.
No database, no request: the compare page renders what `compare` returns, and tests call it
with dictionaries.

Values are compared as stored and shown as a person reads them: options by their labels, levels
with their names, records named by their title field, references by the titles of the records
they point at on the same side. Texts show the words that changed (a word-level diff, long
unchanged runs elided); choices ticked several at a time show which were added and removed.
Records are matched by their `id` (the record's uid, stable across edits and moves), so a record
rewritten in place reads as changed, not as one removed and another added.

When the two sides were written against different versions of the worksheet, items are walked
in the newer definition's order, then those only the older one had; each side's value is named
with its own definition.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import InvalidOperation
from enum import StrEnum
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jalon.worksheets.display import (
    describe_field,
    joined,
    list_separator,
    option_label,
    record_title,
    record_titles,
)
from jalon.worksheets.schema import Definition, Field, FieldKind, Item, ItemKind, Section, Step

# Words kept on each side of a change in a text; a longer unchanged run shows as « … ».
CONTEXT_WORDS = 8
# A text's tokens: words (letters and digits, with the apostrophes and hyphens inside them), runs
# of spaces, and any other sign on its own: « d'abord. » is a word and a full stop, so a full
# stop added does not rewrite the word before it.
TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|\s+|\S")


class Mark(StrEnum):
    SAME = "same"
    DELETED = "del"
    INSERTED = "ins"
    ELIDED = "gap"  # unchanged words left out


Segment = tuple[Mark, str]


class RecordChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    MOVED = "moved"  # the same record, only its place in the list changed


@dataclass(frozen=True)
class FieldChange:
    """One value that differs: its label, how it read before and after; `words`, for texts and
    lists of options, what was removed and added in place."""

    label: str
    before: str
    after: str
    words: tuple[Segment, ...] = ()


@dataclass(frozen=True)
class RecordChange:
    kind: RecordChangeKind
    title: str
    fields: tuple[FieldChange, ...]  # added, removed: its filled fields; changed: those that did
    moved: bool = False  # changed, and moved as well


@dataclass(frozen=True)
class ItemChanges:
    item_id: str
    label: str
    answer: tuple[FieldChange, ...] = ()
    records: tuple[RecordChange, ...] = ()


@dataclass(frozen=True)
class SectionChanges:
    section_id: str
    title: str
    items: tuple[ItemChanges, ...]


@dataclass(frozen=True)
class StepChanges:
    step_id: str
    number: int
    title: str
    sections: tuple[SectionChanges, ...]


@dataclass(frozen=True)
class Counts:
    answers: int = 0
    added: int = 0
    removed: int = 0
    changed: int = 0
    moved: int = 0

    @property
    def total(self) -> int:
        return self.answers + self.added + self.removed + self.changed + self.moved

    def sentence(self) -> str:
        """« 3 answers changed, 2 records added, 1 removed », in the current language: the
        first count of records names them, the next ones do not."""
        parts = []
        if self.answers:
            parts.append(
                ngettext("%(n)s answer changed", "%(n)s answers changed", self.answers)
                % {"n": self.answers}
            )
        named = False
        for kind, n in (
            (RecordChangeKind.ADDED, self.added),
            (RecordChangeKind.REMOVED, self.removed),
            (RecordChangeKind.CHANGED, self.changed),
            (RecordChangeKind.MOVED, self.moved),
        ):
            if n:
                parts.append(_records_said(kind, n, named) % {"n": n})
                named = True
        return ", ".join(parts)


def _records_said(kind: RecordChangeKind, n: int, named: bool) -> str:
    """How a count of records reads (words written out for the translators)."""
    if kind is RecordChangeKind.ADDED:
        if named:
            return ngettext("%(n)s added", "%(n)s added", n)
        return ngettext("%(n)s record added", "%(n)s records added", n)
    if kind is RecordChangeKind.REMOVED:
        if named:
            return ngettext("%(n)s removed", "%(n)s removed", n)
        return ngettext("%(n)s record removed", "%(n)s records removed", n)
    if kind is RecordChangeKind.CHANGED:
        if named:
            return ngettext("%(n)s changed", "%(n)s changed", n)
        return ngettext("%(n)s record changed", "%(n)s records changed", n)
    if named:
        return ngettext("%(n)s moved", "%(n)s moved", n)
    return ngettext("%(n)s record moved", "%(n)s records moved", n)


@dataclass(frozen=True)
class Comparison:
    steps: tuple[StepChanges, ...]
    counts: Counts

    @property
    def unchanged(self) -> bool:
        return not self.steps


# Words ------------------------------------------------------------------------------------------


def _key(token: str) -> str:
    """What a token is compared by: any run of spaces or line breaks is one space, so a
    reflowed paragraph does not read as rewritten."""
    return " " if token.isspace() else token


def _words(tokens: list[str]) -> int:
    return sum(1 for token in tokens if not token.isspace())


def word_diff(before: str, after: str, context: int = CONTEXT_WORDS) -> tuple[Segment, ...]:
    """The words of `after` against those of `before`: unchanged, deleted, inserted; an
    unchanged run longer than `context` words on each side of the changes is elided."""
    old, new = TOKEN.findall(before), TOKEN.findall(after)
    matcher = difflib.SequenceMatcher(None, [_key(t) for t in old], [_key(t) for t in new],
                                      autojunk=False)  # fmt: skip
    # (unchanged tokens) or (deleted, inserted); a lone space between two changes joins them,
    # so « le chat dort » → « un chien mange » reads as one replacement, not three.
    runs: list[tuple[list[str], list[str]] | list[str]] = []
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        between = 0 < index < len(opcodes) - 1
        if tag == "equal" and not (between and all(t.isspace() for t in new[j1:j2])):
            runs.append(new[j1:j2])
        elif runs and isinstance(runs[-1], tuple):
            runs[-1][0].extend(old[i1:i2])
            runs[-1][1].extend(new[j1:j2])
        else:
            runs.append((old[i1:i2], new[j1:j2]))
    segments: list[Segment] = []
    for index, run in enumerate(runs):
        if isinstance(run, tuple):
            deleted, inserted = "".join(run[0]), "".join(run[1])
            segments += [(Mark.DELETED, deleted)] if deleted else []
            segments += [(Mark.INSERTED, inserted)] if inserted else []
            continue
        first, last = index == 0, index == len(runs) - 1
        if (first and last) or _words(run) <= (0 if first or last else context) + context:
            segments.append((Mark.SAME, "".join(run)))
            continue
        head = [] if first else _first_words(run, context)
        tail = [] if last else _first_words(run[::-1], context)[::-1]
        while tail and tail[0].isspace():  # « … » carries the space before the tail
            tail.pop(0)
        if head:
            segments.append((Mark.SAME, "".join(head)))
        segments.append((Mark.ELIDED, "… "))
        if tail:
            segments.append((Mark.SAME, "".join(tail)))
    return tuple(segments)


def _first_words(tokens: list[str], count: int) -> list[str]:
    """The tokens up to and with the `count`-th word, and the space after it."""
    kept: list[str] = []
    for token in tokens:
        if not token.isspace() and _words(kept) == count:
            break
        kept.append(token)
    return kept


def list_diff(before: Sequence[str], after: Sequence[str]) -> tuple[Segment, ...]:
    """Several options (or records named): those kept, removed and added, in `after`'s order
    and then the removed ones', separated by « ; »."""
    kept = set(before) & set(after)
    ordered = [(Mark.SAME if a in kept else Mark.INSERTED, a) for a in after]
    ordered += [(Mark.DELETED, b) for b in before if b not in kept]
    segments: list[Segment] = []
    for mark, text in ordered:
        if segments:
            segments.append((Mark.SAME, list_separator()))
        segments.append((mark, text))
    return tuple(segments)


# Answers ----------------------------------------------------------------------------------------

# The keys an answer holds, in the order they read; any other key (a target, its date…) follows.
ANSWER_KEYS = ("choice", "choices", "level", "note")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _flat(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """An answer's values by their path of keys: {"target": {"level": 3}} → (target, level): 3."""
    if isinstance(value, Mapping):
        for key, inner in value.items():
            yield from _flat(inner, (*path, str(key)))
    else:
        yield path, value


def _key_order(path: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
    head = path[0] if path else ""
    return (ANSWER_KEYS.index(head) if head in ANSWER_KEYS else len(ANSWER_KEYS), path)


def _key_label(item: Item, key: str) -> str:
    labels = {
        "choice": _("Choice"),
        "choices": _("Choices"),
        "level": _("Level"),
        "note": str(item.note) if item.note else _("Note"),
        "target": _("Target"),
        "date": _("Date"),
        "target_date": _("Target date"),
        "target_level": _("Target level"),
    }
    return labels.get(key, key.replace("_", " ").capitalize())


def _date(value: Any) -> str:
    """A stored date (2027-03-15) as the reader writes dates (15/03/2027); else as stored."""
    try:
        return date_format(datetime.date.fromisoformat(str(value)), "SHORT_DATE_FORMAT")
    except ValueError:
        return str(value)


def _level(item: Item, value: Any) -> str:
    level = next((lvl for lvl in item.levels if str(lvl.level) == str(value)), None)
    return f"{value}/4 — {level.label}" if level else str(value)


def _answer_value(item: Item, key: str, value: Any) -> str | list[str]:
    """One value of an answer as it reads; a list of labels for several options."""
    if _empty(value):
        return ""
    if isinstance(value, list):
        return [option_label(item.options, str(v)) for v in value]
    if key.endswith("level") or (key == "target" and item.kind is ItemKind.MATURITY):
        return _level(item, value) if item.levels else str(value)
    if key.endswith("date"):
        return _date(value)
    if key.endswith("choice") or key == "target":
        return option_label(item.options, str(value))
    return str(value)


def _change(label: str, before: Any, after: Any, *, text: bool) -> FieldChange | None:
    """A FieldChange if the two read differently; texts and lists show their words."""
    if isinstance(before, list) or isinstance(after, list):
        old = before if isinstance(before, list) else ([before] if before else [])
        new = after if isinstance(after, list) else ([after] if after else [])
        if old == new:
            return None
        return FieldChange(label, joined(old), joined(new), list_diff(old, new))
    before, after = str(before), str(after)
    if before == after:
        return None
    if not text:
        return FieldChange(label, before, after)
    words = word_diff(before, after)
    if all(mark is Mark.SAME for mark, _words in words):
        return None  # only spaces or line breaks moved: nothing a reader would see as changed
    return FieldChange(label, before, after, words)


def answer_changes(old_item: Item, new_item: Item, before: Any, after: Any) -> list[FieldChange]:
    """What differs between two values of one item (not a list), each read with its own
    side's item."""
    if new_item.kind is ItemKind.TEXT or isinstance(before, str) or isinstance(after, str):
        old = before if isinstance(before, str) else ""
        new = after if isinstance(after, str) else ""
        change = _change(_("Answer"), old, new, text=True)
        return [change] if change else []
    old_values = dict(_flat(before)) if isinstance(before, Mapping) else {}
    new_values = dict(_flat(after)) if isinstance(after, Mapping) else {}
    changes = []
    for path in sorted(set(old_values) | set(new_values), key=_key_order):
        b, a = old_values.get(path), new_values.get(path)
        if b == a or (_empty(b) and _empty(a)):
            continue
        key = path[-1] if path else ""
        label = " — ".join(_key_label(new_item, part) for part in path) or _("Answer")
        # A note, or a free text the worksheet added beside the answer: its words.
        text = key == "note" or (
            isinstance(a or b, str) and not key.endswith(("choice", "level", "date", "target"))
        )
        change = _change(
            label, _answer_value(old_item, key, b), _answer_value(new_item, key, a), text=text
        )
        if change:
            changes.append(change)
    return changes


# Records ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Side:
    """One side of the comparison: its definition, answers, lists and the names of its
    records (references read as the titles of the records they point at)."""

    definition: Definition
    answers: Mapping[str, Any]
    lists: Mapping[str, list[Mapping[str, Any]]]
    titles: Mapping[str, str]

    @classmethod
    def of(cls, definition: Definition, content: Mapping[str, Any]) -> _Side:
        lists = content.get("lists") or {}
        rows = {
            item_id: [(str(record["id"]), record.get("data") or {}) for record in records]
            for item_id, records in lists.items()
        }
        return cls(definition, content.get("answers") or {}, lists, record_titles(definition, rows))

    def value(self, item_id: str) -> Any:
        answer = self.answers.get(item_id)
        return answer.get("value") if isinstance(answer, Mapping) else None

    def records(self, item_id: str) -> list[Mapping[str, Any]]:
        return sorted(self.lists.get(item_id) or [], key=lambda r: r.get("position") or 0)


def _field_text(field: Field, value: Any, titles: Mapping[str, str]) -> str | list[str]:
    """A record's field as it reads; a list of names for several options or records."""
    if _empty(value):
        return ""
    try:
        if field.kind is FieldKind.MULTIPLE_CHOICE and isinstance(value, list):
            return [option_label(field.options, str(code)) for code in value]
        if field.kind is FieldKind.REFERENCE and isinstance(value, list):
            return [titles.get(str(uid), _("(removed)")) for uid in value]
        if field.kind is FieldKind.DATE:
            return _date(value)
        return describe_field(field, value, titles)
    except (AttributeError, TypeError, ValueError, InvalidOperation):
        # A value shaped for another kind of field (the worksheet changed it): as stored.
        return str(value)


def _fields(old_item: Item, new_item: Item) -> list[tuple[str, Field | None, Field | None]]:
    """Each field id with its field on either side: the newer item's order, then the fields
    only the older one had."""
    ids = [f.id for f in new_item.fields] + [
        f.id for f in old_item.fields if new_item.field(f.id) is None
    ]
    return [(i, old_item.field(i), new_item.field(i)) for i in ids]


def _record_fields(
    old_item: Item,
    new_item: Item,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    old: _Side,
    new: _Side,
) -> list[FieldChange]:
    changes = []
    known = _fields(old_item, new_item)
    extra = sorted((set(before) | set(after)) - {field_id for field_id, _o, _n in known})
    for field_id, old_field, new_field in [*known, *((x, None, None) for x in extra)]:
        b, a = before.get(field_id), after.get(field_id)
        if b == a or (_empty(b) and _empty(a)):
            continue
        some_field = new_field or old_field
        label = str(some_field.label) if some_field else field_id
        text = some_field is not None and some_field.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT)
        change = _change(
            label,
            _field_text(old_field, b, old.titles) if old_field else ("" if _empty(b) else str(b)),
            _field_text(new_field, a, new.titles) if new_field else ("" if _empty(a) else str(a)),
            text=text,
        )
        if change:
            changes.append(change)
    return changes


def _moved(old_order: list[str], new_order: list[str]) -> set[str]:
    """The records kept on both sides whose place changed among the others: those outside the
    longest run of records in the same order (adding or removing one moves nobody)."""
    kept = set(old_order) & set(new_order)
    old_kept = [uid for uid in old_order if uid in kept]
    new_kept = [uid for uid in new_order if uid in kept]
    matcher = difflib.SequenceMatcher(None, old_kept, new_kept, autojunk=False)
    in_place = {
        uid for a, _b, size in matcher.get_matching_blocks() for uid in old_kept[a : a + size]
    }
    return kept - in_place


def _title(item: Item, data: Mapping[str, Any], titles: Mapping[str, str], uid: str) -> str:
    try:
        title = titles.get(uid) or record_title(item, data, titles)
    except (AttributeError, TypeError, ValueError, InvalidOperation):
        title = ""
    return title or _("(untitled)")


def record_changes(old_item: Item, new_item: Item, old: _Side, new: _Side) -> list[RecordChange]:
    """The records of one list added, removed, changed or moved: the newer side's order, then
    the removed ones in the order they had."""
    before = {str(r["id"]): r.get("data") or {} for r in old.records(old_item.id)}
    after = {str(r["id"]): r.get("data") or {} for r in new.records(new_item.id)}
    moved = _moved(list(before), list(after))
    changes = []
    for uid, data in after.items():
        title = _title(new_item, data, new.titles, uid)
        if uid not in before:
            fields = _record_fields(old_item, new_item, {}, data, old, new)
            changes.append(RecordChange(RecordChangeKind.ADDED, title, tuple(fields)))
            continue
        fields = _record_fields(old_item, new_item, before[uid], data, old, new)
        if fields:
            change = RecordChange(RecordChangeKind.CHANGED, title, tuple(fields), uid in moved)
            changes.append(change)
        elif uid in moved:
            changes.append(RecordChange(RecordChangeKind.MOVED, title, ()))
    for uid, data in before.items():
        if uid not in after:
            fields = _record_fields(old_item, new_item, data, {}, old, new)
            title = _title(old_item, data, old.titles, uid)
            changes.append(RecordChange(RecordChangeKind.REMOVED, title, tuple(fields)))
    return changes


# The whole plan ---------------------------------------------------------------------------------


def _layout(newer: Definition, older: Definition) -> list[tuple[Step, Section, Item]]:
    """Every item of either definition once, with the step and section it shows under: the
    newer definition's order, then the items only the older one had, under its own steps."""
    placed = [(step, section, item) for step in newer.steps for section in step.sections
              for item in section.items]  # fmt: skip
    seen = {item.id for _s, _c, item in placed}
    placed += [
        (step, section, item)
        for step in older.steps
        for section in step.sections
        for item in section.items
        if item.id not in seen
    ]
    return placed


def compare(
    old_definition: Definition,
    old_content: Mapping[str, Any],
    new_definition: Definition,
    new_content: Mapping[str, Any],
) -> Comparison:
    """What changed from the old side to the new one, by step, section and item; unchanged
    items are left out."""
    old = _Side.of(old_definition, old_content)
    new = _Side.of(new_definition, new_content)
    newer, older = (
        (new_definition, old_definition)
        if new_definition.version >= old_definition.version
        else (old_definition, new_definition)
    )
    steps: dict[str, tuple[Step, dict[str, tuple[Section, list[ItemChanges]]]]] = {}
    counts = dict.fromkeys(RecordChangeKind, 0)
    answers = 0
    for step, section, item in _layout(newer, older):
        old_item = old_definition.item(item.id) or item
        new_item = new_definition.item(item.id) or item
        if item.kind is ItemKind.RECORDS:
            records = record_changes(old_item, new_item, old, new)
            if not records:
                continue
            changes = ItemChanges(item.id, str(item.label), records=tuple(records))
            for record in records:
                counts[record.kind] += 1
        else:
            answer = answer_changes(old_item, new_item, old.value(item.id), new.value(item.id))
            if not answer:
                continue
            changes = ItemChanges(item.id, str(item.label), answer=tuple(answer))
            answers += 1
        _step, sections = steps.setdefault(step.id, (step, {}))
        sections.setdefault(section.id, (section, []))[1].append(changes)
    return Comparison(
        steps=tuple(
            StepChanges(
                step.id,
                step.number,
                str(step.title),
                tuple(
                    SectionChanges(section.id, str(section.title), tuple(items))
                    for section, items in sections.values()
                ),
            )
            for step, sections in steps.values()
        ),
        counts=Counts(
            answers=answers,
            added=counts[RecordChangeKind.ADDED],
            removed=counts[RecordChangeKind.REMOVED],
            changed=counts[RecordChangeKind.CHANGED],
            moved=counts[RecordChangeKind.MOVED],
        ),
    )

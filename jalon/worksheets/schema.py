"""The shape of a worksheet definition: steps → sections → items, as plain frozen dataclasses.

A definition is data (a YAML file in `definitions/`); this module only says what it may contain.
`loading.py` turns a file into these objects and refuses a broken one; `answers.py` checks what a
team types against them. Nothing here touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import get_language

LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class Text:
    """A text in every language of the definition; French is the source."""

    fr: str
    en: str

    def __str__(self) -> str:
        return self.get(get_language())

    def get(self, language: str | None) -> str:
        if language and language.startswith("en"):
            return self.en
        return self.fr


class ItemKind(StrEnum):
    TEXT = "text"  # long free text
    SINGLE_CHOICE = "single_choice"  # one option code, with an optional note
    MULTIPLE_CHOICE = "multiple_choice"  # option codes (flat or family → options), optional note
    MATURITY = "maturity"  # a level 0–4 described by a rubric, with a note
    RECORDS = "records"  # a list of records with typed fields


class FieldKind(StrEnum):
    TEXT = "text"  # one line
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    MULTIPLE_CHOICE = "multiple_choice"
    NUMBER = "number"
    MONEY = "money"  # amount + ISO 4217 currency
    DATE = "date"
    REFERENCE = "reference"  # record(s) of another list of the same plan


@dataclass(frozen=True)
class Option:
    code: str
    label: Text
    help: Text | None = None
    options: tuple[Option, ...] = ()  # a family's options, for a checklist tree
    # Where the option stands on the item's scale, for a profile (0 the weakest): required on
    # the options of an item that takes a target, so that now and the target can be compared.
    score: int | None = None

    @property
    def is_family(self) -> bool:
        return bool(self.options)


@dataclass(frozen=True)
class Level:
    """One step of a maturity scale: its number, a short name and what it looks like."""

    level: int
    label: Text
    rubric: Text


@dataclass(frozen=True)
class Field:
    id: str
    kind: FieldKind
    label: Text
    help: Text | None = None
    required: bool = False
    options: tuple[Option, ...] = ()
    references: str | None = None  # id of the records item pointed to
    multiple: bool = False  # a reference to several records
    group: str | None = None  # id of a group of the item, for display


@dataclass(frozen=True)
class Group:
    id: str
    label: Text
    help: Text | None = None


@dataclass(frozen=True)
class Completeness:
    """What a list needs to count as complete (the definition's `complete`): at least
    `min_records` records, or one record per record of the list `each_of` (pointed at through
    the reference field `via`), each with `fields` filled as well as its required ones."""

    min_records: int = 1
    fields: tuple[str, ...] = ()
    each_of: str | None = None
    via: str | None = None


@dataclass(frozen=True)
class Item:
    id: str
    kind: ItemKind
    label: Text
    help: Text | None = None
    options: tuple[Option, ...] = ()
    note: Text | None = None  # label of the free text beside a choice or level
    levels: tuple[Level, ...] = ()
    fields: tuple[Field, ...] = ()
    groups: tuple[Group, ...] = ()
    title_field: str | None = None  # the field that names a record (lists, references)
    record_name: Text | None = None  # what one record is called (« action test », "indicator")
    empty: Text | None = None  # what to put in an empty list, with an example
    max_length: int = 20_000
    max_records: int = 200
    complete: Completeness = Completeness()  # lists only
    # The team sets a target beside the answer: a level (maturity) or an option (single choice,
    # options scored), and the date it should be reached. Part of the maturity profile.
    target: bool = False

    def leaf_options(self) -> tuple[Option, ...]:
        """The options a person can tick: a tree's families are headings, not answers."""
        return tuple(leaf for option in self.options for leaf in (option.options or (option,)))

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def fields_in(self, group_id: str | None) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.group == group_id)

    def family_field(self) -> Field | None:
        """The choice field whose options are the item's field groups (a pilot action's
        family: only the chosen family's fields apply), None when its fields are not grouped
        that way."""
        groups = {group.id for group in self.groups}
        if not groups:
            return None
        return next(
            (
                f
                for f in self.fields
                if f.kind is FieldKind.CHOICE
                and groups <= {leaf.code for o in f.options for leaf in (o.options or (o,))}
            ),
            None,
        )


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    instruction: Text  # the seed's instruction for the section, verbatim
    items: tuple[Item, ...]
    help: Text | None = None
    # Jalon's own instruction, shown first where the seed's does not match its questions (1.2
    # repeats 1.1's); the seed's instruction is still shown, as the worksheet's own.
    lead: Text | None = None


@dataclass(frozen=True)
class Step:
    id: str
    number: int
    title: Text
    sections: tuple[Section, ...]
    help: Text | None = None
    short_title: Text | None = None  # the step bar's name for it on a phone

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(item for section in self.sections for item in section.items)


@dataclass(frozen=True)
class Definition:
    id: str
    version: int
    title: Text
    source: Text
    steps: tuple[Step, ...]
    changes: Text | None = None  # what this version brings to a plan of the previous one
    hash: str = ""  # sha256 of the file's canonical content
    path: str = ""
    _items: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)

    def item(self, item_id: str) -> Item | None:
        return self._items.get(item_id)

    def step(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def step_of(self, item_id: str) -> Step | None:
        return next((s for s in self.steps if any(i.id == item_id for i in s.items)), None)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(self._items.values())

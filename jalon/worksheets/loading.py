"""Reading definition files: YAML → validated `Definition`, or a `DefinitionError` that names the
file, the item and the reason. Bundled definitions are read once per process and cached."""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .schema import (
    LANGUAGES,
    Completeness,
    Definition,
    Field,
    FieldKind,
    Group,
    Item,
    ItemKind,
    Level,
    Option,
    Section,
    Step,
    Text,
)

BUNDLED = Path(__file__).resolve().parent / "definitions"
# A definition file is named `<id>.v<version>.yaml`. Other data lives beside the definitions
# with its own reader: `<id>.rules.v<N>.yaml` (worksheets.rules) and the indicator library
# (worksheets.library).
DEFINITION_FILE = re.compile(r"^[a-z0-9][a-z0-9_-]*\.v[0-9]+\.yaml$")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MATURITY_LEVELS = (0, 1, 2, 3, 4)
CHOICE_FIELDS = (FieldKind.CHOICE, FieldKind.MULTIPLE_CHOICE)


class DefinitionError(ValueError):
    def __init__(self, path: str, where: str, reason: str) -> None:
        self.path, self.where, self.reason = path, where, reason
        super().__init__(f"{path}: {where}: {reason}")


class _Reader:
    """Walks the raw document, turning each part into its dataclass and complaining precisely."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, reason: str) -> DefinitionError:
        return DefinitionError(self.path, where, reason)

    def mapping(
        self, raw: Any, where: str, allowed: set[str], required: set[str]
    ) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(where, "expected a mapping of keys to values")
        unknown = set(raw) - allowed
        if unknown:
            raise self.fail(where, f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
        missing = required - set(raw)
        if missing:
            raise self.fail(where, f"missing key(s): {', '.join(sorted(missing))}")
        return raw

    def sequence(self, raw: Any, where: str, *, non_empty: bool = True) -> list[Any]:
        if not isinstance(raw, list) or (non_empty and not raw):
            raise self.fail(where, "expected a non-empty list" if non_empty else "expected a list")
        return raw

    def identifier(self, raw: Any, where: str) -> str:
        if not isinstance(raw, str | int) or not ID_PATTERN.match(str(raw)):
            raise self.fail(where, f"id {raw!r} must be lower-case letters, digits, '_', '-', '.'")
        return str(raw)

    def text(self, raw: Any, where: str) -> Text:
        if not isinstance(raw, dict) or set(raw) != set(LANGUAGES):
            raise self.fail(where, "a text needs exactly the languages fr and en")
        for language in LANGUAGES:
            if not isinstance(raw[language], str) or not raw[language].strip():
                raise self.fail(where, f"the {language} text is empty")
        return Text(fr=raw["fr"].strip(), en=raw["en"].strip())

    def optional_text(self, raw: dict[str, Any], key: str, where: str) -> Text | None:
        return self.text(raw[key], f"{where}.{key}") if key in raw else None

    def unique(self, ids: list[str], where: str, what: str) -> None:
        seen: set[str] = set()
        for one in ids:
            if one in seen:
                raise self.fail(where, f"{what} {one!r} appears twice")
            seen.add(one)

    def options(self, raw: Any, where: str, *, tree: bool) -> tuple[Option, ...]:
        options = []
        for index, raw_option in enumerate(self.sequence(raw, f"{where}.options")):
            at = f"{where}.options[{index}]"
            data = self.mapping(
                raw_option, at, {"code", "label", "help", "options", "score"}, {"code", "label"}
            )
            score = data.get("score")
            if score is not None and (
                not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 100
            ):
                raise self.fail(at, "score must be a whole number from 0 to 100")
            children: tuple[Option, ...] = ()
            if "options" in data:
                if not tree:
                    raise self.fail(at, "options cannot have options of their own here")
                children = self.options(data["options"], at, tree=False)
            options.append(
                Option(
                    code=self.identifier(data["code"], at),
                    label=self.text(data["label"], f"{at}.label"),
                    help=self.optional_text(data, "help", at),
                    options=children,
                    score=score,
                )
            )
        leaves = [leaf.code for o in options for leaf in (o.options or (o,))]
        self.unique(leaves + [o.code for o in options if o.options], where, "option code")
        return tuple(options)

    def field(self, raw: Any, where: str) -> Field:
        keys = {"id", "kind", "label", "help", "required", "options", "references", "multiple"}
        data = self.mapping(raw, where, keys | {"group"}, {"id", "kind", "label"})
        field_id = self.identifier(data["id"], where)
        at = f"{where} ({field_id})"
        try:
            kind = FieldKind(data["kind"])
        except ValueError:
            kinds = ", ".join(k.value for k in FieldKind)
            raise self.fail(at, f"unknown field kind {data['kind']!r} (one of {kinds})") from None
        if (kind in CHOICE_FIELDS) != ("options" in data):
            raise self.fail(at, "choice fields, and only they, have options")
        if (kind is FieldKind.REFERENCE) != ("references" in data):
            raise self.fail(at, "reference fields, and only they, name the list they reference")
        if "multiple" in data and kind is not FieldKind.REFERENCE:
            raise self.fail(at, "only a reference field can be 'multiple'")
        return Field(
            id=field_id,
            kind=kind,
            label=self.text(data["label"], f"{at}.label"),
            help=self.optional_text(data, "help", at),
            required=bool(data.get("required", False)),
            options=self.options(data["options"], at, tree=False) if "options" in data else (),
            references=str(data["references"]) if "references" in data else None,
            multiple=bool(data.get("multiple", False)),
            group=str(data["group"]) if "group" in data else None,
        )

    def item(self, raw: Any, where: str) -> Item:
        keys = {"id", "kind", "label", "help", "options", "note", "levels", "fields", "groups"}
        keys |= {"title_field", "record_name", "empty", "max_length", "max_records", "complete"}
        keys |= {"target"}
        data = self.mapping(raw, where, keys, {"id", "kind", "label"})
        item_id = self.identifier(data["id"], where)
        at = f"item {item_id}"
        try:
            kind = ItemKind(data["kind"])
        except ValueError:
            kinds = ", ".join(k.value for k in ItemKind)
            raise self.fail(at, f"unknown kind {data['kind']!r} (one of {kinds})") from None
        choice = kind in (ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE)
        if choice != ("options" in data):
            raise self.fail(at, "choice items, and only they, have options")
        if (kind is ItemKind.MATURITY) != ("levels" in data):
            raise self.fail(at, "maturity items, and only they, have levels")
        if (kind is ItemKind.RECORDS) != ("fields" in data):
            raise self.fail(at, "records items, and only they, have fields")
        if "complete" in data and kind is not ItemKind.RECORDS:
            raise self.fail(at, "only lists say what makes them complete")
        if "note" in data and kind in (ItemKind.TEXT, ItemKind.RECORDS):
            raise self.fail(at, "only choice and maturity items have a note")
        target = data.get("target", False)
        if not isinstance(target, bool):
            raise self.fail(at, "target must be true or false")
        if target and kind not in (ItemKind.MATURITY, ItemKind.SINGLE_CHOICE):
            raise self.fail(at, "only maturity and single choice items take a target")
        scored = all(isinstance(o, dict) and "score" in o for o in data.get("options") or [])
        if target and kind is ItemKind.SINGLE_CHOICE and not scored:
            raise self.fail(at, "a single choice that takes a target scores every option")
        levels: tuple[Level, ...] = ()
        if kind is ItemKind.MATURITY:
            levels = self.levels(data["levels"], at)
        fields: tuple[Field, ...] = ()
        groups: tuple[Group, ...] = ()
        if kind is ItemKind.RECORDS:
            fields = tuple(
                self.field(f, f"{at}.fields[{i}]")
                for i, f in enumerate(self.sequence(data["fields"], f"{at}.fields"))
            )
            self.unique([f.id for f in fields], at, "field id")
            groups = tuple(self.group(g, f"{at}.groups") for g in data.get("groups", []))
            group_ids = {g.id for g in groups}
            for f in fields:
                if f.group is not None and f.group not in group_ids:
                    raise self.fail(at, f"field {f.id} is in unknown group {f.group!r}")
            if "title_field" not in data:
                raise self.fail(at, "a list names the field that names its records (title_field)")
            title = next((f for f in fields if f.id == data["title_field"]), None)
            named_by = (FieldKind.TEXT, FieldKind.REFERENCE)
            if title is None or title.kind not in named_by or title.multiple:
                raise self.fail(
                    at, "title_field must be one of its text or single reference fields"
                )
        for key in ("max_length", "max_records"):
            value = data.get(key, 1)
            if not isinstance(value, int) or value < 1:
                raise self.fail(at, f"{key} must be a positive whole number")
        return Item(
            id=item_id,
            kind=kind,
            label=self.text(data["label"], f"{at}.label"),
            help=self.optional_text(data, "help", at),
            options=self.options(data["options"], at, tree=kind is ItemKind.MULTIPLE_CHOICE)
            if choice
            else (),
            note=self.optional_text(data, "note", at),
            levels=levels,
            fields=fields,
            groups=groups,
            title_field=data.get("title_field"),
            record_name=self.optional_text(data, "record_name", at),
            empty=self.optional_text(data, "empty", at),
            max_length=data.get("max_length", 20_000),
            max_records=data.get("max_records", 200),
            complete=self.completeness(data.get("complete"), at, fields)
            if kind is ItemKind.RECORDS
            else Completeness(),
            target=target,
        )

    def completeness(self, raw: Any, where: str, fields: tuple[Field, ...]) -> Completeness:
        """A list's `complete`; without one, one record with its required fields filled."""
        at = f"{where}.complete"
        if raw is None:
            return Completeness()
        data = self.mapping(raw, at, {"min_records", "fields", "each_of", "via"}, set())
        minimum = data.get("min_records", 1)
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
            raise self.fail(at, "min_records must be a whole number from 0")
        known = {f.id: f for f in fields}
        names = [str(name) for name in self.sequence(data.get("fields", []), at, non_empty=False)]
        unknown = [name for name in names if name not in known]
        if unknown:
            raise self.fail(at, f"unknown field(s): {', '.join(unknown)}")
        if ("each_of" in data) != ("via" in data):
            raise self.fail(at, "each_of and via go together")
        via = known.get(str(data.get("via")))
        if "via" in data and (
            via is None or via.kind is not FieldKind.REFERENCE or via.references != data["each_of"]
        ):
            raise self.fail(at, "via must be a reference field of this list to the each_of list")
        return Completeness(
            min_records=minimum,
            fields=tuple(names),
            each_of=data.get("each_of"),
            via=data.get("via"),
        )

    def levels(self, raw: Any, where: str) -> tuple[Level, ...]:
        levels = []
        for index, raw_level in enumerate(self.sequence(raw, f"{where}.levels")):
            at = f"{where}.levels[{index}]"
            data = self.mapping(
                raw_level, at, {"level", "label", "rubric"}, {"level", "label", "rubric"}
            )
            levels.append(
                Level(
                    level=data["level"],
                    label=self.text(data["label"], f"{at}.label"),
                    rubric=self.text(data["rubric"], f"{at}.rubric"),
                )
            )
        if tuple(level.level for level in levels) != MATURITY_LEVELS:
            raise self.fail(where, "a maturity scale has exactly the levels 0, 1, 2, 3, 4 in order")
        return tuple(levels)

    def group(self, raw: Any, where: str) -> Group:
        data = self.mapping(raw, where, {"id", "label", "help"}, {"id", "label"})
        group_id = self.identifier(data["id"], where)
        return Group(
            id=group_id,
            label=self.text(data["label"], f"{where} ({group_id}).label"),
            help=self.optional_text(data, "help", f"{where} ({group_id})"),
        )

    def section(self, raw: Any, where: str) -> Section:
        keys = {"id", "title", "instruction", "help", "items", "lead"}
        data = self.mapping(raw, where, keys, {"id", "title", "instruction", "items"})
        section_id = self.identifier(data["id"], where)
        at = f"section {section_id}"
        return Section(
            id=section_id,
            title=self.text(data["title"], f"{at}.title"),
            instruction=self.text(data["instruction"], f"{at}.instruction"),
            help=self.optional_text(data, "help", at),
            lead=self.optional_text(data, "lead", at),
            items=tuple(
                self.item(item, f"{at}.items[{i}]")
                for i, item in enumerate(self.sequence(data["items"], f"{at}.items"))
            ),
        )

    def step(self, raw: Any, where: str, number: int) -> Step:
        data = self.mapping(
            raw,
            where,
            {"id", "title", "short_title", "help", "sections"},
            {"id", "title", "sections"},
        )
        step_id = self.identifier(data["id"], where)
        at = f"step {step_id}"
        return Step(
            id=step_id,
            number=number,
            title=self.text(data["title"], f"{at}.title"),
            short_title=self.optional_text(data, "short_title", at),
            help=self.optional_text(data, "help", at),
            sections=tuple(
                self.section(s, f"{at}.sections[{i}]")
                for i, s in enumerate(self.sequence(data["sections"], f"{at}.sections"))
            ),
        )

    def definition(self, raw: Any) -> Definition:
        keys = {"id", "version", "title", "source", "steps"}
        data = self.mapping(raw, "definition", keys | {"changes"}, keys)
        if not isinstance(data["version"], int) or data["version"] < 1:
            raise self.fail("definition", "version must be a whole number from 1")
        steps = tuple(
            self.step(s, f"steps[{i}]", i + 1)
            for i, s in enumerate(self.sequence(data["steps"], "steps"))
        )
        self.unique([s.id for s in steps], "definition", "step id")
        self.unique([s.id for step in steps for s in step.sections], "definition", "section id")
        items = [item for step in steps for item in step.items]
        self.unique([i.id for i in items], "definition", "item id")
        by_id = {item.id: item for item in items}
        for item in items:
            for f in item.fields:
                if f.references is None:
                    continue
                target = by_id.get(f.references)
                if target is None or target.kind is not ItemKind.RECORDS:
                    raise self.fail(
                        f"item {item.id}",
                        f"field {f.id} references {f.references!r}, which is not a list",
                    )
        canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return Definition(
            id=self.identifier(data["id"], "definition"),
            version=data["version"],
            title=self.text(data["title"], "definition.title"),
            source=self.text(data["source"], "definition.source"),
            changes=self.optional_text(data, "changes", "definition"),
            steps=steps,
            hash=hashlib.sha256(canonical.encode()).hexdigest(),
            path=self.path,
            _items=by_id,
        )


def load_definition(path: str | Path) -> Definition:
    """Read and validate one definition file; raises DefinitionError on anything wrong."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DefinitionError(str(path), "file", f"cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise DefinitionError(str(path), "file", f"is not valid YAML ({error})") from None
    return _Reader(str(path)).definition(raw)


@cache
def bundled_definitions() -> dict[tuple[str, int], Definition]:
    definitions = {}
    for path in sorted(BUNDLED.glob("*.yaml")):
        if not DEFINITION_FILE.match(path.name):
            continue
        definition = load_definition(path)
        definitions[(definition.id, definition.version)] = definition
    return definitions


def _kept(old: Item, new: Item | None) -> bool:
    """Whether every value `old` accepts is one `new` accepts too (same kind, no code, level,
    field or room taken away, no field newly required)."""
    if new is None or new.kind is not old.kind or (old.note and not new.note):
        return False
    if new.max_length < old.max_length or new.max_records < old.max_records:
        return False
    if {o.code for o in old.leaf_options()} - {o.code for o in new.leaf_options()}:
        return False
    if [lvl.level for lvl in old.levels] != [lvl.level for lvl in new.levels]:
        return False
    fields = {f.id: f for f in new.fields}
    for field in old.fields:
        other = fields.get(field.id)
        if other is None or (other.kind, other.references, other.multiple) != (
            field.kind,
            field.references,
            field.multiple,
        ):
            return False
        if {o.code for o in field.options} - {o.code for o in other.options}:
            return False
    old_fields = {f.id for f in old.fields}
    return not any(f.required and f.id not in old_fields for f in new.fields)


def upgrade_for(definition: Definition) -> Definition | None:
    """The newest bundled version of the same worksheet that a plan on `definition` can move to
    as it is: every answer and record it may hold stays valid there. None when there is none."""
    newer = [
        other
        for (definition_id, version), other in bundled_definitions().items()
        if definition_id == definition.id and version > definition.version
    ]
    for other in sorted(newer, key=lambda d: d.version, reverse=True):
        if all(_kept(item, other.item(item.id)) for item in definition.items):
            return other
    return None


def get_definition(definition_id: str, version: int) -> Definition:
    """A bundled definition; KeyError if no such id and version is bundled."""
    return bundled_definitions()[(definition_id, version)]


def latest_definition(definition_id: str) -> Definition:
    versions = [d for (i, _), d in bundled_definitions().items() if i == definition_id]
    if not versions:
        raise KeyError(definition_id)
    return max(versions, key=lambda d: d.version)

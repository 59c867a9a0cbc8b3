"""Consistency advice, as data: rules read from a versioned YAML file beside a definition, and a
pure function that evaluates them over a plan's answers and records.

A rule's condition is a small tree of declarative forms, never Python: the file is parsed into
the dataclasses below (and refused, with file, rule and reason, when it names an unknown item,
field, option or form), then `evaluate` walks the tree over plain data. Nothing here touches the
database, so the same advice comes out of a page, an export or a test.

The forms, each firing (or not) and naming the records concerned:

- `empty: ITEM`: the item is not answered (a list has no record);
- `chosen: {item, option}`: a choice item holds that option;
- `level: {item, at_most}`: a maturity item's level is set and at most that;
- `each: {list, where?, <check>}`: the records of a list (those whose choice fields hold one of
  the `where` codes) for which the check holds; fires when one does. Checks: `missing: [fields]`
  (one of them empty), `missing_all: [fields]` (all empty), `matches: {field: [codes]}`,
  `not_referenced_by: {list, field}` (no record of that list points at it through that
  reference field), `not_named_in: {field, list, in_field}` (no record of the other list bears
  the same name, see `_same_name`: for lists the definition does not link by reference);
- `date_order: {list, first, then}`: records whose `then` date is before their `first` date;
- `sum_over: {list, field, greater_than: {list, field}}`: money fields summed per currency, the
  first list's total above the second's in some currency (its records are named);
- `all: [...]`, `any: [...]`, `not: ...`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import get_language

from .answers import is_answered
from .display import RecordData
from .loading import BUNDLED, DefinitionError, get_definition
from .schema import LANGUAGES, Definition, Field, FieldKind, Item, ItemKind, Text

RULE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
RULES_FILE = "{id}.rules.v*.yaml"  # beside the definition, e.g. x.rules.v1.yaml


class RulesError(DefinitionError):
    """A rules file that cannot be used: names the file, the rule and the reason."""


class Severity(StrEnum):
    FIX = "fix"  # the plan is wrong or cannot be followed as it stands
    CONSIDER = "consider"  # the plan would be stronger with it


# ---------------------------------------------------------------------------------------------
# The condition tree


@dataclass(frozen=True)
class Empty:
    item: str


@dataclass(frozen=True)
class Chosen:
    item: str
    option: str


@dataclass(frozen=True)
class LevelAtMost:
    item: str
    at_most: int


@dataclass(frozen=True)
class Missing:
    fields: tuple[str, ...]
    every: bool  # missing_all: all the fields empty, not just one


@dataclass(frozen=True)
class Matches:
    codes: tuple[tuple[str, frozenset[str]], ...]  # field → codes, any of them


@dataclass(frozen=True)
class NotReferencedBy:
    list: str
    field: str


@dataclass(frozen=True)
class NotNamedIn:
    field: str  # this list's name field
    list: str
    other_field: str


Check = Missing | Matches | NotReferencedBy | NotNamedIn


@dataclass(frozen=True)
class Each:
    list: str
    where: Matches | None
    check: Check


@dataclass(frozen=True)
class DateOrder:
    list: str
    first: str
    then: str


@dataclass(frozen=True)
class SumOver:
    list: str
    field: str
    other_list: str
    other_field: str


@dataclass(frozen=True)
class All:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    condition: Condition


Condition = Empty | Chosen | LevelAtMost | Each | DateOrder | SumOver | All | AnyOf | Not


@dataclass(frozen=True)
class Rule:
    id: str
    severity: Severity
    items: tuple[str, ...]
    when: Condition
    message: Text


@dataclass(frozen=True)
class RuleSet:
    version: int
    definition_id: str
    definition_version: int
    rules: tuple[Rule, ...]
    path: str = ""


@dataclass(frozen=True)
class Advice:
    """One piece of advice on a plan: which rule, how serious, where, and what to do."""

    rule: str
    severity: Severity
    items: tuple[str, ...]
    records: tuple[str, ...]  # uids of the records concerned, in list order; () for the plan
    message: str


# ---------------------------------------------------------------------------------------------
# Reading and validating a rules file


class _Reader:
    def __init__(self, path: str, definition: Definition) -> None:
        self.path, self.definition = path, definition

    def fail(self, where: str, reason: str) -> RulesError:
        return RulesError(self.path, where, reason)

    def mapping(self, raw: Any, where: str, keys: set[str], required: set[str]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(where, "expected a mapping of keys to values")
        unknown = set(map(str, raw)) - keys
        if unknown:
            raise self.fail(where, f"unknown key(s): {', '.join(sorted(unknown))}")
        missing = required - set(raw)
        if missing:
            raise self.fail(where, f"missing key(s): {', '.join(sorted(missing))}")
        return raw

    def names(self, raw: Any, where: str, what: str) -> tuple[str, ...]:
        values = raw if isinstance(raw, list) else [raw]
        if not values or not all(isinstance(v, str) and v for v in values):
            raise self.fail(where, f"{what} must be a name or a non-empty list of names")
        return tuple(values)

    def item(self, raw: Any, where: str, *kinds: ItemKind) -> Item:
        item = self.definition.item(str(raw)) if isinstance(raw, str | int) else None
        if item is None:
            raise self.fail(where, f"unknown item {raw!r}")
        if kinds and item.kind not in kinds:
            allowed = " or ".join(kind.value for kind in kinds)
            raise self.fail(where, f"item {item.id} is a {item.kind.value}, not a {allowed}")
        return item

    def field(self, item: Item, raw: Any, where: str, *kinds: FieldKind) -> Field:
        field = item.field(str(raw)) if isinstance(raw, str) else None
        if field is None:
            raise self.fail(where, f"unknown field {raw!r} of {item.id}")
        if kinds and field.kind not in kinds:
            allowed = " or ".join(kind.value for kind in kinds)
            raise self.fail(
                where, f"field {item.id}.{field.id} is a {field.kind.value}, not a {allowed}"
            )
        return field

    def matches(self, item: Item, raw: Any, where: str) -> Matches:
        if not isinstance(raw, dict) or not raw:
            raise self.fail(where, "expected a mapping of fields to option codes")
        codes = []
        for name, values in raw.items():
            field = self.field(item, name, where, FieldKind.CHOICE, FieldKind.MULTIPLE_CHOICE)
            wanted = self.names(values, where, f"the codes of {field.id}")
            known = {option.code for option in field.options}
            unknown = [code for code in wanted if code not in known]
            if unknown:
                raise self.fail(
                    where, f"unknown option(s) of {item.id}.{field.id}: {', '.join(unknown)}"
                )
            codes.append((field.id, frozenset(wanted)))
        return Matches(tuple(codes))

    def check(self, item: Item, data: dict[str, Any], where: str) -> Check:
        checks = [
            key
            for key in ("missing", "missing_all", "matches", "not_referenced_by", "not_named_in")
            if key in data
        ]
        if len(checks) != 1:
            raise self.fail(
                where,
                "each needs exactly one of: missing, missing_all, matches, not_referenced_by, "
                "not_named_in",
            )
        key = checks[0]
        raw = data[key]
        if key in ("missing", "missing_all"):
            fields = self.names(raw, where, key)
            for name in fields:
                self.field(item, name, where)
            return Missing(fields, every=key == "missing_all")
        if key == "matches":
            return self.matches(item, raw, where)
        if key == "not_referenced_by":
            spec = self.mapping(raw, f"{where}.{key}", {"list", "field"}, {"list", "field"})
            other = self.item(spec["list"], where, ItemKind.RECORDS)
            field = self.field(other, spec["field"], where, FieldKind.REFERENCE)
            if field.references != item.id:
                raise self.fail(where, f"field {other.id}.{field.id} does not reference {item.id}")
            return NotReferencedBy(other.id, field.id)
        spec = self.mapping(
            raw, f"{where}.{key}", {"field", "list", "in_field"}, {"field", "list", "in_field"}
        )
        own = self.field(item, spec["field"], where, FieldKind.TEXT)
        other = self.item(spec["list"], where, ItemKind.RECORDS)
        return NotNamedIn(
            own.id, other.id, self.field(other, spec["in_field"], where, FieldKind.TEXT).id
        )

    def condition(self, raw: Any, where: str) -> Condition:
        forms = {"empty", "chosen", "level", "each", "date_order", "sum_over", "all", "any", "not"}
        if not isinstance(raw, dict) or len(raw) != 1:
            raise self.fail(where, f"a condition is one of the forms: {', '.join(sorted(forms))}")
        ((form, body),) = raw.items()
        at = f"{where}.{form}"
        if form not in forms:
            raise self.fail(where, f"unknown form {form!r} (one of {', '.join(sorted(forms))})")
        if form == "empty":
            return Empty(self.item(body, at).id)
        if form == "chosen":
            spec = self.mapping(body, at, {"item", "option"}, {"item", "option"})
            item = self.item(spec["item"], at, ItemKind.SINGLE_CHOICE, ItemKind.MULTIPLE_CHOICE)
            if spec["option"] not in {option.code for option in item.leaf_options()}:
                raise self.fail(at, f"unknown option {spec['option']!r} of {item.id}")
            return Chosen(item.id, spec["option"])
        if form == "level":
            spec = self.mapping(body, at, {"item", "at_most"}, {"item", "at_most"})
            item = self.item(spec["item"], at, ItemKind.MATURITY)
            levels = {level.level for level in item.levels}
            if isinstance(spec["at_most"], bool) or spec["at_most"] not in levels:
                raise self.fail(at, f"at_most must be one of the levels {sorted(levels)}")
            return LevelAtMost(item.id, spec["at_most"])
        if form == "each":
            keys = {
                "list",
                "where",
                "missing",
                "missing_all",
                "matches",
                "not_referenced_by",
                "not_named_in",
            }
            spec = self.mapping(body, at, keys, {"list"})
            item = self.item(spec["list"], at, ItemKind.RECORDS)
            where_ = self.matches(item, spec["where"], f"{at}.where") if "where" in spec else None
            return Each(item.id, where_, self.check(item, spec, at))
        if form == "date_order":
            spec = self.mapping(body, at, {"list", "first", "then"}, {"list", "first", "then"})
            item = self.item(spec["list"], at, ItemKind.RECORDS)
            first = self.field(item, spec["first"], at, FieldKind.DATE)
            then = self.field(item, spec["then"], at, FieldKind.DATE)
            return DateOrder(item.id, first.id, then.id)
        if form == "sum_over":
            spec = self.mapping(
                body, at, {"list", "field", "greater_than"}, {"list", "field", "greater_than"}
            )
            item = self.item(spec["list"], at, ItemKind.RECORDS)
            field = self.field(item, spec["field"], at, FieldKind.MONEY)
            other_at = f"{at}.greater_than"
            other_spec = self.mapping(
                spec["greater_than"], other_at, {"list", "field"}, {"list", "field"}
            )
            other = self.item(other_spec["list"], other_at, ItemKind.RECORDS)
            other_field = self.field(other, other_spec["field"], other_at, FieldKind.MONEY)
            return SumOver(item.id, field.id, other.id, other_field.id)
        if form == "not":
            return Not(self.condition(body, at))
        if not isinstance(body, list) or not body:
            raise self.fail(at, "expected a non-empty list of conditions")
        parts = tuple(self.condition(part, f"{at}[{i}]") for i, part in enumerate(body))
        return All(parts) if form == "all" else AnyOf(parts)

    def message(self, raw: Any, where: str) -> Text:
        if not isinstance(raw, dict):
            raise self.fail(where, "a message is a text per language: fr and en")
        missing = [language for language in LANGUAGES if language not in raw]
        if missing:
            raise self.fail(where, f"missing message language(s): {', '.join(missing)}")
        unknown = set(map(str, raw)) - set(LANGUAGES)
        if unknown:
            raise self.fail(where, f"unknown message language(s): {', '.join(sorted(unknown))}")
        for language in LANGUAGES:
            if not isinstance(raw[language], str) or not raw[language].strip():
                raise self.fail(where, f"the {language} message is empty")
        return Text(fr=raw["fr"].strip(), en=raw["en"].strip())

    def rule(self, raw: Any, index: int) -> Rule:
        keys = {"id", "severity", "items", "when", "message"}
        data = self.mapping(raw, f"rules[{index}]", keys, keys)
        rule_id = data["id"]
        if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
            raise self.fail(f"rules[{index}]", f"id {rule_id!r} must be kebab-case (a-z, 0-9, '-')")
        at = f"rule {rule_id}"
        try:
            severity = Severity(data["severity"])
        except ValueError:
            raise self.fail(
                at, f"unknown severity {data['severity']!r} (fix or consider)"
            ) from None
        items = self.names(data["items"], f"{at}.items", "items")
        for item_id in items:
            self.item(item_id, f"{at}.items")
        return Rule(
            id=rule_id,
            severity=severity,
            items=items,
            when=self.condition(data["when"], f"{at}.when"),
            message=self.message(data["message"], f"{at}.message"),
        )

    def rule_set(self, raw: Any) -> RuleSet:
        keys = {"version", "definition", "rules"}
        data = self.mapping(raw, "rules file", keys, keys)
        spec = self.mapping(data["definition"], "definition", {"id", "version"}, {"id", "version"})
        if (spec["id"], spec["version"]) != (self.definition.id, self.definition.version):
            raise self.fail(
                "definition",
                f"written for {spec['id']} v{spec['version']}, "
                f"not {self.definition.id} v{self.definition.version}",
            )
        if (
            not isinstance(data["version"], int)
            or isinstance(data["version"], bool)
            or data["version"] < 1
        ):
            raise self.fail("rules file", "version must be a whole number from 1")
        if not isinstance(data["rules"], list) or not data["rules"]:
            raise self.fail("rules file", "rules must be a non-empty list")
        rules = tuple(self.rule(raw_rule, i) for i, raw_rule in enumerate(data["rules"]))
        seen: set[str] = set()
        for rule in rules:
            if rule.id in seen:
                raise self.fail(f"rule {rule.id}", "this id appears twice")
            seen.add(rule.id)
        return RuleSet(
            data["version"], self.definition.id, self.definition.version, rules, self.path
        )


def load_rules(path: str | Path, definition: Definition) -> RuleSet:
    """Read and validate one rules file against its definition; raises RulesError."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise RulesError(str(path), "file", f"cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise RulesError(str(path), "file", f"is not valid YAML ({error})") from None
    return _Reader(str(path), definition).rule_set(raw)


def rules_beside(definition: Definition, folder: Path) -> list[RuleSet]:
    """The rules files in `folder` written for this definition's id and version, each validated
    (a file for another version of the definition is not this one's business)."""
    found = []
    for path in sorted(folder.glob(RULES_FILE.format(id=definition.id))):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            raw = None  # load_rules below says what is wrong with it
        target = raw.get("definition") if isinstance(raw, dict) else None
        if isinstance(target, dict) and target.get("version") != definition.version:
            continue
        found.append(load_rules(path, definition))
    return found


@cache
def bundled_rules(definition_id: str, version: int) -> tuple[Rule, ...]:
    """The bundled rules for a bundled definition (its latest rules file); () when none."""
    sets = rules_beside(get_definition(definition_id, version), BUNDLED)
    return max(sets, key=lambda s: s.version).rules if sets else ()


# ---------------------------------------------------------------------------------------------
# Evaluation


Answers = Mapping[str, Any]
Records = Mapping[str, RecordData]
Finding = tuple[str, ...] | None  # None: quiet; a tuple: fired, with the records concerned


def _blank(value: Any) -> bool:
    return value in (None, "", [], {})


def _held(value: Any) -> set[str]:
    if isinstance(value, list):
        return {str(v) for v in value}
    return set() if value is None else {str(value)}


def _names(text: Any) -> set[str]:
    """A name and the parts of it in and out of brackets, without case, accents or extra spaces:
    « Charretiers (Union des GIE) » is known as itself, « charretiers » and « union des gie »."""
    if not isinstance(text, str):
        return set()
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    parts = [plain, *re.split(r"[()\[\]]", plain)]
    return {" ".join(re.findall(r"\w+", part)) for part in parts} - {""}


def _same_name(one: set[str], other: set[str]) -> bool:
    # Lists name the same body in longer or shorter words; a part of four letters or more of one
    # name found whole in the other is taken as the same body.
    return any(
        re.search(rf"\b{re.escape(a)}\b", b) or re.search(rf"\b{re.escape(b)}\b", a)
        for a in one
        for b in other
        if min(len(a), len(b)) >= 4
    )


def _amount(value: Any) -> tuple[str, Decimal] | None:
    if not isinstance(value, Mapping):
        return None
    try:
        amount = Decimal(str(value.get("amount")))
    except InvalidOperation:
        return None
    currency = value.get("currency")
    return (currency, amount) if isinstance(currency, str) and amount.is_finite() else None


class _Plan:
    def __init__(self, definition: Definition, answers: Answers, records: Records) -> None:
        self.definition, self.answers, self.records = definition, answers, records

    def rows(self, list_id: str) -> RecordData:
        return self.records.get(list_id, ())

    def matches(self, data: Mapping[str, Any], matches: Matches) -> bool:
        return all(_held(data.get(field)) & codes for field, codes in matches.codes)

    def failing(self, each: Each) -> Callable[[Mapping[str, Any]], bool] | None:
        """The record test of an `each`'s check; None for the checks that look at the uid."""
        check = each.check
        if isinstance(check, Missing):
            if check.every:
                return lambda data: all(_blank(data.get(f)) for f in check.fields)
            return lambda data: any(_blank(data.get(f)) for f in check.fields)
        if isinstance(check, Matches):
            return lambda data: self.matches(data, check)
        if isinstance(check, NotNamedIn):
            known = [_names(data.get(check.other_field)) for _uid, data in self.rows(check.list)]
            return lambda data: not any(_same_name(_names(data.get(check.field)), k) for k in known)
        return None

    def each(self, each: Each) -> Finding:
        rows = [(uid, data) for uid, data in self.rows(each.list)]
        if each.where is not None:
            rows = [(uid, data) for uid, data in rows if self.matches(data, each.where)]
        test = self.failing(each)
        if test is not None:
            uids = tuple(uid for uid, data in rows if test(data))
        else:
            check = each.check
            if not isinstance(check, NotReferencedBy):  # pragma: no cover -- the only one left
                raise TypeError(check)
            referenced = set().union(
                *(_held(d.get(check.field)) for _u, d in self.rows(check.list))
            )
            uids = tuple(uid for uid, _data in rows if uid not in referenced)
        return uids or None

    def sum_over(self, rule: SumOver) -> Finding:
        def totals(list_id: str, field: str) -> dict[str, Decimal]:
            sums: dict[str, Decimal] = defaultdict(Decimal)
            for _uid, data in self.rows(list_id):
                amount = _amount(data.get(field))
                if amount:
                    sums[amount[0]] += amount[1]
            return sums

        spent, available = totals(rule.list, rule.field), totals(rule.other_list, rule.other_field)
        over = {currency for currency, total in spent.items() if total > available.get(currency, 0)}
        uids = tuple(
            uid
            for uid, data in self.rows(rule.list)
            if (amount := _amount(data.get(rule.field))) and amount[0] in over
        )
        return uids or None

    def evaluate(self, condition: Condition) -> Finding:
        if isinstance(condition, Empty):
            item = self.definition.item(condition.item)
            if item is None:  # pragma: no cover -- refused when the rules were loaded
                raise KeyError(condition.item)
            if item.kind is ItemKind.RECORDS:
                return None if self.rows(item.id) else ()
            return None if is_answered(item, self.answers.get(item.id)) else ()
        if isinstance(condition, Chosen):
            value = self.answers.get(condition.item)
            held = (
                _held(value.get("choice") or value.get("choices"))
                if isinstance(value, Mapping)
                else set()
            )
            return () if condition.option in held else None
        if isinstance(condition, LevelAtMost):
            value = self.answers.get(condition.item)
            level = value.get("level") if isinstance(value, Mapping) else None
            low = isinstance(level, int) and level <= condition.at_most
            return () if low else None
        if isinstance(condition, Each):
            return self.each(condition)
        if isinstance(condition, DateOrder):
            uids = tuple(
                uid
                for uid, data in self.rows(condition.list)
                if isinstance(data.get(condition.first), str)
                and isinstance(data.get(condition.then), str)
                and data[condition.then] < data[condition.first]  # ISO dates sort as text
            )
            return uids or None
        if isinstance(condition, SumOver):
            return self.sum_over(condition)
        if isinstance(condition, Not):
            return () if self.evaluate(condition.condition) is None else None
        findings = [self.evaluate(part) for part in condition.conditions]
        fired = [f for f in findings if f is not None]
        if isinstance(condition, All) and len(fired) < len(findings):
            return None
        if not fired:
            return None
        return tuple(dict.fromkeys(uid for f in fired for uid in f))


def evaluate(
    rules: Sequence[Rule],
    definition: Definition,
    answers: Answers,
    records: Records,
    *,
    language: str | None = None,
) -> list[Advice]:
    """The advice the rules give on a plan. `answers`: item id → stored value; `records`: list
    item id → its records as (uid, data), in order. Messages in `language` (default: active)."""
    plan = _Plan(definition, answers, records)
    language = language or get_language()
    advice = []
    for rule in rules:
        finding = plan.evaluate(rule.when)
        if finding is not None:
            advice.append(
                Advice(rule.id, rule.severity, rule.items, finding, rule.message.get(language))
            )
    return advice

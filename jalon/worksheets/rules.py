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
  `beyond_horizon: FIELD` (a date after the plan's horizon; never without a horizon); and
  `unless: {<check>}`: a record for which that other check holds is left out;
- `date_order: {list, first, then}`: records whose `then` date is before their `first` date;
  `first` may be `REFERENCE.FIELD`: the date of the record that reference field points at
  (a measurement dated before its indicator's baseline);
- `target_beyond_horizon: [ITEMS]`: items that take a target whose target date is after the
  plan's horizon; `target_below_current: [ITEMS]`: items whose target is below the current
  answer (a maturity level; a position's option by its `score`). Both name those items only;
- `sum_over: {list, field, greater_than: {list, field}}`: money fields summed per currency, the
  first list's total above the second's in some currency (its records are named);
- `all: [...]`, `any: [...]`, `not: ...`.

The plan's horizon (the date by which it should be carried out) is given to `evaluate` as plain
data: the forms that compare with it are quiet while it is not set.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
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
CHECKS = (
    "missing",
    "missing_all",
    "matches",
    "not_referenced_by",
    "not_named_in",
    "beyond_horizon",
)
FORMS = (
    "empty",
    "chosen",
    "level",
    "each",
    "date_order",
    "sum_over",
    "target_beyond_horizon",
    "target_below_current",
    "all",
    "any",
    "not",
)


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


@dataclass(frozen=True)
class BeyondHorizon:
    field: str


Check = Missing | Matches | NotReferencedBy | NotNamedIn | BeyondHorizon


@dataclass(frozen=True)
class Each:
    list: str
    where: Matches | None
    check: Check
    unless: Check | None = None


@dataclass(frozen=True)
class DateOrder:
    list: str
    first: str
    then: str
    via: str = ""  # a reference field of `list`: `first` is then a field of the record it names


@dataclass(frozen=True)
class TargetBeyondHorizon:
    items: tuple[str, ...]


@dataclass(frozen=True)
class TargetBelowCurrent:
    items: tuple[str, ...]


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


Condition = (
    Empty
    | Chosen
    | LevelAtMost
    | Each
    | DateOrder
    | SumOver
    | TargetBeyondHorizon
    | TargetBelowCurrent
    | All
    | AnyOf
    | Not
)


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
        checks = [key for key in CHECKS if key in data]
        if len(checks) != 1:
            raise self.fail(where, f"each needs exactly one of: {', '.join(CHECKS)}")
        key = checks[0]
        raw = data[key]
        if key in ("missing", "missing_all"):
            fields = self.names(raw, where, key)
            for name in fields:
                self.field(item, name, where)
            return Missing(fields, every=key == "missing_all")
        if key == "matches":
            return self.matches(item, raw, where)
        if key == "beyond_horizon":
            return BeyondHorizon(self.field(item, raw, where, FieldKind.DATE).id)
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
        forms = set(FORMS)
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
            spec = self.mapping(body, at, {"list", "where", "unless", *CHECKS}, {"list"})
            item = self.item(spec["list"], at, ItemKind.RECORDS)
            where_ = self.matches(item, spec["where"], f"{at}.where") if "where" in spec else None
            unless = None
            if "unless" in spec:
                unless_at = f"{at}.unless"
                unless_spec = self.mapping(spec["unless"], unless_at, set(CHECKS), set())
                unless = self.check(item, unless_spec, unless_at)
            return Each(item.id, where_, self.check(item, spec, at), unless)
        if form == "date_order":
            spec = self.mapping(body, at, {"list", "first", "then"}, {"list", "first", "then"})
            item = self.item(spec["list"], at, ItemKind.RECORDS)
            then = self.field(item, spec["then"], at, FieldKind.DATE)
            via, _dot, first_name = str(spec["first"]).rpartition(".")
            if not via:
                first = self.field(item, first_name, at, FieldKind.DATE)
                return DateOrder(item.id, first.id, then.id)
            reference = self.field(item, via, at, FieldKind.REFERENCE)
            other = self.item(reference.references, at, ItemKind.RECORDS)
            if reference.multiple:
                raise self.fail(at, f"field {item.id}.{via} names several records, not one")
            first = self.field(other, first_name, at, FieldKind.DATE)  # on the record named
            return DateOrder(item.id, first.id, then.id, via=reference.id)
        if form in ("target_beyond_horizon", "target_below_current"):
            items = []
            for name in self.names(body, at, "items"):
                target = self.item(name, at, ItemKind.MATURITY, ItemKind.SINGLE_CHOICE)
                if not target.target:
                    raise self.fail(at, f"item {target.id} takes no target")
                items.append(target.id)
            if form == "target_beyond_horizon":
                return TargetBeyondHorizon(tuple(items))
            return TargetBelowCurrent(tuple(items))
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


@dataclass(frozen=True)
class Found:
    """A condition that holds: the records it names and, for the forms that look at some of
    the rule's items only, those items."""

    records: tuple[str, ...] = ()
    items: tuple[str, ...] = field(default=())


Finding = Found | None  # None: quiet
FIRED = Found()


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


RecordTest = Callable[[str, Mapping[str, Any]], bool]


def _found(uids: Sequence[str]) -> Finding:
    return Found(tuple(uids)) if uids else None


class _Plan:
    def __init__(
        self, definition: Definition, answers: Answers, records: Records, horizon: date | None
    ) -> None:
        self.definition, self.answers, self.records = definition, answers, records
        # ISO dates sort as text: stored dates are compared with it as they are.
        self.horizon = horizon.isoformat() if horizon else None

    def rows(self, list_id: str) -> RecordData:
        return self.records.get(list_id, ())

    def matches(self, data: Mapping[str, Any], matches: Matches) -> bool:
        return all(_held(data.get(field)) & codes for field, codes in matches.codes)

    def after_horizon(self, value: Any) -> bool:
        return self.horizon is not None and isinstance(value, str) and value > self.horizon

    def record_test(self, check: Check) -> RecordTest:
        """Whether a record (uid, data) of the list is one the check names."""
        if isinstance(check, Missing):
            if check.every:
                return lambda _uid, data: all(_blank(data.get(f)) for f in check.fields)
            return lambda _uid, data: any(_blank(data.get(f)) for f in check.fields)
        if isinstance(check, Matches):
            return lambda _uid, data: self.matches(data, check)
        if isinstance(check, BeyondHorizon):
            return lambda _uid, data: self.after_horizon(data.get(check.field))
        if isinstance(check, NotNamedIn):
            known = [_names(data.get(check.other_field)) for _uid, data in self.rows(check.list)]
            return lambda _uid, data: (
                not any(_same_name(_names(data.get(check.field)), k) for k in known)
            )
        referenced = set().union(*(_held(d.get(check.field)) for _u, d in self.rows(check.list)))
        return lambda uid, _data: uid not in referenced

    def each(self, each: Each) -> Finding:
        rows = [(uid, data) for uid, data in self.rows(each.list)]
        if each.where is not None:
            rows = [(uid, data) for uid, data in rows if self.matches(data, each.where)]
        test = self.record_test(each.check)
        unless = self.record_test(each.unless) if each.unless else lambda _uid, _data: False
        return _found([uid for uid, data in rows if test(uid, data) and not unless(uid, data)])

    def date_order(self, rule: DateOrder) -> Finding:
        dates = {uid: data.get(rule.first) for uid, data in self.rows(rule.list)}
        if rule.via:  # the date is on the record the reference names
            named = {uid: data.get(rule.first) for uid, data in self.rows(self.via_list(rule))}
            dates = {uid: named.get(str(data.get(rule.via))) for uid, data in self.rows(rule.list)}
        return _found(
            [
                uid
                for uid, data in self.rows(rule.list)
                if isinstance(first := dates.get(uid), str)
                and isinstance(then := data.get(rule.then), str)
                and then < first  # ISO dates sort as text
            ]
        )

    def via_list(self, rule: DateOrder) -> str:
        item = self.definition.item(rule.list)
        reference = item.field(rule.via) if item else None
        if reference is None or reference.references is None:  # pragma: no cover -- refused
            raise KeyError(rule.via)  # when the rules were loaded
        return reference.references

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
        return _found(
            [
                uid
                for uid, data in self.rows(rule.list)
                if (amount := _amount(data.get(rule.field))) and amount[0] in over
            ]
        )

    def target_below(self, item_id: str) -> bool:
        value = self.answers.get(item_id)
        item = self.definition.item(item_id)
        if not isinstance(value, Mapping) or item is None:
            return False
        if item.kind is ItemKind.MATURITY:
            now, target = value.get("level"), value.get("target")
        else:  # a position: its options' place on the scale
            scores = {option.code: option.score for option in item.leaf_options()}
            now, target = scores.get(str(value.get("choice"))), scores.get(str(value.get("target")))
        return isinstance(now, int) and isinstance(target, int) and target < now

    def target_after_horizon(self, item_id: str) -> bool:
        value = self.answers.get(item_id)
        return isinstance(value, Mapping) and self.after_horizon(value.get("target_date"))

    def evaluate(self, condition: Condition) -> Finding:
        if isinstance(condition, Empty):
            item = self.definition.item(condition.item)
            if item is None:  # pragma: no cover -- refused when the rules were loaded
                raise KeyError(condition.item)
            if item.kind is ItemKind.RECORDS:
                return None if self.rows(item.id) else FIRED
            return None if is_answered(item, self.answers.get(item.id)) else FIRED
        if isinstance(condition, Chosen):
            value = self.answers.get(condition.item)
            held = (
                _held(value.get("choice") or value.get("choices"))
                if isinstance(value, Mapping)
                else set()
            )
            return FIRED if condition.option in held else None
        if isinstance(condition, LevelAtMost):
            value = self.answers.get(condition.item)
            level = value.get("level") if isinstance(value, Mapping) else None
            low = isinstance(level, int) and level <= condition.at_most
            return FIRED if low else None
        if isinstance(condition, Each):
            return self.each(condition)
        if isinstance(condition, DateOrder):
            return self.date_order(condition)
        if isinstance(condition, SumOver):
            return self.sum_over(condition)
        if isinstance(condition, TargetBeyondHorizon | TargetBelowCurrent):
            test = (
                self.target_after_horizon
                if isinstance(condition, TargetBeyondHorizon)
                else self.target_below
            )
            items = tuple(item_id for item_id in condition.items if test(item_id))
            return Found(items=items) if items else None
        if isinstance(condition, Not):
            return FIRED if self.evaluate(condition.condition) is None else None
        findings = [self.evaluate(part) for part in condition.conditions]
        fired = [f for f in findings if f is not None]
        if isinstance(condition, All) and len(fired) < len(findings):
            return None
        if not fired:
            return None
        return Found(
            tuple(dict.fromkeys(uid for f in fired for uid in f.records)),
            tuple(dict.fromkeys(item_id for f in fired for item_id in f.items)),
        )


def evaluate(
    rules: Sequence[Rule],
    definition: Definition,
    answers: Answers,
    records: Records,
    *,
    language: str | None = None,
    horizon: date | None = None,
) -> list[Advice]:
    """The advice the rules give on a plan. `answers`: item id → stored value; `records`: list
    item id → its records as (uid, data), in order; `horizon`: the date by which the plan should
    be carried out, if set. Messages in `language` (default: active)."""
    plan = _Plan(definition, answers, records, horizon)
    language = language or get_language()
    advice = []
    for rule in rules:
        found = plan.evaluate(rule.when)
        if found is not None:
            # A form that names some of the rule's items (a target per question) narrows it.
            items = found.items or rule.items
            advice.append(
                Advice(rule.id, rule.severity, items, found.records, rule.message.get(language))
            )
    return advice

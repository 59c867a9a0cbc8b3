"""Reading a plan file (the JSON export, `jalon.reports.to_json`) back, before anything is written.

`read_limited` reads an upload or a file without ever holding more than the size limit;
`parse` turns its bytes into a `PlanFile` checked against the worksheet definition the file names,
or raises `PlanFileError` with every problem found (up to `MAX_ERRORS`), each naming the item,
the record and what is wrong, in the person's language. The file may come from anyone: its size,
its nesting, the number of its parts and the length of every text are bounded before use.

Values are checked by the engine's own `clean_answer` / `clean_record`, the checks of every
other write; `jalon.plans.services.plan_import` runs them again as it writes. Who wrote each
answer and record, and when, is kept from the file (`Authorship`) with where the file came from
(`Source`): an imported plan says whose words it holds.

Plan import lives in this room: this module reads a file, `services.plan_import` writes it, and
`views_import` (the upload page) and the `import_plan` command are thin shells over both.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from typing import IO, Any, TypeGuard

from django.utils.translation import gettext as _

from jalon.worksheets.answers import AnswerError, clean_answer, clean_record
from jalon.worksheets.loading import bundled_definitions
from jalon.worksheets.schema import Definition, Item, ItemKind
from jalon.worksheets.survey import CHOICE_KINDS, Survey, bundled_survey
from jalon.worksheets.text import text_problem

from .models import UrbanService

# The file's identity, written by `jalon.reports.to_json` and checked here.
FORMAT = "jalon-plan"
FORMAT_VERSION = 2
# Version 2 adds the plan's `horizon` (imported) and what Jalon computes or keeps around the plan:
# `scores` (the maturity profile), `advice` (with what was set aside), `snapshots` (the kept
# versions' names and dates): informative, never imported, since the importing server computes
# its own and the versions stay with the plan they froze. A version 1 file reads as before.
READABLE_VERSIONS = (1, 2)

MAX_BYTES = 10 * 1024 * 1024  # 10 MB: a full plan (every list at 200 records) is about 3 MB
# The format nests at most 6 containers deep (root › lists › list › record › data › money);
# anything deeper is not a plan, and unbounded nesting is a classic way to exhaust a parser.
MAX_DEPTH = 8
# Objects and arrays: a full plan holds under 30,000. Counted on the raw text before parsing (an
# upper bound: brackets inside texts count too), so a file of millions of tiny `[]` is refused
# before it becomes millions of Python objects.
MAX_CONTAINERS = 200_000
MAX_ERRORS = 20  # more would only bury the first ones
MAX_MESSAGE = 300  # a problem quotes what the file holds: never a whole hostile string
CONTAINERS = (dict, list)  # a tuple: isinstance with `dict | list` is several times slower
UID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # Record.uid is at most 32 characters
TITLE_LENGTH = 200  # Plan.title
SERVICE_OTHER_LENGTH = 120  # Plan.service_other
INFO_LENGTH = 1000  # informative texts: dates, names of the organisation and of writers

ROOT_REQUIRED = {"format", "format_version", "definition", "plan"}
# `review` (the exported plan's review state and validation) is informative: whatever it says,
# an imported plan starts as a draft here, validated by nobody on this server.
ROOT_OPTIONAL = {"exported_at", "organisation", "answers", "lists", "revision_count", "review"}
INFORMATIVE_V2 = {"scores": dict, "advice": list, "snapshots": list, "operators": list}
# Informative: not imported as values, but who wrote what and when is kept as provenance.
INFO = {"version", "updated_at", "updated_by"}
AUTHOR_LENGTH = 150  # User.name


class PlanFileError(ValueError):
    """The file cannot be imported; `messages` says every reason found, one per problem."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


@dataclass(frozen=True)
class Authorship:
    """Who last wrote an answer or record in the plan the file was exported from, and when, as
    the file says (a name, not an account of this server)."""

    by: str = ""
    at: datetime.datetime | None = None


@dataclass(frozen=True)
class Source:
    """Where a plan file came from: the municipality and plan it was exported from, and when."""

    organisation: str = ""
    title: str = ""
    exported_at: datetime.datetime | None = None
    revision_count: int | None = None


@dataclass(frozen=True)
class ImportedRecord:
    uid: str  # the id in the file; kept on import when no other plan uses it
    data: dict[str, Any]
    authorship: Authorship = Authorship()


@dataclass(frozen=True)
class PlanFile:
    """A plan file's content, checked: what `plan_import` writes."""

    definition: Definition
    title: str
    service: str
    service_other: str
    answers: dict[str, Any]  # item id → cleaned value, in definition order
    lists: dict[str, tuple[ImportedRecord, ...]]  # item id → records in list order
    source: Source = Source()
    authorship: dict[str, Authorship] = field(default_factory=dict)  # answers' item id → who
    horizon: datetime.date | None = None
    # The operators' survey kept as evidence of step 2, checked against the survey: written by
    # the field room when `plan_imported` says the plan was made (plans does not know it).
    operators: tuple[ImportedOperator, ...] = ()


@dataclass(frozen=True)
class ImportedOperator:
    instance_id: str
    submitted: datetime.datetime | None
    answers: dict[str, str | list[str]]
    latitude: float | None
    longitude: float | None
    source: str


def _is_int(value: Any) -> TypeGuard[int]:
    return type(value) is int  # not a bool, not 1.0


def _short(value: Any, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def item_name(item: Item) -> str:
    """An item as a message names it: its question, shortened, and its id."""
    label = str(item.label)
    label = label if len(label) <= 60 else label[:59] + "…"
    return _("“%(label)s” (%(id)s)") % {"label": label, "id": item.id}


def record_name(item: Item, number: int, uid: Any) -> str:
    return _("%(item)s, record %(number)s (id %(uid)s)") % {
        "item": item_name(item),
        "number": number,
        "uid": _short(uid),
    }


def problem_in(where: str, problem: str) -> str:
    return _("%(where)s: %(problem)s") % {"where": where, "problem": problem}


def read_limited(stream: IO[bytes], limit: int = MAX_BYTES) -> bytes:
    """At most `limit` bytes of `stream`; one byte more means the file is too large."""
    content = stream.read(limit + 1)
    if len(content) > limit:
        raise PlanFileError([too_large_message(limit)])
    return content


def too_large_message(limit: int = MAX_BYTES) -> str:
    return _("The file is larger than %(limit)s MB: a plan file is never that large.") % {
        "limit": limit // (1024 * 1024)
    }


class Problems:
    """Collects messages; the first MAX_ERRORS are kept, the others counted. `error`: what
    `raise_if_any` raises with them (the submissions import has its own)."""

    error: type[PlanFileError] = PlanFileError

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.more = 0

    def add(self, message: str) -> None:
        if len(message) > MAX_MESSAGE:
            message = message[: MAX_MESSAGE - 1] + "…"
        if len(self.messages) < MAX_ERRORS:
            self.messages.append(message)
        else:
            self.more += 1

    def raise_if_any(self) -> None:
        if not self.messages:
            return
        messages = list(self.messages)
        if self.more:
            messages.append(_("… and %(count)s more problems.") % {"count": self.more})
        raise self.error(messages)


def _fail(message: str) -> PlanFileError:
    return PlanFileError([message])


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """JSON objects without duplicate keys: with two "title"s, which one did the author mean?"""
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    seen: set[str] = set()
    for key, _value in pairs:
        if key in seen:
            raise _fail(
                _("The key %(key)s appears twice in the same object: the file is ambiguous.")
                % {"key": _short(key)}
            )
        seen.add(key)
    return result


def _refuse_constant(name: str) -> Any:
    raise _fail(_("The file holds %(name)s, which is not a JSON number.") % {"name": name})


def _too_deep() -> PlanFileError:
    return _fail(
        _("The file nests data more than %(max)s levels deep: it is not a plan file.")
        % {"max": MAX_DEPTH}
    )


def _check_tree(root: Any) -> None:
    """Bounded nesting. (Texts are checked where they are read, by the one text rule, so that
    a NUL or an ESC is named with the item and record it is in.)"""
    stack: list[tuple[Any, int]] = [(root, 1)] if isinstance(root, CONTAINERS) else []
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        for child in node.values() if isinstance(node, dict) else node:
            if isinstance(child, CONTAINERS):
                stack.append((child, depth + 1))


def _decode(content: bytes) -> Any:
    """Bytes → JSON value, with bounded size, nesting and parts; a clear message otherwise."""
    if len(content) > MAX_BYTES:
        raise _fail(too_large_message())
    if content.startswith(b"\xef\xbb\xbf"):  # a byte order mark, as some Windows editors write
        content = content[3:]
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _fail(
            _(
                "The file is not UTF-8 text (byte %(position)s): it is not a Jalon plan file, "
                "or it was damaged."
            )
            % {"position": error.start}
        ) from None
    if not text.strip():
        raise _fail(_("The file is empty."))
    if text.count("{") + text.count("[") > MAX_CONTAINERS:
        raise _fail(
            _("The file holds more than %(max)s objects and arrays: it is not a plan file.")
            % {"max": MAX_CONTAINERS}
        )
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_refuse_constant)
    except PlanFileError:  # a duplicate key or a NaN, from the hooks above
        raise
    except json.JSONDecodeError as error:
        # Cut-off text fails at its very end, or in a string left open (JSON strings hold no
        # raw line breaks, so an unterminated one always runs to the end of the file).
        # Or inside a literal: a file cut in « null » ends in « nu ».
        rest = text[error.pos :].rstrip()
        in_literal = bool(rest) and any(word.startswith(rest) for word in ("true", "false", "null"))
        if (
            error.pos >= len(text.rstrip())
            or in_literal
            or error.msg.startswith("Unterminated string")
        ):
            raise _fail(
                _("The file ends too early: it was cut off, perhaps during a download.")
            ) from None
        raise _fail(
            _("The file is not valid JSON: %(reason)s (line %(line)s, column %(column)s).")
            % {"reason": error.msg, "line": error.lineno, "column": error.colno}
        ) from None
    except RecursionError:
        raise _too_deep() from None
    except ValueError as error:  # e.g. an integer of thousands of digits
        raise _fail(
            _("The file is not valid JSON: %(reason)s.") % {"reason": str(error)[:100]}
        ) from None
    _check_tree(data)
    return data


def _object(raw: Any, what: str, required: Set[str], optional: Set[str]) -> dict[str, Any]:
    """A JSON object with exactly the expected keys, else a message naming them."""
    if not isinstance(raw, dict):
        raise _fail(_("%(what)s must be a JSON object.") % {"what": what})
    missing = sorted(required - set(raw))
    if missing:
        raise _fail(
            _("%(what)s lacks %(keys)s.") % {"what": what, "keys": ", ".join(map(repr, missing))}
        )
    unknown = sorted(set(raw) - required - optional)
    if unknown:
        raise _fail(
            _("%(what)s has unknown key(s): %(keys)s.")
            % {"what": what, "keys": ", ".join(_short(key) for key in unknown[:5])}
        )
    return raw


def _info(raw: Mapping[str, Any], key: str, where: str, problems: Problems) -> Any:
    """An informative part (a version, a date, a name): not imported as a value, but kept as
    provenance, so it still must be what the format says. Returns it, or None."""
    if key not in raw or raw[key] is None:
        return None
    value = raw[key]
    if key in ("version", "revision_count"):
        valid = _is_int(value) and value >= 0
        expected = _("a whole number")
    else:
        valid = isinstance(value, str) and len(value) <= INFO_LENGTH
        expected = _("a text of at most %(max)s characters") % {"max": INFO_LENGTH}
    if not valid:
        problems.add(
            problem_in(
                where, _("%(key)r must be %(expected)s.") % {"key": key, "expected": expected}
            )
        )
        return None
    if isinstance(value, str) and (problem := text_problem(value, repr(key))):
        problems.add(problem_in(where, problem))
        return None
    return value


def _has_unknown_keys(
    entry: Mapping[str, Any], known: Set[str], where: str, problems: Problems
) -> bool:
    """Says (once) which keys of an answer or record the format does not have."""
    unknown = sorted(set(entry) - known)
    if unknown:
        keys = ", ".join(_short(key) for key in unknown[:5])
        problems.add(problem_in(where, _("unknown key(s): %(keys)s.") % {"keys": keys}))
    return bool(unknown)


def _moment(text: Any) -> datetime.datetime | None:
    """An ISO 8601 date and time from the file, or None when absent or unreadable: dates are
    provenance, shown to people, never a reason to refuse a plan."""
    if not isinstance(text, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def _authorship(entry: Mapping[str, Any], where: str, problems: Problems) -> Authorship:
    _info(entry, "version", where, problems)
    by = _info(entry, "updated_by", where, problems) or ""
    return Authorship(
        by=by.strip()[:AUTHOR_LENGTH], at=_moment(_info(entry, "updated_at", where, problems))
    )


def _format(root: Any) -> dict[str, Any]:
    if not isinstance(root, dict) or root.get("format") != FORMAT:
        found = root.get("format") if isinstance(root, dict) else None
        raise _fail(
            _(
                'This is not a Jalon plan file: its "format" is %(found)s where '
                "%(expected)r is expected."
            )
            % {"found": _short(found), "expected": FORMAT}
        )
    version = root.get("format_version")
    if not _is_int(version) or version not in READABLE_VERSIONS:
        if _is_int(version) and version > FORMAT_VERSION:
            message = _(
                "This file was made by a newer Jalon (format version %(found)s); this server "
                "reads format versions %(expected)s."
            )
        else:
            message = _(
                "The format version %(found)s is not supported; this server reads format "
                "versions %(expected)s."
            )
        expected = ", ".join(map(str, READABLE_VERSIONS))
        raise _fail(message % {"found": _short(version), "expected": expected})
    optional = ROOT_OPTIONAL | set(INFORMATIVE_V2) if version >= 2 else ROOT_OPTIONAL
    data = _object(root, _("The file"), ROOT_REQUIRED, optional)
    for key, shape in INFORMATIVE_V2.items():
        if data.get(key) is not None and not isinstance(data[key], shape):
            what = _("an object") if shape is dict else _("an array")
            raise _fail(_('Its "%(key)s" must be %(what)s.') % {"key": key, "what": what})
    return data


def _definition(raw: Any) -> Definition:
    data = _object(raw, _('Its "definition"'), {"id", "version", "hash"}, set())
    definition_id, version, file_hash = data["id"], data["version"], data["hash"]
    if not isinstance(definition_id, str) or not _is_int(version):
        raise _fail(_('Its "definition" must give the worksheet\'s id (text) and version.'))
    definition = bundled_definitions().get((definition_id, version))
    if definition is None:
        known = sorted(v for (i, v) in bundled_definitions() if i == definition_id)
        raise _fail(
            _(
                "The plan was made with worksheet %(id)s version %(version)s, which this server "
                "does not have (versions here: %(known)s)."
            )
            % {
                "id": _short(definition_id),
                "version": _short(version),
                "known": ", ".join(map(str, known)) or _("none"),
            }
        )
    if file_hash != definition.hash:
        raise _fail(
            _(
                "The worksheet %(id)s version %(version)s named in the file differs from the "
                "one on this server: its content hash is %(theirs)s, this server's is "
                "%(ours)s. A published worksheet never changes, so the file was altered or made "
                "with another worksheet; it cannot be imported safely."
            )
            % {
                "id": definition.id,
                "version": definition.version,
                "theirs": _short(file_hash, 20),
                "ours": definition.hash[:16] + "…",
            }
        )
    return definition


def _horizon(data: Mapping[str, Any], where: str, problems: Problems) -> datetime.date | None:
    raw = data.get("horizon")
    if raw is None:
        return None
    if isinstance(raw, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", raw):
        try:
            return datetime.date.fromisoformat(raw)
        except ValueError:
            pass  # 2027-02-30
    problems.add(problem_in(where, _("its horizon must be a date (YYYY-MM-DD) or null.")))
    return None


def _plan(raw: Any, problems: Problems, version: int) -> tuple[str, str, str, datetime.date | None]:
    optional = {"service_other", "created", "updated"} | ({"horizon"} if version >= 2 else set())
    data = _object(raw, _('Its "plan"'), {"title", "service"}, optional)
    where = _("The plan")
    title, service, other = data["title"], data["service"], data.get("service_other")
    other = "" if other is None else other
    for text in (title, other):
        if isinstance(text, str) and (problem := text_problem(text, _("Its title or service"))):
            problems.add(problem_in(where, problem))
            title = other = ""
    if not isinstance(title, str) or not title.strip() or len(title.strip()) > TITLE_LENGTH:
        problems.add(
            problem_in(
                where,
                _("its title must be a text of 1 to %(max)s characters.") % {"max": TITLE_LENGTH},
            )
        )
        title = ""
    if service not in UrbanService.values:
        problems.add(
            problem_in(
                where,
                _("%(service)s is not an urban service of Jalon (%(known)s).")
                % {"service": _short(service), "known": ", ".join(UrbanService.values)},
            )
        )
    if not isinstance(other, str) or len(other.strip()) > SERVICE_OTHER_LENGTH:
        problems.add(
            problem_in(
                where,
                _("the other service must be a text of at most %(max)s characters.")
                % {"max": SERVICE_OTHER_LENGTH},
            )
        )
        other = ""
    for key in ("created", "updated"):
        _info(data, key, where, problems)
    return str(title).strip(), str(service), str(other).strip(), _horizon(data, where, problems)


def _organisation(raw: Any, problems: Problems) -> str:
    """The name of the municipality the file was exported from."""
    data = _object(raw, _('Its "organisation"'), set(), {"name", "country", "city"})
    found = {key: _info(data, key, _("The organisation"), problems) for key in data}
    return str(found.get("name") or "").strip()


def _answers(
    raw: Any, definition: Definition, problems: Problems, authorship: dict[str, Authorship]
) -> dict[str, Any]:
    """The answers, checked; `authorship` receives who wrote each, as the file says."""
    if not isinstance(raw, dict):
        raise _fail(_("%(what)s must be a JSON object.") % {"what": _('Its "answers"')})
    cleaned: dict[str, Any] = {}
    for item_id, entry in raw.items():
        item = definition.item(item_id)
        if item is None:
            problems.add(_("Answers: the worksheet has no item %(id)s.") % {"id": _short(item_id)})
            continue
        where = item_name(item)
        if item.kind is ItemKind.RECORDS:
            problems.add(problem_in(where, _('it is a list: its records go under "lists".')))
            continue
        if not isinstance(entry, dict) or "value" not in entry:
            problems.add(problem_in(where, _('the answer must be an object with a "value".')))
            continue
        if _has_unknown_keys(entry, {"value", *INFO}, where, problems):
            continue
        authorship[item.id] = _authorship(entry, where, problems)
        try:
            cleaned[item.id] = clean_answer(item, entry["value"])
        except AnswerError as error:
            problems.add(problem_in(where, str(error)))
    return {item.id: cleaned[item.id] for item in definition.items if item.id in cleaned}


def _record_entries(
    raw: Any, definition: Definition, problems: Problems
) -> dict[str, list[tuple[Item, int, Any, Any, Authorship]]]:
    """First pass over the lists: shapes, limits and ids; data is checked once all ids are known."""
    if not isinstance(raw, dict):
        raise _fail(_("%(what)s must be a JSON object.") % {"what": _('Its "lists"')})
    entries: dict[str, list[tuple[Item, int, Any, Any, Authorship]]] = {}
    seen: dict[str, str] = {}  # uid → where it first appeared
    for item_id, records in raw.items():
        item = definition.item(item_id)
        if item is None:
            problems.add(_("Lists: the worksheet has no item %(id)s.") % {"id": _short(item_id)})
            continue
        if item.kind is not ItemKind.RECORDS:
            problems.add(
                problem_in(item_name(item), _('it is not a list: its answer goes under "answers".'))
            )
            continue
        if not isinstance(records, list):
            problems.add(problem_in(item_name(item), _("a list must be a JSON array of records.")))
            continue
        if len(records) > item.max_records:
            problems.add(
                problem_in(
                    item_name(item),
                    _("%(count)s records, where a list holds at most %(max)s.")
                    % {"count": len(records), "max": item.max_records},
                )
            )
            continue
        entries[item.id] = []
        for number, record in enumerate(records, start=1):
            uid = record.get("id") if isinstance(record, dict) else None
            where = record_name(item, number, uid)
            if not isinstance(record, dict) or "data" not in record or "id" not in record:
                problems.add(
                    problem_in(where, _('a record must be an object with an "id" and "data".'))
                )
                continue
            if _has_unknown_keys(record, {"id", "data", "position", *INFO}, where, problems):
                continue
            if not isinstance(uid, str) or not UID.match(uid):
                problems.add(
                    problem_in(
                        where,
                        _("a record id is 1 to 32 letters, digits, “-” or “_”."),
                    )
                )
                continue
            if uid in seen:
                problems.add(
                    problem_in(
                        where,
                        _("the id %(uid)s is already that of %(first)s; record ids are unique.")
                        % {"uid": uid, "first": seen[uid]},
                    )
                )
                continue
            seen[uid] = where
            position = record.get("position")
            if position is not None and (not _is_int(position) or position < 1):
                problems.add(problem_in(where, _("its position must be a whole number from 1.")))
            authorship = _authorship(record, where, problems)
            entries[item.id].append((item, number, uid, record["data"], authorship))
    return entries


def _lists(
    raw: Any, definition: Definition, problems: Problems
) -> dict[str, tuple[ImportedRecord, ...]]:
    entries = _record_entries(raw, definition, problems)
    # A reference may name any record of the file, in the list it points to; nothing else.
    references = {item_id: {entry[2] for entry in found} for item_id, found in entries.items()}
    lists: dict[str, tuple[ImportedRecord, ...]] = {}
    for item_id, found in entries.items():
        records = []
        for item, number, uid, data, authorship in found:
            try:
                cleaned = clean_record(item, data, references)
                records.append(ImportedRecord(uid, cleaned, authorship))
            except AnswerError as error:
                problems.add(problem_in(record_name(item, number, uid), str(error)))
        lists[item_id] = tuple(records)
    return {item.id: lists[item.id] for item in definition.items if item.id in lists}


def _or_empty(raw: Any) -> Any:
    return {} if raw is None else raw  # a plan with no answers, or no lists, may say null


OPERATOR_KEYS = {"instance_id", "survey", "submitted", "answers", "latitude", "longitude", "source"}
INSTANCE_LENGTH = 200  # field.OperatorResponse.instance_id
SURVEY_TEXT = 2000  # an operator's free text


def _plain(text: str, what: str) -> str:
    """A text of the file that will be stored: refused, naming `what`, if it holds a character
    Jalon does not store."""
    problem = text_problem(text, what)
    if problem:
        raise ValueError(problem)
    return text


def _coordinate(value: Any, bound: float) -> float | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not -bound <= value <= bound
    ):
        raise ValueError
    return float(value)


def _operator_answers(raw: Any, survey: Survey) -> dict[str, str | list[str]]:
    """The answers of one response, as the survey's codes and texts; ValueError naming the
    first question that is not right."""
    if not isinstance(raw, dict):
        raise ValueError(_('"answers" must be an object.'))
    answers: dict[str, str | list[str]] = {}
    for key, value in raw.items():
        question = survey.question(key)
        if question is None:
            raise ValueError(_("the survey has no question %(id)s.") % {"id": _short(key)})
        if question.kind in CHOICE_KINDS:
            given = value if isinstance(value, list) else [value]
            if not all(isinstance(code, str) and question.option(code) for code in given):
                raise ValueError(_("%(id)s holds a code the survey does not offer.") % {"id": key})
            answers[key] = list(given) if isinstance(value, list) else value
        elif isinstance(value, str) and len(value) <= SURVEY_TEXT:
            answers[key] = _plain(value, key)
        else:
            raise ValueError(
                _("%(id)s must be a text of at most %(max)s characters.")
                % {"id": key, "max": SURVEY_TEXT}
            )
    return answers


def _operators(raw: Any, problems: Problems) -> tuple[ImportedOperator, ...]:
    """The operators' responses of a plan file, each checked against the survey it answers."""
    if not raw:
        return ()
    survey = bundled_survey()
    out: list[ImportedOperator] = []
    seen: set[str] = set()
    for number, entry in enumerate(raw, start=1):
        where = _("Operators’ response %(number)s") % {"number": number}
        try:
            if not isinstance(entry, dict) or not set(entry) <= OPERATOR_KEYS:
                raise ValueError(_("it must be an object with the keys of an exported response."))
            instance_id = entry.get("instance_id")
            if not isinstance(instance_id, str) or not 0 < len(instance_id) <= INSTANCE_LENGTH:
                raise ValueError(_('its "instance_id" must be a text.'))
            kept = entry.get("survey")
            if kept != {"id": survey.id, "version": survey.version}:
                raise ValueError(
                    _("it answers survey %(found)s; this server has %(id)s version %(version)s.")
                    % {"found": _short(kept), "id": survey.id, "version": survey.version}
                )
            source = entry.get("source") or ""
            if not isinstance(source, str):
                raise ValueError(_('its "source" must be a text.'))
            response = ImportedOperator(
                instance_id=_plain(instance_id, "instance_id"),
                submitted=_moment(entry.get("submitted")),
                answers=_operator_answers(entry.get("answers"), survey),
                latitude=_coordinate(entry.get("latitude"), 90),
                longitude=_coordinate(entry.get("longitude"), 180),
                source=_plain(source, "source")[:255],
            )
        except ValueError as error:
            problems.add(problem_in(where, str(error) or _("a position is not a number.")))
            continue
        if response.instance_id not in seen:
            seen.add(response.instance_id)
            out.append(response)
    return tuple(out)


def parse(content: bytes) -> PlanFile:
    """A plan file's bytes → its checked content; `PlanFileError` with every problem found.

    The format, its version and the worksheet come first: nothing else can be checked without
    them. Then every answer and record, each problem with the item and record it is about.
    """
    root = _format(_decode(content))
    definition = _definition(root["definition"])
    problems = Problems()
    title, service, service_other, horizon = _plan(root["plan"], problems, root["format_version"])
    organisation = ""
    if root.get("organisation") is not None:
        organisation = _organisation(root["organisation"], problems)
    exported_at = _info(root, "exported_at", _("The file"), problems)
    revision_count = _info(root, "revision_count", _("The file"), problems)
    authorship: dict[str, Authorship] = {}
    answers = _answers(_or_empty(root.get("answers")), definition, problems, authorship)
    lists = _lists(_or_empty(root.get("lists")), definition, problems)
    operators = _operators(root.get("operators"), problems)
    problems.raise_if_any()
    return PlanFile(
        definition=definition,
        title=title,
        service=service,
        service_other=service_other,
        answers=answers,
        lists=lists,
        source=Source(
            organisation=organisation,
            title=title,
            exported_at=_moment(exported_at),
            revision_count=revision_count,
        ),
        authorship={item_id: authorship[item_id] for item_id in answers},
        horizon=horizon,
        operators=operators,
    )

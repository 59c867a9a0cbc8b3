"""The indicator library of step 6: ready-made indicators a team can pick instead of writing one.

The library is data (`definitions/indicators.library.v1.yaml`), read and checked here like the
worksheet definitions: a broken file fails with the file, the indicator's code and the reason.
Four sources sit side by side: the ITU U4SSC key performance indicators that concern urban
services, the SDG indicators they serve, the five example indicators of the AFD–Iddri guide
(step 6, « Boîte à idées »), and Jalon's own suggestions, kept apart so that nothing is credited
to the guide that it does not say.

Everything here is pure (no database, no request): `load_library` reads a file against the
families it is given, `search` filters and orders entries. `bundled_library` ties the bundled
file to the families of the latest worksheet definition, so a family the worksheet does not
know can never be filled into an indicator.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from .loading import BUNDLED, latest_definition
from .schema import LANGUAGES, Definition, Text

LIBRARY_PATH = BUNDLED / "indicators.library.v1.yaml"
WORKSHEET = "gerer-les-services-urbains"
SOURCES = ("u4ssc", "sdg", "afd-iddri", "jalon")
# The codes of jalon.plans.models.UrbanService, repeated so that this module stays free of
# Django models; tests/worksheets/test_library.py keeps the two lists equal.
SERVICES = (
    "drinking_water",
    "sanitation",
    "solid_waste",
    "mobility",
    "street_lighting",
    "markets",
    "energy",
    "civil_registry",
    "other",
)
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.-]{0,39}$")
# An SDG target (6.1, 7.a) or indicator (6.1.1, 9.c.1), goals 1 to 17.
SDG_PATTERN = re.compile(r"^(?:[1-9]|1[0-7])\.(?:[1-9][0-9]?|[a-z])(?:\.[1-9][0-9]?)?$")
ENTRY_KEYS = {"code", "source", "family", "name", "definition", "unit", "sdg", "services"}


class LibraryError(ValueError):
    def __init__(self, path: str, code: str, reason: str) -> None:
        self.path, self.code, self.reason = path, code, reason
        super().__init__(f"{path}: {code}: {reason}")


@dataclass(frozen=True)
class Entry:
    """One indicator of the library, with what it fills in an indicator record of step 6."""

    code: str
    source: str
    family: str
    name: Text
    definition: Text
    unit: Text
    sdg: str
    services: tuple[str, ...]  # empty: cross-cutting (connectivity), concerns every service


@dataclass(frozen=True)
class Library:
    version: int
    entries: tuple[Entry, ...]
    path: str

    def get(self, code: str) -> Entry | None:
        return next((entry for entry in self.entries if entry.code == code), None)


def indicator_families(definition: Definition) -> frozenset[str]:
    """The family codes of step 6's indicator list (its `family` field's options)."""
    for step in definition.steps:
        for section in step.sections:
            for item in section.items:
                if item.id == "indicators":
                    for field in item.fields:
                        if field.id == "family":
                            return frozenset(option.code for option in field.options)
    raise KeyError("indicators.family")


class _Reader:
    def __init__(self, path: str, families: frozenset[str]) -> None:
        self.path, self.families = path, families

    def fail(self, code: str, reason: str) -> LibraryError:
        return LibraryError(self.path, code, reason)

    def text(self, raw: Any, code: str, key: str) -> Text:
        if not isinstance(raw, dict):
            raise self.fail(code, f"{key} needs a text in each of fr and en")
        for language in LANGUAGES:
            value = raw.get(language)
            if not isinstance(value, str) or not value.strip():
                raise self.fail(code, f"{key} has no {language} text")
        extra = set(raw) - set(LANGUAGES)
        if extra:
            raise self.fail(code, f"{key} has unknown language(s): {', '.join(sorted(extra))}")
        return Text(fr=raw["fr"].strip(), en=raw["en"].strip())

    def entry(self, raw: Any, position: int, seen: set[str]) -> Entry:
        if not isinstance(raw, dict):
            raise self.fail(f"indicator #{position}", "expected a mapping of keys to values")
        code = raw.get("code")
        if not isinstance(code, str) or not CODE_PATTERN.match(code):
            raise self.fail(
                f"indicator #{position}",
                f"code {code!r} must be capital letters, digits, '.' and '-'",
            )
        if code in seen:
            raise self.fail(code, "duplicate code")
        seen.add(code)
        unknown = set(raw) - ENTRY_KEYS
        if unknown:
            raise self.fail(code, f"unknown key(s): {', '.join(sorted(map(str, unknown)))}")
        missing = ENTRY_KEYS - set(raw)
        if missing:
            raise self.fail(code, f"missing key(s): {', '.join(sorted(missing))}")
        if raw["source"] not in SOURCES:
            raise self.fail(code, f"unknown source {raw['source']!r} (one of {', '.join(SOURCES)})")
        if raw["family"] not in self.families:
            raise self.fail(
                code,
                f"unknown family {raw['family']!r} (the worksheet has "
                f"{', '.join(sorted(self.families))})",
            )
        sdg = raw["sdg"]
        if not isinstance(sdg, str) or not SDG_PATTERN.match(sdg):
            raise self.fail(
                code, f"sdg {sdg!r} is not an SDG target or indicator number such as 6.1.1"
            )
        services = raw["services"]
        if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
            raise self.fail(code, "services must be a list of urban service codes")
        for service in services:
            if service not in SERVICES:
                raise self.fail(code, f"unknown urban service {service!r}")
        if len(set(services)) != len(services):
            raise self.fail(code, "a service is listed twice")
        return Entry(
            code=code,
            source=raw["source"],
            family=raw["family"],
            name=self.text(raw["name"], code, "name"),
            definition=self.text(raw["definition"], code, "definition"),
            unit=self.text(raw["unit"], code, "unit"),
            sdg=sdg,
            services=tuple(services),
        )

    def library(self, raw: Any) -> Library:
        if not isinstance(raw, dict) or set(raw) != {"version", "indicators"}:
            raise self.fail("file", "expected exactly the keys version and indicators")
        version = raw["version"]
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise self.fail("file", "version must be a whole number from 1")
        indicators = raw["indicators"]
        if not isinstance(indicators, list) or not indicators:
            raise self.fail("file", "indicators must be a non-empty list")
        seen: set[str] = set()
        entries = tuple(self.entry(item, n, seen) for n, item in enumerate(indicators, 1))
        return Library(version=version, entries=entries, path=self.path)


def load_library(path: str | Path, families: Iterable[str]) -> Library:
    """Read and check a library file; raises LibraryError naming the file, code and reason."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LibraryError(str(path), "file", f"cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise LibraryError(str(path), "file", f"is not valid YAML ({error})") from None
    return _Reader(str(path), frozenset(families)).library(raw)


@cache
def bundled_library() -> Library:
    """The bundled library, checked against the families of the latest worksheet."""
    return load_library(LIBRARY_PATH, indicator_families(latest_definition(WORKSHEET)))


def fold(text: str) -> str:
    """Lower case without accents, so « dechets » finds « déchets » and « Eau » finds « eau »."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _other(language: str) -> str:
    return "en" if language == "fr" else "fr"


_WORD_SPLIT = re.compile(r"[^a-z0-9]+")


def _words(text: str) -> list[str]:
    return [word for word in _WORD_SPLIT.split(text) if word]


def _found(word: str, code: str, sdg: str, words: list[str]) -> bool:
    """A query word is found when it is part of the code or SDG number, or when each of its
    pieces starts a word of the text: « eau » finds « eaux » but not « réseau »."""
    if word in code or word in sdg:
        return True
    pieces = _words(word)
    return bool(pieces) and all(any(w.startswith(p) for w in words) for p in pieces)


def _rank(entry: Entry, query: list[str], whole: str, language: str) -> int | None:
    """How well an entry answers: lower is better; None when some word is found nowhere.

    The code first (people paste one), then the name in the person's language, then the
    name in the other language, then the definitions: a word in a name says more than the
    same word somewhere in a long definition."""
    code, sdg = fold(entry.code), entry.sdg
    names = [_words(fold(entry.name.get(lang))) for lang in (language, _other(language))]
    everything = names[0] + names[1]
    for lang in LANGUAGES:
        everything += _words(fold(entry.definition.get(lang)))
    if not all(_found(word, code, sdg, everything) for word in query):
        return None
    if whole in (code, code.split("-", 1)[-1]):  # SDG-6.1.1 is what « 6.1.1 » means first
        return 0
    if code.startswith(whole) or sdg == whole:
        return 1
    if all(_found(word, "", "", names[0]) for word in query):
        return 2
    if all(_found(word, "", "", names[1]) for word in query):
        return 3
    return 4


def search(library: Library, query: str, language: str, service: str | None = None) -> list[Entry]:
    """The entries whose code, names or definitions hold every word of `query` (accents and
    case ignored), best first; the file's order among equals. An empty query lists them all.
    With `service`, only the entries that concern that service (or every service)."""
    folded = " ".join(fold(query).split())
    words = folded.split()
    found: list[tuple[int, int, Entry]] = []
    for position, entry in enumerate(library.entries):
        if service is not None and entry.services and service not in entry.services:
            continue
        rank = _rank(entry, words, folded, language) if words else 0
        if rank is not None:
            found.append((rank, position, entry))
    return [entry for _, _, entry in sorted(found, key=lambda found: found[:2])]


# What an entry fills in an indicator record, by field id. Worksheets before v3 have no
# `library_code` nor `sdg_target` field: `indicator_record` leaves out what the list lacks.
FILLED_FIELDS = ("name", "definition", "unit", "family", "library_code", "sdg_target")


def indicator_record(entry: Entry, language: str, field_ids: Iterable[str]) -> dict[str, str]:
    """The values an entry gives a new indicator record, in `language`, for the fields the
    plan's indicator list has (baseline, target and dates stay for the team to fill)."""
    values = {
        "name": entry.name.get(language),
        "definition": entry.definition.get(language),
        "unit": entry.unit.get(language),
        "family": entry.family,
        "library_code": entry.code,
        "sdg_target": entry.sdg,
    }
    present = set(field_ids)
    return {key: value for key, value in values.items() if key in present}

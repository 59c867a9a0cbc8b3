"""What the indicator library's picker shows for a plan: the entries a search finds, in the
person's language, with what the plan already holds.

Read only; the write (an entry becoming an indicator record) is `services.indicator_from_library`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jalon.worksheets.library import SERVICES, Entry, bundled_library, fold, search
from jalon.worksheets.schema import Item

from .models import Plan, Record, UrbanService

INDICATORS = "indicators"  # step 6's list, the one the library fills

SOURCE_LABELS = {
    "u4ssc": _("U4SSC key performance indicator (ITU)"),
    "sdg": _("SDG indicator (UN)"),
    "afd-iddri": _("AFD–Iddri guide, step 6"),
    "jalon": _("Jalon’s suggestion"),
}


@dataclass(frozen=True)
class Found:
    """One entry as the picker shows it."""

    entry: Entry
    name: str
    definition: str
    unit: str
    family: str
    source: str
    in_plan: bool  # the plan already has an indicator from this entry (adding again is allowed)


@dataclass(frozen=True)
class Results:
    query: str
    found: list[Found]
    service: str  # the plan's service, when the results are limited to it; else ""
    elsewhere: int  # how many more entries answer the query in the other services
    keeps_code: bool  # the plan's worksheet has the library_code field (v3 on)


def _in_plan(plan: Plan) -> tuple[set[str], set[str]]:
    """The library codes and the (folded) names of the plan's indicators. Worksheets before v3
    keep no code: there, an indicator of the same name says it is already in the plan."""
    codes: set[str] = set()
    names: set[str] = set()
    for data in Record.objects.filter(plan=plan, item_id=INDICATORS).values_list("data", flat=True):
        if isinstance(data, dict):
            code, name = data.get("library_code"), data.get("name")
            if isinstance(code, str) and code:
                codes.add(code)
            if isinstance(name, str) and name:
                names.add(fold(name.strip()))
    return codes, names


def plan_service(plan: Plan) -> str | None:
    """The library's code for the plan's service; None for « other », which the library
    cannot know: every entry is shown then."""
    if plan.service in SERVICES and plan.service != UrbanService.OTHER:
        return str(plan.service)
    return None


def library_results(
    plan: Plan, item: Item, query: str, language: str, *, everything: bool
) -> Results:
    """The entries that answer `query`, best first: those of the plan's service unless
    `everything`, with how many more the other services hold."""
    library = bundled_library()
    service = None if everything else plan_service(plan)
    entries = search(library, query, language, service)
    if service and not query.strip():
        # Nothing asked yet: the service's own indicators first, then those for every service.
        entries.sort(key=lambda entry: not entry.services)
    elsewhere = len(search(library, query, language)) - len(entries) if service else 0
    codes, names = _in_plan(plan)
    families = {
        option.code: option.label.get(language)
        for field in item.fields
        if field.id == "family"
        for option in field.options
    }
    found = [
        Found(
            entry=entry,
            name=entry.name.get(language),
            definition=entry.definition.get(language),
            unit=entry.unit.get(language),
            family=families.get(entry.family, "").split(":")[0].strip(),
            source=str(SOURCE_LABELS[entry.source]),
            in_plan=entry.code in codes or bool({fold(entry.name.fr), fold(entry.name.en)} & names),
        )
        for entry in entries
    ]
    return Results(
        query=query,
        found=found,
        service=service or "",
        elsewhere=elsewhere,
        keeps_code=any(field.id == "library_code" for field in item.fields),
    )

"""How long building each deliverable takes (GUIDE §6: PDF, DOCX and XLSX ≤ 100 ms each for the
demo plan), for the demo plan and for a large plan written here through the real services.

    DJANGO_SETTINGS_MODULE=bench.settings JALON_DB_PATH=… python -m bench.formats

prints JSON; the database must hold the demo (`load_demo`). The builders are called directly
(`FORMATS[code].build(plan, language)`), in this one process: no server, and not the download
view, which keeps built files until the plan changes and would time a cache instead.

The large plan: 50 pilot actions, 30 indicators, 40 actors, every list field filled, records
pointing at each other, and 10,000 characters of French prose in every text answer, note and
long text field.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from typing import Any

import django

RUNS = 7  # timed builds after one warm-up
BUDGET_SECONDS = 20.0  # per format and plan: stop early (at MIN_RUNS) when builds are slow
MIN_RUNS = 3
LONG = 10_000  # characters in every long text of the large plan
MEASURED = [("pdf", "fr"), ("pdf", "en"), ("docx", "fr"), ("xlsx", "fr"), ("csv", "fr")]
MEASURED += [("json", "fr")]

# Counts of records in the large plan; the three the brief names, the others as a big city's.
LARGE_COUNTS = {
    "excluded_groups": 8,
    "informal_operators": 8,
    "funding_programmes": 12,
    "actors": 40,
    "partners": 40,  # one per actor
    "pilot_actions": 50,
    "perimeters": 50,  # one per pilot action
    "roadmap": 50,  # one per pilot action
    "indicators": 30,
    "communication_actions": 30,
}

PLACES = [
    "Diamaguène",
    "Santhiaba Nord",
    "Ndiéké Extension",
    "Sinthiou Kandia",
    "Médina",
    "Grand Marché",
    "Escale",
    "Darou Salam",
    "Cité Millionnaire",
    "Thiokhou",
]
SENTENCES = [
    "Dans le quartier de {place}, les ménages attendent en moyenne {n} jours entre deux passages "
    "du camion, et les dépôts sauvages s’accumulent le long du canal.",
    "Les charretiers du GIE de {place} collectent environ {n} ménages par semaine et vident "
    "leurs charrettes au point de regroupement le plus proche.",
    "Le service de l’hygiène ne dispose que de {n} agents de terrain pour contrôler l’opérateur "
    "délégataire sur l’ensemble de la commune.",
    "Une enquête menée en {year} auprès de {n} ménages montre que la moitié d’entre eux ne "
    "savent pas à qui adresser une réclamation.",
    "Le paiement de la redevance par mobile money intéresse surtout les jeunes ménages, mais les "
    "personnes âgées préfèrent payer en espèces au chef de quartier.",
    "Les données de tournées restent dans le groupe WhatsApp des chefs d’équipe ; aucune n’est "
    "conservée au-delà de quelques semaines.",
    "La commune pourrait s’appuyer sur les {n} relais communautaires formés lors de la campagne "
    "de vaccination pour recueillir les signalements.",
    "À {place}, les pistes sablonneuses empêchent les camions d’entrer pendant la saison des "
    "pluies ; seules les charrettes y passent.",
    "Le budget prévisionnel de cette étape s’élève à {money} FCFA, dont une part pourrait venir "
    "du guichet « services urbains » du programme national.",
    "Les récupérateurs de la décharge de Ndiéké trient chaque jour près de {n} kilogrammes de "
    "plastiques, de métaux et d’os revendus aux grossistes.",
    "Le comité de suivi, réuni chaque trimestre à la mairie, examine les indicateurs et décide "
    "des ajustements à apporter aux tournées.",
    "Il faudra former les chefs d’équipe à la saisie sur téléphone : une demi-journée suffit, à "
    "condition que l’application fonctionne sans connexion.",
    "La radio communautaire de {place} accepte de diffuser gratuitement un message hebdomadaire "
    "en wolof et en pulaar sur les jours de collecte.",
    "Le contrat de délégation signé en {year} ne prévoit aucun échange de données entre "
    "l’opérateur et la commune, ce qu’il faudra corriger lors de son renouvellement.",
    "Les femmes des groupements d’intérêt économique de {place} proposent d’assurer elles-mêmes "
    "la pré-collecte si la commune fournit des charrettes et des gants.",
    "Sans carte à jour des points de regroupement, l’optimisation des tournées risque de "
    "favoriser encore les axes bitumés du centre-ville.",
    "L’association des commerçants du Grand Marché s’engage à signaler chaque soir l’état des "
    "bacs par un simple message vocal.",
    "Le coût d’un abonnement de données pour les {n} téléphones des agents reste modeste au "
    "regard des économies de carburant attendues.",
]


def prose(rng: random.Random, length: int = LONG, subject: str = "") -> str:
    """French paragraphs of exactly `length` characters, as a team would type them."""
    paragraphs: list[str] = [subject] if subject else []
    size = len(subject)
    while size < length:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            sentences.append(
                rng.choice(SENTENCES).format(
                    place=rng.choice(PLACES),
                    n=rng.randint(3, 900),
                    year=rng.randint(2019, 2026),
                    money=f"{rng.randint(2, 90) * 250_000:,}".replace(",", "\u202f"),
                )
            )
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)[: length - 1].rstrip() + "."


def line(rng: random.Random, prefix: str) -> str:
    return f"{prefix} — {rng.choice(PLACES)}"


def _some(codes: list[str], rng: random.Random) -> list[str]:
    """About half of the options, at least one."""
    return [c for c in codes if rng.random() < 0.5] or codes[:1]


def build_large_plan() -> Any:
    """A second plan in the demo municipality, as large as a big city's, written through the
    same services as a team's edits."""
    from jalon.plans.demo import PLAN, demo_organisation
    from jalon.plans.services import answer_save, definition_of, plan_create, record_add
    from jalon.worksheets.schema import FieldKind, ItemKind

    organisation = demo_organisation()
    if organisation is None:
        raise RuntimeError("the database holds no demo: run load_demo first")
    user = organisation.memberships.order_by("pk").first().user  # type: ignore[union-attr]
    plan = plan_create(
        organisation=organisation,
        user=user,
        service=PLAN["service"],
        title="Grand plan de référence pour les mesures (bench)",
    )
    rng = random.Random(2026)  # noqa: S311 — made-up text, the same plan on every run
    uids: dict[str, list[str]] = {}
    for step in definition_of(plan).steps:
        for item in step.items:
            if item.kind is ItemKind.TEXT:
                raw: Any = prose(rng, subject=str(item.label.fr))
            elif item.kind is ItemKind.SINGLE_CHOICE:
                codes = [o.code for o in item.leaf_options()]
                raw = {"choice": rng.choice(codes), "note": prose(rng)}
            elif item.kind is ItemKind.MULTIPLE_CHOICE:
                codes = [o.code for o in item.leaf_options()]
                raw = {"choices": _some(codes, rng), "note": prose(rng)}
            elif item.kind is ItemKind.MATURITY:
                raw = {"level": rng.randint(0, 4), "note": prose(rng)}
            else:
                added = uids.setdefault(item.id, [])
                for n in range(LARGE_COUNTS[item.id]):
                    data: dict[str, Any] = {}
                    for field in item.fields:
                        codes = [o.code for o in field.options]
                        label = str(field.label.fr)
                        if field.kind is FieldKind.TEXT:
                            data[field.id] = line(rng, f"{label} n° {n + 1}")
                        elif field.kind is FieldKind.LONG_TEXT:
                            data[field.id] = prose(rng, subject=f"{label} ({n + 1}).")
                        elif field.kind is FieldKind.CHOICE:
                            data[field.id] = rng.choice(codes)
                        elif field.kind is FieldKind.MULTIPLE_CHOICE:
                            data[field.id] = _some(codes, rng)
                        elif field.kind is FieldKind.NUMBER:
                            data[field.id] = str(rng.randint(1, 10_000))
                        elif field.kind is FieldKind.MONEY:
                            data[field.id] = {
                                "amount": str(rng.randint(1, 400) * 250_000),
                                "currency": "XOF",
                            }
                        elif field.kind is FieldKind.DATE:
                            data[field.id] = f"{rng.randint(2026, 2029)}-{rng.randint(1, 12):02}-15"
                        else:  # a reference: one per target in turn, so each is cited
                            targets = uids[field.references or ""]
                            if field.multiple:
                                data[field.id] = rng.sample(targets, min(3, len(targets)))
                            else:
                                data[field.id] = targets[n % len(targets)]
                    added.append(record_add(plan=plan, user=user, item_id=item.id, raw=data).uid)
                continue
            answer_save(plan=plan, user=user, item_id=item.id, raw=raw, base_version=None)
    return plan


def time_builds(plan: Any, code: str, language: str) -> dict[str, Any]:
    """One warm-up build (timed apart), then up to RUNS timed builds."""
    from jalon.reports.formats import FORMATS

    build = FORMATS[code].build
    start = time.perf_counter()
    content = build(plan, language)
    warm_up_ms = (time.perf_counter() - start) * 1000
    times: list[float] = []
    spent = 0.0
    while len(times) < RUNS and (len(times) < MIN_RUNS or spent < BUDGET_SECONDS):
        start = time.perf_counter()
        build(plan, language)
        elapsed = time.perf_counter() - start
        spent += elapsed
        times.append(elapsed * 1000)
    return {
        "format": code,
        "language": language,
        "runs": len(times),
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
        "warm_up_ms": round(warm_up_ms, 1),
        "bytes": len(content),
    }


def main() -> dict[str, Any]:
    django.setup()
    from jalon.plans.demo import demo_plan
    from jalon.plans.models import Record

    demo = demo_plan()
    if demo is None:
        raise RuntimeError("the database holds no demo: run load_demo first")
    start = time.perf_counter()
    large = build_large_plan()
    built_s = time.perf_counter() - start
    results: dict[str, Any] = {
        "runs": RUNS,
        "budget_seconds": BUDGET_SECONDS,
        "large_plan": {
            "records": dict(
                sorted(
                    (item_id, Record.objects.filter(plan=large, item_id=item_id).count())
                    for item_id in LARGE_COUNTS
                )
            ),
            "long_text_chars": LONG,
            "seconds_to_write": round(built_s, 1),
        },
        "plans": {},
    }
    # The demo plan first: its first PDF is the process's first Typst compilation.
    for label, plan in (("demo", demo), ("large", large)):
        results["plans"][label] = [time_builds(plan, code, lang) for code, lang in MEASURED]
    return results


if __name__ == "__main__":
    print(json.dumps(main(), indent=1, ensure_ascii=False))

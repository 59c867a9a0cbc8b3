"""How long the first build of each deliverable takes right after an edit, on the path people
take (GUIDE §6: PDF, DOCX and XLSX ≤ 100 ms each for the demo plan, first build after an edit),
for the demo plan and for a large plan written here through the real services.

    DJANGO_SETTINGS_MODULE=bench.settings JALON_DB_PATH=… python -m bench.formats

prints JSON; the database must hold the demo (`load_demo`). Every build is a request to the
download view through Django's test client, in this one process, so the download cache
(`cached_file`) is on the path as it is for a person. Before each timed download a colleague
saves (untimed, through the services), so that download is the first after an edit:

- « after a text edit »: « competences » changes; no chart changes, so the chart images (DOCX)
  come from their cache, as they would for a person who edited a text;
- « after a chart edit »: the first named actor is renamed, so the partner map changes and its
  image is rendered again (the count of chart images rendered per build is recorded);
- « repeat »: the same download again, nothing changed: the download cache answers (JSON is
  never kept and is built again);
- « new process »: in a fresh process that has served a page but built no file yet: the Typst
  compiler is made (it scans the fonts), the DOCX template prepared, no chart image kept.

The process builds each format once before its timed downloads (« first in this process »),
as a server worker that has already served downloads would have. Each download is checked: the
builder must have run after an edit, and must not have run for a repeat.

The large plan: 50 pilot actions, 30 indicators, 40 actors, every list field filled, records
pointing at each other, and 10,000 characters of French prose in every text answer, note and
long text field.
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django

QUICK = os.environ.get("BENCH_QUICK") == "1"  # to try the benchmark out
RUNS = 2 if QUICK else 7  # timed downloads after each kind of edit
BUDGET_SECONDS = 20.0  # per format, plan and kind of edit: stop early (at MIN_RUNS) when slow
MIN_RUNS = 2 if QUICK else 3
BASE_DIR = Path(__file__).resolve().parent.parent
LONG = 10_000  # characters in every long text of the large plan
MEASURED = [("pdf", "fr"), ("pdf", "en"), ("docx", "fr"), ("xlsx", "fr"), ("csv", "fr")]
MEASURED += [("json", "fr"), ("png", "fr")]  # png: the summary image, reported only

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
    "measurements": 90,  # three readings an indicator
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
                if item.target:
                    raw |= {"target": rng.choice(codes), "target_date": "2028-06-30"}
            elif item.kind is ItemKind.MULTIPLE_CHOICE:
                codes = [o.code for o in item.leaf_options()]
                raw = {"choices": _some(codes, rng), "note": prose(rng)}
            elif item.kind is ItemKind.MATURITY:
                raw = {"level": rng.randint(0, 4), "note": prose(rng)}
                if item.target:
                    raw |= {"target": rng.randint(2, 4), "target_date": "2028-06-30"}
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


class Downloads:
    """Downloads through the view, as the demo user, each checked against the builder's calls."""

    def __init__(self) -> None:
        from django.test import Client

        from jalon.accounts.models import User
        from jalon.plans.demo import DEMO_USER
        from jalon.reports import formats

        self.client = Client(HTTP_HOST="127.0.0.1")
        self.client.force_login(User.objects.get(email=DEMO_USER["email"]))
        self.builds = 0
        # The view looks its format up in FORMATS at each request: wrapping each builder there
        # counts the builds without changing them.
        for code, fmt in list(formats.FORMATS.items()):
            formats.FORMATS[code] = dataclasses.replace(fmt, build=self._counted(fmt.build))

    def _counted(self, build: Callable[[Any, str], bytes]) -> Callable[[Any, str], bytes]:
        def counted(plan: Any, language: str) -> bytes:
            self.builds += 1
            return build(plan, language)

        return counted

    def get(self, plan: Any, code: str, language: str, *, built: bool | None) -> tuple[float, int]:
        """One download: its milliseconds and size. `built` says whether the builder must have
        run (None: either)."""
        from django.db import close_old_connections

        before = self.builds
        start = time.perf_counter()
        response = self.client.get(f"/plans/{plan.pk}/download/{code}/", {"lang": language})
        content = response.content
        elapsed = (time.perf_counter() - start) * 1000
        close_old_connections()
        if response.status_code != 200:
            raise RuntimeError(f"download {code} ({language}): HTTP {response.status_code}")
        ran = self.builds > before
        if built is not None and ran != built:
            raise RuntimeError(
                f"download {code} ({language}): the builder {'did not run' if built else 'ran'}"
                f" ({'after an edit' if built else 'for a repeat'})"
            )
        return elapsed, len(content)


def chart_images_rendered() -> int | None:
    """How many chart images the process has rendered so far (cache misses of `_png`)."""
    from jalon.reports import charts

    cached = getattr(charts, "_png", None)
    info = getattr(cached, "cache_info", None)
    return int(info().misses) if info else None


def _figures(times: list[float]) -> dict[str, Any]:
    return {
        "runs": len(times),
        "median_ms": round(statistics.median(times), 1),
        "min_ms": round(min(times), 1),
        "max_ms": round(max(times), 1),
    }


def after_edits(
    downloads: Downloads, plan: Any, code: str, language: str, edit: Callable[[], None]
) -> dict[str, Any]:
    """Downloads each right after an edit, until RUNS or the time budget."""
    times: list[float] = []
    images_before = chart_images_rendered()
    spent = 0.0
    while len(times) < RUNS and (len(times) < MIN_RUNS or spent < BUDGET_SECONDS):
        edit()
        by_language = code != "json"
        elapsed, _size = downloads.get(plan, code, language, built=True if by_language else None)
        times.append(elapsed)
        spent += elapsed / 1000
    images_after = chart_images_rendered()
    result = _figures(times)
    if images_before is not None and images_after is not None:
        result["chart_images_per_build"] = round((images_after - images_before) / len(times), 2)
    return result


def measure_plan(downloads: Downloads, plan: Any) -> list[dict[str, Any]]:
    from django.db import close_old_connections

    from .edits import colleague, edit_chart, edit_text

    other = colleague()

    def text() -> None:
        edit_text(plan, other)
        close_old_connections()

    def chart() -> None:
        edit_chart(plan, other)
        close_old_connections()

    rows = []
    for code, language in MEASURED:
        text()
        first_ms, size = downloads.get(plan, code, language, built=None)
        row: dict[str, Any] = {
            "format": code,
            "language": language,
            "bytes": size,
            "first_in_process_ms": round(first_ms, 1),
            "after_text_edit": after_edits(downloads, plan, code, language, text),
            "after_chart_edit": after_edits(downloads, plan, code, language, chart),
        }
        repeat_ms, _size = downloads.get(
            plan, code, language, built=None if code == "json" else False
        )
        row["repeat_ms"] = round(repeat_ms, 1)
        rows.append(row)
    return rows


def new_process(code: str, language: str) -> dict[str, Any]:
    """In this fresh process: one page served (Django warm), then an edit and one download."""
    from django.db import close_old_connections

    from jalon.plans.demo import demo_plan

    from .edits import colleague, edit_text

    plan = demo_plan()
    if plan is None:
        raise RuntimeError("the database holds no demo: run load_demo first")
    downloads = Downloads()
    page = downloads.client.get(f"/plans/{plan.pk}/")
    if page.status_code != 200:
        raise RuntimeError(f"overview: HTTP {page.status_code}")
    edit_text(plan, colleague())
    close_old_connections()
    elapsed, _size = downloads.get(plan, code, language, built=True if code != "json" else None)
    return {"format": code, "language": language, "ms": round(elapsed, 1)}


def new_processes() -> list[dict[str, Any]]:
    """`new_process` for each format, each in a process of its own."""
    rows = []
    for code, language in MEASURED:
        done = subprocess.run(  # noqa: S603 — our own interpreter and module, fixed arguments
            [sys.executable, "-m", "bench.formats", "--new-process", code, language],
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"bench.formats --new-process {code} failed:\n{done.stderr}")
        rows.append(json.loads(done.stdout))
    return rows


def main() -> dict[str, Any]:
    django.setup()
    from jalon.plans.demo import demo_plan
    from jalon.plans.models import Record

    demo = demo_plan()
    if demo is None:
        raise RuntimeError("the database holds no demo: run load_demo first")
    results: dict[str, Any] = {
        "runs": RUNS,
        "budget_seconds": BUDGET_SECONDS,
        "quick": QUICK,
        # First, while this process has built nothing: each in a fresh process of its own.
        "new_process": new_processes(),
        "plans": {},
    }
    plans = [("demo", demo)]
    if not QUICK:
        start = time.perf_counter()
        large = build_large_plan()
        results["large_plan"] = {
            "records": dict(
                sorted(
                    (item_id, Record.objects.filter(plan=large, item_id=item_id).count())
                    for item_id in LARGE_COUNTS
                )
            ),
            "long_text_chars": LONG,
            "seconds_to_write": round(time.perf_counter() - start, 1),
        }
        plans.append(("large", large))
    downloads = Downloads()
    page = downloads.client.get(f"/plans/{demo.pk}/")  # Django warm: URLs, templates
    if page.status_code != 200:
        raise RuntimeError(f"overview: HTTP {page.status_code}")
    # The demo plan first: its first PDF is this process's first Typst compilation.
    for label, plan in plans:
        results["plans"][label] = measure_plan(downloads, plan)
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["--new-process"]:
        django.setup()
        print(json.dumps(new_process(sys.argv[2], sys.argv[3])))
    else:
        print(json.dumps(main(), indent=1, ensure_ascii=False))

"""Every deliverable a plan can be downloaded as: format code → content type, file extension,
and the function that builds it.

The views, the `export_plan` command and the benchmarks all go through `FORMATS`, so a format
is added in one place. PDF, DOCX, XLSX and CSV are built from the plan as a `Document` in one
language; JSON is the plan's data as stored (option codes, not labels), the same in every
language.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.text import slugify
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise

from jalon.plans.models import Plan, PlanVersion

from . import to_csv, to_docx, to_json, to_pdf, to_png, to_xlsx
from .document import Document
from .selectors import plan_document, plan_export, version_document, version_export

LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class Format:
    code: str
    label: str  # what the download link says; a file type's name, the same in every language
    content_type: str
    extension: str
    build: Callable[[Plan, str], bytes]  # (plan, language) → the file
    by_language: bool = True  # False: the same file whatever the language (JSON)
    note: StrOrPromise = ""  # what the file holds, when not the whole plan (lazily translated)


def _from_document(builder: Callable[[Document], bytes]) -> Callable[[Plan, str], bytes]:
    def build(plan: Plan, language: str) -> bytes:
        return builder(plan_document(plan, language))

    return build


def _json(plan: Plan, language: str) -> bytes:
    return to_json.build(plan_export(plan))


FORMATS: dict[str, Format] = {
    f.code: f
    for f in (
        Format("pdf", "PDF", "application/pdf", "pdf", _from_document(to_pdf.build)),
        Format(
            "docx",
            "Word (DOCX)",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
            _from_document(to_docx.build),
        ),
        Format(
            "xlsx",
            "Excel (XLSX)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
            _from_document(to_xlsx.build),
        ),
        Format("csv", "CSV (ZIP)", "application/zip", "zip", _from_document(to_csv.build)),
        # The summary alone, one image to share in a messaging group.
        Format(
            "png",
            "PNG",
            to_png.CONTENT_TYPE,
            "png",
            _from_document(to_png.build),
            note=gettext_lazy("the summary, as an image to share on a phone"),
        ),
        Format(
            "json",
            "JSON",
            to_json.CONTENT_TYPE,
            to_json.EXTENSION,
            _json,
            by_language=False,
        ),
    )
}


# The same files from a frozen version (its content, never the plan as it is now).
VERSION_BUILDERS: dict[str, Callable[[PlanVersion, str], bytes]] = {
    "pdf": lambda version, language: to_pdf.build(version_document(version, language)),
    "docx": lambda version, language: to_docx.build(version_document(version, language)),
    "xlsx": lambda version, language: to_xlsx.build(version_document(version, language)),
    "csv": lambda version, language: to_csv.build(version_document(version, language)),
    "png": lambda version, language: to_png.build(version_document(version, language)),
    "json": lambda version, language: to_json.build(version_export(version)),
}


def filename(
    plan: Plan, fmt: Format, language: str, today: datetime.date, version: str = ""
) -> str:
    """« kandia-dechets-solides-2026-11-25-fr.pdf »: who, what, when and in which language,
    in plain ASCII so that every mail client and file system keeps it. `version`: which
    frozen version, for its files."""
    parts = [plan.organisation.city or plan.organisation.name, plan.title, today.isoformat()]
    if version:
        parts.append(version)
    if fmt.by_language:
        parts.append(language)
    stem = slugify("-".join(parts))[:120].strip("-") or "plan"
    return f"{stem}.{fmt.extension}"

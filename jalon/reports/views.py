"""The plan's deliverables on the web: the print view and the downloads.

Every member of the municipality, whatever their role, may read and download the plan, in French
or English (`?lang=`, the interface's language by default); anyone else gets a 404, as for a plan
that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from jalon.access import plan_for
from jalon.discussions.selectors import plan_threads
from jalon.http import AuthenticatedRequest
from jalon.plans import fragments
from jalon.plans.models import Plan, PlanVersion
from jalon.plans.selectors import PlanState
from jalon.plans.services import definition_of

from .charts import all_charts
from .document import review_of
from .formats import FORMATS, LANGUAGES, VERSION_BUILDERS, filename
from .selectors import plan_document, version_document
from .to_pdf import document_data, summary_text


def deliverables(plan: Plan, state: PlanState) -> dict[str, Any]:
    """What the plan's overview shows of its deliverables: the charts, in the interface's
    language, and a download link per format and language."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    document = plan_document(plan, language, state)
    return {
        "summary": summary_text(document),
        # The operators' survey has its own page, with all its charts: a line here, not eight
        # drawings on the plan's page.
        "charts": all_charts(document, operators=False),
        "operators": document.operators,
        "formats": list(FORMATS.values()),
        "languages": [("fr", "Français"), ("en", "English")],
    }


def requested_language(request: HttpRequest) -> str:
    """`?lang=fr|en`, else the language the person reads the interface in."""
    language = request.GET.get("lang", "")
    return (
        language if language in LANGUAGES else translation.get_language() or settings.LANGUAGE_CODE
    )


@login_required
@require_GET
def plan_print(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    """The whole plan as one page, to read on screen or print (A4, a page per step);
    `?comments=1`: with the open comments after each item (the downloads never have them)."""
    plan, _membership = plan_for(request.user, plan_id)
    language = requested_language(request)
    document = plan_document(plan, language)
    with_comments = request.GET.get("comments") == "1"
    comments: dict[str, list[Any]] = {}
    if with_comments:
        for view in plan_threads(plan, definition_of(plan), resolved=False):
            comments.setdefault(view.thread.item_id, []).append(view)
    with translation.override(language):
        data = document_data(document)
        return render(
            request,
            "reports/print.html",
            {
                "plan": plan,
                "document": data,
                "summary": summary_text(document),
                "review": review_of(document.meta),
                "download_url": reverse("plan_download", args=[plan.pk, "pdf"]),
                "language": language,
                "other_language": "en" if language == "fr" else "fr",
                "with_comments": with_comments,
                "comments": comments,
            },
        )


@login_required
@require_GET
def plan_download(request: AuthenticatedRequest, plan_id: int, format_code: str) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id)
    fmt = FORMATS.get(format_code)
    if fmt is None:
        raise Http404
    language = requested_language(request)
    if fmt.by_language:
        name = f"file-{fmt.code}-{language}"
        content = fragments.cached_file(plan, name, lambda: fmt.build(plan, language))
    else:  # JSON says when it was exported, and is cheap to build
        content = fmt.build(plan, language)
    response = HttpResponse(content, content_type=fmt.content_type)
    name = filename(plan, fmt, language, timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # A plan is private: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response


def _version_for(request: AuthenticatedRequest, plan_id: int, version_id: int) -> PlanVersion:
    """A version of a plan the person may read; 404 otherwise, as for one that does not exist."""
    plan, _membership = plan_for(request.user, plan_id)
    version = PlanVersion.objects.filter(plan=plan, pk=version_id).first()
    if version is None:
        raise Http404
    version.plan = plan
    return version


@login_required
@require_GET
def plan_version(request: AuthenticatedRequest, plan_id: int, version_id: int) -> HttpResponse:
    """A frozen version, read only, as the print view shows a plan, from its own content."""
    version = _version_for(request, plan_id, version_id)
    language = requested_language(request)
    document = version_document(version, language)
    with translation.override(language):
        data = document_data(document)
        return render(
            request,
            "reports/print.html",
            {
                "plan": version.plan,
                "version": version,
                "document": data,
                "summary": summary_text(document),
                "review": review_of(document.meta),
                "download_url": reverse("plan_version_download", args=[plan_id, version.pk, "pdf"]),
                "formats": list(FORMATS.values()),
                "language": language,
                "other_language": "en" if language == "fr" else "fr",
            },
        )


@login_required
@require_GET
def plan_version_download(
    request: AuthenticatedRequest, plan_id: int, version_id: int, format_code: str
) -> HttpResponse:
    version = _version_for(request, plan_id, version_id)
    fmt, build = FORMATS.get(format_code), VERSION_BUILDERS.get(format_code)
    if fmt is None or build is None:
        raise Http404
    language = requested_language(request)
    response = HttpResponse(build(version, language), content_type=fmt.content_type)
    day = timezone.localtime(version.created).date()
    name = filename(version.plan, fmt, language, day, version=f"version-{version.pk}")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response

"""The XLSForms to download from the plan's page: the plan's own worksheet version, whole or one
step (`?step=N`), and the operators' survey; labels in both languages, the form opening in
the person's language (`?lang=fr|en` to choose). Every member may download them; anyone else
gets a 404, as for a plan that does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from jalon.access import plan_for
from jalon.http import AuthenticatedRequest
from jalon.plans.models import Plan
from jalon.plans.services import definition_of
from jalon.reports.views import requested_language
from jalon.worksheets.survey import bundled_survey

from .xlsform import Form, form_xlsx, operators_form, step_numbered, worksheet_form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(plan: Plan, form: Form, what: str, language: str) -> HttpResponse:
    # « kalaba-dechets-solides-2027-xlsform-step-2-v3-fr.xlsx »: ASCII, as the other downloads.
    parts = [plan.organisation.city or plan.organisation.name, plan.title, what]
    stem = slugify("-".join([*parts, f"v{form.mark.version}", language]))[:120].strip("-")
    response = HttpResponse(form_xlsx(form), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{stem or "xlsform"}.xlsx"'
    response["Cache-Control"] = "private, no-store"  # a member's download; no shared cache
    return response


@login_required
@require_GET
def plan_xlsform(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id)
    definition = definition_of(plan)
    language = requested_language(request)
    raw = request.GET.get("step")
    step = None
    if raw is not None:
        number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 3 else None
        step = step_numbered(definition, number) if number is not None else None
        if step is None:
            raise Http404
    what = f"xlsform-step-{step.number}" if step else "xlsform"
    return _download(plan, worksheet_form(definition, step, language), what, language)


@login_required
@require_GET
def plan_xlsform_operators(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id)
    language = requested_language(request)
    form = operators_form(bundled_survey(), definition_of(plan), language)
    return _download(plan, form, "xlsform-operators", language)

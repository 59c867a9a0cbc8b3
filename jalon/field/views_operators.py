"""The operators' survey on a plan's pages: beside the maturity questions of step 2 it informs,
and on its own page (`/plans/ID/operators/`) with its charts, its map and its responses.

Every member of the municipality may read it; anyone else gets a 404, as for a plan that does
not exist. Removing a mistaken response takes the right to edit, a POST and a confirmation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jalon.access import Capability, can, plan_for
from jalon.http import AuthenticatedRequest
from jalon.plans import fragments
from jalon.plans.models import Plan
from jalon.plans.services import definition_of
from jalon.reports.charts.operators import headline, summary_charts
from jalon.worksheets.display import list_separator
from jalon.worksheets.schema import Step
from jalon.worksheets.survey import QuestionKind, Survey, bundled_survey

from . import evidence
from .models import OperatorResponse

PER_PAGE = 20


def _survey_of(plan: Plan) -> Survey | None:
    survey = bundled_survey()
    return survey if survey.worksheet == plan.definition_id else None


def form_url(plan: Plan) -> str:
    return reverse("plan_xlsform_operators", args=[plan.pk])


def step_evidence(plan: Plan, step: Step) -> Callable[[dict[str, str]], dict[str, str]]:
    """What puts the operators' survey on a step page: the survey's block before the first
    maturity question it informs, and after each such question its answers' distribution.
    Items' HTML is cached per item; this depends on the plan's responses: read only when the
    plan has some, and kept cached under the moment they last changed (`operators_updated`),
    so a colleague's save on the step costs no query for them."""
    survey = _survey_of(plan)
    informed = [item.id for item in step.items if survey and survey.informing(item.id)]
    if survey is None or not informed:
        return lambda html: html
    language = translation.get_language() or settings.LANGUAGE_CODE

    def render() -> tuple[str, dict[str, str]]:
        assert survey is not None
        context: dict[str, Any] = {
            "plan": plan,
            "survey": survey,
            "form_url": form_url(plan),
            "operators_url": reverse("plan_operators", args=[plan.pk]),
        }
        blocks: dict[str, str] = {}
        responses = evidence.plan_responses(plan, survey)
        if responses:
            summary = evidence.summarise(survey, responses, language)
            context |= {"summary": summary, "headline": headline(summary)}
            for item_evidence in summary.items:
                blocks[item_evidence.item] = render_to_string(
                    "field/_item_evidence.html", {**context, "evidence": item_evidence}
                )
        return render_to_string("field/_step_evidence.html", context), blocks

    if plan.operators_updated is None:
        lead, blocks = render()
    else:
        stamp = plan.operators_updated.timestamp()
        key = f"operators-{plan.pk}-{stamp}-{step.id}-{language}"
        parts: tuple[str, dict[str, str]] | None = cache.get(key)
        if parts is None:
            parts = render()
            cache.set(key, parts, fragments.SECONDS)
        lead, blocks = parts

    def fill(html: dict[str, str]) -> dict[str, str]:
        out = dict(html)
        for item_id in informed:
            if item_id in out:
                out[item_id] += blocks.get(item_id, "")
        if informed[0] in out:
            out[informed[0]] = lead + out[informed[0]]
        return out

    return fill


@dataclass(frozen=True)
class ResponseRow:
    pk: int
    submitted: str
    type: str
    neighbourhood: str
    answers: list[tuple[str, str]]  # question, answer in words
    located: bool


def _position(response: OperatorResponse) -> str:
    """« 14,69370 ; -17,44410 » in French: latitude then longitude, in the page's numbers."""
    latitude, longitude = (
        number_format(value or 0.0, 5) for value in (response.latitude, response.longitude)
    )
    return f"{latitude}{list_separator()}{longitude}"


def _rows(survey: Survey, responses: list[OperatorResponse]) -> list[ResponseRow]:
    type_question = survey.question(evidence.TYPE_QUESTION)
    rows = []
    for response in responses:
        answers = response.answers if isinstance(response.answers, dict) else {}
        located = response.latitude is not None and response.longitude is not None
        words = [
            (
                str(q.label),
                _position(response)
                if q.kind is QuestionKind.GEOPOINT and located
                else evidence.answer_text(q, answers.get(q.id)),
            )
            for q in survey.questions
        ]
        rows.append(
            ResponseRow(
                pk=response.pk,
                submitted=response.submitted.date().isoformat() if response.submitted else "",
                type=evidence.answer_text(type_question, answers.get(type_question.id))
                if type_question
                else "",
                neighbourhood=str(answers.get(evidence.PLACE_QUESTION) or ""),
                answers=[(question, answer) for question, answer in words if answer],
                located=located,
            )
        )
    return rows


@login_required
@require_GET
def plan_operators(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, membership = plan_for(request.user, plan_id)
    survey = _survey_of(plan)
    if survey is None:
        raise Http404
    language = translation.get_language() or settings.LANGUAGE_CODE
    responses = evidence.plan_responses(plan, survey)
    summary = evidence.summarise(survey, responses, language) if responses else None
    definition = definition_of(plan)
    labels = {item.id: str(item.label) for item in definition.items}
    page = Paginator(
        OperatorResponse.objects.filter(plan=plan, survey_id=survey.id).order_by("submitted", "id"),
        PER_PAGE,
    ).get_page(request.GET.get("page"))
    informed = next((q.informs for q in survey.questions if q.informs), None)
    return render(
        request,
        "field/operators.html",
        {
            "plan": plan,
            "survey": survey,
            "summary": summary,
            "headline": headline(summary) if summary else "",
            "charts": summary_charts(summary, labels),
            "page": page,
            "rows": _rows(survey, list(page.object_list)),
            "can_edit": can(membership, Capability.EDIT),
            "form_url": form_url(plan),
            "step": definition.step_of(informed) if informed else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def operator_remove(request: AuthenticatedRequest, plan_id: int, response_id: int) -> HttpResponse:
    """GET: the confirmation; POST: the response removed."""
    plan, _membership = plan_for(request.user, plan_id, Capability.EDIT)
    response = get_object_or_404(OperatorResponse, plan=plan, pk=response_id)
    if request.method == "POST":
        evidence.remove_response(plan=plan, user=request.user, response_id=response.pk)
        messages.success(request, _("The operator’s response is removed."))
        return redirect("plan_operators", plan.pk)
    survey = bundled_survey()
    return render(
        request,
        "field/operator_remove.html",
        {"plan": plan, "row": _rows(survey, [response])[0]},
    )

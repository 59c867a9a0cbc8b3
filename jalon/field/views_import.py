"""Bringing KoboToolbox and ODK Central submissions into Jalon, from plain upload forms.

Into a plan: an operators' survey file is kept as evidence at once; a worksheet file becomes
proposals the person reviews (`submissions_review`). Into a municipality: a worksheet
submission becomes a new plan. The upload is read through the plan import's size-limited
handler (see `jalon.plans.views_import` for why the outer view is CSRF-exempt).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from jalon.access import Capability, organisation_for, plan_for
from jalon.http import AuthenticatedRequest
from jalon.organisations.models import Organisation
from jalon.plans.models import Plan, UrbanService
from jalon.plans.services import DEFAULT_DEFINITION, definition_of
from jalon.plans.views_import import SizeLimit
from jalon.worksheets.answers import AnswerError
from jalon.worksheets.loading import latest_definition
from jalon.worksheets.survey import bundled_survey
from jalon.worksheets.text import PlainTextValidator

from .evidence import stored_message
from .exports import MAX_BYTES, ExportError, read_export, read_limited, too_large_message
from .models import SubmissionImport
from .services import (
    entry_from_json,
    import_apply,
    import_choose,
    import_propose,
    operators_store,
    plan_from_submission,
    plan_records,
    proposal_views,
)
from .submissions import OperatorsFile, SubmissionsError, WorksheetEntry, check_file

ACCEPT = ".xlsx,.csv,.json,.zip"
HELP = gettext_lazy(
    "An export of KoboToolbox (XLSX, CSV or JSON, “XML values and headers”) or of ODK Central "
    "(CSV, ZIP or JSON), of 10 MB at most, of a form downloaded from Jalon. Everything in it is "
    "checked first: if anything is wrong, nothing is imported."
)


class SubmissionsForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Submissions file"),
        help_text=HELP,
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
    )


class NewPlanForm(SubmissionsForm):
    service = forms.ChoiceField(label=gettext_lazy("Urban service"), choices=UrbanService.choices)
    title = forms.CharField(
        label=gettext_lazy("Title of the plan"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Empty: the form's title, or the file's name."),
        validators=[PlainTextValidator(gettext_lazy("Title of the plan"))],
    )
    row = forms.IntegerField(
        label=gettext_lazy("Row of the submission"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        help_text=gettext_lazy("Only when the file holds several submissions."),
    )


def _stem(name: str) -> str:
    return name.rsplit("/", 1)[-1].rsplit(".", 1)[0][:200]


def _read(upload: UploadedFile, form: forms.Form, check: Any) -> Any:
    """The checked content of the upload, or None with the problems added to the form."""
    try:
        export = read_export(read_limited(upload), upload.name or "")
        return export, check(export)
    except (ExportError, SubmissionsError) as error:
        form.add_error("file", error.messages)
    return None


def _limited(request: AuthenticatedRequest) -> SizeLimit:
    limit = SizeLimit(request, MAX_BYTES)
    request.upload_handlers = [limit, *request.upload_handlers]
    return limit


def _too_large(form: forms.Form) -> None:
    form.full_clean()
    form.errors["file"] = form.error_class([too_large_message()])


# Into a plan -----------------------------------------------------------------------------------


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def submissions_import(request: AuthenticatedRequest, plan_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id, Capability.EDIT)
    return _submissions_import(request, plan, _limited(request))


@csrf_protect
def _submissions_import(
    request: AuthenticatedRequest, plan: Plan, limit: SizeLimit
) -> HttpResponse:
    context: dict[str, Any] = {"plan": plan, "organisation": plan.organisation}
    if request.method != "POST":
        return render(request, "field/import.html", context | {"form": SubmissionsForm()})
    form = SubmissionsForm(request.POST, request.FILES)
    if limit.exceeded:
        _too_large(form)
    elif form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        definition, survey = definition_of(plan), bundled_survey()

        def check(export: Any) -> Any:
            records = plan_records(plan)
            return check_file(export, definition=definition, survey=survey, plan_records=records)

        read = _read(upload, form, check)
        if read is not None:
            export, checked = read
            name = upload.name or ""
            if isinstance(checked, OperatorsFile):
                stored = operators_store(
                    plan=plan, user=request.user, survey=survey, checked=checked, source=name
                )
                messages.success(request, stored_message(stored))
                return redirect("plan_overview", plan.pk)
            try:
                proposal = import_propose(
                    plan=plan,
                    user=request.user,
                    checked=checked,
                    file_name=name,
                    file_format=export.format,
                )
            except SubmissionsError as error:
                form.add_error("file", error.messages)
            else:
                return redirect("submissions_review", plan.pk, proposal.pk)
    return render(request, "field/import.html", context | {"form": form}, status=400)


# Into a municipality: a new plan ---------------------------------------------------------------


def _when(entry: WorksheetEntry) -> str:
    if entry.submitted is None:
        return ""
    return formats.date_format(timezone.localtime(entry.submitted), "SHORT_DATETIME_FORMAT")


def _described(entry: WorksheetEntry) -> str:
    parts = [_("row %(row)s") % {"row": entry.row}, _when(entry), entry.submitter]
    return ", ".join(part for part in parts if part)


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def organisation_submissions_import(
    request: AuthenticatedRequest, organisation_id: int
) -> HttpResponse:
    organisation, _membership = organisation_for(request.user, organisation_id, Capability.EDIT)
    return _organisation_import(request, organisation, _limited(request))


@csrf_protect
def _organisation_import(
    request: AuthenticatedRequest, organisation: Organisation, limit: SizeLimit
) -> HttpResponse:
    context: dict[str, Any] = {"organisation": organisation}
    if request.method != "POST":
        return render(request, "field/import.html", context | {"form": NewPlanForm()})
    form = NewPlanForm(request.POST, request.FILES)
    if limit.exceeded:
        _too_large(form)
    elif form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        definition = latest_definition(DEFAULT_DEFINITION)

        def check(export: Any) -> Any:
            return check_file(export, definition=definition, survey=bundled_survey())

        read = _read(upload, form, check)
        if read is not None and isinstance(read[1], OperatorsFile):
            form.add_error(
                "file",
                _("This file holds operators' survey answers: import it from a plan's page."),
            )
        elif read is not None:
            entries: list[WorksheetEntry] = read[1].entries
            row = form.cleaned_data.get("row")
            chosen = [e for e in entries if e.row == row] if row else entries
            if len(chosen) != 1:
                listed = "; ".join(_described(e) for e in entries[:20])
                form.add_error(
                    "row",
                    _("The file holds %(count)s submissions (%(list)s): give the row of one.")
                    % {"count": len(entries), "list": listed},
                )
            else:
                try:
                    plan = plan_from_submission(
                        organisation=organisation,
                        user=request.user,
                        entry=chosen[0],
                        title=form.cleaned_data["title"] or _stem(upload.name or ""),
                        service=form.cleaned_data["service"],
                    )
                except AnswerError as error:
                    form.add_error("file", str(error))
                else:
                    messages.success(
                        request,
                        _("The plan “%(title)s” was made from the submission.")
                        % {"title": plan.title},
                    )
                    return redirect("plan_overview", plan.pk)
    return render(request, "field/import.html", context | {"form": form}, status=400)


# Proposals -------------------------------------------------------------------------------------


def _index(text: str) -> int:
    """A number the page sent (a submission's or a proposal's index); -1 for anything else
    (« ² » is a digit to `isdigit`, and a 5,000-digit string is too long for `int`)."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else -1


@login_required
@require_http_methods(["GET", "POST"])
def submissions_review(request: AuthenticatedRequest, plan_id: int, import_id: int) -> HttpResponse:
    plan, _membership = plan_for(request.user, plan_id, Capability.EDIT)
    found = SubmissionImport.objects.filter(plan=plan, pk=import_id).first()
    if found is None:
        raise Http404
    found.plan = plan
    status = 200
    if request.method == "POST":
        try:
            if "choose" in request.POST:
                import_choose(submission_import=found, index=_index(request.POST["choose"]))
            else:
                every = {p["id"] for p in found.proposals}
                picked = {_index(v) for v in request.POST.getlist("accept")}
                accepted = every if "accept_all" in request.POST else picked & every
                done = import_apply(submission_import=found, user=request.user, accepted=accepted)
                messages.success(
                    request,
                    _(
                        "%(applied)s changes applied, %(rejected)s rejected, %(conflicts)s in "
                        "conflict with a colleague's change, %(failed)s could not be applied."
                    )
                    % {
                        "applied": done.applied,
                        "rejected": done.rejected,
                        "conflicts": done.conflicts,
                        "failed": done.failed,
                    },
                )
            return redirect("submissions_review", plan.pk, found.pk)
        except SubmissionsError as error:
            messages.error(request, " ".join(error.messages))
            status = 409
    entries = [
        (index, _described(entry_from_json(data))) for index, data in enumerate(found.entries)
    ]
    return render(
        request,
        "field/review.html",
        {
            "plan": plan,
            "organisation": plan.organisation,
            "found": found,
            "entries": entries,
            "proposals": proposal_views(found),
        },
        status=status,
    )

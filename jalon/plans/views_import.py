"""Importing a plan file (the JSON export) into a municipality, from a plain upload form.

The upload is read through a handler that stops storing it past the size limit, so a huge file
is refused without being kept whole in memory or on disk. Django lets a view change its upload
handlers only before the body is read, and the CSRF check reads it: hence the documented pattern
of a CSRF-exempt outer view that installs the handler and a CSRF-protected inner one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from jalon.access import Capability, organisation_for
from jalon.http import AuthenticatedRequest
from jalon.organisations.models import Organisation
from jalon.worksheets.answers import AnswerError

from .plan_file import MAX_BYTES, PlanFileError, parse, read_limited, too_large_message
from .services import plan_import as import_plan_file


class SizeLimit(FileUploadHandler):
    """Passes an upload on to Django's handlers until it exceeds `limit`, then skips the file."""

    def __init__(self, request: HttpRequest, limit: int = MAX_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        if self.content_length is not None and self.content_length > self.limit:
            self.exceeded = True
            raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler stores the file


class PlanImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Plan file (JSON)"),
        help_text=gettext_lazy(
            "A file downloaded from Jalon in the JSON format, of 10 MB at most. Everything in it "
            "is checked first: if anything is wrong, nothing is imported."
        ),
        widget=forms.FileInput(attrs={"accept": "application/json,.json"}),
    )


@csrf_exempt
@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request: AuthenticatedRequest, organisation_id: int) -> HttpResponse:
    organisation, _membership = organisation_for(request.user, organisation_id, Capability.EDIT)
    limit = SizeLimit(request)
    request.upload_handlers = [limit, *request.upload_handlers]
    return _plan_import(request, organisation, limit)


@csrf_protect
def _plan_import(
    request: AuthenticatedRequest, organisation: Organisation, limit: SizeLimit
) -> HttpResponse:
    if request.method != "POST":
        form = PlanImportForm()
        return render(request, "plans/import.html", {"organisation": organisation, "form": form})
    form = PlanImportForm(request.POST, request.FILES)
    if limit.exceeded:  # the file was skipped: say why, rather than "this field is required"
        form.full_clean()
        form.errors["file"] = form.error_class([too_large_message()])
    elif form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        try:
            plan = import_plan_file(
                organisation=organisation, user=request.user, data=parse(read_limited(upload))
            )
        except PlanFileError as error:
            form.add_error("file", error.messages)
        except AnswerError as error:
            form.add_error("file", str(error))
        else:
            messages.success(
                request,
                _("The plan “%(title)s” was imported.") % {"title": plan.title},
            )
            return redirect("plan_overview", plan.pk)
    return render(
        request,
        "plans/import.html",
        {"organisation": organisation, "form": form},
        status=400,
    )

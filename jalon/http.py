"""HTTP pieces every room's views share: the signed-in request type and the 400 page."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from jalon.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """What a view behind @login_required receives: its `user` is a signed-in User."""

    user: User


def wants_json(request: HttpRequest) -> bool:
    """An autosave (the page's script) reads JSON; a plain form post reads a page."""
    return request.headers.get("X-Jalon-Autosave") == "1"


def bad_request_response(
    request: HttpRequest, message: str, *, back: str = "", typed: str = ""
) -> HttpResponse:
    """A refused request, said in the person's language: JSON to an autosave, a page otherwise;
    `back`: where the person was (else their municipalities), `typed`: what they wrote, given
    back to copy, since a page without JavaScript cannot keep it in the form."""
    if wants_json(request):
        return JsonResponse({"error": message}, status=400)
    context = {"message": message, "back": back, "typed": typed}
    return render(request, "error.html", context, status=400)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """`handler400`: what Django refuses before a view runs (a body over the size limit, too many
    fields, a malformed request) gets a message instead of a bare « Bad Request (400) »."""
    if isinstance(exception, RequestDataTooBig):
        message = _(
            "What you sent is larger than Jalon accepts in one go (%(limit)s). Nothing was "
            "saved: shorten the text, or split it over several answers, and save again."
        ) % {"limit": filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)}
    elif isinstance(exception, TooManyFieldsSent):
        message = _("What you sent has too many fields (over %(limit)s). Nothing was saved.") % {
            "limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        }
    else:
        message = _("This request could not be understood. Nothing was saved.")
    return bad_request_response(request, message)

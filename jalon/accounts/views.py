from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from jalon.accounts.forms import TokenForm
from jalon.accounts.tokens import NewToken, TokenError, token_create, token_revoke, tokens_of
from jalon.http import AuthenticatedRequest

from .forms import ProfileForm, SignupForm


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


def _remember_language(response: HttpResponse, language: str) -> None:
    """The cookie the pages follow when nobody is signed in (after logging out, on the login
    page), so that they stay in the language the person chose."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        with translation.override(user.language):  # said in the language just chosen
            messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        _remember_language(response, user.language)
        return response
    return _profile_page(request, form, TokenForm())


def _profile_page(
    request: AuthenticatedRequest,
    form: ProfileForm,
    token_form: TokenForm,
    new_token: NewToken | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "token_form": token_form,
        "tokens": tokens_of(request.user),
        "new_token": new_token,
    }
    response = render(request, "registration/profile.html", context, status=status)
    if new_token is not None:  # the secret is on this page only: no copy kept anywhere
        response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def token_new(request: AuthenticatedRequest) -> HttpResponse:
    """A personal access token for the API, shown once on the page that answers."""
    form = TokenForm(request.POST)
    new = None
    if form.is_valid():
        try:
            new = token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                days=form.cleaned_data["days"],
            )
        except TokenError as error:
            form.add_error(None, str(error))
    profile_form = ProfileForm(instance=request.user)
    status = 200 if new else 400
    return _profile_page(request, profile_form, TokenForm() if new else form, new, status)


@login_required
@require_POST
def token_revoke_view(request: AuthenticatedRequest, token_id: int) -> HttpResponse:
    if token_revoke(user=request.user, token_id=token_id) is None:
        raise Http404
    messages.success(request, _("The token is revoked: it no longer opens the API."))
    return redirect("profile")


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """The header's language switch (Django's `set_language`, which sets the cookie). For a
    signed-in person it also becomes their choice: otherwise their profile's language, which
    wins over the cookie, would make the switch do nothing."""
    response = set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES):
        user.language = language
        user.save(update_fields=["language"])
    return response

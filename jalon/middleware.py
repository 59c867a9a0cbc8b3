"""Request-wide behaviour: the interface language, the Content-Security-Policy header, and how
failed logins are counted and shown (the hooks django-axes calls).

Jalon speaks French unless the person chose English with the language switch. Django's
LocaleMiddleware would follow the browser's Accept-Language, but our users' phones and shared
office computers are often set to English while they work in French: the worksheet is French
first, so only an explicit choice (the language cookie) changes it."""

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

# Everything Jalon serves comes from its own origin: no CDN, no web font, no inline script or
# style (GUIDE §6), so nothing typed into a plan can run even if a template forgot to escape it.
# `img-src data:` is for the empty favicon (`<link rel="icon" href="data:,">`) that spares a
# request; `frame-ancestors` and `base-uri` close clickjacking and <base> tag injection.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


def language_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    languages = {code for code, _name in settings.LANGUAGES}

    def middleware(request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response

    return middleware


def content_security_policy_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Every response, error pages and static files included, carries the policy above."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response

    return middleware


def login_attempt_username(request: HttpRequest, credentials: Mapping[str, Any] | None) -> str:
    """The name django-axes counts a login attempt under (AXES_USERNAME_CALLABLE).

    Login ignores the address's case, so the count must too: otherwise « Awa@… », « awa@… » and
    « AWA@… » would each get their own five tries. The login form calls the field `username`;
    code that logs in directly (tests) passes `email`, the user model's USERNAME_FIELD."""
    given = credentials or request.POST
    name = given.get("username") or given.get("email") or ""
    return str(name).strip().lower()


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any
) -> HttpResponse:
    """The page django-axes shows instead of logging in (AXES_LOCKOUT_CALLABLE): how long to
    wait, in minutes, with the right plural in each language, and the way to a new password."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes}
    # 429 Too Many Requests, as django-axes answers by default.
    return render(request, "registration/locked_out.html", context, status=429)

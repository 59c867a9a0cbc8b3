"""Request-wide behaviour: the client's address behind proxies, private pages and their
revalidation, the interface language, the Content-Security-Policy header, and how failed logins
are counted and shown (the hooks django-axes calls).

Jalon speaks French unless the person chose English. Django's LocaleMiddleware would follow the
browser's Accept-Language, but our users' phones and shared office computers are often set to
English while they work in French: the worksheet is French first, so only an explicit choice
changes it. A signed-in person's choice (their profile, `User.language`) wins, so it follows them
from the office computer to their phone; otherwise the language cookie decides (the switch, or the
profile, sets it). The switch, used by a signed-in person, also changes their choice
(`jalon.accounts.views.language_switch`): one choice, the last one made, wherever it was made."""

import hashlib
import ipaddress
import re
from collections.abc import Callable, Mapping
from typing import Any

import brotli
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import quote_etag

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
        user = getattr(request, "user", None)
        chosen = user.language if user is not None and user.is_authenticated else ""
        language = chosen or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
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


def client_address(forwarded_for: str, remote_addr: str, trusted_proxies: int) -> str:
    """The client's address behind `trusted_proxies` reverse proxies: the Nth entry from the
    right of X-Forwarded-For (entries further left are whatever the client claimed). Without a
    trusted proxy, or when the header is shorter or not an address, the connection's own."""
    if trusted_proxies <= 0:
        return remote_addr
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    if len(hops) < trusted_proxies:
        return remote_addr
    candidate = hops[-trusted_proxies]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote_addr
    return candidate


def client_address_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """REMOTE_ADDR becomes the client's address (JALON_TRUSTED_PROXIES), so that login
    throttling (django-axes reads REMOTE_ADDR) and logs count people, not the proxy."""

    def middleware(request: HttpRequest) -> HttpResponse:
        trusted = settings.TRUSTED_PROXIES
        if trusted:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("HTTP_X_FORWARDED_FOR", ""),
                request.META.get("REMOTE_ADDR", ""),
                trusted,
            )
        return get_response(request)

    return middleware


def private_pages_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Pages show one person's plans: no shared cache (a proxy, an office's cache) may keep
    them, and the browser asks again before reusing its own copy. Responses that say otherwise
    (downloads: no-store) keep theirs."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if "Cache-Control" not in response:
            patch_cache_control(response, private=True, no_cache=True)
        return response

    return middleware


# The token `{% csrf_token %}` writes: masked anew on every response, so left out of the ETag.
CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]+(")')


def revalidation_middleware(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A page without an ETag of its own (the plan pages make theirs before rendering) gets one
    from what it shows, so a browser asking again for an unchanged page gets a 304: a few hundred
    bytes on 2G instead of the page (GUIDE §6). The page is still rendered; only the bytes are
    spared.

    The forms' CSRF tokens are left out of the hash, since each response masks the token anew,
    and the person's CSRF secret is put in: every token masked from one secret is valid while it
    lasts, so the copy the browser keeps still posts, and a new secret (a new login) makes a new
    ETag. Placed after CompressionMiddleware in MIDDLEWARE, it sees the page uncompressed."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.streaming
            and not response.has_header("ETag")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            seen = hashlib.sha256(CSRF_FIELD.sub(rb"\1\2", response.content))
            seen.update(str(request.META.get("CSRF_COOKIE", "")).encode())
            etag = response["ETag"] = quote_etag(seen.hexdigest()[:32])
            return get_conditional_response(request, etag=etag, response=response) or response
        return response

    return middleware


# Browsers say `br` in Accept-Encoding when they read brotli (every current one does).
ACCEPTS_BROTLI = re.compile(r"\bbr\b")
# Brotli's quality 5 on a step page: 18 % fewer bytes than gzip for the same time (the demo's
# step 6: 11.2 KB against 13.7 KB, 1.7 ms each); quality 4, the usual server default, saves
# almost nothing over gzip, and quality 6 and above cost more time for a few hundred bytes.
BROTLI_QUALITY = 5


class CompressionMiddleware(GZipMiddleware):
    """Django's GZipMiddleware, with brotli for the browsers that read it: on 2G every kilobyte
    of a page is felt (GUIDE §6). Same rules as gzip: not below 200 bytes, not what is already
    encoded, not when it would grow, `Vary: Accept-Encoding`, a weak ETag. Streamed responses
    (none of Jalon's pages) stay with gzip."""

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            not isinstance(response, HttpResponse)  # a streamed one
            or response.has_header("Content-Encoding")
            or len(response.content) < 200
            or not ACCEPTS_BROTLI.search(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        ):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        compressed = brotli.compress(response.content, quality=BROTLI_QUALITY)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag  # as GZipMiddleware: the bytes differ
        response.headers["Content-Encoding"] = "br"
        return response


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

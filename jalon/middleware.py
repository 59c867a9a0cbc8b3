"""Jalon speaks French unless the person chose English with the language switch.

Django's LocaleMiddleware would follow the browser's Accept-Language, but our users' phones and
shared office computers are often set to English while they work in French: the worksheet is
French first, so only an explicit choice (the language cookie) changes it."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation


Handler = Callable[[HttpRequest], HttpResponse]


def language_middleware(get_response: Handler) -> Handler:
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

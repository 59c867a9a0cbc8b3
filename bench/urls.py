"""Jalon's URLs plus the floor: a bare Django view that returns a short response.

Every request still goes through the whole middleware stack, so the ratio page ÷ floor says what
the page itself costs on top of Django.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from jalon.urls import urlpatterns as jalon_urlpatterns


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [*jalon_urlpatterns, path("bench/floor/", floor, name="bench_floor")]

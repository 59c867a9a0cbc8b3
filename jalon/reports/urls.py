"""URLs of a plan's deliverables, included from jalon/urls.py."""

from django.urls import path

import jalon.converters  # noqa: F401  (registers <id:…> and <key:…>)

from . import views

urlpatterns = [
    path("plans/<id:plan_id>/print/", views.plan_print, name="plan_print"),
    path(
        "plans/<id:plan_id>/download/<key:format_code>/",
        views.plan_download,
        name="plan_download",
    ),
]

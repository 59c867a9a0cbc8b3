"""URLs of the field forms, included from jalon/urls.py."""

from django.urls import path

import jalon.converters  # noqa: F401  (registers <id:…> and <key:…>)

from . import views

urlpatterns = [
    path("plans/<id:plan_id>/xlsform/", views.plan_xlsform, name="plan_xlsform"),
    path(
        "plans/<id:plan_id>/xlsform/operators/",
        views.plan_xlsform_operators,
        name="plan_xlsform_operators",
    ),
]

"""URLs of the field room (XLSForms, submissions, the operators' survey), included from
jalon/urls.py."""

from django.urls import path

import jalon.converters  # noqa: F401  (registers <id:…> and <key:…>)

from . import views, views_import, views_operators

urlpatterns = [
    path("plans/<id:plan_id>/xlsform/", views.plan_xlsform, name="plan_xlsform"),
    path(
        "plans/<id:plan_id>/xlsform/operators/",
        views.plan_xlsform_operators,
        name="plan_xlsform_operators",
    ),
    path(
        "plans/<id:plan_id>/submissions/import/",
        views_import.submissions_import,
        name="submissions_import",
    ),
    path(
        "plans/<id:plan_id>/submissions/<id:import_id>/",
        views_import.submissions_review,
        name="submissions_review",
    ),
    path(
        "organisations/<id:organisation_id>/submissions/import/",
        views_import.organisation_submissions_import,
        name="organisation_submissions_import",
    ),
    path("plans/<id:plan_id>/operators/", views_operators.plan_operators, name="plan_operators"),
    path(
        "plans/<id:plan_id>/operators/<id:response_id>/remove/",
        views_operators.operator_remove,
        name="operator_remove",
    ),
]

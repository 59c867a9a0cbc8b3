"""URLs of the field room (XLSForms, submissions, the operators' survey), included from
jalon/urls.py."""

from django.urls import path

import jalon.converters  # noqa: F401  (registers <id:…> and <key:…>)

from . import views_operators

app_name = "field"

urlpatterns = [
    path("plans/<id:plan_id>/operators/", views_operators.plan_operators, name="operators"),
    path(
        "plans/<id:plan_id>/operators/<id:response_id>/remove/",
        views_operators.operator_remove,
        name="operator_remove",
    ),
]

"""The import form's URL, included from `jalon.urls` under organisations/<id>/plans/import/."""

from django.urls import path

from . import views_import

urlpatterns = [
    path("", views_import.plan_import, name="plan_import"),
]

"""URLs of a plan's deliverables, included from jalon/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("plans/<int:plan_id>/print/", views.plan_print, name="plan_print"),
    path(
        "plans/<int:plan_id>/download/<str:format_code>/",
        views.plan_download,
        name="plan_download",
    ),
]

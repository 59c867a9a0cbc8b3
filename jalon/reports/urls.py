"""URLs of a plan's deliverables, included from jalon/urls.py."""

from django.urls import path

import jalon.converters  # noqa: F401  (registers <id:…> and <key:…>)

from . import views, views_followup, views_profile

urlpatterns = [
    path("plans/<id:plan_id>/print/", views.plan_print, name="plan_print"),
    path("plans/<id:plan_id>/follow-up/", views_followup.plan_follow_up, name="plan_follow_up"),
    path(
        "plans/<id:plan_id>/download/<key:format_code>/",
        views.plan_download,
        name="plan_download",
    ),
    path(
        "plans/<id:plan_id>/versions/<id:version_id>/",
        views.plan_version,
        name="plan_version",
    ),
    path(
        "plans/<id:plan_id>/versions/<id:version_id>/download/<key:format_code>/",
        views.plan_version_download,
        name="plan_version_download",
    ),
    path("plans/<id:plan_id>/profile/", views_profile.plan_profile_page, name="plan_profile"),
    path(
        "organisations/<id:organisation_id>/profile/",
        views_profile.organisation_profile_page,
        name="organisation_profile",
    ),
]

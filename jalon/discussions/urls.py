"""The pages of the discussions room: comments, activity, notifications, presence."""

from django.urls import URLPattern, path

import jalon.converters  # noqa: F401  (registers <id:…>)

from . import views

urlpatterns: list[URLPattern] = [
    path("plans/<id:plan_id>/activity/", views.plan_activity, name="plan_activity"),
    path(
        "organisations/<id:organisation_id>/activity/",
        views.organisation_activity,
        name="organisation_activity",
    ),
]

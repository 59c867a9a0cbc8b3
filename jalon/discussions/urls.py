"""The pages of the discussions room: comments, activity, notifications, presence."""

from django.urls import URLPattern, path

import jalon.converters  # noqa: F401  (registers <id:…> and <key:…>)

from . import views

urlpatterns: list[URLPattern] = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path(
        "notifications/<id:notification_id>/",
        views.notification_open,
        name="notification_open",
    ),
    path("plans/<id:plan_id>/presence/", views.presence, name="presence"),
]

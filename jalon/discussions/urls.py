"""The pages of the discussions room: comments, activity, notifications, presence."""

from django.urls import URLPattern, path

import jalon.converters  # noqa: F401  (registers <id:…> and <key:…>)

from . import views

urlpatterns: list[URLPattern] = [
    path("plans/<id:plan_id>/activity/", views.plan_activity, name="plan_activity"),
    path(
        "organisations/<id:organisation_id>/activity/",
        views.organisation_activity,
        name="organisation_activity",
    ),
    path("plans/<id:plan_id>/comments/", views.plan_comments, name="plan_comments"),
    path("plans/<id:plan_id>/comments/new/", views.thread_start, name="thread_start"),
    path(
        "plans/<id:plan_id>/comments/<id:comment_id>/edit/",
        views.comment_edit,
        name="comment_edit",
    ),
    path(
        "plans/<id:plan_id>/comments/<id:comment_id>/delete/",
        views.comment_delete,
        name="comment_delete",
    ),
    path(
        "plans/<id:plan_id>/threads/<id:thread_id>/reply/",
        views.comment_reply,
        name="comment_reply",
    ),
    path(
        "plans/<id:plan_id>/threads/<id:thread_id>/resolve/",
        views.thread_resolve,
        name="thread_resolve",
    ),
    path(
        "plans/<id:plan_id>/threads/<id:thread_id>/reopen/",
        views.thread_reopen,
        name="thread_reopen",
    ),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path(
        "notifications/<id:notification_id>/",
        views.notification_open,
        name="notification_open",
    ),
    path("plans/<id:plan_id>/presence/", views.presence, name="presence"),
]

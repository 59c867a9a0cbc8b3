from django.urls import path

from . import views_import

urlpatterns = [
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
]

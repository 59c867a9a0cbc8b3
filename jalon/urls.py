from django.contrib.auth import views as auth_views
from django.urls import include, path

import jalon.converters  # noqa: F401  (registers <id:…> and <key:…>)
from jalon.accounts import views as accounts
from jalon.api.api import api
from jalon.organisations import views as organisations
from jalon.plans import views as plans
from jalon.plans import views_advice as plans_advice
from jalon.plans import views_import as plans_import
from jalon.plans import views_library as plans_library
from jalon.plans import views_review as plans_review
from jalon.plans import views_versions as plans_versions

urlpatterns = [
    path("", organisations.home, name="home"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/profile/tokens/", accounts.token_new, name="token_new"),
    path(
        "accounts/profile/tokens/<id:token_id>/revoke/",
        accounts.token_revoke_view,
        name="token_revoke",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", accounts.language_switch, name="set_language"),
    path("organisations/new/", organisations.organisation_create, name="organisation_create"),
    path(
        "organisations/<id:organisation_id>/",
        organisations.organisation_detail,
        name="organisation_detail",
    ),
    path(
        "organisations/<id:organisation_id>/members/<id:member_id>/",
        organisations.member_change,
        name="member_change",
    ),
    path(
        "organisations/<id:organisation_id>/invitations/<id:invitation_id>/revoke/",
        organisations.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisations/<id:organisation_id>/invitations/<id:invitation_id>/resend/",
        organisations.invitation_resend,
        name="invitation_resend",
    ),
    path("invitations/<key:token>/", organisations.invitation_accept, name="invitation_accept"),
    path("plans/<id:plan_id>/invite/", organisations.plan_invite, name="plan_invite"),
    path("organisations/<id:organisation_id>/plans/new/", plans.plan_create, name="plan_create"),
    path(
        "organisations/<id:organisation_id>/plans/import/",
        plans_import.plan_import,
        name="plan_import",
    ),
    path("plans/<id:plan_id>/", plans.plan_overview, name="plan_overview"),
    path("plans/<id:plan_id>/steps/<key:step_id>/", plans.plan_step, name="plan_step"),
    path("plans/<id:plan_id>/items/<key:item_id>/", plans.item_save, name="item_save"),
    path(
        "plans/<id:plan_id>/items/<key:item_id>/history/",
        plans.item_history_page,
        name="item_history",
    ),
    path("plans/<id:plan_id>/items/<key:item_id>/records/", plans.record_add, name="record_add"),
    path("plans/<id:plan_id>/records/<key:uid>/", plans.record_update, name="record_update"),
    path("plans/<id:plan_id>/records/<key:uid>/delete/", plans.record_delete, name="record_delete"),
    path("plans/<id:plan_id>/records/<key:uid>/move/", plans.record_move, name="record_move"),
    path("plans/<id:plan_id>/library/", plans_library.plan_library, name="plan_library"),
    path("plans/<id:plan_id>/review/request/", plans_review.review_request, name="review_request"),
    path("plans/<id:plan_id>/upgrade/", plans.plan_upgrade, name="plan_upgrade"),
    path(
        "plans/<id:plan_id>/review/changes/",
        plans_review.review_request_changes,
        name="review_request_changes",
    ),
    path(
        "plans/<id:plan_id>/review/validate/", plans_review.review_validate, name="review_validate"
    ),
    path("plans/<id:plan_id>/versions/", plans_versions.plan_versions, name="plan_versions"),
    path("plans/<id:plan_id>/versions/compare/", plans_versions.plan_compare, name="plan_compare"),
    path("plans/<id:plan_id>/advice/", plans_advice.plan_advice, name="plan_advice"),
    path(
        "plans/<id:plan_id>/advice/set-aside/",
        plans_advice.advice_set_aside,
        name="advice_set_aside",
    ),
    path(
        "plans/<id:plan_id>/advice/<id:set_aside_id>/restore/",
        plans_advice.advice_restore,
        name="advice_restore",
    ),
    path("plans/<id:plan_id>/horizon/", plans_advice.plan_horizon, name="plan_horizon"),
    path("", include("jalon.discussions.urls")),  # comments, activity, notifications
    path("", include("jalon.reports.urls")),  # print view and downloads of a plan
    path("", include("jalon.field.urls")),  # XLSForms, submissions, the operators' survey
    path("api/v1/", api.urls),  # the JSON API, its OpenAPI description and its docs page
]

handler400 = "jalon.http.bad_request"

"""Who may do what, for every URL of the application.

The table below gives, for each named URL, the expected status for an anonymous visitor, an
outsider (signed in, not a member), and a viewer, commenter, editor and owner of the
municipality. A URL added without a line here fails `test_every_url_has_an_access_decision`.
"""

from __future__ import annotations

import re

import pytest
from django.urls import get_resolver

from jalon.accounts.tokens import token_create
from jalon.discussions.models import Notification
from jalon.discussions.services import notify, thread_start
from jalon.field.demo import add_demo_responses
from jalon.field.models import OperatorResponse
from jalon.organisations.services import invitation_create
from jalon.plans.advice import advice_set_aside
from jalon.plans.review import review_validate
from jalon.plans.services import record_add

from .conftest import client_for
from .field.shapes import proposed_import

ROLES = ("anonymous", "outsider", "viewer", "commenter", "editor", "owner")
LOGIN = 302  # anonymous visitors are sent to the login page


def row(anonymous, outsider, viewer, commenter, editor, owner):
    return dict(zip(ROLES, (anonymous, outsider, viewer, commenter, editor, owner), strict=True))


MEMBERS_READ = row(LOGIN, 404, 200, 200, 200, 200)
EDITORS_WRITE = row(LOGIN, 404, 403, 403, 302, 302)
OWNERS_MANAGE = row(LOGIN, 404, 403, 403, 403, 302)
SIGNED_IN = row(LOGIN, 200, 200, 200, 200, 200)
EVERYONE = row(200, 200, 200, 200, 200, 200)
COMMENTERS_WRITE = row(LOGIN, 404, 403, 302, 302, 302)
AUTHOR_ONLY = row(LOGIN, 404, 403, 403, 403, 200)
AUTHOR_ONLY_POST = row(LOGIN, 404, 403, 403, 403, 302)

# name: (method, path template, data, expected statuses)
ACCESS = {
    "home": ("get", "/", {}, EVERYONE),
    "signup": ("get", "/accounts/signup/", {}, row(200, 302, 302, 302, 302, 302)),
    "login": ("get", "/accounts/login/", {}, row(200, 302, 302, 302, 302, 302)),
    "logout": ("post", "/accounts/logout/", {}, row(302, 302, 302, 302, 302, 302)),
    "password_change": ("get", "/accounts/password_change/", {}, SIGNED_IN),
    "password_change_done": ("get", "/accounts/password_change/done/", {}, SIGNED_IN),
    "password_reset": ("get", "/accounts/password_reset/", {}, EVERYONE),
    "password_reset_done": ("get", "/accounts/password_reset/done/", {}, EVERYONE),
    "password_reset_confirm": ("get", "/accounts/reset/MQ/bad-token/", {}, EVERYONE),
    "password_reset_complete": ("get", "/accounts/reset/done/", {}, EVERYONE),
    "set_language": (
        "post",
        "/i18n/setlang/",
        {"language": "en"},
        row(302, 302, 302, 302, 302, 302),
    ),
    "organisation_create": ("get", "/organisations/new/", {}, SIGNED_IN),
    "organisation_detail": ("get", "/organisations/{org}/", {}, MEMBERS_READ),
    "organisation_detail:post": (
        "post",
        "/organisations/{org}/",
        {"email": "outsider@example.org", "role": "viewer"},
        OWNERS_MANAGE,
    ),
    "member_change": (
        "post",
        "/organisations/{org}/members/{member}/",
        {"role": "editor"},
        OWNERS_MANAGE,
    ),
    "plan_create": (
        "get",
        "/organisations/{org}/plans/new/",
        {},
        row(LOGIN, 404, 403, 403, 200, 200),
    ),
    "plan_create:post": (
        "post",
        "/organisations/{org}/plans/new/",
        {"service": "markets", "title": "Marchés"},
        EDITORS_WRITE,
    ),
    "plan_import": (
        "get",
        "/organisations/{org}/plans/import/",
        {},
        row(LOGIN, 404, 403, 403, 200, 200),
    ),
    # Without a file: the form comes back with the problem (400) to those who may import.
    "plan_import:post": (
        "post",
        "/organisations/{org}/plans/import/",
        {},
        row(LOGIN, 404, 403, 403, 400, 400),
    ),
    "plan_overview": ("get", "/plans/{plan}/", {}, MEMBERS_READ),
    "plan_step": ("get", "/plans/{plan}/steps/4/", {}, MEMBERS_READ),
    "item_save": ("get", "/plans/{plan}/items/competences/", {}, MEMBERS_READ),
    "item_save:post": (
        "post",
        "/plans/{plan}/items/competences/",
        {"text": "Texte", "version": "0"},
        EDITORS_WRITE,
    ),
    "item_history": ("get", "/plans/{plan}/items/competences/history/", {}, MEMBERS_READ),
    "record_add": ("post", "/plans/{plan}/items/actors/records/", {"name": "ONG"}, EDITORS_WRITE),
    "record_update": (
        "post",
        "/plans/{plan}/records/{record}/",
        {"name": "Mairie B", "version": "1"},
        EDITORS_WRITE,
    ),
    "record_delete": (
        "post",
        "/plans/{plan}/records/{record}/delete/",
        {"version": "1"},
        EDITORS_WRITE,
    ),
    "record_move": (
        "post",
        "/plans/{plan}/records/{record}/move/",
        {"direction": "down"},
        EDITORS_WRITE,
    ),
    # The indicator library: any member searches it; those who may edit add from it.
    "plan_library": ("get", "/plans/{plan}/library/", {"q": "eau"}, MEMBERS_READ),
    "plan_library:post": (
        "post",
        "/plans/{plan}/library/",
        {"code": "AFD-IDDRI-1"},
        EDITORS_WRITE,
    ),
    "plan_print": ("get", "/plans/{plan}/print/", {}, MEMBERS_READ),
    "plan_follow_up": ("get", "/plans/{plan}/follow-up/", {}, MEMBERS_READ),
    "plan_download": ("get", "/plans/{plan}/download/pdf/", {}, MEMBERS_READ),
    "plan_download:json": ("get", "/plans/{plan}/download/json/", {}, MEMBERS_READ),
    "plan_xlsform": ("get", "/plans/{plan}/xlsform/", {}, MEMBERS_READ),
    "plan_xlsform:step": ("get", "/plans/{plan}/xlsform/", {"step": "2"}, MEMBERS_READ),
    "plan_xlsform:no-such-step": (
        "get",
        "/plans/{plan}/xlsform/",
        {"step": "9"},
        row(LOGIN, 404, 404, 404, 404, 404),
    ),
    "plan_xlsform_operators": ("get", "/plans/{plan}/xlsform/operators/", {}, MEMBERS_READ),
    # Review: the plan is a draft (validated once, then changed: see `ids`). Editors and owners
    # ask for a review; only validators (here the owner) ask for changes, which a draft cannot
    # get (409), or validate it.
    "review_request": ("post", "/plans/{plan}/review/request/", {"message": ""}, EDITORS_WRITE),
    "plan_upgrade": ("post", "/plans/{plan}/upgrade/", {"version": "3"}, EDITORS_WRITE),
    "review_request_changes": (
        "post",
        "/plans/{plan}/review/changes/",
        {"message": "À revoir"},
        row(LOGIN, 404, 403, 403, 403, 409),
    ),
    "review_validate": (
        "post",
        "/plans/{plan}/review/validate/",
        {"message": ""},
        row(LOGIN, 404, 403, 403, 403, 302),
    ),
    "plan_version": ("get", "/plans/{plan}/versions/{version}/", {}, MEMBERS_READ),
    "plan_version_download": (
        "get",
        "/plans/{plan}/versions/{version}/download/pdf/",
        {},
        MEMBERS_READ,
    ),
    "plan_version_download:json": (
        "get",
        "/plans/{plan}/versions/{version}/download/json/",
        {},
        MEMBERS_READ,
    ),
    # Versions: members read the list and compare; editors and owners keep a snapshot.
    "plan_versions": ("get", "/plans/{plan}/versions/", {}, MEMBERS_READ),
    "plan_versions:post": (
        "post",
        "/plans/{plan}/versions/",
        {"name": "Avant le conseil"},
        EDITORS_WRITE,
    ),
    "plan_compare": (
        "get",
        "/plans/{plan}/versions/compare/?from={version}&to=now",
        {},
        MEMBERS_READ,
    ),
    "plan_compare:two": (
        "get",
        "/plans/{plan}/versions/compare/?from={version}&to={version}",
        {},
        MEMBERS_READ,
    ),
    "invitation_revoke": (
        "post",
        "/organisations/{org}/invitations/{invitation}/revoke/",
        {},
        OWNERS_MANAGE,
    ),
    "invitation_resend": (
        "post",
        "/organisations/{org}/invitations/{invitation}/resend/",
        {},
        OWNERS_MANAGE,
    ),
    # The link itself is the right to see the invitation: anyone holding it may open it; a link
    # that names nothing is a 404 for everyone.
    "invitation_accept": ("get", "/invitations/{token}/", {}, EVERYONE),
    "invitation_accept:unknown": ("get", "/invitations/no-such-token/", {}, row(*[404] * 6)),
    "plan_invite": ("get", "/plans/{plan}/invite/", {}, row(LOGIN, 404, 403, 403, 403, 200)),
    "plan_invite:post": (
        "post",
        "/plans/{plan}/invite/",
        {"email": "someone@example.org", "role": "viewer"},
        OWNERS_MANAGE,
    ),
    "plan_activity": ("get", "/plans/{plan}/activity/", {}, MEMBERS_READ),
    "organisation_activity": ("get", "/organisations/{org}/activity/", {}, MEMBERS_READ),
    "plan_comments": ("get", "/plans/{plan}/comments/", {}, MEMBERS_READ),
    "thread_start": (
        "post",
        "/plans/{plan}/comments/new/",
        {"item": "competences", "body": "Une question"},
        COMMENTERS_WRITE,
    ),
    "comment_reply": (
        "post",
        "/plans/{plan}/threads/{thread}/reply/",
        {"body": "Une réponse"},
        COMMENTERS_WRITE,
    ),
    "thread_resolve": ("post", "/plans/{plan}/threads/{thread}/resolve/", {}, COMMENTERS_WRITE),
    "thread_reopen": ("post", "/plans/{plan}/threads/{thread}/reopen/", {}, COMMENTERS_WRITE),
    # A comment's author only (the owner wrote this one).
    "comment_edit": ("get", "/plans/{plan}/comments/{comment}/edit/", {}, AUTHOR_ONLY),
    "comment_edit:post": (
        "post",
        "/plans/{plan}/comments/{comment}/edit/",
        {"body": "Autrement dit"},
        row(LOGIN, 404, 403, 403, 403, 302),
    ),
    "comment_delete": ("post", "/plans/{plan}/comments/{comment}/delete/", {}, AUTHOR_ONLY_POST),
    "profile": ("get", "/accounts/profile/", {}, SIGNED_IN),
    "profile:post": (
        "post",
        "/accounts/profile/",
        {"name": "Awa", "language": "fr", "digest": "daily"},
        row(LOGIN, 302, 302, 302, 302, 302),
    ),
    # Personal access tokens for the API: anyone signed in makes their own (the page answers
    # with the token, shown once); only its owner (here the owner) revokes it.
    "token_new": (
        "post",
        "/accounts/profile/tokens/",
        {"name": "Tableau de bord", "scope": "read", "days": "90"},
        row(LOGIN, 200, 200, 200, 200, 200),
    ),
    "token_revoke": (
        "post",
        "/accounts/profile/tokens/{access_token}/revoke/",
        {},
        row(LOGIN, 404, 404, 404, 404, 302),
    ),
    "notifications": ("get", "/notifications/", {}, SIGNED_IN),
    "notifications_read": ("post", "/notifications/read/", {}, row(LOGIN, 302, 302, 302, 302, 302)),
    # The owner's notification: anyone else gets a 404, as for one that does not exist.
    "notification_open": (
        "get",
        "/notifications/{notification}/",
        {},
        row(LOGIN, 404, 404, 404, 404, 302),
    ),
    "presence": ("get", "/plans/{plan}/presence/", {}, MEMBERS_READ),
    "plan_profile": ("get", "/plans/{plan}/profile/", {}, MEMBERS_READ),
    "organisation_profile": ("get", "/organisations/{org}/profile/", {}, MEMBERS_READ),
    "plan_advice": ("get", "/plans/{plan}/advice/", {}, MEMBERS_READ),
    "advice_set_aside": (
        "post",
        "/plans/{plan}/advice/set-aside/",
        {"rule": "roadmap-line-without-dates", "record": "", "reason": "Pas encore daté"},
        EDITORS_WRITE,
    ),
    "advice_restore": ("post", "/plans/{plan}/advice/{set_aside}/restore/", {}, EDITORS_WRITE),
    "plan_horizon": ("post", "/plans/{plan}/horizon/", {"horizon": "2028-12-31"}, EDITORS_WRITE),
    # KoboToolbox and ODK submissions: those who may edit import them and review the proposals.
    "submissions_import": (
        "get",
        "/plans/{plan}/submissions/import/",
        {},
        row(LOGIN, 404, 403, 403, 200, 200),
    ),
    "submissions_import:post": (
        "post",
        "/plans/{plan}/submissions/import/",
        {},
        row(LOGIN, 404, 403, 403, 400, 400),
    ),
    "organisation_submissions_import": (
        "get",
        "/organisations/{org}/submissions/import/",
        {},
        row(LOGIN, 404, 403, 403, 200, 200),
    ),
    "organisation_submissions_import:post": (
        "post",
        "/organisations/{org}/submissions/import/",
        {},
        row(LOGIN, 404, 403, 403, 400, 400),
    ),
    "submissions_review": (
        "get",
        "/plans/{plan}/submissions/{submission}/",
        {},
        row(LOGIN, 404, 403, 403, 200, 200),
    ),
    "submissions_review:post": (
        "post",
        "/plans/{plan}/submissions/{submission}/",
        {"accept_all": "1"},
        EDITORS_WRITE,
    ),
    "plan_operators": ("get", "/plans/{plan}/operators/", {}, MEMBERS_READ),
    "operator_remove": (
        "get",
        "/plans/{plan}/operators/{operator_response}/remove/",
        {},
        row(LOGIN, 404, 403, 403, 200, 200),
    ),
    "operator_remove:post": (
        "post",
        "/plans/{plan}/operators/{operator_response}/remove/",
        {},
        EDITORS_WRITE,
    ),
}


def test_every_url_has_an_access_decision():
    names = {name for name in get_resolver().reverse_dict if isinstance(name, str)}
    decided = {key.split(":")[0] for key in ACCESS}
    assert names - decided == set(), "add these URLs to ACCESS with the status each role gets"


@pytest.fixture
def ids(plan, people):
    owner = plan.organisation.memberships.get(user=people["owner"])
    validation = review_validate(plan=plan, membership=owner)  # then changed: a draft again
    record = record_add(plan=plan, user=people["owner"], item_id="actors", raw={"name": "Mairie"})
    member = plan.organisation.memberships.get(user=people["viewer"])
    sent = invitation_create(
        organisation=plan.organisation, invited_by=people["owner"], email="new@example.org",
        role="viewer",
    )  # fmt: skip
    comment = thread_start(plan=plan, user=people["owner"], item_id="competences", body="Bien ?")
    (notification,) = notify(
        recipients=[people["owner"]],
        actor=people["editor"],
        kind=Notification.Kind.COMMENT,
        plan=plan,
        summary="Voir la réponse",
        url=f"/plans/{plan.pk}/",
    )
    set_aside = advice_set_aside(
        plan=plan, user=people["owner"], rule="pilot-action-without-indicator", reason="Plus tard"
    )
    access_token = token_create(user=people["owner"], name="Script", scope="read").token
    submission = proposed_import(plan, people["owner"])
    add_demo_responses(plan, people["owner"])
    return {
        "access_token": access_token.pk,
        "submission": submission.pk,
        "operator_response": OperatorResponse.objects.filter(plan=plan).earliest("pk").pk,
        "set_aside": set_aside.pk,
        "org": plan.organisation_id,
        "plan": plan.pk,
        "record": record.uid,
        "member": member.pk,
        "version": validation.version_id,
        "invitation": sent.invitation.pk,
        "token": sent.token,
        "thread": comment.thread_id,
        "comment": comment.pk,
        "notification": notification.pk,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ACCESS)
def test_each_role_gets_the_expected_status(client, people, ids, name, role):
    method, path, data, expected = ACCESS[name]
    client_for(client, people.get(role))
    response = getattr(client, method)(path.format(**ids), data)
    assert response.status_code == expected[role]
    if response.status_code == 302 and role == "anonymous" and expected is not EVERYONE:
        assert response["Location"].startswith("/accounts/login/") or name in {
            "logout",
            "set_language",
        }


@pytest.mark.parametrize(
    "path",
    [
        "/plans/{plan}/",
        "/plans/{plan}/steps/1/",
        "/organisations/{org}/",
        "/plans/{plan}/items/orientation/history/",
        "/plans/{plan}/print/",
        "/plans/{plan}/follow-up/",
        "/plans/{plan}/download/pdf/",
        "/plans/{plan}/xlsform/?step=2",
        "/plans/{plan}/xlsform/operators/",
        "/plans/{plan}/versions/{version}/",
        "/plans/{plan}/versions/{version}/download/json/",
        "/plans/{plan}/versions/",
        "/plans/{plan}/versions/compare/?from={version}&to=now",
        "/plans/{plan}/activity/",
        "/organisations/{org}/activity/",
        "/plans/{plan}/invite/",
        "/plans/{plan}/comments/",
        "/plans/{plan}/presence/",
        "/plans/{plan}/advice/",
        "/plans/{plan}/library/",
        "/plans/{plan}/operators/",
    ],
)
def test_a_non_members_404_is_the_same_as_for_something_that_does_not_exist(
    client, people, ids, path
):
    client_for(client, people["outsider"])
    hidden_path = path.format(**ids)
    missing_path = path.format(plan=999_999, org=999_999, version=999_999)
    hidden, missing = client.get(hidden_path), client.get(missing_path)
    assert hidden.status_code == missing.status_code == 404

    def page(response, path):  # the same page but for the path itself and the CSRF token
        text = response.content.decode().replace(path, "PATH")
        text = text.replace(path.replace("&", "&amp;"), "PATH")  # a query string, in HTML
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)

    assert page(hidden, hidden_path) == page(missing, missing_path)


def test_a_viewer_sees_the_plan_but_no_save_button(client, people, ids):
    client_for(client, people["viewer"])
    page = client.get(f"/plans/{ids['plan']}/steps/1/").content.decode()
    assert '<fieldset class="plain" disabled>' in page
    assert 'class="save"' not in page and "autosave.js" not in page

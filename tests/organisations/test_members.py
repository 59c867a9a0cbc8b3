"""Municipalities and their members: the creator owns it; owners manage roles."""

from __future__ import annotations

import pytest
from django.core import mail

from jalon.organisations import services
from jalon.organisations.models import Membership, Organisation, Role
from jalon.plans.models import Plan

from ..conftest import client_for
from .test_invitations import link_in


def test_creating_a_municipality_makes_you_its_owner(client, people):
    client_for(client, people["outsider"])
    response = client.post(
        "/organisations/new/",
        {"name": "Commune de Nora", "country": "Bénin", "city": "Nora", "currency": "xof"},
    )
    organisation = Organisation.objects.get(name="Commune de Nora")
    assert response["Location"] == f"/organisations/{organisation.pk}/plans/new/"
    assert organisation.currency == "XOF"
    assert Membership.objects.get(organisation=organisation).role == Role.OWNER


def test_a_plan_is_pinned_to_the_worksheet_version_and_hash(client, organisation, people):
    client_for(client, people["editor"])
    response = client.post(
        f"/organisations/{organisation.pk}/plans/new/",
        {"service": "other", "service_other": "Cimetières", "title": ""},
    )
    plan = Plan.objects.get()
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert (plan.title, plan.service_name) == ("Cimetières", "Cimetières")
    assert plan.definition_id == "gerer-les-services-urbains" and plan.definition_version == 3
    assert len(plan.definition_hash) == 64


def test_another_service_must_be_named(client, organisation, people):
    client_for(client, people["editor"])
    response = client.post(f"/organisations/{organisation.pk}/plans/new/", {"service": "other"})
    assert response.status_code == 200 and not Plan.objects.exists()


def test_an_owner_invites_a_member_by_email_and_changes_their_role(client, organisation, people):
    client_for(client, people["owner"])
    client.post(
        f"/organisations/{organisation.pk}/", {"email": "OUTSIDER@example.org", "role": "commenter"}
    )
    assert not Membership.objects.filter(user=people["outsider"]).exists()  # not before accepting
    path = link_in(mail.outbox[-1])
    client_for(client, people["outsider"]).post(path)
    membership = Membership.objects.get(organisation=organisation, user=people["outsider"])
    client_for(client, people["owner"])
    assert membership.role == Role.COMMENTER
    client.post(f"/organisations/{organisation.pk}/members/{membership.pk}/", {"role": "editor"})
    membership.refresh_from_db()
    assert membership.role == Role.EDITOR
    client.post(
        f"/organisations/{organisation.pk}/members/{membership.pk}/",
        {"role": "editor", "remove": "1"},
    )
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_inviting_someone_already_a_member_says_so(client, organisation, people):
    client_for(client, people["owner"])
    response = client.post(
        f"/organisations/{organisation.pk}/", {"email": "Editor@Example.org", "role": "viewer"}
    )
    assert response.status_code == 400
    assert "editor@example.org est déjà membre" in response.content.decode()
    assert not mail.outbox


def test_the_last_owner_cannot_leave_or_step_down(organisation, people):
    owner = Membership.objects.get(organisation=organisation, user=people["owner"])
    with pytest.raises(services.MembershipError):
        services.membership_change(membership=owner, role=Role.EDITOR)
    with pytest.raises(services.MembershipError):
        services.membership_remove(membership=owner)
    assert Membership.objects.get(pk=owner.pk).role == Role.OWNER


def test_the_sole_owner_is_offered_no_way_to_remove_or_demote_themselves(
    client, organisation, people
):
    client_for(client, people["owner"])
    owner = Membership.objects.get(organisation=organisation, user=people["owner"])
    page = client.get(f"/organisations/{organisation.pk}/").content.decode()
    assert f"/members/{owner.pk}/" not in page  # no form for the sole owner's membership
    assert "Seul propriétaire" in page
    editor = Membership.objects.get(organisation=organisation, user=people["editor"])
    assert f"/members/{editor.pk}/" in page  # the others can still be managed
    # Posted anyway (an old page, a script): refused, saying why.
    response = client.post(
        f"/organisations/{organisation.pk}/members/{owner.pk}/", {"remove": "1"}, follow=True
    )
    assert "le seul propriétaire" in response.content.decode()
    assert Membership.objects.filter(pk=owner.pk).exists()
    # With a second owner, both can be managed again.
    client.post(f"/organisations/{organisation.pk}/members/{editor.pk}/", {"role": "owner"})
    page = client.get(f"/organisations/{organisation.pk}/").content.decode()
    assert f"/members/{owner.pk}/" in page and "Seul propriétaire" not in page

"""Personal access tokens: made on the profile page or by command, shown once, stored hashed,
refused once expired or revoked."""

from __future__ import annotations

import datetime
import hashlib
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from jalon.accounts.models import AccessToken
from jalon.accounts.tokens import TokenError, token_authenticate, token_create, token_revoke

from ..conftest import client_for
from .conftest import call


def test_the_database_keeps_a_hash_never_the_secret(people):
    new = token_create(user=people["editor"], name="Tableau de bord", scope="write")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_accesstoken")
        rows = cursor.fetchall()
    stored = " ".join(str(value) for row in rows for value in row)
    assert new.secret not in stored
    assert new.secret[20:40] not in stored
    assert hashlib.sha256(new.secret.encode()).hexdigest() in stored
    assert new.token.prefix == new.secret[: len(new.token.prefix)]


def test_a_token_lasts_ninety_days_by_default_and_a_year_at_most(people):
    new = token_create(user=people["editor"], name="Script", scope="read")
    assert (new.token.expires - timezone.now()).days in (89, 90)
    with pytest.raises(TokenError):
        token_create(user=people["editor"], name="Script", scope="read", days=400)
    with pytest.raises(TokenError):
        token_create(user=people["editor"], name="Script", scope="admin")
    with pytest.raises(TokenError):
        token_create(user=people["editor"], name="Bad\x1bname", scope="read")


def test_an_expired_token_is_refused_with_401(client, people, plan):
    new = token_create(user=people["editor"], name="Script", scope="read")
    AccessToken.objects.filter(pk=new.token.pk).update(
        expires=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = call(client, "get", f"/api/v1/plans/{plan.pk}", new.secret)
    assert response.status_code == 401
    assert "expir" in response.json()["detail"]


def test_a_revoked_token_is_refused_with_401(client, people, plan):
    new = token_create(user=people["editor"], name="Script", scope="read")
    assert call(client, "get", f"/api/v1/plans/{plan.pk}", new.secret).status_code == 200
    token_revoke(user=people["editor"], token_id=new.token.pk)
    response = call(client, "get", f"/api/v1/plans/{plan.pk}", new.secret)
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("header", ["Bearer jalon_unknown", "Bearer ", "Basic abc", "jalon_x"])
def test_an_unknown_or_malformed_token_is_refused_with_401(client, people, plan, header):
    response = client.get(f"/api/v1/plans/{plan.pk}", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_someone_cannot_revoke_anothers_token(people):
    new = token_create(user=people["editor"], name="Script", scope="read")
    assert token_revoke(user=people["viewer"], token_id=new.token.pk) is None
    new.token.refresh_from_db()
    assert new.token.revoked is None


def test_last_used_is_written_at_most_once_a_minute(people):
    new = token_create(user=people["editor"], name="Script", scope="read")
    first = token_authenticate(new.secret)
    assert first is not None and first.last_used is not None
    again = token_authenticate(new.secret)
    assert again is not None and again.last_used == first.last_used
    earlier = timezone.now() - datetime.timedelta(minutes=2)
    AccessToken.objects.filter(pk=new.token.pk).update(last_used=earlier)
    later = token_authenticate(new.secret)
    assert later is not None and later.last_used is not None and later.last_used > earlier


def test_create_token_prints_the_token_alone_on_its_last_line(people, client, plan):
    out = StringIO()
    call_command(
        "create_token", "EDITOR@example.org", "--name", "Kobo", "--scope", "write", "--days",
        "30", stdout=out, stderr=StringIO(),
    )  # fmt: skip
    secret = out.getvalue().strip().splitlines()[-1]
    assert re.fullmatch(r"jalon_[A-Za-z0-9_-]{43}", secret)
    token = AccessToken.objects.get(user=people["editor"])
    assert (token.name, token.scope) == ("Kobo", "write")
    assert (token.expires - timezone.now()).days in (29, 30)
    assert call(client, "get", f"/api/v1/plans/{plan.pk}", secret).status_code == 200


def test_create_token_refuses_an_unknown_address(db):
    with pytest.raises(CommandError, match=r"nobody@example\.org"):
        call_command("create_token", "nobody@example.org", "--name", "X", "--scope", "read")
    assert not AccessToken.objects.exists()


def test_the_profile_page_shows_a_new_token_once_then_only_its_prefix(client, people):
    client_for(client, people["editor"])
    response = client.post(
        "/accounts/profile/tokens/", {"name": "Tableau régional", "scope": "read", "days": "30"}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    page = response.content.decode()
    secret = re.search(r'value="(jalon_[A-Za-z0-9_-]+)"', page)
    assert secret is not None
    token = AccessToken.objects.get(user=people["editor"])
    assert token.prefix in page and token.scope == "read"
    again = client.get("/accounts/profile/").content.decode()
    assert secret.group(1) not in again
    assert token.prefix in again and "Tableau régional" in again


def test_the_profile_page_refuses_a_bad_name_and_makes_no_token(client, people):
    client_for(client, people["editor"])
    response = client.post("/accounts/profile/tokens/", {"name": "a\x1bb", "scope": "read",
                                                         "days": "30"})  # fmt: skip
    assert response.status_code == 400
    assert not AccessToken.objects.exists()


def test_the_profile_page_revokes_a_token(client, people, plan):
    new = token_create(user=people["editor"], name="Script", scope="read")
    client_for(client, people["editor"])
    response = client.post(f"/accounts/profile/tokens/{new.token.pk}/revoke/")
    assert response.status_code == 302
    new.token.refresh_from_db()
    assert new.token.revoked is not None
    assert call(client, "get", f"/api/v1/plans/{plan.pk}", new.secret).status_code == 401


def test_nobody_revokes_anothers_token_on_the_profile_page(client, people):
    new = token_create(user=people["editor"], name="Script", scope="read")
    client_for(client, people["owner"])
    assert client.post(f"/accounts/profile/tokens/{new.token.pk}/revoke/").status_code == 404
    new.token.refresh_from_db()
    assert new.token.revoked is None


def test_the_profile_page_has_no_two_elements_with_one_id(client, people):
    client_for(client, people["editor"])
    html = client.get("/accounts/profile/").content.decode()
    ids = re.findall(r' id="([^"]+)"', html)
    assert "token_name" in ids and "id_name" in ids
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []


def test_an_expired_token_says_so_on_the_profile_page_with_nothing_to_revoke(client, people):
    made = token_create(user=people["editor"], name="Ancien", scope="read", days=1)
    AccessToken.objects.filter(pk=made.token.pk).update(
        expires=timezone.now() - datetime.timedelta(days=1)
    )
    client_for(client, people["editor"])
    html = client.get("/accounts/profile/").content.decode()
    assert "Expiré" in html
    assert f"/accounts/profile/tokens/{made.token.pk}/revoke/" not in html

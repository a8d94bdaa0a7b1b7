"""API tokens (django-rest-knox): hashed at rest, expiring, one per login; listed and revoked by
their user (DELETE, the token list, or the button on the account page) or by an administrator in
the admin; all revoked by a password change or a deactivation; a revoked token gets 401."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone
from knox.models import AuthToken

from accounts.models import TokenInfo
from accounts.tokens import issue
from tests.factories import demo_user

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(api):
    """An API client holding guangzhou.officer1's token, and the token row."""
    token, key = issue(demo_user("guangzhou.officer1"))
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    return client, token


def login(api, username="guangzhou.officer1", **headers):
    return api().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json", **headers)


def as_token(api, key):
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_key_is_not_stored_only_its_hash(api, member):
    member("guangzhou.officer1")
    r = login(api)
    assert r.status_code == 200 and set(r.json()) == {"token", "expiry"}
    key = r.json()["token"]
    row = AuthToken.objects.get(user__username="guangzhou.officer1")
    stored = [str(getattr(row, f.attname)) for f in AuthToken._meta.concrete_fields]
    assert not any(key in value for value in stored)
    assert as_token(api, key).get("/api/v1/me/").status_code == 200


def test_a_token_expires_after_token_ttl_hours(api, member, settings):
    member("guangzhou.officer1")
    t0 = timezone.now()
    with time_machine.travel(t0, tick=False):
        key = login(api).json()["token"]
    row = AuthToken.objects.get(user__username="guangzhou.officer1")
    assert row.expiry == t0 + datetime.timedelta(hours=settings.TOKEN_TTL_HOURS)
    with time_machine.travel(t0 + datetime.timedelta(hours=settings.TOKEN_TTL_HOURS) - datetime.timedelta(minutes=1)):
        assert as_token(api, key).get("/api/v1/me/").status_code == 200
    with time_machine.travel(t0 + datetime.timedelta(hours=settings.TOKEN_TTL_HOURS, seconds=1)):
        assert as_token(api, key).get("/api/v1/me/").status_code == 401
    assert not AuthToken.objects.filter(pk=row.pk).exists()


def test_each_login_is_a_token_of_its_own_listed_without_keys(api, member):
    member("guangzhou.officer1")
    phone = login(api, HTTP_USER_AGENT="phone-app/1.0").json()["token"]
    laptop = login(api, HTTP_USER_AGENT="laptop-script/2.0").json()["token"]
    assert phone != laptop
    r = as_token(api, laptop).get("/api/v1/auth/tokens/")
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [t["user_agent"] for t in rows] == ["laptop-script/2.0", "phone-app/1.0"]
    assert [t["current"] for t in rows] == [True, False]
    assert {"id", "created", "expiry", "user_agent", "second_factor", "current"} == set(rows[0])
    assert all(t["second_factor"] is False for t in rows)
    assert phone not in r.content.decode() and laptop not in r.content.decode()


def test_a_user_revokes_one_of_their_tokens_by_its_id(api, member):
    member("guangzhou.officer1")
    phone = login(api, HTTP_USER_AGENT="phone").json()["token"]
    laptop = login(api, HTTP_USER_AGENT="laptop").json()["token"]
    rows = as_token(api, laptop).get("/api/v1/auth/tokens/").json()["results"]
    lost = next(t["id"] for t in rows if t["user_agent"] == "phone")
    assert as_token(api, laptop).delete(f"/api/v1/auth/tokens/{lost}/").status_code == 204
    assert as_token(api, phone).get("/api/v1/me/").status_code == 401
    assert as_token(api, laptop).get("/api/v1/me/").status_code == 200
    assert as_token(api, laptop).delete(f"/api/v1/auth/tokens/{lost}/").status_code == 404


def test_nobody_lists_or_revokes_another_users_token(api, member, holder):
    _client, victim = holder
    member("guangzhou.officer2")
    other = as_token(api, login(api, "guangzhou.officer2").json()["token"])
    victim_id = TokenInfo.objects.get(token=victim).pk
    assert victim_id not in [t["id"] for t in other.get("/api/v1/auth/tokens/").json()["results"]]
    assert other.delete(f"/api/v1/auth/tokens/{victim_id}/").status_code == 404
    assert AuthToken.objects.filter(pk=victim.pk).exists()
    assert api().get("/api/v1/auth/tokens/").status_code == 401
    assert api().delete(f"/api/v1/auth/tokens/{victim_id}/").status_code == 401


def test_the_user_revokes_their_token_with_delete(holder, api):
    client, token = holder
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert not AuthToken.objects.filter(pk=token.pk).exists()
    r = client.get("/api/v1/me/")
    assert r.status_code == 401
    assert client.delete("/api/v1/auth/token/").status_code == 401
    assert api().delete("/api/v1/auth/token/").status_code == 401


def test_delete_revokes_the_token_it_carries_and_leaves_the_users_other_devices(api, member):
    member("guangzhou.officer1")
    phone = login(api).json()["token"]
    laptop = login(api).json()["token"]
    assert as_token(api, phone).delete("/api/v1/auth/token/").status_code == 204
    assert as_token(api, phone).get("/api/v1/me/").status_code == 401
    assert as_token(api, laptop).get("/api/v1/me/").status_code == 200


def test_a_new_token_after_revocation_is_a_different_one(holder, api, member):
    client, token = holder
    client.delete("/api/v1/auth/token/")
    member("guangzhou.officer1")
    r = login(api)
    assert r.status_code == 200 and len(r.json()["token"]) == 40


def test_revoking_one_token_leaves_the_others(holder, api):
    client, _token = holder
    other, _key = issue(demo_user("guangzhou.officer2"))
    client.delete("/api/v1/auth/token/")
    assert AuthToken.objects.filter(pk=other.pk).exists()


def test_a_password_change_revokes_every_token_of_the_user(api, member, client):
    officer = member("guangzhou.officer1")
    keys = [login(api).json()["token"] for _i in range(2)]
    bystander = issue(demo_user("guangzhou.officer2"))[1]
    client.force_login(officer)
    r = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "Another-Sturdy-2026", "new_password2": "Another-Sturdy-2026"},
    )
    assert r.status_code == 302
    assert [as_token(api, k).get("/api/v1/me/").status_code for k in keys] == [401, 401]
    assert not AuthToken.objects.filter(user=officer).exists()
    assert as_token(api, bystander).get("/api/v1/me/").status_code == 200


def test_a_password_set_in_the_shell_or_admin_revokes_them_too(holder):
    client, _token = holder
    officer = get_user_model().objects.get(username="guangzhou.officer1")
    officer.set_password("Another-Sturdy-2026")
    officer.save()
    assert client.get("/api/v1/me/").status_code == 401


def test_a_rehash_of_the_same_password_at_login_revokes_nothing(holder):
    client, _token = holder
    officer = get_user_model().objects.get(username="guangzhou.officer1")
    officer.last_login = timezone.now()
    officer.save()  # any other save of the user
    assert client.get("/api/v1/me/").status_code == 200


def test_deactivation_revokes_every_token(holder):
    client, token = holder
    officer = get_user_model().objects.get(username="guangzhou.officer1")
    officer.is_active = False
    officer.save(update_fields=["is_active"])
    assert not AuthToken.objects.filter(pk=token.pk).exists()
    officer.is_active = True
    officer.save(update_fields=["is_active"])
    assert client.get("/api/v1/me/").status_code == 401


def test_the_user_revokes_it_on_the_account_page(holder, client):
    api_client, token = holder
    client.force_login(demo_user("guangzhou.officer1"))
    page = client.get("/accounts/profile/").content.decode()
    assert 'action="/accounts/token/revoke/"' in page and token.digest not in page
    r = client.post("/accounts/token/revoke/", follow=True)
    assert "API 令牌已撤销" in r.content.decode()
    assert api_client.get("/api/v1/me/").status_code == 401
    assert 'action="/accounts/token/revoke/"' not in client.get("/accounts/profile/").content.decode()


def test_revoking_needs_a_post(client):
    client.force_login(demo_user("guangzhou.officer1"))
    assert client.get("/accounts/token/revoke/").status_code == 405


def test_an_administrator_revokes_any_token_in_the_admin(holder, client):
    api_client, token = holder
    client.force_login(demo_user("admin"))
    listing = client.get("/admin/knox/authtoken/")
    assert listing.status_code == 200
    assert "guangzhou.officer1" in listing.content.decode()
    assert client.get("/admin/knox/authtoken/add/").status_code == 403
    r = client.post(f"/admin/knox/authtoken/{token.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert api_client.get("/api/v1/me/").status_code == 401


def test_an_officer_cannot_reach_the_token_admin(client):
    client.force_login(demo_user("guangzhou.officer1"))
    r = client.get("/admin/knox/authtoken/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_the_schema_documents_the_token_list(api):
    schema = api().get("/api/schema/?format=json").json()
    assert "get" in schema["paths"]["/api/v1/auth/tokens/"]
    assert "delete" in schema["paths"]["/api/v1/auth/tokens/{id}/"]

"""API tokens: revoked by their user (DELETE, or the button on the account page) or by an
administrator in the admin; a revoked token is refused with 401 from then on."""

import pytest
from rest_framework.authtoken.models import Token

from tests.factories import demo_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(api):
    """An API client holding guangzhou.officer1's token, and the token."""
    token = Token.objects.create(user=demo_user("guangzhou.officer1"))
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/me/").status_code == 200
    return client, token


def test_the_user_revokes_their_token_with_delete(holder, api):
    client, token = holder
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert not Token.objects.filter(key=token.key).exists()
    r = client.get("/api/v1/me/")
    assert r.status_code == 401
    assert client.delete("/api/v1/auth/token/").status_code == 401
    assert api().delete("/api/v1/auth/token/").status_code == 401


def test_a_new_token_after_revocation_is_a_different_one(holder, api, user):
    client, token = holder
    client.delete("/api/v1/auth/token/")
    officer = user("guangzhou.officer1")
    officer.set_password("Sturdy-Pass-2025")
    officer.save()
    r = api().post("/api/v1/auth/token/", {"username": officer.username, "password": "Sturdy-Pass-2025"}, format="json")
    assert r.status_code == 200 and r.json()["token"] != token.key


def test_revoking_one_token_leaves_the_others(holder, api):
    client, _token = holder
    other = Token.objects.create(user=demo_user("guangzhou.officer2"))
    client.delete("/api/v1/auth/token/")
    assert Token.objects.filter(key=other.key).exists()


def test_the_user_revokes_it_on_the_account_page(holder, client):
    api_client, token = holder
    client.force_login(demo_user("guangzhou.officer1"))
    page = client.get("/accounts/profile/").content.decode()
    assert 'action="/accounts/token/revoke/"' in page and token.key not in page
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
    listing = client.get("/admin/authtoken/tokenproxy/")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert "guangzhou.officer1" in page and token.key not in page
    officer = demo_user("guangzhou.officer1")
    r = client.post(f"/admin/authtoken/tokenproxy/{officer.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert api_client.get("/api/v1/me/").status_code == 401


def test_an_officer_cannot_reach_the_token_admin(client):
    client.force_login(demo_user("guangzhou.officer1"))
    r = client.get("/admin/authtoken/tokenproxy/")
    assert r.status_code == 302 and "/login/" in r["Location"]

"""Each role starts on the page of its work, and the login lands there (issue 18 §2)."""

import pytest

from tests.factories import demo_user

pytestmark = pytest.mark.django_db

START = {
    "guangzhou.officer1": "/tasks/mine/",
    "guangzhou.head": "/tasks/mine/",
    "guangzhou.market": "/tasks/mine/",
    "guangzhou.cyber": "/tasks/mine/",
    "guangzhou.police": "/referrals/referral/",
    "guangzhou.police_head": "/referrals/referral/",
    "guangzhou.procurator": "/referrals/referral/",
    "gd.procurator": "/referrals/referral/",
    "guangzhou.supervisor": "/oversight/dashboard/",
    "gd.supervisor": "/oversight/dashboard/",
    "admin": "/admin/",
}


@pytest.mark.parametrize("username", START)
def test_each_role_starts_on_the_page_of_its_work_and_that_page_opens(client, username):
    client.force_login(demo_user(username))
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == START[username]
    assert client.get(r["Location"]).status_code == 200


def test_the_login_lands_on_the_start_page(client):
    user = demo_user("guangzhou.supervisor")
    user.set_password("a-long-pass-phrase")
    user.save()
    r = client.post("/accounts/login/", {"username": user.username, "password": "a-long-pass-phrase"}, follow=True)
    assert r.redirect_chain[-1][0] == "/oversight/dashboard/" and r.status_code == 200


def test_a_visitor_is_sent_to_the_login(client):
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"


def test_a_user_in_no_agency_and_not_staff_starts_on_the_account_page(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == "/accounts/profile/"

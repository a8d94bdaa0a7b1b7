"""Login throttling (django-axes): AXES_FAILURE_LIMIT failures of one username from one address lock
that pair out for AXES_COOLOFF_MINUTES, on the web login and on the token endpoint alike."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from .conftest import PASSWORD, post_login

pytestmark = pytest.mark.django_db

LIMIT = settings.AXES_FAILURE_LIMIT
COOL_OFF = settings.AXES_COOLOFF_TIME
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def fail(client, username, times):
    return [post_login(client, username, "wrong-password").status_code for _ in range(times)]


def test_the_fifth_failure_locks_out_with_the_time_to_retry_in_chinese(client, member):
    member("guangzhou.officer1")
    with time_machine.travel(START, tick=False):
        assert fail(client, "guangzhou.officer1", LIMIT - 1) == [200] * (LIMIT - 1)
        r = post_login(client, "guangzhou.officer1", "wrong-password")
    assert r.status_code == 429
    page = r.content.decode()
    # 09:00 UTC is 17:00 in Shanghai; locked until 17:30.
    assert "登录失败次数过多" in page and "2026年3月2日 17:30" in page
    assert '<form class="vf-form" method="POST">' in page  # the login form is still there
    assert AccessAttempt.objects.get(username="guangzhou.officer1").failures_since_start == LIMIT


def test_the_right_password_is_refused_until_the_cool_off_has_passed(client, member):
    member("guangzhou.officer1")
    with time_machine.travel(START, tick=False):
        fail(client, "guangzhou.officer1", LIMIT)
    with time_machine.travel(START + COOL_OFF - datetime.timedelta(seconds=1), tick=False):
        r = post_login(client, "guangzhou.officer1")
        assert r.status_code == 429 and "_auth_user_id" not in client.session
    with time_machine.travel(START + COOL_OFF + datetime.timedelta(seconds=1), tick=False):
        r = post_login(client, "guangzhou.officer1")
        assert r.status_code == 302 and r["Location"] == "/"
        assert client.get("/tasks/mine/").status_code == 200
    assert not AccessAttempt.objects.filter(username="guangzhou.officer1").exists()  # the success reset them


def test_attempts_during_the_lock_do_not_extend_it(client, member):
    member("guangzhou.officer1")
    with time_machine.travel(START, tick=False):
        fail(client, "guangzhou.officer1", LIMIT)
    with time_machine.travel(START + datetime.timedelta(minutes=20), tick=False):
        assert fail(client, "guangzhou.officer1", 3) == [429] * 3
    with time_machine.travel(START + COOL_OFF + datetime.timedelta(seconds=1), tick=False):
        assert post_login(client, "guangzhou.officer1").status_code == 302


def test_a_success_resets_the_count(client, member):
    member("guangzhou.officer1")
    fail(client, "guangzhou.officer1", LIMIT - 1)
    assert post_login(client, "guangzhou.officer1").status_code == 302
    client.logout()
    assert fail(client, "guangzhou.officer1", LIMIT - 1) == [200] * (LIMIT - 1)
    assert post_login(client, "guangzhou.officer1").status_code == 302


def test_the_lock_is_per_username_and_address(client, member):
    member("guangzhou.officer1")
    member("guangzhou.officer2")
    fail(client, "guangzhou.officer1", LIMIT)
    # Another user from the same address, and the same user from another address, still log in.
    assert post_login(client, "guangzhou.officer2").status_code == 302
    client.logout()
    assert post_login(client, "guangzhou.officer1", REMOTE_ADDR="10.1.2.3").status_code == 302


def test_behind_a_proxy_the_client_address_is_counted_not_the_proxy(client, member, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    member("guangzhou.officer1")
    via_proxy = {"REMOTE_ADDR": "10.0.0.1"}
    # The client may forge the left part of X-Forwarded-For; our proxy appends the real address.
    for _ in range(LIMIT):
        post_login(client, "guangzhou.officer1", "wrong", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7", **via_proxy)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    r = post_login(client, "guangzhou.officer1", HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7", **via_proxy)
    assert r.status_code == 429
    r = post_login(client, "guangzhou.officer1", HTTP_X_FORWARDED_FOR="203.0.113.8", **via_proxy)
    assert r.status_code == 302


def test_the_token_endpoint_counts_and_answers_429_with_json(api, member):
    member("guangzhou.officer1")
    bad = {"username": "guangzhou.officer1", "password": "wrong"}
    with time_machine.travel(START, tick=False):
        codes = [api().post("/api/v1/auth/token/", bad, format="json").status_code for _ in range(LIMIT)]
        assert codes == [400] * (LIMIT - 1) + [429]
    with time_machine.travel(START + datetime.timedelta(minutes=10), tick=False):
        r = api().post("/api/v1/auth/token/", {**bad, "password": PASSWORD}, format="json")
    assert r.status_code == 429
    body = r.json()
    assert body["code"] == "locked_out" and "登录失败次数过多" in body["detail"]
    assert datetime.datetime.fromisoformat(body["retry_after"]) == START + COOL_OFF
    assert r["Retry-After"] == str(20 * 60)
    # Web and API failures count together: they are one username from one address.
    assert AccessAttempt.objects.get().failures_since_start == LIMIT


def test_web_and_api_failures_add_up(client, api, member):
    member("guangzhou.officer1")
    fail(client, "guangzhou.officer1", LIMIT - 1)
    r = api().post("/api/v1/auth/token/", {"username": "guangzhou.officer1", "password": "x"}, format="json")
    assert r.status_code == 429


def test_an_administrator_unlocks_in_the_admin(client, member):
    member("guangzhou.officer1")
    fail(client, "guangzhou.officer1", LIMIT)
    attempt = AccessAttempt.objects.get(username="guangzhou.officer1")
    admin = client_for_admin()
    assert "guangzhou.officer1" in admin.get("/admin/axes/accessattempt/").content.decode()
    r = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert post_login(client, "guangzhou.officer1").status_code == 302


def client_for_admin():
    from django.test import Client

    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    return admin


def test_the_admin_login_is_the_site_login():
    from django.test import Client

    r = Client().get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/?next=/admin/"


def test_authenticating_without_a_request_is_refused_loudly(client, member):
    """Nothing can log in past the throttle: authenticate() must be given the request to count."""
    from axes.exceptions import AxesBackendRequestParameterRequired

    member("guangzhou.officer1")
    with pytest.raises(AxesBackendRequestParameterRequired):
        client.login(username="guangzhou.officer1", password=PASSWORD)
    assert client.login(request=HttpRequest(), username="guangzhou.officer1", password=PASSWORD)

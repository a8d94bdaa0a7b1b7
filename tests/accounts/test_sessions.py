"""Sessions end SESSION_HOURS after the last request (idle expiry), or after login when
SESSION_IDLE_EXPIRY is off; the account settings are read from the environment strictly."""

import datetime
import json
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine

from tests.factories import demo_user

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 1, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


def page_at(client, when) -> int:
    with time_machine.travel(when, tick=False):
        return client.get("/tasks/mine/").status_code


def test_a_session_lasts_eight_hours_after_the_last_request(client, settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600 and settings.SESSION_SAVE_EVERY_REQUEST
    with time_machine.travel(T0, tick=False):
        client.force_login(demo_user("guangzhou.officer1"))
    assert page_at(client, T0 + 7 * HOUR) == 200
    assert page_at(client, T0 + 14 * HOUR) == 200  # 14 hours after login, 7 after the last request
    r_at = T0 + 22 * HOUR + datetime.timedelta(seconds=1)
    with time_machine.travel(r_at, tick=False):
        r = client.get("/tasks/mine/")
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def test_without_idle_expiry_the_session_ends_eight_hours_after_login(client, settings):
    settings.SESSION_SAVE_EVERY_REQUEST = False
    with time_machine.travel(T0, tick=False):
        client.force_login(demo_user("guangzhou.officer1"))
    assert page_at(client, T0 + 7 * HOUR) == 200
    assert page_at(client, T0 + 8 * HOUR + datetime.timedelta(seconds=1)) == 302


def test_token_calls_leave_no_session_behind(api):
    """Idle expiry saves sessions on every request, but only those that hold something."""
    from django.contrib.sessions.models import Session

    from accounts.tokens import issue

    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue(demo_user('guangzhou.officer1'))[1]}")
    r = client.get("/api/v1/me/")
    assert r.status_code == 200 and "sessionid" not in r.cookies
    assert not Session.objects.exists()


ROOT = Path(__file__).resolve().parents[2]


def load(**env) -> subprocess.CompletedProcess:
    code = (
        "import json, config.settings as s; print(json.dumps({'age': s.SESSION_COOKIE_AGE, "
        "'idle': s.SESSION_SAVE_EVERY_REQUEST, 'close': s.SESSION_EXPIRE_AT_BROWSER_CLOSE, "
        "'limit': s.AXES_FAILURE_LIMIT, 'cooloff': s.AXES_COOLOFF_TIME.total_seconds(), "
        "'axes': s.AXES_ENABLED, 'proxies': s.TRUSTED_PROXY_COUNT, 'otp_roles': s.OTP_REQUIRED_ROLES}))"
    )
    clean = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("SESSION_", "AXES_", "OTP_"))}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean | {"DEBUG": "1"} | env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_account_settings_from_the_environment():
    r = load()
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "age": 8 * 3600,
        "idle": True,
        "close": False,
        "limit": 5,
        "cooloff": 30 * 60,
        "axes": True,
        "proxies": 0,
        "otp_roles": [],
    }
    r = load(
        SESSION_HOURS="2",
        SESSION_IDLE_EXPIRY="0",
        SESSION_EXPIRE_AT_BROWSER_CLOSE="1",
        AXES_FAILURE_LIMIT="10",
        AXES_COOLOFF_MINUTES="5",
        TRUSTED_PROXY_COUNT="1",
        OTP_REQUIRED_ROLES="head, supervisor",
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "age": 7200,
        "idle": False,
        "close": True,
        "limit": 10,
        "cooloff": 300,
        "axes": True,
        "proxies": 1,
        "otp_roles": ["head", "supervisor"],
    }


@pytest.mark.parametrize(
    "env, named",
    [
        ({"SESSION_HOURS": "0"}, "SESSION_HOURS"),
        ({"SESSION_HOURS": "eight"}, "SESSION_HOURS"),
        ({"AXES_FAILURE_LIMIT": "0"}, "AXES_FAILURE_LIMIT"),
        ({"AXES_COOLOFF_MINUTES": "soon"}, "AXES_COOLOFF_MINUTES"),
        ({"SESSION_IDLE_EXPIRY": "sometimes"}, "SESSION_IDLE_EXPIRY"),
    ],
)
def test_a_bad_value_stops_the_start(env, named):
    r = load(**env)
    assert r.returncode != 0 and named in r.stderr.strip().splitlines()[-1]

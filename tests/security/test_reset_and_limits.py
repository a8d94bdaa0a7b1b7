"""Issue 17 §11–§13: the password-reset link on the configured site URL (never the request's Host),
no console e-mail with DEBUG off, a limit on reset requests; the public limits and the lock-out
count the client behind the proxy and an IPv6 client by its /64; a ceiling of failures per account
across addresses; the API schema and Swagger UI for logged-in users unless PUBLIC_API_DOCS."""

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.utils import translation

from accounts import checks, lockout
from core import ratelimit
from tests.accounts.conftest import PASSWORD, post_login

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SITE = "https://xianjie.example.org"
START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    cache.clear()
    settings.SITE_URL = SITE
    yield
    cache.clear()


@pytest.fixture
def member(user):
    """member("guangzhou.officer1") → that demo user, with PASSWORD."""

    def get(username: str):
        account = user(username)
        account.set_password(PASSWORD)
        account.save(update_fields=["password"])
        return account

    return get


@pytest.fixture
def officer(member):
    user = member("guangzhou.officer1")
    user.email = "officer1@gz.example.org"
    user.save(update_fields=["email"])
    return user


def reset(client, email: str, **extra):
    with translation.override("en"):
        return client.post("/accounts/password_reset/", {"email": email}, HTTP_ACCEPT_LANGUAGE="en", **extra)


def settings_of(**env) -> dict:
    """Settings as a fresh process reads them from the environment (nothing leaks in from ours)."""
    own = ("DEBUG", "EMAIL_URL", "SITE_URL", "PUBLIC_API_DOCS", "ALLOWED_HOSTS", "SECRET_KEY", "ID_HASH_KEY")
    clean = {k: v for k, v in os.environ.items() if k not in own}
    code = (
        "import json, config.settings as s; print(json.dumps({'email': s.EMAIL_BACKEND, 'site': s.SITE_URL,"
        "'docs': s.PUBLIC_API_DOCS, 'ceiling': s.AXES_ACCOUNT_FAILURE_LIMIT}))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean | env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


PRODUCTION = {"SECRET_KEY": "k" * 50, "ID_HASH_KEY": "h" * 50, "ALLOWED_HOSTS": "xianjie.example.org"}


# --- §11 password reset -------------------------------------------------------------------------


def test_the_reset_link_is_on_the_site_url_whatever_host_the_request_names(client, officer):
    r = reset(client, officer.email, HTTP_HOST="127.0.0.1:9999")
    assert r.status_code == 302 and r["Location"] == "/accounts/password_reset/done/"
    (message,) = mail.outbox
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1 and links[0].startswith(f"{SITE}/accounts/reset/"), message.body
    assert "9999" not in message.body and "127.0.0.1" not in message.body + message.subject
    # The link works: it leads to the form for a new password.
    path = links[0].removeprefix(SITE)
    assert client.get(path, follow=True).context["validlink"] is True


def test_the_page_answers_alike_for_an_unknown_address(client, officer):
    known = reset(client, officer.email)
    unknown = reset(client, "nobody@nowhere.example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1  # only the account's owner got a mail


def test_reset_requests_are_limited_per_client_address(client, officer, settings):
    settings.PASSWORD_RESETS_PER_HOUR = 3
    for n in range(3):
        assert reset(client, f"someone{n}@example.org").status_code == 302
    r = reset(client, officer.email)
    assert r.status_code == 429 and r["Retry-After"] == "3600"
    page = r.content.decode()
    assert "Too many password reset requests" in page and "No e-mail was sent" in page
    assert mail.outbox == []
    # Another client is not held back by this one.
    assert reset(client, officer.email, REMOTE_ADDR="10.9.8.7").status_code == 302
    assert len(mail.outbox) == 1


def test_reset_requests_are_limited_per_email_address_across_client_addresses(client, officer, settings):
    settings.PASSWORD_RESETS_PER_HOUR = 3
    for n in range(3):
        assert reset(client, officer.email, REMOTE_ADDR=f"10.0.0.{n + 1}").status_code == 302
    # Any spelling of the address is the same address.
    r = reset(client, officer.email.upper(), REMOTE_ADDR="10.0.0.99")
    assert r.status_code == 429 and "Too many password reset requests" in r.content.decode()
    assert len(mail.outbox) == 3


def test_the_console_backend_is_an_error_with_debug_off():
    console = "django.core.mail.backends.console.EmailBackend"
    with override_settings(DEBUG=False, EMAIL_BACKEND=console):
        (error,) = checks.email_backend()
    assert error.id == "accounts.E002" and "console" in error.msg
    with override_settings(DEBUG=False, EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend"):
        assert checks.email_backend() == []
    with override_settings(DEBUG=True, EMAIL_BACKEND=console):
        assert checks.email_backend() == []


@pytest.mark.parametrize(
    "value, debug, ids",
    [
        ("https://xianjie.example.org", False, []),
        ("http://127.0.0.1:8000", True, []),
        ("http://xianjie.example.org", False, ["accounts.W001"]),
        ("", False, ["accounts.E003"]),
        ("xianjie.example.org", True, ["accounts.E003"]),
    ],
)
def test_the_site_url_must_be_an_absolute_address(value, debug, ids):
    with override_settings(SITE_URL=value, DEBUG=debug):
        assert [m.id for m in checks.site_url()] == ids


def test_with_debug_off_the_default_mail_is_smtp_and_the_site_the_first_allowed_host():
    s = settings_of(**PRODUCTION)
    assert s["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert s["site"] == "https://xianjie.example.org"
    assert s["docs"] is False and s["ceiling"] == 20
    s = settings_of(DEBUG="1")
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["site"] == "http://127.0.0.1:8000" and s["docs"] is True
    s = settings_of(**PRODUCTION, SITE_URL="https://aj.example.gov.cn/", PUBLIC_API_DOCS="1")
    assert s["site"] == "https://aj.example.gov.cn" and s["docs"] is True


def test_manage_py_check_refuses_the_console_backend_with_debug_off():
    env = {"PATH": os.environ["PATH"], **PRODUCTION, "EMAIL_URL": "console://"}
    r = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert r.returncode != 0 and "accounts.E002" in r.stderr + r.stdout


# --- §12 whose address a limit counts ----------------------------------------------------------


def check(client, **extra):
    return client.post("/public/check/", {"number": "T440106198001020011", "name": "张伟"}, **extra).status_code


def test_behind_the_proxy_each_citizen_has_a_bucket_and_a_forged_header_does_not_escape(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PUBLIC_CHECKS_PER_HOUR = 2
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    assert [check(client, HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy) for _ in range(3)] == [200, 200, 429]
    # Another citizen behind the same proxy has a bucket of its own.
    assert check(client, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy) == 200
    # The client's own X-Forwarded-For on the left changes nothing: the proxy's entry counts.
    for forged in ("1.2.3.4, 203.0.113.7", "198.51.100.1, 198.51.100.2, 203.0.113.7"):
        assert check(client, HTTP_X_FORWARDED_FOR=forged, **proxy) == 429


def test_without_a_trusted_proxy_the_header_is_ignored(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.PUBLIC_CHECKS_PER_HOUR = 1
    assert check(client, HTTP_X_FORWARDED_FOR="203.0.113.7") == 200
    assert check(client, HTTP_X_FORWARDED_FOR="203.0.113.8") == 429  # the same REMOTE_ADDR


def test_ipv6_addresses_of_one_64_share_a_bucket(client, settings):
    settings.PUBLIC_CHECKS_PER_HOUR = 2
    assert check(client, REMOTE_ADDR="2001:db8:1:2::1") == 200
    assert check(client, REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:fffe") == 200
    assert check(client, REMOTE_ADDR="2001:db8:1:2::abcd") == 429
    # Another /64 is another client.
    assert check(client, REMOTE_ADDR="2001:db8:1:3::1") == 200


@pytest.mark.parametrize(
    "remote, forwarded, proxies, key",
    [
        ("203.0.113.7", "", 0, "203.0.113.7"),
        ("10.0.0.1", "1.2.3.4, 203.0.113.7", 1, "203.0.113.7"),
        ("10.0.0.1", "203.0.113.7, 10.0.0.2", 2, "203.0.113.7"),
        ("10.0.0.1", "", 1, "10.0.0.1"),  # no header though one was expected: the proxy itself
        ("2001:db8:1:2:3:4:5:6", "", 0, "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "", 0, "203.0.113.7"),  # an IPv4 client seen through IPv6
        ("not-an-address", "", 0, "not-an-address"),
    ],
)
def test_the_one_client_address_rule(rf, settings, remote, forwarded, proxies, key):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_address(request) == key
    # The lock-out counts the same client; what is not an address never reaches its inet column.
    assert lockout.client_ip(request) == (None if key == "not-an-address" else key)


def test_the_lock_out_counts_the_same_client_an_ipv6_64_included(client, member, settings):
    member("guangzhou.officer1")
    limit = settings.AXES_FAILURE_LIMIT
    for n in range(limit):
        post_login(client, "guangzhou.officer1", "wrong", REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"2001:db8:1:2::/64"}
    # A fresh address of the same /64 is still the locked client; another /64 is not.
    assert post_login(client, "guangzhou.officer1", REMOTE_ADDR="2001:db8:1:2::beef").status_code == 429
    assert post_login(client, "guangzhou.officer1", REMOTE_ADDR="2001:db8:1:3::1").status_code == 302


def test_the_lock_out_and_the_limits_count_the_client_behind_the_proxy(client, member, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PUBLIC_CHECKS_PER_HOUR = 1
    member("guangzhou.officer1")
    proxy = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 2001:db8:9:9::5"}
    post_login(client, "guangzhou.officer1", "wrong", **proxy)
    assert check(client, **proxy) == 200
    assert check(client, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="2001:db8:9:9::6") == 429
    assert AccessAttempt.objects.get().ip_address == "2001:db8:9:9::/64"


def test_a_forwarded_address_that_is_no_address_is_refused_as_a_login_never_a_500(client, member, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    member("guangzhou.officer1")
    for forwarded in ("not-an-address", "<script>", "999.1.1.1"):
        r = post_login(client, "guangzhou.officer1", "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
        assert r.status_code == 200  # the login page again, with its error
    assert post_login(client, "guangzhou.officer1", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="x").status_code == 302


# --- §12 a ceiling per account across addresses ------------------------------------------------


def spread_failures(client, username: str, addresses: int, each: int):
    for a in range(addresses):
        for _ in range(each):
            post_login(client, username, "wrong", REMOTE_ADDR=f"198.51.100.{a + 1}")


def test_failures_from_many_addresses_lock_the_account_everywhere(client, api, member, settings):
    settings.AXES_ACCOUNT_FAILURE_LIMIT = 12
    limit = settings.AXES_FAILURE_LIMIT
    member("guangzhou.officer1")
    with time_machine.travel(START, tick=False):
        # Below the per-address limit everywhere: no address is locked, but the account is.
        spread_failures(client, "guangzhou.officer1", addresses=3, each=limit - 1)
        assert AccessAttempt.objects.count() == 3
    with time_machine.travel(START + datetime.timedelta(minutes=5), tick=False), translation.override("en"):
        r = post_login(client, "guangzhou.officer1", REMOTE_ADDR="192.0.2.50", HTTP_ACCEPT_LANGUAGE="en")
        assert r.status_code == 429 and "_auth_user_id" not in client.session
        assert "for this account from several places" in r.content.decode()
        t = api().post(
            "/api/v1/auth/token/",
            {"username": "guangzhou.officer1", "password": PASSWORD},
            format="json",
            REMOTE_ADDR="192.0.2.51",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert t.status_code == 429 and t.json()["code"] == "locked_out"
        assert "locked everywhere" in t.json()["detail"]
        assert datetime.datetime.fromisoformat(t.json()["retry_after"]) == START + settings.AXES_COOLOFF_TIME
    # Attempts during the lock were not counted; once the cool-off has passed the owner logs in.
    assert AccessAttempt.objects.count() == 3
    with time_machine.travel(START + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=1), tick=False):
        assert post_login(client, "guangzhou.officer1", REMOTE_ADDR="192.0.2.50").status_code == 302


def test_below_the_ceiling_only_the_address_that_failed_is_locked(client, member, settings):
    settings.AXES_ACCOUNT_FAILURE_LIMIT = 12
    limit = settings.AXES_FAILURE_LIMIT
    member("guangzhou.officer1")
    member("guangzhou.officer2")
    spread_failures(client, "guangzhou.officer1", addresses=1, each=limit)  # 5: that address is locked
    spread_failures(client, "guangzhou.officer1", addresses=1, each=0)
    post_login(client, "guangzhou.officer1", "wrong", REMOTE_ADDR="198.51.100.2")  # 6 in all
    assert post_login(client, "guangzhou.officer1", REMOTE_ADDR="198.51.100.1").status_code == 429
    assert post_login(client, "guangzhou.officer1", REMOTE_ADDR="192.0.2.50").status_code == 302
    client.logout()
    # Another account is never held by this one's failures.
    assert post_login(client, "guangzhou.officer2", REMOTE_ADDR="198.51.100.1").status_code == 302


# --- §13 the API schema and Swagger UI ---------------------------------------------------------


@override_settings(PUBLIC_API_DOCS=False)
def test_without_public_docs_the_schema_and_swagger_ui_need_a_login(api):
    for path in ("/api/schema/?format=json", "/api/docs/", "/api/docs/?script="):
        assert api().get(path).status_code == 401, path
        assert api("guangzhou.officer1").get(path).status_code == 200, path
    assert "paths" in api("guangzhou.officer1").get("/api/schema/?format=json").json()


def test_the_docs_setting_is_read_at_each_request(api):
    with override_settings(PUBLIC_API_DOCS=True):
        r = api().get("/api/schema/?format=json")
        assert r.status_code == 200 and "/api/v1/cases/" in r.json()["paths"]
        assert api().get("/api/docs/").status_code == 200
    with override_settings(PUBLIC_API_DOCS=False):
        assert api().get("/api/schema/?format=json").status_code == 401

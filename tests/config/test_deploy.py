"""Deployment hardening: check --deploy is clean with production settings, and the headers a
browser relies on are sent."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

from cases import views

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "PATH": os.environ["PATH"],
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ID_HASH_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "xianjie.example.org",
}


def check_deploy(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=PRODUCTION | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    r = check_deploy()
    assert r.returncode == 0, r.stderr
    assert "System check identified no issues (0 silenced)." in r.stdout


@pytest.mark.parametrize(
    "env, warning",
    [
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SECURE_SSL_REDIRECT": "0"}, "security.W008"),
        ({"SECURE_COOKIES": "0"}, "security.W012"),
        ({"SECRET_KEY": "short"}, "security.W009"),
    ],
)
def test_check_deploy_names_what_a_weakened_setting_gives_away(env, warning):
    r = check_deploy(**env)
    assert warning in r.stdout + r.stderr


SECURE = {
    "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
}


@pytest.mark.django_db
@override_settings(**SECURE)
def test_plain_http_is_redirected_to_https():
    r = Client().get("/accounts/login/?next=/")
    assert r.status_code == 301
    assert r["Location"] == "https://testserver/accounts/login/?next=/"


@pytest.mark.django_db
@override_settings(**SECURE)
def test_pages_behind_the_proxy_carry_the_security_headers():
    r = Client().get("/accounts/login/", headers={"x-forwarded-proto": "https"})
    assert r.status_code == 200
    assert r["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    csp = dict(part.strip().split(" ", 1) for part in r["Content-Security-Policy"].split(";"))
    assert csp["script-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'"
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert r.cookies["csrftoken"]["secure"]


@pytest.mark.django_db
def test_the_pages_carry_no_inline_script(client, django_user_model):
    """What the CSP forbids must not be in our templates: no <script> without src, no on*= handler."""
    client.force_login(django_user_model.objects.get(username="guangzhou.officer1"))
    for path in ("/tasks/mine/", "/cases/case/", "/referrals/referral/", "/certificates/roster/", "/api/docs/"):
        html = client.get(path, follow=True).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert not re.search(r"\son[a-z]+\s*=", html), path


@pytest.mark.django_db
def test_a_page_asked_for_while_the_database_is_away_gets_503_and_retry(client, django_user_model, monkeypatch):
    client.force_login(django_user_model.objects.get(username="guangzhou.officer1"))

    def unreachable(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "filter_cases", unreachable)
    r = client.get("/cases/case/")
    assert r.status_code == 503
    assert r["Retry-After"] == "5"
    assert "暂时无法连接数据库" in r.content.decode() and "请在几秒钟后重试" in r.content.decode()

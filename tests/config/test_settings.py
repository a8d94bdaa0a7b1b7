"""Settings are parsed strictly: a bad value stops the start with a message naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLEAN = {
    k: v
    for k, v in os.environ.items()
    if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "EMAIL_URL", "ALLOWED_HOSTS")
}


def load(**env) -> subprocess.CompletedProcess:
    code = (
        "import json, config.settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'db': s.DATABASES['default']['ENGINE'], 'layer': s.CHANNEL_LAYERS['default']['BACKEND'],"
        "'email': s.EMAIL_BACKEND, 'hosts': s.ALLOWED_HOSTS, 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE,"
        "'email_host': getattr(s, 'EMAIL_HOST', None), 'email_port': getattr(s, 'EMAIL_PORT', None)}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=CLEAN | env, capture_output=True, text=True, timeout=60
    )


def test_the_embedded_default():
    import json

    r = load(DEBUG="1")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["db"] == "django.db.backends.sqlite3"
    assert s["layer"] == "channels.layers.InMemoryChannelLayer"
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["tz"] == "Asia/Shanghai" and s["lang"] == "zh-hans"


def test_production_services_from_urls():
    import json

    r = load(
        SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://u:p@db.internal:5432/xianjie",
        REDIS_URL="redis://cache.internal:6379/0",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:2525",
        ALLOWED_HOSTS="xianjie.example.org, www.xianjie.example.org",
    )
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["debug"] is False
    assert s["db"] == "django.db.backends.postgresql"
    assert s["layer"] == "channels_redis.core.RedisChannelLayer"
    assert s["email"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (s["email_host"], s["email_port"]) == ("smtp.example.org", 2525)
    assert s["hosts"] == ["xianjie.example.org", "www.xianjie.example.org"]


@pytest.mark.parametrize(
    "env, named",
    [
        ({}, "SECRET_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "1", "DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL"),
        ({"DEBUG": "1", "DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"DEBUG": "1", "REDIS_URL": "http://localhost:6379"}, "REDIS_URL"),
        ({"DEBUG": "1", "EMAIL_URL": "pigeon://coop"}, "EMAIL_URL"),
        ({"DEBUG": "1", "EMAIL_URL": "smtp://host:port"}, "EMAIL_URL"),
        ({"DEBUG": "1", "DB_CONN_MAX_AGE": "forever"}, "DB_CONN_MAX_AGE"),
    ],
)
def test_a_bad_value_fails_at_start_naming_the_variable(env, named):
    r = load(**env)
    assert r.returncode != 0
    assert "ImproperlyConfigured" in r.stderr and named in r.stderr.strip().splitlines()[-1]

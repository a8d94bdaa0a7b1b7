"""Settings are parsed strictly: a bad value stops the start with a message naming the variable."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import ERROR, WARNING, run_checks
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]
# Variables these tests set themselves: none may leak in from the shell that runs them.
OWN = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ID_HASH_KEY", "DEBUG", "EMAIL_URL", "ALLOWED_HOSTS")
CLEAN = {k: v for k, v in os.environ.items() if k not in OWN}


def load(**env) -> subprocess.CompletedProcess:
    code = (
        "import json, config.settings as s; print(json.dumps({"
        "'debug': s.DEBUG, 'db': s.DATABASES['default']['ENGINE'], 'layer': s.CHANNEL_LAYERS['default']['BACKEND'],"
        "'email': s.EMAIL_BACKEND, 'hosts': s.ALLOWED_HOSTS, 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE,"
        "'email_host': getattr(s, 'EMAIL_HOST', None), 'email_port': getattr(s, 'EMAIL_PORT', None),"
        "'id_hash_key': s.ID_HASH_KEY}))"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=CLEAN | env, capture_output=True, text=True, timeout=60
    )


def test_the_embedded_default():
    r = load(DEBUG="1")
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["db"] == "django.db.backends.sqlite3"
    assert s["layer"] == "channels.layers.InMemoryChannelLayer"
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["tz"] == "Asia/Shanghai" and s["lang"] == "zh-hans"


def test_production_services_from_urls():
    r = load(
        SECRET_KEY="k" * 50,
        ID_HASH_KEY="h" * 50,
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
    assert s["id_hash_key"] == "h" * 50


def test_the_id_hash_key_falls_back_to_the_secret_key_only_with_debug():
    s = json.loads(load(DEBUG="1", SECRET_KEY="s" * 50).stdout)
    assert s["id_hash_key"] == "s" * 50
    r = load(SECRET_KEY="s" * 50)
    assert r.returncode != 0
    message = r.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in message and "ID_HASH_KEY must be set when DEBUG is off" in message
    assert "s" * 50 not in r.stderr  # the message says what to set, never the secret itself


@pytest.mark.parametrize(
    "env, named",
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "k" * 50}, "ID_HASH_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "1", "DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL"),
        ({"DEBUG": "1", "DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"DEBUG": "1", "REDIS_URL": "http://localhost:6379"}, "REDIS_URL"),
        ({"DEBUG": "1", "EMAIL_URL": "pigeon://coop"}, "EMAIL_URL"),
        ({"DEBUG": "1", "EMAIL_URL": "smtp://host:port"}, "EMAIL_URL"),
        ({"DEBUG": "1", "DB_CONN_MAX_AGE": "forever"}, "DB_CONN_MAX_AGE"),
        ({"DEBUG": "1", "LOG_LEVEL": "verbose"}, "LOG_LEVEL"),
    ],
)
def test_a_bad_value_fails_at_start_naming_the_variable(env, named):
    r = load(**env)
    assert r.returncode != 0
    assert "ImproperlyConfigured" in r.stderr and named in r.stderr.strip().splitlines()[-1]


def working_day_problems():
    return [m for m in run_checks() if m.id.startswith("workflows.")]


def test_working_day_steps_that_are_deadline_steps_pass_the_checks():
    with override_settings(WORKING_DAY_STEPS=["decide", "police_decision", "reinspect"]):
        assert working_day_problems() == []


def test_a_working_day_step_that_is_no_step_is_an_error_naming_it_and_the_steps():
    with override_settings(WORKING_DAY_STEPS=["decide", "police_desicion"]):
        (problem,) = working_day_problems()
    assert (problem.id, problem.level) == ("workflows.E001", ERROR)
    assert "'police_desicion'" in problem.msg
    for step in ("decide", "police_decision", "ask_reconsideration", "reinspect", "listing"):
        assert step in problem.hint


def test_an_hour_counted_working_day_step_is_a_warning():
    with override_settings(WORKING_DAY_STEPS=["transmit"]):
        (problem,) = working_day_problems()
    assert (problem.id, problem.level) == ("workflows.W001", WARNING)
    assert "'transmit'" in problem.msg and "hours" in problem.msg


def test_a_misspelt_working_day_step_in_the_environment_stops_manage_py_check():
    r = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=CLEAN | {"DEBUG": "1", "WORKING_DAY_STEPS": "decide, hand_over,recieve"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode != 0
    assert "workflows.E001" in r.stderr and "'recieve'" in r.stderr
    assert "'decide'" not in r.stderr and "'hand_over'" not in r.stderr

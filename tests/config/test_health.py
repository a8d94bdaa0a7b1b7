"""/healthz for the proxy's probes, and `manage.py worker_health` for the workers."""

import json
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from io import StringIO
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.test import override_settings

from config.celery import app
from oversight.tasks import sweep_deadlines
from tests.celery_workers import kill, start_worker, until
from tests.config.test_deploy import PRODUCTION, ROOT
from tests.workflows.test_sweep_beat import control_broker

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local port nothing listens on (bound, then let go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def broker_at(url: str):
    """CELERY_BROKER_URL and the Celery app's broker both at `url` for the block."""
    before = app.conf.broker_url
    app.conf.broker_url = url
    try:
        with override_settings(CELERY_BROKER_URL=url):
            yield
    finally:
        app.conf.broker_url = before


def test_healthy_without_a_broker_names_the_broker_not_configured(client):
    with override_settings(CELERY_BROKER_URL=""):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "broker": "not configured"}
    assert "no-cache" in response["Cache-Control"]


def test_head_answers_without_a_body_and_post_is_not_allowed(client):
    with override_settings(CELERY_BROKER_URL=""):
        head = client.head("/healthz")
        post = client.post("/healthz")
    assert head.status_code == 200
    assert head.content == b""
    assert post.status_code == 405


def test_a_broker_that_refuses_the_connection_is_503_within_about_two_seconds(client):
    with broker_at(f"redis://127.0.0.1:{closed_port()}/0"):
        started = time.monotonic()
        response = client.get("/healthz")
        took = time.monotonic() - started
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "unavailable", "database": "ok", "broker": "unavailable"}
    assert took < 4


def test_a_database_that_does_not_answer_is_503_naming_it(client):
    with (
        override_settings(CELERY_BROKER_URL=""),
        mock.patch("config.health.connection.cursor", side_effect=OperationalError("server closed the connection")),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"status": "unavailable", "database": "unavailable", "broker": "not configured"}
    assert "server closed" not in response.content.decode()  # no error text, no address


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^healthz$"], CELERY_BROKER_URL="")
def test_the_probe_is_not_redirected_to_https_nor_to_the_login(client):
    assert client.get("/healthz").status_code == 200  # plain HTTP, not logged in
    assert client.get("/public/check/").status_code == 301  # the rest of the site is redirected


def test_with_production_settings_the_probe_answers_plain_http_and_the_site_redirects(tmp_path):
    probe = (
        "import django; django.setup(); from django.test import Client; c = Client(HTTP_HOST='xianjie.example.org'); "
        "print(c.get('/healthz').status_code, c.get('/public/check/').status_code)"
    )
    env = PRODUCTION | {"DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["200", "301"], done.stderr


@pytest.mark.redis
def test_a_reachable_broker_is_ok(client):
    with control_broker() as url, broker_at(url):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "broker": "ok"}


def test_worker_health_without_a_broker_says_tasks_run_in_process():
    out = StringIO()
    with override_settings(CELERY_BROKER_URL=""):
        call_command("worker_health", stdout=out)
    assert "No broker configured" in out.getvalue()


@pytest.mark.redis
def test_worker_health_exits_1_when_no_worker_answers():
    out = StringIO()
    with control_broker() as url, broker_at(url), pytest.raises(CommandError, match="No worker answered") as refused:
        call_command("worker_health", "--timeout", "1", stdout=out)
    assert refused.value.returncode == 1
    assert "workers: 0 answered" in out.getvalue()
    for queue in ("mail", "jobs", "sweep"):
        assert f"  {queue}: 0" in out.getvalue()


def test_worker_health_exits_1_when_the_broker_refuses():
    with broker_at(f"redis://127.0.0.1:{closed_port()}/0"), pytest.raises(CommandError, match="broker") as refused:
        call_command("worker_health", "--timeout", "1", stdout=StringIO())
    assert refused.value.returncode == 1


def dead_delivery() -> None:
    from notifications.models import Delivery, Notification

    officer = get_user_model().objects.get(username="guangzhou.officer1")
    notification = Notification.objects.create(recipient=officer, kind="escalation", title="逾期")
    Delivery.objects.create(
        notification=notification, recipient=officer, address="a@example.org", subject="逾期", body="…", status="dead"
    )


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_worker_health_lists_the_worker_the_queues_and_the_dead_deliveries():
    call_command("seed_demo", verbosity=0)
    dead_delivery()
    out = StringIO()
    with control_broker() as url, broker_at(url):
        # A worker of the jobs queue only: two sweeps asked for wait in theirs.
        worker = start_worker("w0", queues="jobs")
        try:
            until(lambda: app.control.ping(timeout=1), timeout=60, what="the worker answering")
            sweep_deadlines.delay()
            sweep_deadlines.delay()
            call_command("worker_health", "--timeout", "2", stdout=out)
        finally:
            kill(worker)
    text = out.getvalue()
    assert "workers: 1 answered" in text
    assert re.search(r"^  w0@\S+: pong$", text, re.MULTILINE), text
    assert "  sweep: 2\n" in text and "  jobs: 0\n" in text and "  mail: 0\n" in text
    assert "dead deliveries: 1 " in text

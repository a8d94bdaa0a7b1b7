"""The production stack (config.stack: nginx in front of gunicorn's uvicorn workers) on the test
database: a journey through nginx, its static files, no media, the client's address, the log
without query strings, and a WebSocket push."""

import asyncio
import json
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import websockets
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

from accounts.tokens import issue
from cases.models import Case
from config.stack import Stack, StackError, find_nginx
from notifications.outbox import notify
from tests.factories import demo_user
from tests.notifications.test_live_redis import database_url

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
PARTY_ID = "11010519491231002X"  # a valid 18-digit number (check digit X)


@pytest.fixture
def stack():
    try:
        find_nginx()
    except StackError as exc:
        if os.environ.get("REQUIRE_BROWSER") or os.environ.get("CI", "").lower() in ("1", "true"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    with tempfile.TemporaryDirectory(prefix="xj-media-") as media:
        (Path(media) / "secret.txt").write_text("uploaded evidence")
        env = os.environ | {
            "DATABASE_URL": database_url(),
            "DEBUG": "1",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "MEDIA_ROOT": media,
        }
        with Stack(workers=1, env=env) as running:
            yield running


def request(stack, path, token=None, body=None, headers=()):
    h = dict(headers)
    if token:
        h["Authorization"] = f"Token {token}"
    data = None
    if body is not None:
        data, h["Content-Type"] = json.dumps(body).encode(), "application/json"
    req = urllib.request.Request(stack.url + path, data=data, headers=h, method="POST" if data else "GET")  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=15) as r:  # noqa: S310 - loopback only
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def test_a_journey_static_files_no_media_the_client_address_and_a_push_through_nginx(stack):
    call_command("seed_demo", verbosity=0)
    officer = issue(demo_user("guangzhou.officer1"))[1]

    # A case created and opened through nginx, as the rows say.
    lead = {
        "source": "inspection",
        "region": "440100",
        "party": {"kind": "individual", "name": "陈建国", "id_number": PARTY_ID},
        "summary": "个人承揽电焊作业，持证可疑",
    }
    status, _h, body = request(stack, "/api/v1/cases/", officer, lead)
    assert status == 201, body[:500]
    pk = json.loads(body)["id"]
    assert Case.objects.get(pk=pk).status == "lead"
    handlers = ["guangzhou.officer1", "guangzhou.officer2"]
    status, _h, body = request(stack, f"/api/v1/cases/{pk}/actions/open/", officer, {"handlers": handlers})
    assert status == 200, body[:500]
    assert json.loads(body)["status"] == Case.objects.get(pk=pk).status == "open"

    # An ID number in ?q= (the app refuses it: searches by number are POSTed) stays out of
    # nginx's access log, which keeps the path alone.
    status, _h, _b = request(stack, f"/api/v1/cases/?q={PARTY_ID}", officer)
    assert status == 400
    log = stack.log("access.log")
    assert '"GET /api/v1/cases/ HTTP/1.1" 400' in log and PARTY_ID not in log

    # Static files come from STATIC_ROOT through nginx, with its cache headers.
    status, headers, body = request(stack, "/static/xianjie/site.css")
    assert status == 200
    assert body == (Path(settings.STATIC_ROOT) / "xianjie" / "site.css").read_bytes()
    assert headers["Cache-Control"] == "max-age=2592000" and "Expires" in headers

    # MEDIA_ROOT is never served: the file is there, the answer is nginx's own 404.
    status, headers, body = request(stack, "/media/secret.txt")
    assert status == 404 and b"uploaded evidence" not in body and b"nginx" in body

    # The client's address is nginx's entry in X-Forwarded-For (TRUSTED_PROXY_COUNT=1), not what the
    # client wrote there: the app itself sees only a Unix socket peer.
    bad = {"username": "guangzhou.officer2", "password": "wrong"}
    status, _h, _b = request(stack, "/api/v1/auth/token/", body=bad, headers={"X-Forwarded-For": "198.51.100.4"})
    assert status in (400, 401, 403)
    assert set(AccessAttempt.objects.filter(username="guangzhou.officer2").values_list("ip_address", flat=True)) == {
        "127.0.0.1"
    }

    # A notification pushed to a WebSocket held through nginx.
    police = demo_user("guangzhou.police")
    token = issue(police)[1]

    async def push():
        async with websockets.connect(f"{stack.ws_url}/ws/notifications/?token={token}") as ws:
            assert json.loads(await asyncio.wait_for(ws.recv(), 10))["type"] == "unread"
            loop = asyncio.get_running_loop()

            def send():
                try:
                    with transaction.atomic():
                        return notify([police], kind="bench", title="经 nginx 推送")[0].pk
                finally:
                    connection.close()  # this thread's own: the test database is dropped after the run

            sent = await loop.run_in_executor(None, send)
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if message.get("type") == "notification":
                    return sent, message

    sent, message = asyncio.run(push())
    assert message["id"] == sent and message["title"] == "经 nginx 推送"

"""Live delivery through Redis between real daphne processes, and a Redis outage survived."""

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import websockets
from django.core.management import call_command
from django.db import connection
from rest_framework.authtoken.models import Token

from notifications.models import Notification
from tests.factories import demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the process for port {port} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {port}")


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def daphne(count: int = 1, **env: str) -> Iterator[list[int]]:
    """`count` daphne processes on the test database (and the Redis of REDIS_URL unless env says
    otherwise); yields their ports. Their logs go to files, so a busy server never blocks on a pipe."""
    env = os.environ | {"DATABASE_URL": database_url(), "DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1,localhost"} | env
    ports = [free_port() for _ in range(count)]
    with ExitStack() as stack:
        logs = [stack.enter_context(tempfile.TemporaryFile()) for _ in ports]
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(p), "config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
            )
            for p, log in zip(ports, logs, strict=True)
        ]
        try:
            for port, proc in zip(ports, procs, strict=True):
                wait_for_port(port, proc=proc)
            yield ports
        except BaseException:
            for log in logs:
                log.seek(0)
                sys.stderr.write(log.read()[-4000:].decode(errors="replace"))
            raise
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait(10)


@pytest.fixture
def daphnes():
    """Two daphne processes on the test database, sharing the Redis of REDIS_URL."""
    with daphne(2) as ports:
        yield ports


def post(port: int, path: str, token: str, body: dict) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


def test_a_client_on_one_daphne_gets_within_a_second_what_is_transmitted_through_the_other(daphnes):
    call_command("seed_demo", verbosity=0)
    case, person = referable_case()
    referral = referrals.propose_referral(
        case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="移送"
    )
    referrals.approve(referral, actor=demo_user("guangzhou.head"))
    police = Token.objects.create(user=demo_user("guangzhou.police")).key
    officer = Token.objects.create(user=demo_user("guangzhou.officer1")).key
    listen_port, act_port = daphnes

    async def scenario():
        async with websockets.connect(f"ws://127.0.0.1:{listen_port}/ws/notifications/?token={police}") as ws:
            assert json.loads(await ws.recv())["type"] == "unread"
            loop = asyncio.get_running_loop()
            started = time.monotonic()
            answer = await loop.run_in_executor(
                None, post, act_port, f"/api/v1/referrals/{referral.pk}/actions/transmit/", officer, {"documents": DOCS}
            )
            assert answer["status"] == "transmitted"
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=1.0))
            return message, time.monotonic() - started

    message, elapsed = asyncio.run(scenario())
    assert message["kind"] == "referral_transmit" and message["referral"] == referral.pk
    assert elapsed < 2.0  # the POST and the push together; the push alone had 1 s above


class PrivateRedis:
    """A redis-server of our own on a free port, so that stopping it disturbs nobody else."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL
        )
        wait_for_port(self.port, proc=self.proc)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.proc = None

    @classmethod
    @contextmanager
    def running(cls) -> Iterator["PrivateRedis"]:
        redis = cls()
        if redis.binary is None:
            pytest.skip("needs redis-server on PATH")
        redis.start()
        try:
            yield redis
        finally:
            if redis.proc:
                redis.stop()


@pytest.fixture
def private_redis(settings):
    """A running PrivateRedis, also the channel layer of this process."""
    with PrivateRedis.running() as redis:
        settings.CHANNEL_LAYERS = {
            "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [redis.url]}}
        }
        yield redis


def test_with_redis_down_the_action_succeeds_the_row_is_kept_and_a_reconnecting_client_gets_it(private_redis):
    from channels.testing import WebsocketCommunicator

    from config.asgi import application
    from notifications.outbox import deliver

    call_command("seed_demo", verbosity=0)
    case, person = referable_case()
    referral = referrals.propose_referral(
        case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="移送"
    )
    referrals.approve(referral, actor=demo_user("guangzhou.head"))
    police = Token.objects.create(user=demo_user("guangzhou.police")).key
    last_seen = (
        Notification.objects.filter(recipient__username="guangzhou.police")
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
        or 0
    )

    private_redis.stop()
    referral = referrals.transmit(
        referral, actor=demo_user("guangzhou.officer1"), documents=DOCS
    )  # commits; push fails quietly
    assert referral.status == "transmitted"
    row = Notification.objects.get(recipient__username="guangzhou.police", referral=referral, kind="referral_transmit")
    deliver([row])  # a second push attempt while Redis is still down: logged, not raised

    private_redis.start()

    async def reconnect():
        ws = WebsocketCommunicator(application, f"/ws/notifications/?token={police}&since={last_seen}")
        connected, _ = await ws.connect()
        assert connected
        message = await ws.receive_json_from(timeout=3)
        await ws.disconnect()
        return message

    message = asyncio.run(reconnect())
    assert message["id"] == row.pk and message["kind"] == "referral_transmit"

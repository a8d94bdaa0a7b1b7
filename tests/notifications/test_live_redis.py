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
from http.client import HTTPConnection
from pathlib import Path

import pytest
import websockets
from django.core.management import call_command
from django.db import connection

from accounts.tokens import issue
from notifications.models import Notification
from tests.factories import demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def wait_for_http(port: int, proc: subprocess.Popen, timeout: float = 30) -> None:
    """Until the server on `port` answers HTTP (any status). Its socket listens from the start (we
    bound it), so a connection alone proves nothing; a request is answered once daphne serves."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server on port {port} exited with {proc.returncode}")
        http = HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            http.request("GET", "/up/")  # no such page: a 404, without touching the database
            http.getresponse()
            return
        except OSError:  # refused, reset or timed out while daphne starts
            time.sleep(0.1)
        finally:
            http.close()
    raise TimeoutError(f"nothing answers HTTP on {port}")


def wait_for_unix_socket(path: Path, proc: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the process for {path} exited with {proc.returncode}")
        with socket.socket(socket.AF_UNIX) as s:
            if s.connect_ex(str(path)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on {path}")


def database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def daphne(count: int = 1, **env: str) -> Iterator[list[int]]:
    """`count` daphne processes on the test database (and the Redis of REDIS_URL unless env says
    otherwise); yields their ports. Their logs go to files, so a busy server never blocks on a pipe.

    Each listening socket is bound here, on a port the system picks, and handed to its daphne
    (--fd): a port chosen free and bound later by the server could be taken in between by another
    process, such as a server of a test running beside this one in another xdist worker."""
    env = os.environ | {"DATABASE_URL": database_url(), "DEBUG": "1", "ALLOWED_HOSTS": "127.0.0.1,localhost"} | env
    with ExitStack() as stack:
        listeners = [stack.enter_context(socket.create_server(("127.0.0.1", 0))) for _ in range(count)]
        ports = [listener.getsockname()[1] for listener in listeners]
        logs = [stack.enter_context(tempfile.TemporaryFile()) for _ in ports]
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "daphne", "--fd", str(listener.fileno()), "config.asgi:application"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=log,
                pass_fds=[listener.fileno()],
            )
            for listener, log in zip(listeners, logs, strict=True)
        ]
        for listener in listeners:
            listener.close()  # daphne holds it now: the port closes when daphne stops
        try:
            for port, proc in zip(ports, procs, strict=True):
                wait_for_http(port, proc)
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
    police = issue(demo_user("guangzhou.police"))[1]
    officer = issue(demo_user("guangzhou.officer1"))[1]
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
    """A redis-server of our own, so that stopping it disturbs nobody else. It listens on a Unix
    socket in a folder of its own, not on TCP: while it is stopped, a TCP port of its could be
    taken by any other process of the machine, and the restart would fail."""

    def __init__(self, folder: Path):
        self.binary = shutil.which("redis-server")
        self.socket = folder / "redis.sock"
        self.url = f"unix://{self.socket}?db=0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", "0", "--unixsocket", str(self.socket), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for_unix_socket(self.socket, self.proc)

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)
        self.proc = None

    @classmethod
    @contextmanager
    def running(cls) -> Iterator["PrivateRedis"]:
        # Not pytest's tmp_path: a Unix socket's path must stay under about 100 bytes.
        with tempfile.TemporaryDirectory(prefix="xj-redis-") as folder:
            redis = cls(Path(folder))
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
    police = issue(demo_user("guangzhou.police"))[1]
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

"""Real Celery workers and beat for the tests that need the broker (CI pass 2: PostgreSQL + Redis).

The broker is the Redis of REDIS_URL (each xdist worker has its own database, tests/workers.py), so
the queues of two test workers never meet. Tests using these are marked `postgres` and `redis`:
the worker processes share the test database, which SQLite's in-memory test database cannot.

    with broker():                      # this process publishes to the broker instead of running eagerly
        with workers(2, beat=True) as procs:
            ...                         # wait for rows to change (until(...))
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import kombu.pools

from config.celery import app
from tests.notifications.test_live_redis import database_url

ROOT = Path(__file__).resolve().parents[1]
QUEUES = "mail,jobs,sweep"


# RabbitMQ as CI runs it; one test uses it (its queues are not per xdist worker as Redis's are).
RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672//")
_current: list[str] = []  # the broker of the open broker() block, for the processes started in it


def broker_url() -> str:
    return _current[-1] if _current else os.environ["REDIS_URL"]


@contextmanager
def broker(url: str | None = None) -> Iterator[str]:
    """Tasks published by this process go to the real broker (not run in-process), and every queue
    starts empty; the eager default comes back afterwards. `url`: another broker than the Redis of
    REDIS_URL (RABBITMQ_URL)."""
    url = url or broker_url()
    _current.append(url)
    before = {k: app.conf[k] for k in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    if app._pool:
        app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()
    purge()
    try:
        yield url
    finally:
        purge()
        app.conf.update(before)
        if app._pool:
            app.pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None
        kombu.pools.reset()
        _current.pop()


def purge() -> None:
    with app.connection_for_write() as conn:
        for queue in QUEUES.split(","):
            with suppress(Exception):  # a queue never declared has nothing to purge
                conn.default_channel.queue_purge(queue)


def environment(**extra: str) -> dict[str, str]:
    return os.environ | {"DATABASE_URL": database_url(), "DEBUG": "1", "CELERY_BROKER_URL": broker_url()} | extra


def start_worker(name: str, *, queues: str = QUEUES, concurrency: int = 1, log=None, **env: str) -> subprocess.Popen:
    """`celery -A config worker` on the test database and the broker; `log` a file for its output."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queues,
            "-c",
            str(concurrency),
            "-n",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=environment(**env),
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,  # kill -9 of the group ends the worker and its pool processes
    )


def start_beat(*, log=None, **env: str) -> subprocess.Popen:
    schedule = tempfile.mkdtemp()
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO", "-s", f"{schedule}/beat"],
        cwd=ROOT,
        env=environment(**env),
        stdout=log or subprocess.DEVNULL,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL,
        start_new_session=True,
    )


def kill(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    """Signal the process's whole group (a prefork worker has children) and wait for it."""
    if proc.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


@contextmanager
def workers(count: int = 1, *, beat: bool = False, **env: str) -> Iterator[list[subprocess.Popen]]:
    """`count` workers (and beat) for the block; their output is printed when the block fails."""
    with ExitStack() as stack:
        logs = [stack.enter_context(tempfile.NamedTemporaryFile("w+b")) for _ in range(count + beat)]
        procs = [start_worker(f"w{i}", log=logs[i], **env) for i in range(count)]
        if beat:
            procs.append(start_beat(log=logs[-1], **env))
        try:
            yield procs
        except BaseException:
            for log in logs:
                log.seek(0)
                sys.stderr.write(log.read().decode(errors="replace")[-5000:])
            raise
        finally:
            for proc in procs:
                kill(proc)


def until(condition: Callable[[], object], timeout: float = 90, every: float = 0.25, what: str = "") -> object:
    """Wait for `condition()` to be true (the workers write to the database); fail after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(every)

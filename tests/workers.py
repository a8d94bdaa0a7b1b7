"""What each pytest-xdist worker keeps to itself when the suite runs in parallel (`make test`).

The test database needs nothing here: pytest-django already gives each worker its own
(test_<name>_gw0, test_<name>_gw1, …), and the tests that make a database of their own name it
after that one. Redis needs a database per worker: the cache's clear() is FLUSHDB, and the
channel layer's groups are named after user ids, which are the same in every worker's database,
so two workers on one Redis database would wipe each other's groups and hear each other's pushes.
"""

import importlib
import os
import sys
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.test import override_settings

# Redis's default `databases`; a server configured with more is not assumed.
REDIS_DATABASES = 16


def worker_index(worker: str) -> int:
    """PYTEST_XDIST_WORKER's number: gw0 → 0, gw1 → 1, …"""
    return int(worker.removeprefix("gw"))


def worker_redis_url(url: str, worker: str) -> str:
    """REDIS_URL for `worker`: the URL's database number plus the worker's index, so that one
    base (redis://host:6379/5) serves gw0 on 5, gw1 on 6, …; host and options unchanged."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    # A ?db= wins over the path, as in redis-py; a unix:// path is the socket, never a database.
    in_query = "db" in query or parts.scheme == "unix"
    base = int(query.get("db", 0)) if in_query else int(parts.path.strip("/") or 0)
    db = base + worker_index(worker)
    if db >= REDIS_DATABASES:
        raise ValueError(
            f"REDIS_URL={url!r} with worker {worker} needs Redis database {db}, past the default "
            f"{REDIS_DATABASES}: use a lower database number in REDIS_URL or fewer workers (-n)."
        )
    if in_query:
        # By hand: urlunsplit would drop the empty host of unix:///path.
        return f"{url.partition('?')[0]}?{urlencode(query | {'db': db})}"
    return urlunsplit(parts._replace(path=f"/{db}"))


def use_worker_redis(worker: str) -> str:
    """Point this worker, and every process it starts, at its own Redis database; returns the URL.

    pytest-django loads the settings before any conftest is read, so REDIS_URL was already read
    from the environment: the settings module is read again under the worker's REDIS_URL and the
    values that depend on it are put in force (nothing has connected to Redis yet). The daphne,
    sweeper and manage.py processes the tests start inherit the environment, so they agree.
    """
    url = worker_redis_url(os.environ["REDIS_URL"], worker)
    os.environ["REDIS_URL"] = url
    again = importlib.reload(sys.modules[os.environ["DJANGO_SETTINGS_MODULE"]])
    override_settings(REDIS_URL=again.REDIS_URL, CACHES=again.CACHES, CHANNEL_LAYERS=again.CHANNEL_LAYERS).enable()
    return url

"""The suite in parallel (pytest-xdist): each worker on a Redis database of its own, and this
process and the servers it starts on the same one (tests/workers.py)."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from redis.connection import parse_url

from tests.workers import worker_redis_url


@pytest.mark.parametrize(
    "url, worker, expected",
    [
        ("redis://127.0.0.1:6379/5", "gw0", "redis://127.0.0.1:6379/5"),
        ("redis://127.0.0.1:6379/5", "gw1", "redis://127.0.0.1:6379/6"),
        ("redis://127.0.0.1:6379", "gw2", "redis://127.0.0.1:6379/2"),
        ("rediss://:secret@cache.internal:6380/3", "gw1", "rediss://:secret@cache.internal:6380/4"),
        ("redis://127.0.0.1/0?db=7&socket_timeout=5", "gw1", "redis://127.0.0.1/0?db=8&socket_timeout=5"),
        ("unix:///run/redis.sock?db=2", "gw3", "unix:///run/redis.sock?db=5"),
        ("unix:///run/redis.sock", "gw1", "unix:///run/redis.sock?db=1"),
    ],
)
def test_a_worker_gets_the_database_of_redis_url_plus_its_number(url, worker, expected):
    got = worker_redis_url(url, worker)
    assert got == expected
    # As redis-py reads the two URLs: the same server and options, the database moved on.
    before, after = parse_url(url), parse_url(got)
    assert after.pop("db", 0) == before.pop("db", 0) + int(worker[2:])
    assert after == before


def test_a_worker_past_the_sixteenth_database_is_refused_with_what_to_do():
    with pytest.raises(ValueError, match=r"database 16.*lower database number in REDIS_URL or fewer workers"):
        worker_redis_url("redis://127.0.0.1:6379/15", "gw1")


@pytest.mark.redis
def test_the_cache_the_channel_layer_and_started_servers_use_one_redis_database():
    url = os.environ["REDIS_URL"]  # what daphne and manage.py processes started by a test inherit
    assert url == settings.REDIS_URL
    assert settings.CACHES["default"]["LOCATION"] == url
    assert [host["address"] for host in settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]] == [url]
    client = cache._cache.get_client(write=True)
    assert client.connection_pool.connection_kwargs["db"] == parse_url(url).get("db", 0)

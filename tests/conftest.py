"""The fixed cast: the demo data of DESIGN §6, seeded once per test database."""

import os

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.workers import use_worker_redis

IN_CI = os.environ.get("CI", "").lower() in ("1", "true")
# Named here, in the conftest that pytest-xdist's controller reads too, so that it prints the summary.
pytest_plugins = ["tests.api.answers"]


def pytest_configure(config):
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1, … in a pytest-xdist worker
    if worker and os.environ.get("REDIS_URL"):
        try:
            use_worker_redis(worker)
        except ValueError as exc:
            raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture(autouse=True)
def _offices_language_after_each_test():
    """A request in English leaves English active on the thread (LocaleMiddleware activates, nothing
    deactivates): each test starts as a process does, in the offices' language. Tests that a stored
    text is Chinese whatever the request's language set English themselves."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _channel_layer_per_test(settings):
    """A channel layer of the test's own: setting CHANNEL_LAYERS, even to itself, makes channels
    build a new one. The process-wide one would carry channels_redis's asyncio locks and queues,
    which belong to the event loop that made them, from one test's async_to_sync loop into the
    next: a receive cancelled at a disconnect leaves them behind (channels_redis 4.3), and the next
    test's receive then fails with "… is bound to a different event loop"."""
    settings.CHANNEL_LAYERS = settings.CHANNEL_LAYERS


@pytest.fixture(autouse=True)
def _calendar_as_committed():
    """Holiday arrangements a test entered are rolled back with it: the next test reads them afresh."""
    from core import calendar

    calendar.forget_overrides()
    yield
    calendar.forget_overrides()


@pytest.fixture
def user():
    from django.contrib.auth import get_user_model

    def get(username: str):
        return get_user_model().objects.get(username=username)

    return get


@pytest.fixture
def api(user):
    """api("guangzhou.officer1") → an APIClient authenticated as that demo user."""

    def client(username: str | None = None) -> APIClient:
        c = APIClient()
        if username:
            c.force_authenticate(user(username))
        return c

    return client


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    for item in items:
        if "postgres" in item.keywords and engine != "django.db.backends.postgresql":
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…"))
        elif "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL=redis://…"))


def pytest_sessionfinish(session, exitstatus):
    """In CI's service pass nothing may skip: a skipped service test there is a failure."""
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker saw only its share: the controller, which sees every report, judges
    if IN_CI and os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        skipped = session.config.pluginmanager.get_plugin("terminalreporter").stats.get("skipped", [])
        if skipped:
            print(f"\n{len(skipped)} test(s) skipped in CI's PostgreSQL + Redis pass; nothing may skip there.")
            session.exitstatus = 1

"""The fuzzing of test_fuzz.py over real HTTP: the application served by Django's threaded HTTP
server on a port of its own, with DEBUG off, and every example sent over a socket (schemathesis's
requests transport) — what a client of the served process sees, the HTTP layer's parsing and
headers included. Fewer examples than in process, to stay within a minute.

The operations are generated at collection from the schema document, before any server runs; the
first test checks that the served process serves that same document at /api/schema/.

The server's request threads use the test's own database connection, inside the transaction the
world and each example's savepoint live in (as LiveServerTestCase does for in-memory SQLite), so
the run needs no committed data on SQLite or PostgreSQL and leaves nothing behind. The client waits
for each answer, so the connection is never used by two threads at once."""

import threading

import pytest
import requests
import schemathesis
from django.core.servers.basehttp import ThreadedWSGIServer
from django.core.wsgi import get_wsgi_application
from django.db import connections
from django.test import override_settings
from django.test.testcases import QuietWSGIRequestHandler

from .world import PRODUCTION, ROLES, exercise, fuzz_config, one_connection, rolled_back_world

MAX_EXAMPLES = 1  # per operation and role, besides the documented example

pytestmark = pytest.mark.django_db


class SharedConnectionServer(ThreadedWSGIServer):
    """Its request threads use the connections it is given and never close them."""

    def _close_connections(self):
        pass


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with rolled_back_world(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


@pytest.fixture(scope="module")
def served(world):
    """The base URL of the application served over HTTP, with DEBUG off."""
    connection = connections["default"]
    connection.inc_thread_sharing()
    server = SharedConnectionServer(
        ("127.0.0.1", 0),
        QuietWSGIRequestHandler,
        allow_reuse_address=False,
        connections_override={"default": connection},
    )
    server.set_app(get_wsgi_application())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    with one_connection(), override_settings(**PRODUCTION, ALLOWED_HOSTS=["127.0.0.1"]):
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
            connection.dec_thread_sharing()


document = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application()).raw_schema
schema = schemathesis.openapi.from_dict(document, config=fuzz_config(MAX_EXAMPLES))


def test_the_served_process_runs_with_debug_off_and_serves_the_schema_fuzzed(served):
    r = requests.get(f"{served}/api/v1/no-such-thing/", timeout=30)
    assert r.status_code == 404 and r.headers["Content-Type"] == "application/json"  # not DEBUG's page
    assert requests.get(f"{served}/api/schema/?format=json", timeout=30).json() == document


@schema.parametrize()
@pytest.mark.parametrize("role", ROLES)
def test_api_over_http(case, role, world, served):
    exercise(case, role, world, base_url=served)

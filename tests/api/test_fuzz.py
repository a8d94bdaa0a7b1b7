"""Schemathesis over every API v1 operation of /api/schema/, as four roles of the demo data, in
process through WSGI, with DEBUG off: every check but positive-data acceptance (tests/api/world.py).

Each example runs in its own savepoint that is rolled back, so no example changes what a later one
sees: runs are reproducible (fixed seed, derandomized) and cannot be flaky through shared state.
Path ids are mapped onto real objects of a small world (tests/api/world.py) most of the time, so the
200, 400, 403 and 409 paths of the actions are fuzzed, not only 404. The same run over HTTP against
a served process is tests/api/test_fuzz_http.py.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import override_settings

from .world import PRODUCTION, ROLES, exercise, fuzz_config, one_connection, rolled_back_world

MAX_EXAMPLES = 8  # generated per operation and role (valid and invalid), besides the documented example

app = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, config=fuzz_config(MAX_EXAMPLES))

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with rolled_back_world(django_db_blocker, tmp_path_factory.mktemp("media")) as built:
        yield built


@pytest.fixture(autouse=True)
def _served_as_in_production():
    with one_connection(), override_settings(**PRODUCTION):
        yield


@schema.parametrize()
@pytest.mark.parametrize("role", ROLES)
def test_api(case, role, world):
    exercise(case, role, world)

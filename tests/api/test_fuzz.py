"""Schemathesis over every API v1 operation of /api/schema/, as four roles of the demo data.

Each example runs in its own savepoint that is rolled back, so no example changes what a later one
sees: runs are reproducible (fixed seed, derandomized) and cannot be flaky through shared state.
Path ids are mapped onto real objects of a small world (tests/api/world.py) most of the time, so the
200, 400, 403 and 409 paths of the actions are fuzzed, not only 404.
"""

import zlib
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.test import override_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from .answers import ANSWERS
from .world import ROLES, build_world

MAX_EXAMPLES = 8  # generated per operation and role (valid and invalid), besides the documented example

app = get_wsgi_application()
config = schemathesis.Config.from_dict(
    {
        "seed": 2018,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            "no-shrink": True,
            "with-security-parameters": False,
        },
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app, config=config)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once for the module inside a transaction that is rolled back at its end."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _one_connection():
    """The WSGI handler would close the test's connection after each request, as Django's test
    client also prevents."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


def real(pool: list, value):
    """Most generated values pick a real object, by a stable choice so that an example replays the
    same; the others, and values of another type, stay as generated (mostly not found)."""
    if pool and type(value) is type(pool[0]):
        index = zlib.crc32(str(value).encode()) % (len(pool) + 1)
        return pool[index] if index < len(pool) else value
    return value


@schema.parametrize()
@pytest.mark.parametrize("role", ROLES)
def test_api(case, role, world):
    pool = world.pool(case.path, role)
    documented = case.meta is not None and case.meta.phase.name == "examples"
    for name, value in case.path_parameters.items():
        # The documented example goes to an object the role may act on; fuzzed ones anywhere.
        case.path_parameters[name] = pool[0] if documented and pool else real(pool, value)
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Token {world.tokens[role]}"})
        transaction.set_rollback(True)
    ANSWERS.setdefault((case.operation.label, role), Counter())[response.status_code] += 1
    case.validate_response(response, checks=CHECKS)

"""Runs tests/security/matrix.py: one test per cell, and a check that the table has a row for
every URL pattern (and, for the API, every method its view answers)."""

import json
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from asgiref.sync import async_to_sync
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from accounts import otp
from accounts.tokens import issue as issue_token
from cases.models import Case, Event, IdNumberView
from certificates.models import Evidence, RosterCheck
from config.asgi import application
from notifications.models import Notification, Preference
from notifications.outbox import notify
from notifications.routing import websocket_urlpatterns
from oversight.models import Campaign, Listing, ListingReport, MonthlySubmission, SelfInspection, TypicalCase
from tests.factories import demo_user

from .matrix import BODIES, KNOWN_BUGS, ROLES, Row, parse
from .world import build_world

ROWS = parse()
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
ORIGIN = (b"origin", b"http://localhost")
FOREIGN_ORIGIN = (b"origin", b"https://evil.example")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The objects of world.py and a logged-in session and a token per role, built once and
    rolled back when the module ends."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")),
        transaction.atomic(),
    ):
        cities = build_world()
        gz = cities["gz"].objects
        gz["event_type"] = ContentType.objects.get_for_model(Event)
        gz["event"] = gz["case"].events.order_by("seq").first()
        gz["user"] = demo_user("guangzhou.officer1")
        gz["group"] = gz["case"].agency.group
        gz["agency"] = gz["case"].agency
        gz["membership"] = gz["user"].memberships.first()
        gz["legal_basis"] = gz["fine"].legal_basis
        gz["campaign"] = Campaign.objects.get(slug="gd-2018-cert")
        route = gz["proposed"].task_routes.select_related("task").first()
        gz["task"], gz["process"] = route.task, route.task.process
        sessions, tokens = {}, {}
        for role, username in ROLES.items():
            if username:
                client = Client()
                client.force_login(demo_user(username))
                sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
                tokens[role] = issue_token(demo_user(username))[1]
        # A handler reading the case is shown its ID numbers in full, and that is recorded.
        Client().get(
            f"/api/v1/cases/{gz['case'].pk}/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={sessions['officer1']}"
        )
        gz["id_view"] = IdNumberView.objects.get(case=gz["case"])
        # What the administrator sees of logins: an attempt that failed, a login, a second factor.
        Client().post("/accounts/login/", {"username": "nobody.matrix", "password": "wrong"}, REMOTE_ADDR="10.8.0.1")
        gz["access_attempt"] = AccessAttempt.objects.get(username="nobody.matrix")
        gz["access_log"] = AccessLog.objects.filter(username="guangzhou.officer1").first()
        gz["failure_log"] = AccessFailureLog.objects.create(
            username="nobody.matrix", ip_address="10.8.0.1", locked_out=False
        )
        gz["totp"] = otp.enrolment_device(gz["user"])
        yield SimpleNamespace(cities=cities, sessions=sessions, tokens=tokens)
        transaction.set_rollback(True)


@pytest.fixture
def cell(world, db, monkeypatch):
    """Each cell in its own savepoint inside the world's transaction (pytest-django's `db`): what
    an allowed call changes is gone before the next cell."""
    # The consumer's database work runs in this thread's transaction (see run_ws).
    monkeypatch.setattr("channels.db.close_old_connections", lambda: None)
    return world


class Ref:
    """An object as a path segment (its primary key), its attributes still reachable."""

    def __init__(self, obj):
        self.obj = obj

    def __format__(self, spec):
        return str(self.obj.pk)

    def __getattr__(self, name):
        return getattr(self.obj, name)


def fill(template: str, city) -> str:
    return template.format_map({k: Ref(v) for k, v in city.objects.items()})


def city_of(world, row: Row):
    return world.cities["gz" if row.city == "-" else row.city]


_COUNTED = [
    Event,
    Case,
    Preference,
    SelfInspection,
    MonthlySubmission,
    TypicalCase,
    Evidence,
    Listing,
    ListingReport,
    RosterCheck,
]


def _count(model, where="") -> str:
    return f"(SELECT COUNT(*) FROM {model._meta.db_table} {where})"  # noqa: S608 - a model's table, no input


# What a refused call must not change, in one query: the event log (every action writes one), the
# rows only some calls write, case versions, and unread notifications.
_VERSIONS = f"(SELECT SUM(version) FROM {Case._meta.db_table})"  # noqa: S608 - a model's table, no input
_PARTS = [_count(m) for m in _COUNTED] + [_count(Notification, "WHERE read_at IS NULL"), _VERSIONS]
FINGERPRINT = "SELECT " + ", ".join(_PARTS)  # noqa: S608 - table names only


def fingerprint() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT)
        return cursor.fetchone()


def send(client: Client, row: Row, path: str, city, n: int):
    make = BODIES.get(row.key)
    body = make(None if row.city == "-" else city) if make else {}
    extra = {"REMOTE_ADDR": f"10.9.{n // 250}.{n % 250 + 1}"}  # each cell its own address: no rate limits shared
    if row.method == "GET":
        return client.get(path, **extra)
    is_api = path.startswith("/api/")
    has_file = any(hasattr(v, "read") for v in body.values())
    if not is_api or has_file:
        form = encode_multipart(BOUNDARY, body)
        return client.generic(row.method, path, form, content_type=f"{MULTIPART_CONTENT}; boundary={BOUNDARY}", **extra)
    return client.generic(row.method, path, json.dumps(body), content_type="application/json", **extra)


def is_listed(response, question: str, city) -> bool:
    question = fill(question, city)
    if "=" in question and response["Content-Type"].startswith("application/json"):
        key, value = question.split("=", 1)
        data = response.json()
        return any(str(item.get(key)) == value for item in (data["results"] if isinstance(data, dict) else data))
    return question in response.content.decode()


def run_http(world, row: Row, role: str, n: int) -> str:
    city = city_of(world, row)
    client = Client()
    if role in world.sessions:
        client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[role]
    before = fingerprint() if row.method in UNSAFE else None
    response = send(client, row, fill(row.path, city), city, n)
    observed = str(response.status_code)
    if row.listed and response.status_code == 200:
        observed += "+" if is_listed(response, row.listed, city) else "-"
    if before is not None and response.status_code >= 400:
        assert fingerprint() == before, f"{row.label} as {role}: refused ({observed}) but the database changed"
    if before is not None and response.status_code < 300 and "/actions/" in row.path:
        assert fingerprint() != before, f"{row.label} as {role}: allowed ({observed}) but nothing changed"
    return observed


def run_ws(world, row: Row, role: str, capture) -> str:
    """Connect as the role (token or session); report accepted/refused and, for `∋`, whether the
    notification arrived (caught up with ?since=0, or pushed live after connecting)."""
    city = city_of(world, row)
    headers, path = [], row.path.split(" ")[0]
    if "<own>" in path:
        token = world.tokens.get(role)
        path = path.replace("token=<own>", f"token={token}") if token else path.replace("token=<own>", "")
    else:
        cookie = f"{settings.SESSION_COOKIE_NAME}={world.sessions[role]}" if role in world.sessions else ""
        headers = [(b"cookie", cookie.encode())]
        if "origin" in row.spec and "without-origin" not in row.spec:
            headers.append(FOREIGN_ORIGIN if "foreign" in row.spec else ORIGIN)

    @database_sync_to_async
    def push() -> tuple[int, int]:
        """A notification to the city's officer1, then one to the caller: once the caller has
        its own, officer1's would have arrived before it if it were leaking."""
        with capture(execute=True):
            wanted = notify([city.user("officer1")], kind="test", title="矩阵推送")[0]
            mine = notify([demo_user(ROLES[role])], kind="test", title="矩阵哨兵")[0]
        return wanted.pk, mine.pk

    async def scenario():
        ws = WebsocketCommunicator(application, path, headers=headers)
        connected, code = await ws.connect()
        if not connected:
            return str(code)
        ids = []
        while (message := await ws.receive_json_from())["type"] != "unread":
            ids.append(message["id"])
        observed = "101"
        if row.listed == "pushed-to-officer1":
            wanted, mine = await push()
            got = []
            while (message := await ws.receive_json_from(timeout=2))["id"] != mine:
                got.append(message["id"])
            observed += "+" if wanted in got else "-"
        elif row.listed:
            observed += "+" if city.notification.pk in ids else "-"
        await ws.disconnect()
        return observed

    return async_to_sync(scenario)()


def _cells():
    for i, row in enumerate(ROWS):
        for role, expected in row.cells.items():
            bug = KNOWN_BUGS.get((row.label, role))
            marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
            yield pytest.param(row, role, expected, i, id=f"{row.label} as {ROLES[role] or 'anonymous'}", marks=marks)


@pytest.mark.django_db
@pytest.mark.parametrize("row, role, expected, n", list(_cells()))
def test_cell(cell, django_capture_on_commit_callbacks, row, role, expected, n):
    if row.method == "WS":
        observed = run_ws(cell, row, role, django_capture_on_commit_callbacks)
    else:
        observed = run_http(cell, row, role, n * 16 + list(ROLES).index(role))
    assert observed == expected, f"{row.label} as {ROLES[role] or 'anonymous'}: expected {expected}, got {observed}"


# --- coverage -------------------------------------------------------------------------------

API_METHODS = ("get", "post", "put", "patch", "delete")


def _patterns(patterns, prefix=""):
    """(route, view) of every pattern, the route spelled as ResolverMatch.route spells it."""
    for p in patterns:
        route = prefix + (str(p.pattern).removeprefix("^") if prefix else str(p.pattern))
        if isinstance(p, URLResolver):
            yield from _patterns(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route, p.callback


def required() -> set[tuple[str, str]]:
    """(method, route) for every API view method; ("*", route) for every other page."""
    needed = set()
    for route, callback in _patterns(get_resolver().url_patterns):
        view = getattr(callback, "cls", None)
        if route.startswith("api/v1/") and view is not None:
            needed |= {(m.upper(), route) for m in API_METHODS if hasattr(view, m)}
        else:
            needed.add(("*", route))
    needed |= {("WS", str(p.pattern)) for p in websocket_urlpatterns}
    return needed


def covered() -> set[tuple[str, str]]:
    got = set()
    for row in ROWS:
        path = urlsplit(row.path.split(" ")[0].replace("<own>", "")).path
        path = "/".join("1" if part.startswith("{") else part for part in path.split("/"))
        if row.method == "WS":
            got.add(("WS", path.lstrip("/")))
            continue
        route = resolve(path).route
        got |= {(row.method, route), ("*", route)}
    return got


def test_every_url_pattern_and_api_method_has_a_row_in_the_matrix():
    missing = sorted(required() - covered(), key=lambda pair: pair[1])
    assert not missing, "add these to tests/security/matrix.py TABLE:\n" + "\n".join(f"{m} /{r}" for m, r in missing)


def test_every_body_belongs_to_a_row():
    keys = {row.key for row in ROWS}
    assert set(BODIES) <= keys, sorted(set(BODIES) - keys)

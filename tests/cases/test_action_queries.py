"""What an action costs the database: every query of the whole API request (token authentication,
the action, its event and announcements, and the case or referral the API answers with), counted
for the most used case and referral actions. Each limit is the count measured when the actions
were made cheaper: a change that adds a query per request fails here.

`XIANJIE_QUERY_TABLE=1 pytest -s tests/cases/test_action_queries.py` prints every count measured.
"""

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.tokens import issue
from cases import actions
from cases.models import Case, Event, Penalty, Referral, local_today
from core import calendar
from demo.sample_cases import make_credit_code, make_id_number
from tests.factories import CaseFactory, add_person, demo_user
from tests.workflows.helpers import referable_case
from tests.workflows.test_referral_transitions import ACTOR, BODY, EDGES, referral_in
from workflows.actions import view_case_permission

pytestmark = pytest.mark.django_db
PRINT = os.environ.get("XIANJIE_QUERY_TABLE") == "1"
DOCS_FOR_PROPOSAL = "持伪造操作证上岗，涉嫌使用伪造的国家机关证件。"


def token_client(username: str) -> APIClient:
    """A client as the API's callers are: `Authorization: Token <key>`, no session."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {issue(demo_user(username))[1]}")
    return client


def counted(client: APIClient, path: str, body: dict, *, expect: int = 200) -> tuple[int, list[str]]:
    """The queries of one POST, after a GET of the same client has warmed the process's caches."""
    client.get("/api/v1/me/")
    calendar.overrides()  # the holiday arrangements: read once per process (and again hourly)
    for model in (Referral, Penalty):  # the flows' artifacts' content types, cached per process
        ContentType.objects.get_for_model(model)
    view_case_permission()  # the permission a transmission grants, read once per process
    with CaptureQueriesContext(connection) as ctx:
        r = client.post(path, body, format="json")
    assert r.status_code == expect, r.content
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


@dataclass
class CaseCall:
    """`setup()` → (case id or None, body); the action runs as `actor` through the API."""

    setup: Callable[[], tuple[int | None, dict]]
    actor: str = "guangzhou.officer1"
    limit: int = 20


def _create():
    n = 700 + Case.objects.count()
    return None, {
        "source": "inspection",
        "region": "440100",
        "party": {"kind": "employer", "name": f"计数{n}", "credit_code": make_credit_code("440100", 800_000 + n)},
        "summary": "查询计数",
    }


def _lead(body):
    return lambda: (CaseFactory(status="lead").pk, body)


def _open(body: dict | Callable[[Case], dict]):
    def setup():
        case = CaseFactory(status="open")
        return case.pk, body(case) if callable(body) else body

    return setup


def _with_person(case):
    person = add_person(case)
    return {"kind": "forged_certificate", "person": person.pk}


def _referable(case):
    person = add_person(case, name="张伟")
    actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="certificate_trading", person=person.pk)
    return {"persons": [person.pk], "report": DOCS_FOR_PROPOSAL}


def _ordered(case):
    order = actions.order_rectification(
        case, actor=demo_user("guangzhou.officer1"), deadline=local_today() + datetime.timedelta(days=10), items="整改"
    )
    return {"order": order.pk, "passed": True}


def _closed():
    case = CaseFactory(status="closed")
    return case.pk, {"reason": "新线索"}


IN_TEN_DAYS = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()

CASE_CALLS: dict[str, CaseCall] = {
    "create": CaseCall(_create, limit=19),
    "open": CaseCall(_lead({"handlers": ["guangzhou.officer1", "guangzhou.officer2"]}), limit=17),
    "decline": CaseCall(_lead({"reason": "线索不实"}), actor="guangzhou.head", limit=11),
    "add_person": CaseCall(
        _open(
            lambda case: {
                "name": "李四",
                "id_number": make_id_number("440106", datetime.date(1985, 3, 2), 40 + case.pk % 500),
                "role": "holder",
            }
        ),
        limit=16,
    ),
    "record_finding": CaseCall(_open(_with_person), limit=20),
    "order_rectification": CaseCall(_open({"deadline": IN_TEN_DAYS, "items": "清退无证人员"}), limit=16),
    "verify_rectification": CaseCall(_open(_ordered), limit=16),
    "propose_referral": CaseCall(_open(_referable), limit=41),
    "request_takedown": CaseCall(_open({"url": "http://fake-gov.example/", "agency": "guangzhou-cyber"}), limit=17),
    "correct": CaseCall(
        _open({"target": "case", "field": "summary", "value": "更正后的案情摘要", "reason": "录入有误"}), limit=16
    ),
    "reassign": CaseCall(
        _open({"handlers": ["guangzhou.officer2", "guangzhou.head"], "reason": "转办"}),
        actor="guangzhou.head",
        limit=25,
    ),
    "extend_decision_period": CaseCall(
        _open({"until": (datetime.date.today() + datetime.timedelta(days=120)).isoformat(), "reason": "复杂"}),
        actor="guangzhou.head",
        limit=17,
    ),
    "close": CaseCall(_open({"summary": "结案"}), actor="guangzhou.head", limit=19),
    "reopen": CaseCall(_closed, actor="guangzhou.supervisor", limit=12),
}

# The referral actions asserted, from the status each is taken in (the transition table's edges).
REFERRAL_LIMITS: dict[tuple[str, str], int] = {
    ("proposed", "approve"): 37,
    ("proposed", "refuse"): 42,
    ("approved", "transmit"): 50,
    ("transmitted", "acknowledge"): 41,
    ("received", "accept"): 49,
    ("received", "reject"): 51,
}


def case_action_queries(name: str) -> tuple[int, list[str]]:
    call = CASE_CALLS[name]
    pk, body = call.setup()
    client = token_client(call.actor)
    if name == "create":
        return counted(client, "/api/v1/cases/", body, expect=201)
    return counted(client, f"/api/v1/cases/{pk}/actions/{name}/", body)


def referral_action_queries(status: str, name: str) -> tuple[int, list[str]]:
    referral = referral_in(status)
    return counted(token_client(ACTOR[name]), f"/api/v1/referrals/{referral.pk}/actions/{name}/", BODY[name])


def _report(label: str, n: int, sql: list[str]) -> None:
    if PRINT:
        print(f"\nQUERIES {label:45} {n}")
        if os.environ.get("XIANJIE_QUERY_SQL") == "1":
            for i, q in enumerate(sql, 1):
                print(f"   {i:2} {q[:220]}")


@pytest.mark.parametrize("name", CASE_CALLS)
def test_a_case_action_stays_within_its_queries(name):
    n, sql = case_action_queries(name)
    _report(f"case {name}", n, sql)
    assert n <= CASE_CALLS[name].limit, "\n".join(sql)


@pytest.mark.parametrize("status, name", REFERRAL_LIMITS if not PRINT else list(EDGES))
def test_a_referral_action_stays_within_its_queries(status, name):
    n, sql = referral_action_queries(status, name)
    _report(f"referral {name} (from {status})", n, sql)
    limit = REFERRAL_LIMITS.get((status, name))  # the other edges are only printed
    assert limit is None or n <= limit, "\n".join(sql)


def test_an_action_counted_here_appends_one_event():
    """The counted request is the whole action: one event, the version bumped once."""
    case, person = referable_case()
    case.refresh_from_db()
    before = case.version
    client = token_client("guangzhou.officer1")
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/propose_referral/",
        {"persons": [person.pk], "report": DOCS_FOR_PROPOSAL},
        format="json",
    )
    assert r.status_code == 200, r.content
    case.refresh_from_db()
    assert case.version == before + 1 and r.json()["version"] == case.version
    assert Event.objects.filter(case=case, seq=case.event_count, action="propose_referral").exists()
    referral = Referral.objects.get(pk=r.json()["referrals"][-1]["id"])
    assert referral.status == "proposed"

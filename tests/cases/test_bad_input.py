"""Bad input answers 400/404/409 exactly as DESIGN §4 says, never 500, and changes nothing."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import protocol
from cases.models import Case, Event
from demo.sample_cases import make_credit_code
from tests.factories import CaseFactory, add_person, demo_user, failed_rectification, fine_of
from workflows import penalties

pytestmark = pytest.mark.django_db

YESTERDAY = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
TOMORROW = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()


def snapshot(case_id):
    case = Case.objects.get(pk=case_id)
    return (
        case.status,
        case.version,
        Event.objects.filter(case_id=case_id).count(),
        case.persons.count(),
        case.fines.count(),
    )


@pytest.fixture
def case():
    case = CaseFactory(status="open")
    person = add_person(case, name="钱七")
    fine = fine_of(case)
    case.person_id, case.fine_id = person.pk, fine.pk
    return case


BAD = [
    # (user, action, body, code, field or error code)
    ("guangzhou.officer1", "add_person", {}, 400, "name"),
    (
        "guangzhou.officer1",
        "add_person",
        {"name": "x", "id_number": "440106198503090011", "role": "holder"},
        400,
        "id_number",
    ),
    (
        "guangzhou.officer1",
        "add_person",
        {"name": "x", "id_number": "44010619850230001X", "role": "holder"},
        400,
        "id_number",
    ),
    ("guangzhou.officer1", "add_person", {"name": "x", "id_number": "4401", "role": "holder"}, 400, "id_number"),
    (
        "guangzhou.officer1",
        "add_person",
        {"name": "x" * 101, "id_number": "11010519491231002X", "role": "holder"},
        400,
        "name",
    ),
    ("guangzhou.officer1", "add_person", {"name": "x", "id_number": "11010519491231002X", "role": "boss"}, 400, "role"),
    ("guangzhou.officer1", "add_person", {"name": ["x"], "id_number": 110105, "role": "holder"}, 400, "name"),
    ("guangzhou.officer1", "record_finding", {"kind": "forged_certificate", "person": 999999}, 400, "person"),
    ("guangzhou.officer1", "record_finding", {"kind": "murder"}, 400, "kind"),
    ("guangzhou.officer1", "record_finding", {"kind": "forged_certificate", "person": "abc"}, 400, "person"),
    ("guangzhou.officer1", "record_finding", {"kind": "lent_certificate", "note": "n" * 4001}, 400, "note"),
    ("guangzhou.officer1", "order_rectification", {"deadline": YESTERDAY, "items": "x"}, 400, "deadline"),
    ("guangzhou.officer1", "order_rectification", {"deadline": "next week", "items": "x"}, 400, "deadline"),
    ("guangzhou.head", "suspend_production", {"reason": "x", "starts_on": YESTERDAY}, 400, "starts_on"),
    ("guangzhou.head", "impose_fine", {"amount": "100000.01", "legal_basis": "AQSCF-97-7"}, 400, "amount"),
    ("guangzhou.head", "impose_fine", {"amount": "0.00", "legal_basis": "AQSCF-97-7"}, 400, "amount"),
    (
        "guangzhou.head",
        "impose_fine",
        {"amount": "9999.99", "legal_basis": "TZZY-40", "violation_date": "2026-05-01"},
        400,
        "amount",
    ),
    ("guangzhou.head", "impose_fine", {"amount": "-5", "legal_basis": "AQSCF-97-7"}, 400, "amount"),
    ("guangzhou.head", "impose_fine", {"amount": "1e400", "legal_basis": "AQSCF-97-7"}, 400, "amount"),
    ("guangzhou.head", "impose_fine", {"amount": "3000", "legal_basis": "NO-SUCH-LAW"}, 400, "legal_basis"),
    (
        "guangzhou.head",
        "impose_fine",
        {"amount": "3000", "legal_basis": "TZZY-41-1", "violation_date": "2026-05-01"},
        400,
        "person",
    ),
    (
        "guangzhou.head",
        "impose_fine",
        {"amount": "3000", "legal_basis": "AQSCF-97-7", "violation_date": TOMORROW},
        400,
        "violation_date",
    ),
    ("guangzhou.officer1", "record_payment", {"fine": "FINE", "amount": "100.00"}, 400, "amount"),
    ("guangzhou.officer1", "verify_rectification", {"order": 424242, "passed": True}, 400, "order"),
    ("guangzhou.officer1", "verify_rectification", {"order": 1, "passed": "perhaps"}, 400, "passed"),
    ("guangzhou.officer1", "request_takedown", {"url": "not a url", "agency": "guangzhou-cyber"}, 400, "url"),
    (
        "guangzhou.officer1",
        "request_takedown",
        {"url": "http://x.example/", "agency": "guangzhou-police"},
        400,
        "agency",
    ),
    ("guangzhou.officer1", "propose_referral", {"persons": [], "report": "x"}, 400, "persons"),
    ("guangzhou.officer1", "propose_referral", {"persons": [987654], "report": "x"}, 400, "persons"),
    (
        "guangzhou.officer1",
        "propose_referral",
        {"persons": "PERSON", "report": "x", "police_agency": "guangzhou-safety"},
        400,
        "police_agency",
    ),
    ("guangzhou.officer1", "open", {"handlers": ["a", "b"]}, 409, "invalid_transition"),
    ("guangzhou.head", "decline", {"reason": "x"}, 409, "invalid_transition"),
    ("guangzhou.head", "close", {"summary": "x"}, 409, "open_measures"),
    ("guangzhou.head", "close", {"summary": "x", "version": 1}, 409, "stale"),
    ("guangzhou.head", "close", {"summary": "x", "version": "new"}, 400, "version"),
    ("guangzhou.supervisor", "reopen", {"reason": "x"}, 409, "invalid_transition"),
]


def _resolve(body, case):
    text = json.dumps(body).replace('"PERSON"', f"[{case.person_id}]").replace('"FINE"', str(case.fine_id))
    return json.loads(text)


@pytest.mark.parametrize("username, action, body, code, key", BAD, ids=[f"{b[1]}-{i}" for i, b in enumerate(BAD)])
def test_bad_input_is_refused_and_changes_nothing(api, case, username, action, body, code, key):
    before = snapshot(case.pk)
    r = api(username).post(f"/api/v1/cases/{case.pk}/actions/{action}/", _resolve(body, case), format="json")
    assert r.status_code == code, r.content
    if code == 400:
        assert key in r.json(), r.json()
        assert all(isinstance(m, str) and m for m in r.json()[key]) or isinstance(r.json()[key], dict)
    else:
        assert r.json()["code"] == key and r.json()["detail"]
    assert snapshot(case.pk) == before


def test_messages_are_chinese_by_default_and_english_on_request(api, case):
    body = {"name": "x", "id_number": "440106198503090011", "role": "holder"}
    zh = api("guangzhou.officer1").post(f"/api/v1/cases/{case.pk}/actions/add_person/", body, format="json")
    assert "校验码" in zh.json()["id_number"][0]
    en = api("guangzhou.officer1").post(
        f"/api/v1/cases/{case.pk}/actions/add_person/", body, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "check digit" in en.json()["id_number"][0]


def test_a_payment_of_the_wrong_amount_says_what_is_due(api, case):
    r = api("guangzhou.officer1").post(
        f"/api/v1/cases/{case.pk}/actions/record_payment/", {"fine": case.fine_id, "amount": "100.00"}, format="json"
    )
    assert r.status_code == 400 and "20,000.00" in r.json()["amount"][0]


def test_non_json_bodies_unknown_actions_and_unknown_cases(api, case):
    client = api("guangzhou.head")
    before = snapshot(case.pk)
    r = client.post(f"/api/v1/cases/{case.pk}/actions/close/", "{not json", content_type="application/json")
    assert r.status_code == 400
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/close/", "summary=x", content_type="application/x-www-form-urlencoded"
    )
    assert r.status_code == 415
    r = client.post(f"/api/v1/cases/{case.pk}/actions/close/", "[1, 2]", content_type="application/json")
    assert r.status_code == 400
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/impose_fine/",
        '{"amount": NaN, "legal_basis": "TZZY-40"}',
        content_type="application/json",
    )
    assert r.status_code == 400
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/close/", '{"summary": "a\\u0000b"}', content_type="application/json"
    )
    assert r.status_code == 400 and "summary" in r.json()
    assert client.post(f"/api/v1/cases/{case.pk}/actions/explode/", {}, format="json").status_code == 404
    assert client.post("/api/v1/cases/99999999/actions/close/", {"summary": "x"}, format="json").status_code == 404
    assert client.get("/api/v1/cases/abc/").status_code == 404
    assert client.get("/api/v1/cases/abc/").json() == {"detail": "Not found."}
    assert snapshot(case.pk) == before


CREATE_BAD = [
    ({"source": "gossip"}, "source"),
    ({"region": "999999"}, "region"),
    ({"region": ["440100"]}, "region"),
    ({"party": {"kind": "employer", "name": "x", "credit_code": "91440101MA59TEST7X"}}, "party"),
    ({"party": {"kind": "employer", "name": "x"}}, "party"),
    ({"party": {"kind": "website", "name": "x"}}, "party"),
    ({"party": {"kind": "individual", "name": "x", "id_number": "123"}}, "party"),
    ({"party": "acme"}, "party"),
    ({"summary": ""}, "summary"),
    ({"summary": "s" * 4001}, "summary"),
    ({"campaign": "no-such-campaign"}, "campaign"),
]


@pytest.mark.parametrize("change, key", CREATE_BAD)
def test_case_creation_refuses_bad_input(api, change, key):
    body = {
        "source": "inspection",
        "region": "440100",
        "party": {"kind": "employer", "name": "某公司", "credit_code": make_credit_code("440100", 7)},
        "summary": "检查",
    } | change
    count = Case.objects.count()
    r = api("guangzhou.officer1").post("/api/v1/cases/", body, format="json")
    assert r.status_code == 400 and key in r.json(), r.content
    assert Case.objects.count() == count


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=8,
)
ACTION_NAMES = [
    "add_person",
    "record_finding",
    "order_rectification",
    "impose_fine",
    "record_payment",
    "propose_referral",
    "close",
    "verify_rectification",
    "lift_suspension",
]
FIELDS = [
    "name",
    "id_number",
    "role",
    "kind",
    "person",
    "deadline",
    "items",
    "amount",
    "legal_basis",
    "fine",
    "persons",
    "report",
    "summary",
    "order",
    "passed",
    "suspension",
    "version",
    "police_agency",
]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(action=st.sampled_from(ACTION_NAMES), body=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6))
def test_any_json_body_gets_an_answer_never_a_500(api, case, action, body):
    before = snapshot(case.pk)
    r = api("guangzhou.head").post(f"/api/v1/cases/{case.pk}/actions/{action}/", body, format="json")
    assert r.status_code in (200, 400, 409), r.content
    if r.status_code != 200:
        assert snapshot(case.pk) == before


def test_a_failure_half_way_leaves_nothing_behind(monkeypatch, case):
    """An exception after the first write (the suspension row, the case's new version) rolls the
    whole action back (one transaction): the event write fails, nothing stays."""

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    failed_rectification(case)
    monkeypatch.setattr(protocol, "append_events", broken)
    before = snapshot(case.pk)
    with pytest.raises(RuntimeError, match="disk full"):
        penalties.suspend_production(
            case,
            actor=demo_user("guangzhou.head"),
            reason="逾期未改正",
            starts_on=timezone.localdate(),
            amount=Decimal("100000"),
        )
    assert snapshot(case.pk) == before
    assert not case.penalties.filter(suspension=True).exists()

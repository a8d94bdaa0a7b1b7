"""Who may run which case action (DESIGN §3) and who may see the case at all (DESIGN §4).

One table: action × cast → the status code. 404 when the case is invisible to the caller,
403 when visible but not theirs to run, 200 when allowed.
"""

import datetime

import pytest
import time_machine
from django.utils import timezone
from guardian.shortcuts import assign_perm

from agencies.actions import set_membership
from agencies.models import Agency
from cases import actions
from cases.models import Case
from tests.factories import CaseFactory, add_person, an_act, demo_user, failed_rectification, fine_of, suspension_of

pytestmark = pytest.mark.django_db

CAST = {
    "handler": "guangzhou.officer1",
    "other_officer": "guangzhou.officer3",  # made below: same agency, not a handler
    "head": "guangzhou.head",
    "same_city_other_agency": "guangzhou.market",
    "other_city": "shenzhen.officer1",
    "police": "guangzhou.police",
    "city_supervisor": "guangzhou.supervisor",
    "province_supervisor": "gd.supervisor",
}
INVISIBLE = {"same_city_other_agency": 404, "other_city": 404, "police": 404}
SUPERVISORS_FORBIDDEN = {"city_supervisor": 403, "province_supervisor": 403}


def expect(allowed: set[str]) -> dict[str, int]:
    codes = {role: (200 if role in allowed else 403) for role in CAST}
    return codes | INVISIBLE | {r: c for r, c in SUPERVISORS_FORBIDDEN.items() if r not in allowed}


HANDLER_OR_HEAD = expect({"handler", "head"})
HEAD_ONLY = expect({"head"})
MATRIX = {
    "open": expect({"handler", "other_officer", "head"}),
    "decline": HEAD_ONLY,
    "add_person": HANDLER_OR_HEAD,
    "record_finding": HANDLER_OR_HEAD,
    "order_rectification": HANDLER_OR_HEAD,
    "verify_rectification": HANDLER_OR_HEAD,
    "suspend_production": HEAD_ONLY,
    "lift_suspension": HEAD_ONLY,
    "impose_fine": HEAD_ONLY,
    "record_payment": HANDLER_OR_HEAD,
    "serve_decision": HANDLER_OR_HEAD,
    "issue_demand": HEAD_ONLY,
    "request_enforcement": HEAD_ONLY,
    "request_takedown": HANDLER_OR_HEAD,
    "propose_referral": expect({"handler"}),  # the head approves, never proposes (310号令 第5条)
    "close": HEAD_ONLY,
    "reopen": expect({"city_supervisor", "province_supervisor"}),
}


def prepare(action: str) -> tuple[Case, dict]:
    """A case in which `action` is possible, and a valid body for it."""
    today = timezone.localdate()
    officer = demo_user("guangzhou.officer1")
    if action in ("open", "decline"):
        case = CaseFactory(status="lead")
        body = (
            {"handlers": ["guangzhou.officer1", "guangzhou.officer2"]} if action == "open" else {"reason": "线索不实"}
        )
        return case, body
    if action == "reopen":
        return CaseFactory(status="closed"), {"reason": "发现新线索"}
    case = CaseFactory(status="open")
    if action == "add_person":
        return case, {"name": "赵六", "id_number": "11010519491231002X", "role": "holder"}
    if action == "record_finding":
        return case, {"kind": "unlicensed_operation", "person": add_person(case).pk}
    if action == "order_rectification":
        return case, {"deadline": (today + datetime.timedelta(days=7)).isoformat(), "items": "整改"}
    if action == "verify_rectification":
        order = actions.order_rectification(
            case, actor=officer, deadline=today + datetime.timedelta(days=7), items="整改"
        )
        return case, {"order": order.pk, "passed": True}
    if action == "suspend_production":  # after a failed rectification, with its fine (安全生产法 第97条)
        an_act(case)
        failed_rectification(case)
        return case, {"reason": "逾期未改正", "starts_on": today.isoformat(), "amount": "100000.00"}
    if action == "lift_suspension":
        suspension = suspension_of(case)
        return case, {"suspension": suspension.pk}
    if action == "impose_fine":
        an_act(case)
        return case, {"amount": "5000.00", "legal_basis": "AQSCF-97-7"}
    if action == "record_payment":
        return case, {"fine": fine_of(case).pk, "amount": "20000.00"}
    if action == "serve_decision":
        return case, {"fine": fine_of(case).pk, "served_on": today.isoformat(), "method": "in_person"}
    if action in ("issue_demand", "request_enforcement"):
        # Opened and served seven months ago; for enforcement, a 催告 half a year ago (行政强制法 第53、54条).
        with time_machine.travel(timezone.now() - datetime.timedelta(days=210)):
            case = CaseFactory(status="open")
            fine = fine_of(case, served=True)
        if action == "issue_demand":
            return case, {"fine": fine.pk, "served_on": today.isoformat()}
        with time_machine.travel(timezone.now() - datetime.timedelta(days=190)):
            actions.issue_demand(case, actor=demo_user("guangzhou.head"), fine=fine.pk, served_on=timezone.localdate())
        return case, {"fine": fine.pk}
    if action == "request_takedown":
        return case, {"url": "http://fake.example/", "agency": "guangzhou-cyber"}
    if action == "propose_referral":
        person = add_person(case)
        actions.record_finding(case, actor=officer, kind="forged_certificate", person=person.pk)
        return case, {"persons": [person.pk], "report": "涉嫌使用伪造证件"}
    if action == "close":
        return case, {"summary": "结案"}
    raise AssertionError(action)


@pytest.fixture(autouse=True)
def third_officer(django_user_model):
    user = django_user_model.objects.create(username="guangzhou.officer3")
    set_membership(user, Agency.objects.get(slug="guangzhou-safety"), "officer")


@pytest.mark.parametrize("role", CAST)
@pytest.mark.parametrize("action", MATRIX)
def test_case_action_permission_matrix(api, action, role):
    case, body = prepare(action)
    before = Case.objects.get(pk=case.pk)
    r = api(CAST[role]).post(f"/api/v1/cases/{case.pk}/actions/{action}/", body, format="json")
    assert r.status_code == MATRIX[action][role], r.content
    after = Case.objects.get(pk=case.pk)
    if r.status_code == 200:
        assert after.event_count == before.event_count + 1
        assert r.json()["version"] == before.version + 1
    else:
        assert (after.version, after.event_count, after.status) == (before.version, before.event_count, before.status)


@pytest.mark.parametrize(
    "role, code",
    [
        ("handler", 200),
        ("head", 200),
        ("city_supervisor", 200),
        ("province_supervisor", 200),
        ("same_city_other_agency", 404),
        ("other_city", 404),
        ("police", 404),
        ("other_officer", 200),
    ],
)
def test_who_sees_a_case(api, role, code):
    case = CaseFactory(status="open")
    assert api(CAST[role]).get(f"/api/v1/cases/{case.pk}/").status_code == code
    listed = [c["id"] for c in api(CAST[role]).get("/api/v1/cases/").json()["results"]]
    assert (case.pk in listed) == (code == 200)


def test_a_shenzhen_supervisor_does_not_see_guangzhou_but_the_province_does(api):
    case = CaseFactory(status="open")
    assert api("shenzhen.supervisor").get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api("gd.supervisor").get(f"/api/v1/cases/{case.pk}/").status_code == 200


def test_a_guardian_grant_lets_the_police_agency_see_the_case_read_only(api):
    case = CaseFactory(status="open")
    police = api("guangzhou.police_head")
    assert police.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assign_perm("cases.view_case", Agency.objects.get(slug="guangzhou-police").group, case)
    r = police.get(f"/api/v1/cases/{case.pk}/")
    assert r.status_code == 200 and r.json()["actions"] == []
    assert police.post(f"/api/v1/cases/{case.pk}/actions/close/", {"summary": "x"}, format="json").status_code == 403
    # The grant is to guangzhou-police only.
    assert api("shenzhen.police_head").get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_only_the_cyberspace_office_asked_decides_a_takedown(api):
    case = CaseFactory(status="open")
    takedown = actions.request_takedown(
        case, actor=demo_user("guangzhou.officer1"), url="http://fake.example/", agency="guangzhou-cyber"
    )
    path = f"/api/v1/takedowns/{takedown.pk}/actions/block/"
    assert api("shenzhen.cyber").post(path, {}, format="json").status_code == 404
    assert api("guangzhou.officer1").post(path, {}, format="json").status_code == 403
    assert api("guangzhou.cyber").get(f"/api/v1/takedowns/{takedown.pk}/").status_code == 200
    assert api("guangzhou.cyber").get(f"/api/v1/cases/{case.pk}/").status_code == 404
    r = api("guangzhou.cyber").post(path, {"note": "已封堵"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "blocked"
    r = api("guangzhou.cyber").post(f"/api/v1/takedowns/{takedown.pk}/actions/refuse/", {"reason": "x"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"


def test_police_and_supervisors_cannot_create_cases_and_regions_are_checked(api):
    body = {
        "source": "tip",
        "region": "440100",
        "party": {"kind": "intermediary", "name": "某中介"},
        "summary": "兜售假证",
    }
    assert api("guangzhou.police").post("/api/v1/cases/", body, format="json").status_code == 403
    assert api("guangzhou.supervisor").post("/api/v1/cases/", body, format="json").status_code == 403
    r = api("shenzhen.officer1").post("/api/v1/cases/", body, format="json")
    assert r.status_code == 400 and "region" in r.json()
    r = api("guangzhou.market").post("/api/v1/cases/", body, format="json")
    assert r.status_code == 201 and r.json()["agency"] == "guangzhou-market"
    assert api().get("/api/v1/cases/").status_code == 401

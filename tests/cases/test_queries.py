"""List and detail pages run a constant number of queries, whatever the number of rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import actions
from tests.factories import CaseFactory, add_person, demo_user, fine_of
from workflows import actions as referrals

pytestmark = pytest.mark.django_db


def queries(client, path) -> int:
    client.get(path)  # the user's memberships are read once per user object; count the steady state
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def rich_case(persons: int):
    case = CaseFactory(status="open")
    officer = demo_user("guangzhou.officer1")
    for i in range(persons):
        person = add_person(case, name=f"人员{i}")
        actions.record_finding(case, actor=officer, kind="forged_certificate", person=person.pk)
    fine_of(case)
    referrals.propose_referral(case, actor=officer, persons=[p.pk for p in case.persons.all()], report="移送")
    return case


@pytest.mark.parametrize("username", ["guangzhou.officer1", "gd.supervisor"])
def test_the_case_list_costs_the_same_for_3_and_30_cases(api, username):
    client = api(username)
    for _ in range(3):
        rich_case(1)
    few = queries(client, "/api/v1/cases/")
    for _ in range(27):
        CaseFactory(status="open")
    assert queries(client, "/api/v1/cases/") == few
    assert (
        queries(client, "/api/v1/cases/?q=人员&requires_referral=true&overdue=true&status=open&region=440100")
        <= few + 1
    )
    assert few <= 6


def test_the_case_page_costs_the_same_for_1_and_12_persons(api):
    client = api("guangzhou.officer1")
    small, large = rich_case(1), rich_case(12)
    assert queries(client, f"/api/v1/cases/{small.pk}/") == queries(client, f"/api/v1/cases/{large.pk}/")
    # +3 since the penalties came: their statements and deadlines, and the pending corrections, one
    # query each for all of them.
    assert queries(client, f"/api/v1/cases/{large.pk}/") <= 19
    assert queries(client, f"/api/v1/cases/{small.pk}/events/") == queries(client, f"/api/v1/cases/{large.pk}/events/")


# Issue 17 §9: a query parameter outside the schema is refused with the field, never an empty list.
@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "bogus"}, "status"),
        ({"source": "bogus"}, "source"),
        ({"party_kind": "bogus"}, "party_kind"),
        ({"region": "guangzhou"}, "region"),
        ({"region": "999999"}, "region"),
        ({"requires_referral": "maybe"}, "requires_referral"),
        ({"overdue": "2"}, "overdue"),
    ],
)
def test_the_case_list_refuses_a_parameter_outside_its_schema(api, client, params, field):
    CaseFactory(status="open")
    r = api("guangzhou.officer1").get("/api/v1/cases/", params)
    assert r.status_code == 400 and list(r.json()) == [field] and r.json()[field], r.content
    client.force_login(demo_user("guangzhou.officer1"))
    page = client.get("/cases/case/", params)
    assert page.status_code == 400 and 'data-testid="form-errors"' in page.content.decode()


def test_the_case_list_takes_every_valid_parameter(api, client):
    case = CaseFactory(status="open")
    params = {
        "status": "open",
        "source": "inspection",
        "party_kind": "employer",
        "region": "440100",
        "requires_referral": "false",
        "overdue": "",
        "q": case.number,
    }
    r = api("guangzhou.officer1").get("/api/v1/cases/", params)
    assert r.status_code == 200 and [c["id"] for c in r.json()["results"]] == [case.pk]
    client.force_login(demo_user("guangzhou.officer1"))
    page = client.get("/cases/case/", params)
    assert page.status_code == 200 and case.number in page.content.decode()

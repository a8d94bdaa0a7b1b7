"""转办: the head of the case's agency replaces its handlers with a reason — the rule of 立案, the
event, the notification of the new handlers, and the tasks a removed handler had claimed."""

import pytest
from django.test import Client
from viewflow.workflow.status import STATUS

from cases import actions
from cases.events import verify_case_chain
from cases.models import Case
from demo.reach import reach
from notifications.models import Notification
from tests.factories import CaseFactory, demo_user
from tests.workflows.helpers import referable_case
from workflows import claims
from workflows.models import TaskRoute

pytestmark = pytest.mark.django_db
REASON = "原承办人借调专项督查组，改由他人承办"


def reassign(api, username, case, handlers=("guangzhou.officer2", "guangzhou.head"), reason=REASON, **more):
    body = {"handlers": list(handlers), **({"reason": reason} if reason is not None else {}), **more}
    return api(username).post(f"/api/v1/cases/{case.pk}/actions/reassign/", body, format="json")


def handlers_of(case):
    return sorted(Case.objects.get(pk=case.pk).handlers.values_list("username", flat=True))


def state(case):
    fresh = Case.objects.get(pk=case.pk)
    return fresh.version, fresh.event_count, handlers_of(case), Notification.objects.filter(case=case).count()


def test_the_head_reassigns_with_a_reason_the_event_records_it_and_the_new_handler_is_told(api):
    case = CaseFactory(status="open")  # handlers officer1 and officer2
    r = reassign(api, "guangzhou.head", case, ("guangzhou.officer2", "guangzhou.head"))
    assert r.status_code == 200, r.content
    assert sorted(r.json()["handlers"]) == ["guangzhou.head", "guangzhou.officer2"]
    assert handlers_of(case) == ["guangzhou.head", "guangzhou.officer2"]
    event = Case.objects.get(pk=case.pk).events.order_by("-seq").first()
    assert event.action == "reassign" and event.actor.username == "guangzhou.head"
    assert event.data == {
        "from": ["guangzhou.officer1", "guangzhou.officer2"],
        "to": ["guangzhou.head", "guangzhou.officer2"],
        "reason": REASON,
    }
    assert verify_case_chain(Case.objects.get(pk=case.pk)) is None
    told = Notification.objects.filter(case=case, kind="case_reassigned")
    assert [(n.recipient.username, n.body) for n in told] == [("guangzhou.head", REASON)]
    # The handler who stays is not told again; the one taken off no longer acts as a handler.
    assert not told.filter(recipient__username="guangzhou.officer2").exists()
    assert "add_person" not in api("guangzhou.officer1").get(f"/api/v1/cases/{case.pk}/").json()["actions"]
    assert "add_person" in api("guangzhou.officer2").get(f"/api/v1/cases/{case.pk}/").json()["actions"]


def test_a_new_officer_is_told(api):
    case = CaseFactory(status="open")
    actions.reassign_handlers(
        case, actor=demo_user("guangzhou.head"), handlers=["guangzhou.officer1", "guangzhou.head"], reason="调整"
    )
    r = reassign(api, "guangzhou.head", case, ("guangzhou.officer1", "guangzhou.officer2"))
    assert r.status_code == 200, r.content
    told = Notification.objects.filter(case=case, kind="case_reassigned").order_by("id")
    assert [n.recipient.username for n in told] == ["guangzhou.head", "guangzhou.officer2"]


@pytest.mark.parametrize(
    "username, expected",
    [
        ("guangzhou.officer1", 403),  # a handler
        ("guangzhou.officer2", 403),
        ("guangzhou.supervisor", 403),  # sees the case, may not reassign
        ("gd.supervisor", 403),
        ("guangzhou.police", 404),
        ("shenzhen.head", 404),  # the head of another city's agency
    ],
)
def test_only_the_head_of_the_cases_agency_reassigns(api, username, expected):
    case = CaseFactory(status="open")
    before = state(case)
    assert reassign(api, username, case).status_code == expected
    assert state(case) == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": None}, "reason"),  # left out
        ({"handlers": ["guangzhou.officer2"]}, "handlers"),  # one handler: 立案 needs two
        ({"handlers": ["guangzhou.officer2", "guangzhou.officer2"]}, "handlers"),
        ({"handlers": ["guangzhou.officer2", "shenzhen.officer1"]}, "handlers"),  # not of the agency
        ({"handlers": ["guangzhou.officer2", "guangzhou.police"]}, "handlers"),
        ({"handlers": ["guangzhou.officer2", "nobody.at.all"]}, "handlers"),
        ({"handlers": ["guangzhou.officer2", "guangzhou.officer1"]}, "handlers"),  # the same handlers
        ({"handlers": ["guangzhou.officer1", "guangzhou.officer2", "guangzhou.head"]}, "handlers"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_changes_nothing(api, body, field):
    case = CaseFactory(status="open")
    before = state(case)
    args = {"handlers": ("guangzhou.officer2", "guangzhou.head"), "reason": REASON} | body
    r = reassign(api, "guangzhou.head", case, args["handlers"], args["reason"])
    assert r.status_code == 400, r.content
    assert field in r.json()
    assert state(case) == before


def test_a_lead_or_a_closed_case_is_not_reassigned_and_a_stale_version_is_refused(api):
    lead = CaseFactory(status="lead")
    r = reassign(api, "guangzhou.head", lead)
    assert (r.status_code, r.json()["code"]) == (409, "invalid_transition")
    closed = CaseFactory(status="closed")
    assert reassign(api, "guangzhou.head", closed).status_code == 409
    case = CaseFactory(status="open")
    stale = Case.objects.get(pk=case.pk).version - 1
    r = reassign(api, "guangzhou.head", case, version=stale)
    assert (r.status_code, r.json()["code"]) == (409, "stale")
    assert handlers_of(case) == ["guangzhou.officer1", "guangzhou.officer2"]


def test_a_task_the_removed_handler_claimed_goes_back_to_the_queue():
    case, person = referable_case()  # handlers officer1 and officer2
    referral = reach(case, "approved", persons=[person.pk], report="移送")
    route = TaskRoute.objects.get(referral=referral, task__status__in=(STATUS.NEW, STATUS.ASSIGNED))
    assert route.role == "handler" and route.task.flow_task.name == "transmit"
    claims.claim(demo_user("guangzhou.officer1"), route.task_id)
    route.task.refresh_from_db()
    assert (route.task.status, route.task.owner.username) == (STATUS.ASSIGNED, "guangzhou.officer1")
    actions.reassign_handlers(
        case, actor=demo_user("guangzhou.head"), handlers=["guangzhou.officer2", "guangzhou.head"], reason=REASON
    )
    route.task.refresh_from_db()
    assert (route.task.status, route.task.owner_id) == (STATUS.NEW, None)
    assert route.task.data["claims"][-1] | {"at": None} == {
        "what": "release",
        "user": "guangzhou.head",
        "reason": REASON,
        "at": None,
    }
    # A task the remaining handler claimed stays theirs.
    claims.claim(demo_user("guangzhou.officer2"), route.task_id)
    actions.reassign_handlers(
        case, actor=demo_user("guangzhou.head"), handlers=["guangzhou.officer2", "guangzhou.officer1"], reason="复原"
    )
    route.task.refresh_from_db()
    assert route.task.owner.username == "guangzhou.officer2"


def test_the_case_page_offers_the_head_the_reassign_form():
    case = CaseFactory(status="open")
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(demo_user("guangzhou.head"))
    page = web.get(f"/cases/case/{case.pk}/").content.decode()
    assert 'data-action="reassign"' in page
    form = web.get(f"/cases/case/{case.pk}/reassign/").content.decode()
    assert 'value="guangzhou.officer1" checked' in form and 'value="guangzhou.officer2" checked' in form
    assert 'name="reason"' in form
    r = web.post(f"/cases/case/{case.pk}/reassign/", {"handlers": ["guangzhou.officer1", "guangzhou.head"]})
    assert r.status_code == 400 and handlers_of(case) == ["guangzhou.officer1", "guangzhou.officer2"]
    r = web.post(
        f"/cases/case/{case.pk}/reassign/", {"handlers": ["guangzhou.officer1", "guangzhou.head"], "reason": REASON}
    )
    assert r.status_code == 302
    assert handlers_of(case) == ["guangzhou.head", "guangzhou.officer1"]
    web.force_login(demo_user("guangzhou.officer1"))
    assert 'data-action="reassign"' not in web.get(f"/cases/case/{case.pk}/").content.decode()
    assert web.get(f"/cases/case/{case.pk}/reassign/").status_code == 403

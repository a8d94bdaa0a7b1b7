"""挂牌督办: list → the head reports progress (as often as needed) → the supervisor closes; a
missed deadline escalates once to the supervisor above."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from cases.models import Event
from notifications.models import Notification
from tests.factories import CaseFactory
from workflows.models import Deadline
from workflows.sweep import sweep

pytestmark = pytest.mark.django_db


def tasks(client):
    return [t["step"] for t in client.get("/api/v1/tasks/").json()["results"]]


def list_it(api, case, user="guangzhou.supervisor", days=10):
    deadline = (timezone.localdate() + datetime.timedelta(days=days)).isoformat()
    return api(user).post(
        "/api/v1/listings/", {"case": case.pk, "deadline": deadline, "instructions": "限期查清假证来源"}, format="json"
    )


def test_list_report_as_often_as_needed_then_close(api):
    case = CaseFactory(status="open")
    head, supervisor = api("guangzhou.head"), api("guangzhou.supervisor")
    r = list_it(api, case)
    assert r.status_code == 201, r.content
    lid = r.json()["id"]
    assert tasks(head) == ["progress"] and tasks(supervisor) == []
    assert Notification.objects.filter(kind="listing", recipient__username="guangzhou.head").count() == 1
    assert (
        api("guangzhou.officer1")
        .post(f"/api/v1/listings/{lid}/actions/report_progress/", {"text": "x"}, format="json")
        .status_code
        == 403
    )
    r = head.post(f"/api/v1/listings/{lid}/actions/report_progress/", {"text": "已查明假证来自某中介"}, format="json")
    assert r.status_code == 200 and len(r.json()["reports"]) == 1
    assert tasks(head) == [] and tasks(supervisor) == ["review"]
    assert (
        head.post(f"/api/v1/listings/{lid}/actions/report_progress/", {"text": "再报"}, format="json").status_code
        == 409
    )
    r = supervisor.post(
        f"/api/v1/listings/{lid}/actions/review/", {"close": False, "note": "请继续追查上游"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "listed"
    assert tasks(head) == ["progress"]
    head.post(f"/api/v1/listings/{lid}/actions/report_progress/", {"text": "已移送公安"}, format="json")
    r = supervisor.post(f"/api/v1/listings/{lid}/actions/review/", {"close": True, "note": "督办完成"}, format="json")
    assert r.json()["status"] == "closed" and len(r.json()["reports"]) == 2
    assert tasks(head) == [] and tasks(supervisor) == []
    assert [e.action for e in Event.objects.filter(case=case).order_by("seq")][-5:] == [
        "list_case",
        "report_listing_progress",
        "review_listing",
        "report_listing_progress",
        "close_listing",
    ]
    assert Deadline.objects.get(listing_id=lid).met_at is not None


def test_who_may_list(api):
    case = CaseFactory(status="open")
    assert list_it(api, case, user="guangzhou.head").status_code == 403
    assert list_it(api, case, user="shenzhen.supervisor").status_code == 404
    assert list_it(api, case, user="gd.supervisor").status_code == 201
    assert list_it(api, case).status_code == 409
    r = api("guangzhou.supervisor").post(
        "/api/v1/listings/", {"case": case.pk, "deadline": "2001-01-01", "instructions": "x"}, format="json"
    )
    assert r.status_code in (400, 409)


def test_a_missed_listing_deadline_escalates_once_to_the_supervisor_above():
    from rest_framework.test import APIClient

    from tests.factories import demo_user

    case = CaseFactory(status="open")
    client = APIClient()
    client.force_authenticate(demo_user("guangzhou.supervisor"))
    lid = list_it(lambda u: client, case).json()["id"]
    deadline = Deadline.objects.get(listing_id=lid)
    with time_machine.travel(deadline.due_at - datetime.timedelta(minutes=1), tick=False):
        sweep()
    assert not Event.objects.filter(action="deadline_missed", data__step="listing").exists()
    with time_machine.travel(deadline.due_at + datetime.timedelta(minutes=1), tick=False):
        for _ in range(4):
            sweep()
    event = Event.objects.get(action="deadline_missed", data__step="listing")
    assert event.data["escalated_to"] == ["gd.supervisor"]
    assert list(
        Notification.objects.filter(kind="escalation", case=case).values_list("recipient__username", flat=True)
    ) == ["gd.supervisor"]


def test_a_listing_closed_in_time_is_not_escalated(api):
    case = CaseFactory(status="open")
    lid = list_it(api, case).json()["id"]
    api("guangzhou.supervisor").post(
        f"/api/v1/listings/{lid}/actions/review/", {"close": True, "note": "已整改"}, format="json"
    )
    due = Deadline.objects.get(listing_id=lid).due_at
    with time_machine.travel(due + datetime.timedelta(days=1), tick=False):
        sweep()
    assert not Event.objects.filter(action="deadline_missed").exists()

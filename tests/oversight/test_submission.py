"""A city submits its monthly form (frozen); the province sees who is late or missing; a
reminder goes out on the 23rd and an escalation after the 25th, each once."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command

from core.calendar import LEGAL_TZ
from notifications.models import Notification
from oversight.models import MonthlySubmission

pytestmark = pytest.mark.django_db


def at(*args):
    return time_machine.travel(datetime.datetime(*args, tzinfo=LEGAL_TZ), tick=False)


def test_submit_freezes_the_month_and_the_province_sees_the_status(api):
    with at(2018, 9, 24, 10):
        r = api("guangzhou.supervisor").post(
            "/api/v1/reports/monthly/submit/", {"region": "440100", "month": "2018-09"}, format="json"
        )
        assert r.status_code == 200 and r.json()["submission"]["late"] is False
        again = api("guangzhou.supervisor").post(
            "/api/v1/reports/monthly/submit/", {"region": "440100", "month": "2018-09"}, format="json"
        )
        assert again.status_code == 409
        r = api("guangzhou.supervisor").put(
            "/api/v1/reports/self-inspection/", {"region": "440100", "month": "2018-09", "employers": 3}, format="json"
        )
        assert r.status_code == 409
        assert (
            api("gd.supervisor")
            .post("/api/v1/reports/monthly/submit/", {"region": "440100", "month": "2018-09"}, format="json")
            .status_code
            == 403
        )
    with at(2018, 9, 27, 10):
        api("shenzhen.supervisor").post(
            "/api/v1/reports/monthly/submit/", {"region": "440300", "month": "2018-09"}, format="json"
        )
        status = {
            s["region"]: s["status"]
            for s in api("gd.supervisor").get("/api/v1/reports/submissions/", {"month": "2018-09"}).json()["results"]
        }
    assert status["440100"] == "submitted" and status["440300"] == "late" and status["440400"] == "missing"
    assert MonthlySubmission.objects.get(region="440300").late is True
    assert api("guangzhou.supervisor").get("/api/v1/reports/submissions/", {"month": "2018-09"}).status_code == 404


def sweep():
    """The sweep as it runs: the command sends the monthly reminders with the deadline sweep."""
    call_command("sweep_deadlines", stdout=io.StringIO())


def test_a_reminder_on_the_23rd_and_an_escalation_after_the_25th_each_once():
    with at(2018, 9, 22, 23, 59):
        sweep()
    assert not Notification.objects.filter(kind__startswith="monthly").exists()
    with at(2018, 9, 23, 8, 0):
        sweep()
        sweep()
    reminders = Notification.objects.filter(kind="monthly_reminder")
    assert reminders.count() == 21 and reminders.filter(recipient__username="guangzhou.supervisor").count() == 1
    with at(2018, 9, 25, 23, 59):
        sweep()
    assert not Notification.objects.filter(kind="monthly_escalation").exists()
    with at(2018, 9, 26, 0, 1):
        sweep()
        sweep()
    escalations = Notification.objects.filter(kind="monthly_escalation")
    assert escalations.count() == 21 and set(escalations.values_list("recipient__username", flat=True)) == {
        "gd.supervisor"
    }

"""One test per row of the deadline table (DESIGN §3): no escalation a minute before the due
time, exactly one just after, none more after three further sweeps, to exactly the people the
table names — and nobody in another city."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from cases import actions
from cases.models import Event
from notifications.models import Notification
from tests.factories import CaseFactory, demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals
from workflows.calendar import LEGAL_TZ as SHANGHAI
from workflows.models import Deadline
from workflows.sweep import sweep

pytestmark = pytest.mark.django_db

SUPERVISORS = {"guangzhou.supervisor", "gd.supervisor"}
U = demo_user


def proposed():
    case, person = referable_case()
    return referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="移送")


def approved():
    r = proposed()
    return referrals.approve(r, actor=U("guangzhou.head"))


def transmitted():
    return referrals.transmit(approved(), actor=U("guangzhou.officer1"), documents=DOCS)


def received():
    return referrals.acknowledge(transmitted(), actor=U("guangzhou.police"))


def rejected():
    return referrals.reject(received(), actor=U("guangzhou.police_head"), reason="不构成犯罪")


def reconsidering():
    return referrals.request_reconsideration(rejected(), actor=U("guangzhou.head"), reason="请复议")


def upheld():
    return referrals.decide_reconsideration(
        reconsidering(), actor=U("guangzhou.police_head"), accept=False, reason="维持"
    )


def accepted():
    return referrals.accept(received(), actor=U("guangzhou.police_head"), police_case_number="穗公立〔2026〕1号")


def finding():
    case, _person = referable_case()
    return case


def rectification():
    case = CaseFactory(status="open")
    actions.order_rectification(
        case, actor=U("guangzhou.officer1"), deadline=timezone.localdate() + datetime.timedelta(days=2), items="整改"
    )
    return case


ROWS = {
    # step: (how to reach it, who is told)
    "decide": (proposed, SUPERVISORS),
    "transmit": (approved, SUPERVISORS),
    "receipt": (transmitted, {"guangzhou.police_head"} | SUPERVISORS),
    "forward": (received, set()),
    "police_decision": (received, {"guangzhou.police_head", "guangzhou.procurator"} | SUPERVISORS),
    "ask_reconsideration": (rejected, SUPERVISORS),
    "decide_reconsideration": (reconsidering, SUPERVISORS | {"guangzhou.procurator"}),
    "ask_procuratorate": (upheld, SUPERVISORS),
    "hand_over": (accepted, SUPERVISORS),
    "propose_referral": (finding, SUPERVISORS),
    "reinspect": (rectification, {"guangzhou.head"}),
}


def escalations(deadline):
    return Event.objects.filter(action="deadline_missed", data__deadline=deadline.pk)


@pytest.mark.parametrize("step", ROWS)
def test_each_missed_deadline_is_escalated_once_to_exactly_the_people_named(step):
    reach, expected = ROWS[step]
    reach()
    deadline = Deadline.objects.get(step=step)
    before = set(Notification.objects.filter(kind="escalation").values_list("pk", flat=True))

    with time_machine.travel(deadline.due_at - datetime.timedelta(minutes=1), tick=False):
        sweep()
    deadline.refresh_from_db()
    assert deadline.escalated_at is None and not escalations(deadline).exists()

    with time_machine.travel(deadline.due_at + datetime.timedelta(minutes=1), tick=False):
        sweep()
        for _ in range(3):
            sweep()
    deadline.refresh_from_db()
    assert deadline.escalated_at is not None
    assert escalations(deadline).count() == 1
    event = escalations(deadline).get()
    assert set(event.data["escalated_to"]) == expected
    assert event.actor is None and event.data["step"] == step

    # The only deadline missed in the window is this one: its notifications are all the new ones.
    told = sorted(
        Notification.objects.filter(kind="escalation")
        .exclude(pk__in=before)
        .values_list("recipient__username", flat=True)
    )
    assert told == sorted(expected)
    assert all(
        n.case_id == deadline.case_id for n in Notification.objects.exclude(pk__in=before).filter(kind="escalation")
    )


def test_a_deadline_met_in_time_is_never_escalated():
    referral = proposed()
    due = Deadline.objects.get(step="decide").due_at
    with time_machine.travel(due - datetime.timedelta(hours=1), tick=False):
        referrals.approve(referral, actor=U("guangzhou.head"))
    with time_machine.travel(due + datetime.timedelta(days=1), tick=False):
        sweep()
    assert Deadline.objects.get(step="decide").escalated_at is None
    assert not Event.objects.filter(action="deadline_missed", data__step="decide").exists()


def test_forwarding_after_24_hours_is_refused_as_deadline_passed():
    referral = received()
    due = Deadline.objects.get(step="forward").due_at
    with time_machine.travel(due + datetime.timedelta(minutes=1), tick=False):
        from core.errors import Conflict

        with pytest.raises(Conflict) as refused:
            referrals.forward(referral, actor=U("guangzhou.police_head"), police_agency="foshan-police", reason="管辖")
        assert refused.value.code == "deadline_passed"


def test_reconsideration_after_3_days_is_refused_but_the_procuratorate_can_still_be_asked(api):
    referral = rejected()
    due = Deadline.objects.get(step="ask_reconsideration").due_at
    with time_machine.travel(due + datetime.timedelta(minutes=1), tick=False):
        r = api("guangzhou.head").post(
            f"/api/v1/referrals/{referral.pk}/actions/request_reconsideration/", {"reason": "x"}, format="json"
        )
        assert r.status_code == 409 and r.json()["code"] == "deadline_passed"
        r = api("guangzhou.head").post(
            f"/api/v1/referrals/{referral.pk}/actions/request_supervision/",
            {"procuratorate": "guangzhou-procuratorate", "reason": "提请监督"},
            format="json",
        )
        assert r.status_code == 200


def test_a_rejection_before_national_day_may_still_be_contested_on_the_first_working_day_after_it(api):
    """LEGAL.md §1: rejected 2018-09-30 23:59, three days end on 10-03, a holiday, so the agency may
    still ask for reconsideration on 2018-10-08 (until 24:00); the sweep does not call it missed."""
    with time_machine.travel(datetime.datetime(2018, 9, 30, 23, 59, tzinfo=SHANGHAI), tick=False):
        referral = rejected()
    due = Deadline.objects.get(step="ask_reconsideration").due_at
    assert due == datetime.datetime(2018, 10, 9, 0, 0, tzinfo=SHANGHAI)
    with time_machine.travel(datetime.datetime(2018, 10, 8, 23, 0, tzinfo=SHANGHAI), tick=False):
        sweep()
        assert Deadline.objects.get(step="ask_reconsideration").escalated_at is None
        r = api("guangzhou.head").post(
            f"/api/v1/referrals/{referral.pk}/actions/request_reconsideration/", {"reason": "请复议"}, format="json"
        )
        assert r.status_code == 200, r.content
        assert r.json()["status"] == "reconsideration"


def test_the_refusal_names_the_period_as_counted(api, settings):
    """A step switched to working days (WORKING_DAY_STEPS) says so when its time bar refuses."""
    settings.WORKING_DAY_STEPS = ["ask_reconsideration"]
    referral = rejected()
    due = Deadline.objects.get(step="ask_reconsideration").due_at
    with time_machine.travel(due + datetime.timedelta(minutes=1), tick=False):
        r = api("guangzhou.head").post(
            f"/api/v1/referrals/{referral.pk}/actions/request_reconsideration/",
            {"reason": "x"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert r.status_code == 409 and r.json()["code"] == "deadline_passed"
    assert "3 working days" in r.json()["detail"], r.json()


def test_the_tasks_show_their_legal_due_time_and_overdue(api):
    referral = proposed()
    due = Deadline.objects.get(step="decide").due_at
    task = api("guangzhou.head").get("/api/v1/tasks/").json()["results"][0]
    assert task["referral"] == referral.pk and task["overdue"] is False
    assert datetime.datetime.fromisoformat(task["due_at"]) == due
    with time_machine.travel(due + datetime.timedelta(seconds=1), tick=False):
        assert api("guangzhou.head").get("/api/v1/tasks/").json()["results"][0]["overdue"] is True
        r = api("guangzhou.head").get(f"/api/v1/referrals/{referral.pk}/").json()
        assert r["overdue"] is True and r["due_step"] == "decide"

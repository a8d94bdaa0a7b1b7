"""A fine's periods as 行政处罚法 and 行政强制法 run them (LEGAL.md §3): 15 days to pay from service
(第67条) with the holiday rule, 3 % a day after it capped at the fine (第72条), a written 催告 and
the 3 months in which the court may be asked once the party can no longer contest (行政强制法
第53、54条; 行政诉讼法 第46条)."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from cases import actions
from core.calendar import LEGAL_TZ
from core.errors import Conflict
from tests.factories import CaseFactory, demo_user, fine_of
from workflows import penalties
from workflows.models import Deadline
from workflows.sweep import sweep

pytestmark = pytest.mark.django_db
U = demo_user


def on(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=LEGAL_TZ)


def decided_on(day: str, amount: str = "20000.00"):
    with time_machine.travel(on(day), tick=False):
        case = CaseFactory(status="open")
        return case, fine_of(case, amount=amount)


def serve(case, fine, day: str):
    with time_machine.travel(on(day, 16), tick=False):
        return penalties.serve_decision(
            case,
            actor=U("guangzhou.officer1"),
            fine=fine.pk,
            served_on=datetime.date.fromisoformat(day),
            method="in_person",
        )


def test_a_fine_served_before_national_day_and_paid_on_the_first_working_day_after_owes_the_principal():
    """Decided and served 2018-09-16: 15 days end on 10-01, a holiday, so the last day is 10-08."""
    case, fine = decided_on("2018-09-16")
    fine = serve(case, fine, "2018-09-16")
    assert fine.due_on == datetime.date(2018, 10, 8)
    assert fine.late_penalty(datetime.date(2018, 10, 8)) == 0
    with time_machine.travel(on("2018-10-08"), tick=False):
        with pytest.raises(Exception) as wrong:
            actions.record_payment(case, actor=U("guangzhou.officer1"), fine=fine.pk, amount=Decimal("24200.00"))
        assert "20,000.00" in str(wrong.value)
        paid = actions.record_payment(case, actor=U("guangzhou.officer1"), fine=fine.pk, amount=Decimal("20000.00"))
    assert paid.status == "paid"
    assert Deadline.objects.get(fine=fine, step="fine_payment").met_at is not None


def test_the_period_runs_from_service_not_from_the_decision():
    case, fine = decided_on("2018-09-03")
    assert fine.due_on is None and fine.late_penalty(datetime.date(2018, 12, 1)) == 0  # not served: nothing runs
    fine = serve(case, fine, "2018-09-10")
    assert fine.due_on == datetime.date(2018, 9, 25)  # 09-10 + 15, a Tuesday
    payment = Deadline.objects.get(fine=fine, step="fine_payment")
    assert payment.due_at == datetime.datetime(2018, 9, 26, 0, 0, tzinfo=LEGAL_TZ)


def test_the_late_penalty_is_3_percent_a_day_from_the_day_after_and_never_more_than_the_fine():
    case, fine = decided_on("2018-09-10", amount="10000.00")
    fine = serve(case, fine, "2018-09-10")
    due = fine.due_on
    assert fine.late_penalty(due) == 0
    assert fine.late_penalty(due + datetime.timedelta(days=1)) == Decimal("300.00")
    assert fine.late_penalty(due + datetime.timedelta(days=33)) == Decimal("9900.00")
    assert fine.late_penalty(due + datetime.timedelta(days=34)) == Decimal("10000.00")
    assert fine.late_penalty(due + datetime.timedelta(days=400)) == Decimal("10000.00")
    with time_machine.travel(on((due + datetime.timedelta(days=3)).isoformat()), tick=False):
        paid = actions.record_payment(case, actor=U("guangzhou.officer1"), fine=fine.pk, amount=Decimal("10900.00"))
    assert paid.paid_amount == Decimal("10900.00")


def test_service_is_recorded_once_and_never_in_the_future_or_before_the_decision(api):
    case, fine = decided_on("2026-11-20")
    client = api("guangzhou.officer1")
    url = f"/api/v1/cases/{case.pk}/actions/serve_decision/"
    r = client.post(url, {"fine": fine.pk, "served_on": "2099-01-01", "method": "post"}, format="json")
    assert r.status_code == 400 and "served_on" in r.json()
    r = client.post(url, {"fine": fine.pk, "served_on": "2026-11-19", "method": "post"}, format="json")
    assert r.status_code == 400 and "served_on" in r.json()
    r = client.post(url, {"fine": fine.pk, "served_on": "2026-11-21", "method": "carrier pigeon"}, format="json")
    assert r.status_code == 400 and "method" in r.json()
    r = client.post(url, {"fine": fine.pk, "served_on": "2026-11-21", "method": "post"}, format="json")
    assert r.status_code == 200, r.content
    served = next(f for f in r.json()["fines"] if f["id"] == fine.pk)
    assert served["served_on"] == "2026-11-21" and served["service_method"] == "post"
    assert served["due_on"] == "2026-12-07"  # 11-21 + 15 = Sunday 12-06 → Monday 12-07
    again = client.post(url, {"fine": fine.pk, "served_on": "2026-11-22", "method": "post"}, format="json")
    assert again.status_code == 409


def test_court_enforcement_needs_a_demand_and_waits_until_the_party_can_no_longer_contest():
    case, fine = decided_on("2018-09-10")
    fine = serve(case, fine, "2018-09-10")
    head = U("guangzhou.head")
    # Before the period to pay has run out there is no demand, and no court.
    with time_machine.travel(on("2018-09-20"), tick=False):
        with pytest.raises(Conflict):
            actions.issue_demand(case, actor=head, fine=fine.pk, served_on=datetime.date(2018, 9, 20))
        with pytest.raises(Conflict) as early:
            actions.request_enforcement(case, actor=head, fine=fine.pk)
        assert "催告" in early.value.detail
    # The party did not pay: the head serves a demand (催告).
    with time_machine.travel(on("2018-10-10"), tick=False):
        fine = actions.issue_demand(case, actor=head, fine=fine.pk, served_on=datetime.date(2018, 10, 10))
    # The party may still sue until 6 months after service (2019-03-10, a Sunday → Monday 03-11).
    assert fine.contest_ends_on == datetime.date(2019, 3, 11)
    assert fine.enforcement_opens_on == datetime.date(2019, 3, 12)
    with time_machine.travel(on("2019-03-11"), tick=False), pytest.raises(Conflict) as contestable:
        actions.request_enforcement(case, actor=head, fine=fine.pk)
    assert "2019-03-12" in contestable.value.detail
    # The court window: 3 months after 03-11 → 06-11 (a Tuesday), until 24:00.
    window = Deadline.objects.get(fine=fine, step="fine_enforcement")
    assert window.due_at == datetime.datetime(2019, 6, 12, 0, 0, tzinfo=LEGAL_TZ)
    with time_machine.travel(on("2019-04-01"), tick=False):
        fine = actions.request_enforcement(case, actor=head, fine=fine.pk)
    assert fine.status == "enforcement_requested"
    window.refresh_from_db()
    assert window.met_at is not None


def test_the_court_window_closes_and_its_miss_reaches_the_head_and_the_supervisors():
    case, fine = decided_on("2018-09-10")
    fine = serve(case, fine, "2018-09-10")
    with time_machine.travel(on("2018-10-10"), tick=False):
        actions.issue_demand(case, actor=U("guangzhou.head"), fine=fine.pk, served_on=datetime.date(2018, 10, 10))
    with time_machine.travel(on("2019-06-12", 9), tick=False):
        with pytest.raises(Conflict) as closed:
            actions.request_enforcement(case, actor=U("guangzhou.head"), fine=fine.pk)
        assert closed.value.code == "deadline_passed" and "2019-06-11 24:00" in closed.value.detail
        sweep()
    window = Deadline.objects.get(fine=fine, step="fine_enforcement")
    assert window.escalated_at is not None
    told = set(case.events.get(action="deadline_missed", data__deadline=window.pk).data["escalated_to"])
    assert told == {"guangzhou.head", "guangzhou.supervisor", "gd.supervisor"}

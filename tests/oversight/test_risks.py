"""Each risk list with a case that should appear and one that should not."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from cases import actions
from tests.factories import CaseFactory, demo_user, fine_of
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals
from workflows.models import Deadline

pytestmark = pytest.mark.django_db
ACT_DAY = datetime.date(2026, 5, 1)  # 30号令 was in force to 2026-05-31
U = demo_user


def listed(api, name, user="guangzhou.supervisor"):
    r = api(user).get(f"/api/v1/risks/{name}/")
    assert r.status_code == 200, r.content
    return {row["case_number"] for row in r.json()["results"]}


def later(days):
    return time_machine.travel(timezone.now() + datetime.timedelta(days=days), tick=False)


def past(referral, step):
    """Just after the legal end of the referral's open `step` (a day period's end moves off rest
    days and holidays, so a fixed number of days would depend on today's weekday)."""
    due = Deadline.objects.get(referral=referral, step=step, met_at__isnull=True).due_at
    return time_machine.travel(due + datetime.timedelta(minutes=1), tick=False)


def test_unreferred_findings(api):
    bad, _p = referable_case(name="甲")
    good, person = referable_case(name="乙")
    referrals.propose_referral(good, actor=U("guangzhou.officer1"), persons=[person.pk], report="移送")
    assert listed(api, "unreferred-findings") == {bad.number}
    assert listed(api, "unreferred-findings", "shenzhen.supervisor") == set()


def test_referrals_past_a_deadline(api):
    late, p1 = referable_case(name="甲")
    on_time, p2 = referable_case(name="乙")
    r1 = referrals.propose_referral(late, actor=U("guangzhou.officer1"), persons=[p1.pk], report="移送")
    r2 = referrals.propose_referral(on_time, actor=U("guangzhou.officer1"), persons=[p2.pk], report="移送")
    referrals.approve(r2, actor=U("guangzhou.head"))
    with later(2):  # the 3-day decision is still running; the 24-hour transmission is not
        assert listed(api, "referrals-past-deadline") == {on_time.number}
    with past(r1, "decide"):
        assert listed(api, "referrals-past-deadline") == {late.number, on_time.number}


def test_refusals_awaiting_review(api):
    refused, p1 = referable_case(name="甲")
    endorsed, p2 = referable_case(name="乙")
    referrals.refuse(
        referrals.propose_referral(refused, actor=U("guangzhou.officer1"), persons=[p1.pk], report="x"),
        actor=U("guangzhou.head"),
        reason="轻微",
    )
    r = referrals.refuse(
        referrals.propose_referral(endorsed, actor=U("guangzhou.officer1"), persons=[p2.pk], report="x"),
        actor=U("guangzhou.head"),
        reason="轻微",
    )
    referrals.endorse_refusal(r, actor=U("guangzhou.supervisor"), note="同意")
    assert listed(api, "refusals-awaiting-review") == {refused.number}


def test_fines_on_cases_with_unreferred_referable_findings(api):
    # A unit whose worker used a forged certificate (30号令 第40条): fined, the worker never referred.
    pattern, _p = referable_case(name="甲", kind="forged_certificate")
    fine_of(pattern, amount="20000", basis="TZZY-40", violation_date=ACT_DAY)
    fine_only = CaseFactory(status="open")
    fine_of(fine_only)
    referred, p = referable_case(name="乙", kind="forged_certificate")
    referrals.propose_referral(referred, actor=U("guangzhou.officer1"), persons=[p.pk], report="移送")
    fine_of(referred, amount="20000", basis="TZZY-40", violation_date=ACT_DAY)
    assert listed(api, "fines-without-referral") == {pattern.number}


def test_police_decisions_overdue(api):
    late, p1 = referable_case(name="甲")
    decided, p2 = referable_case(name="乙")
    for case, person in ((decided, p2), (late, p1)):
        r = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="移送")
        r = referrals.approve(r, actor=U("guangzhou.head"))
        r = referrals.transmit(r, actor=U("guangzhou.officer1"), documents=DOCS)
        r = referrals.acknowledge(r, actor=U("guangzhou.police"))
        if case is decided:
            referrals.accept(r, actor=U("guangzhou.police_head"), police_case_number="1")
    with past(r, "police_decision"):
        assert listed(api, "police-decisions-overdue") == {late.number}


def test_rectifications_past_their_reinspection_date(api):
    late = CaseFactory(status="open")
    checked = CaseFactory(status="open")
    for case in (late, checked):
        order = actions.order_rectification(
            case,
            actor=U("guangzhou.officer1"),
            deadline=timezone.localdate() + datetime.timedelta(days=2),
            items="整改",
        )
    actions.verify_rectification(checked, actor=U("guangzhou.officer1"), order=order.pk, passed=True)
    due = Deadline.objects.get(case=late, step="reinspect").due_at
    with time_machine.travel(due + datetime.timedelta(minutes=1), tick=False):
        assert listed(api, "rectifications-past-reinspection") == {late.number}


def test_risk_lists_are_for_supervisors(api):
    assert api("guangzhou.head").get("/api/v1/risks/unreferred-findings/").status_code == 403
    assert api("guangzhou.supervisor").get("/api/v1/risks/no-such-list/").status_code == 404


def test_a_received_referral_is_not_late_for_the_forwarding_the_police_never_needed(api, client):
    """The 24 hours to forward (310号令 第7条) bind only a police agency that is not competent: a
    referral received and not yet decided is not "past a legal deadline" for it."""
    case, person = referable_case(name="甲")
    r = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="移送")
    r = referrals.approve(r, actor=U("guangzhou.head"))
    r = referrals.transmit(r, actor=U("guangzhou.officer1"), documents=DOCS)
    r = referrals.acknowledge(r, actor=U("guangzhou.police"))
    forward = Deadline.objects.get(referral=r, step="forward")
    with time_machine.travel(forward.due_at + datetime.timedelta(hours=1), tick=False):
        assert listed(api, "referrals-past-deadline") == set()
        client.force_login(U("guangzhou.supervisor"))
        page = client.get("/oversight/dashboard/").content.decode()
        assert str(forward.label) not in page
    with past(r, "police_decision"):
        assert listed(api, "referrals-past-deadline") == {case.number}


def test_risk_rows_show_local_times_and_the_provision_by_name(api, client):
    case, _p = referable_case(name="甲", kind="forged_certificate")
    fine = fine_of(case, amount="20000", basis="TZZY-40", violation_date=ACT_DAY)
    rows = api("guangzhou.supervisor").get("/api/v1/risks/fines-without-referral/").json()
    (row,) = rows["results"]
    assert rows["when"] in ("decided at", "决定时间")
    # The fine's decision is not a deadline; its time is local, its provision named, not coded.
    assert row["due_at"] is None
    assert row["at_local"] == timezone.localtime(fine.decided_at).strftime("%Y-%m-%d %H:%M")
    assert fine.legal_basis.title in row["detail"] and "TZZY-40" not in row["detail"]
    unreferred = api("guangzhou.supervisor").get("/api/v1/risks/unreferred-findings/").json()["results"][0]
    deadline = Deadline.objects.get(case=case, step="propose_referral")
    local = timezone.localtime(deadline.due_at)
    assert unreferred["at_local"].startswith(f"{(local - datetime.timedelta(seconds=1)):%Y-%m-%d}")
    assert "T" not in unreferred["at_local"]
    client.force_login(U("guangzhou.supervisor"))
    page = client.get("/oversight/risks/unreferred-findings/").content.decode()
    assert unreferred["at_local"] in page

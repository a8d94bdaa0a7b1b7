"""One test per row of the deadline table (DESIGN §3): no escalation a minute before the due
time, exactly one just after, none more after three further sweeps, to exactly the people the
table names — and nobody in another city."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from cases import actions
from cases.models import Case, Event
from cases.queries import overdue_q
from core.calendar import LEGAL_TZ as SHANGHAI
from core.calendar import Period, legal_time
from core.errors import Conflict
from notifications.models import Notification
from tests.factories import CaseFactory, an_act, demo_user, failed_rectification, fine_of
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals
from workflows import penalties
from workflows.models import Deadline
from workflows.steps import LAPSING_STEPS, STEPS, Step
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


def supplement_requested():
    return referrals.request_supplement(received(), actor=U("guangzhou.police_head"), items="鉴定意见")


def declined():
    return referrals.decline_jurisdiction(received(), actor=U("guangzhou.police_head"), reason="非公安机关职责")


def supervising():
    return referrals.request_supervision(
        rejected(), actor=U("guangzhou.head"), procuratorate="guangzhou-procuratorate", reason="请监督"
    )


def explanation_asked():
    return referrals.request_explanation(supervising(), actor=U("guangzhou.procurator"), note="请说明不立案理由")


def filing_ordered():
    """刑事诉讼法 第113条: asked, the police explain; unpersuaded, the procuratorate orders the filing."""
    referral = referrals.explain(explanation_asked(), actor=U("guangzhou.police_head"), reason="证据不足")
    return referrals.resolve_supervision(referral, actor=U("guangzhou.procurator"), outcome="accept", note="通知立案")


def ps_received():
    """A public-security referral (a worker who used a forged certificate), signed for by the police."""
    case, person = referable_case(kind="forged_certificate")
    r = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="使用伪造证件")
    r = referrals.approve(r, actor=U("guangzhou.head"))
    r = referrals.transmit(r, actor=U("guangzhou.officer1"), documents=DOCS)
    return referrals.acknowledge(r, actor=U("guangzhou.police"))


def ps_rejected():
    return referrals.reject(ps_received(), actor=U("guangzhou.police_head"), reason="情节显著轻微")


def ps_accepted():
    return referrals.accept(ps_received(), actor=U("guangzhou.police_head"), police_case_number="穗公（治）受字1号")


def ps_handed_over():
    return referrals.hand_over(ps_accepted(), actor=U("guangzhou.officer1"), items="伪造证件1本")


def served_fine():
    case = CaseFactory(status="open")
    fine = fine_of(case)
    penalties.serve_decision(
        case, actor=U("guangzhou.officer1"), fine=fine.pk, served_on=timezone.localdate(), method="in_person"
    )
    return fine


def demanded_fine():
    """Served, unpaid past its 15 days, and a 催告 served: only the court window is still open."""
    fine = served_fine()
    fine.refresh_from_db()
    after = datetime.datetime.combine(fine.due_on + datetime.timedelta(days=1), datetime.time(10), tzinfo=SHANGHAI)
    with time_machine.travel(after, tick=False):
        actions.issue_demand(fine.case, actor=U("guangzhou.head"), fine=fine.pk, served_on=after.date())
    return fine


def suspension_notified():
    """A suspension of production whose advance notice was served: the hearing may be asked for."""
    case = CaseFactory(status="open")
    an_act(case)
    failed_rectification(case)
    started = penalties.suspend_production(
        case, actor=U("guangzhou.head"), reason="逾期未改正", starts_on=timezone.localdate(), amount=Decimal("100000")
    )
    penalties.notify_penalty(
        case, actor=U("guangzhou.officer1"), penalty=started.pk, served_on=timezone.localdate(), method="post"
    )
    return started


def decided_unserved():
    case = CaseFactory(status="open")
    return fine_of(case)


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
    "request_supplement": (received, set()),
    "supplement": (supplement_requested, SUPERVISORS),
    "answer_decline": (declined, SUPERVISORS),
    "explain": (explanation_asked, {"guangzhou.police_head", "guangzhou.procurator"} | SUPERVISORS),
    "file_after_order": (filing_ordered, {"guangzhou.police_head", "guangzhou.procurator"} | SUPERVISORS),
    "ps_decision": (ps_received, {"guangzhou.police_head"} | SUPERVISORS),
    "conclude_rejection": (ps_rejected, SUPERVISORS),
    "ps_hand_over": (ps_accepted, SUPERVISORS),
    "ps_outcome": (ps_handed_over, {"guangzhou.police_head"}),
    "fine_payment": (served_fine, {"guangzhou.head"}),
    "fine_enforcement": (demanded_fine, {"guangzhou.head"} | SUPERVISORS),
    "decide_penalty": (lambda: CaseFactory(status="open"), {"guangzhou.head"} | SUPERVISORS),
    "serve_penalty": (decided_unserved, {"guangzhou.head"}),
}


def fine_notified():
    """A fine without a hearing right whose advance notice was served: the party may state its case."""
    case = CaseFactory(status="open")
    an_act(case)
    started = penalties.impose_fine(case, actor=U("guangzhou.head"), amount=Decimal("20000"), legal_basis="AQSCF-97-7")
    penalties.notify_penalty(
        case, actor=U("guangzhou.officer1"), penalty=started.pk, served_on=timezone.localdate(), method="in_person"
    )
    return started


# The party's own periods: they lapse at their end, and nobody has missed anything.
LAPSES = {"hearing_request": suspension_notified, "statement": fine_notified}


def test_every_step_of_the_table_has_a_row_here():
    assert set(ROWS) | set(LAPSES) | {"listing"} == set(STEPS)  # listings: tests/oversight/test_listing.py
    assert set(LAPSES) == set(LAPSING_STEPS)


@pytest.mark.parametrize("step", LAPSES)
def test_the_partys_own_period_lapses_at_its_end_and_nobody_is_told(step):
    LAPSES[step]()
    deadline = Deadline.objects.get(step=step)
    assert deadline.side == "当事人"
    with time_machine.travel(deadline.due_at + datetime.timedelta(minutes=1), tick=False):
        assert not Case.objects.filter(pk=deadline.case_id).filter(overdue_q()).exists()
        sweep()
        sweep()
    deadline.refresh_from_db()
    assert deadline.met_by == "lapsed" and deadline.met_at == deadline.due_at and deadline.escalated_at is None
    assert not escalations(deadline).exists()
    assert not Notification.objects.filter(kind="escalation", case_id=deadline.case_id).exists()


def test_every_step_cites_its_law_or_says_it_is_only_an_alarm_and_alarms_never_bar():
    """LEGAL.md §1–2: the 1-day receipt, the 3-day proposal and the 5-day re-inspection are not law."""
    for name in ("receipt", "propose_referral", "reinspect"):
        assert STEPS[name].basis == "" and STEPS[name].bars_action is None
        with translation.override("en"):
            assert STEPS[name].basis_display == "Xianjie's own alarm, not a legal period"
        assert STEPS[name].basis_display == "衔接系统内部提醒，非法定期限"
    for name, step in STEPS.items():
        assert step.basis or step.bars_action is None, name
    assert STEPS["police_decision"].basis == "国务院令第310号 第8条"
    assert STEPS["request_supplement"].basis == "公安机关办理刑事案件程序规定 第180条"
    with pytest.raises(ValueError, match="never bar"):
        Step(STEPS["receipt"].label, Period(1, "days"), "", bars_action="acknowledge")


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
    # The deadline as the law writes it: the last day's 24:00 in local time, never the next day's 00:00.
    for notification in Notification.objects.exclude(pk__in=before).filter(kind="escalation"):
        assert notification.body == f"期限届满时间：{legal_time(deadline.due_at)}。"
        assert " 00:00" not in notification.body


def test_the_escalation_is_written_in_the_offices_language_whatever_language_the_sweep_runs_in():
    # A sweep started from a request or a test that left English active still writes Chinese.
    proposed()
    deadline = Deadline.objects.get(step="decide")
    with translation.override("en"), time_machine.travel(deadline.due_at + datetime.timedelta(minutes=1), tick=False):
        sweep()
    bodies = set(Notification.objects.filter(kind="escalation", case=deadline.case_id).values_list("body", flat=True))
    assert bodies == {f"期限届满时间：{legal_time(deadline.due_at)}。"}


def test_a_deadline_met_in_time_is_never_escalated():
    referral = proposed()
    due = Deadline.objects.get(step="decide").due_at
    with time_machine.travel(due - datetime.timedelta(hours=1), tick=False):
        referrals.approve(referral, actor=U("guangzhou.head"))
    with time_machine.travel(due + datetime.timedelta(days=1), tick=False):
        sweep()
    assert Deadline.objects.get(step="decide").escalated_at is None
    assert not Event.objects.filter(action="deadline_missed", data__step="decide").exists()


def test_a_late_forward_still_sends_the_case_where_it_belongs(api):
    """310号令 第7条 asks for 24 hours; a police agency that finds out later it is not competent must
    still forward (a bar would keep the case with police who cannot act). The 24 hours stay on record."""
    referral = received()
    due = Deadline.objects.get(step="forward").due_at
    with time_machine.travel(due + datetime.timedelta(hours=2), tick=False):
        sweep()
        referral = referrals.forward(
            referral, actor=U("guangzhou.police_head"), police_agency="foshan-police", reason="管辖"
        )
    assert referral.status == "transmitted" and referral.police_agency.slug == "foshan-police"
    late = Deadline.objects.get(step="forward")
    assert late.escalated_at is not None and late.met_at is not None and late.met_at > late.due_at


def test_after_the_receipt_the_police_see_the_three_day_decision_as_their_next_deadline(api):
    """Not the 24 hours to forward or to ask for 补正: those escalate nobody."""
    referral = received()
    body = api("guangzhou.police_head").get(f"/api/v1/referrals/{referral.pk}/").json()
    decision = Deadline.objects.get(step="police_decision")
    assert body["due_step"] == "police_decision"
    assert datetime.datetime.fromisoformat(body["due_at"]) == decision.due_at
    steps = {d["step"]: d for d in body["deadlines"]}
    assert steps["forward"]["escalates"] is False and steps["forward"]["bars"] is None
    assert steps["request_supplement"]["bars"] == "request_supplement"
    assert steps["police_decision"]["basis"] == "国务院令第310号 第8条"
    assert "alarm" in steps["receipt"]["basis"] or "提醒" in steps["receipt"]["basis"]
    page = api("guangzhou.police_head")
    page.force_login(U("guangzhou.police_head"))
    html = page.get(reverse("referrals:referral:detail", args=[referral.pk])).content.decode()
    assert str(decision.label) in html.split('data-testid="next-deadline"')[1].split("</span>")[0]


def test_the_decision_clock_restarts_when_the_materials_are_supplemented():
    """程序规定 第180条: asked within 24 hours, supplemented within 3 days, decided within 3 days of it."""
    referral = received()
    first = Deadline.objects.get(step="police_decision")
    referral = referrals.request_supplement(referral, actor=U("guangzhou.police_head"), items="鉴定意见")
    first.refresh_from_db()
    assert first.met_at is not None  # the first 3 days stop
    assert referral.status == "supplement_requested"
    later = first.starts_at + datetime.timedelta(days=2)
    with time_machine.travel(later, tick=False):
        referral = referrals.supplement(
            referral,
            actor=U("guangzhou.officer1"),
            note="已补充鉴定意见",
            documents=[{"kind": "inspection_report", "title": "证件鉴定意见书"}],
        )
    assert referral.status == "received"
    again = Deadline.objects.filter(step="police_decision", met_at__isnull=True).get()
    assert again.starts_at == later and again.due_at > first.due_at
    # A second 补正 after the 24 hours since the receipt is barred, not a way to restart the clock.
    with time_machine.travel(later + datetime.timedelta(minutes=5), tick=False), pytest.raises(Conflict) as barred:
        referrals.request_supplement(referral, actor=U("guangzhou.police_head"), items="再补充")
    assert barred.value.code == "deadline_passed" and "第180条" in barred.value.detail


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


def test_the_three_days_run_from_the_day_the_agency_received_the_notice(api):
    """310号令 第9条: 自接到不予立案通知书之日起3日内. A notice received on paper after the rejection
    moves the bar: rejected 2018-09-25, notice received 2018-09-28 (Friday), three days end on
    10-01, a holiday, so the request is still in time on 2018-10-08 and refused on 10-09."""
    with time_machine.travel(datetime.datetime(2018, 9, 25, 10, 0, tzinfo=SHANGHAI), tick=False):
        referral = rejected()
    url = f"/api/v1/referrals/{referral.pk}/actions/request_reconsideration/"
    head = api("guangzhou.head")
    with time_machine.travel(datetime.datetime(2018, 10, 9, 9, 0, tzinfo=SHANGHAI), tick=False):
        late = head.post(url, {"reason": "请复议", "notice_received_on": "2018-09-28"}, format="json")
        assert late.status_code == 409 and late.json()["code"] == "deadline_passed"
        assert "2018-10-08 24:00" in late.json()["detail"], late.json()
    with time_machine.travel(datetime.datetime(2018, 10, 8, 9, 0, tzinfo=SHANGHAI), tick=False):
        plain = head.post(url, {"reason": "请复议"}, format="json")
        assert plain.status_code == 409 and plain.json()["code"] == "deadline_passed"  # from the rejection
        before = head.post(url, {"reason": "请复议", "notice_received_on": "2018-09-24"}, format="json")
        assert before.status_code == 400 and before.json()["notice_received_on"]
        future = head.post(url, {"reason": "请复议", "notice_received_on": "2018-10-09"}, format="json")
        assert future.status_code == 400 and future.json()["notice_received_on"]
        r = head.post(url, {"reason": "请复议", "notice_received_on": "2018-09-28"}, format="json")
        assert r.status_code == 200, r.content
        assert r.json()["status"] == "reconsideration"
    event = referral.case.events.get(action="request_reconsideration")
    assert event.data["notice_received_on"] == "2018-09-28"


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


def test_the_penalty_is_decided_within_ninety_days_of_the_filing_or_the_supervisors_hear_of_it():
    """行政处罚法 第60条: 90 days from 立案; a penalty decision (or closing without one) meets it."""
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        case = CaseFactory(status="open")
        fined = CaseFactory(status="open")
    due = Deadline.objects.get(case=case, step="decide_penalty").due_at
    # 90 days end on Sunday 2026-05-31: the first working day after it, 2026-06-01, until 24:00.
    assert due == datetime.datetime(2026, 6, 2, 0, 0, tzinfo=SHANGHAI)
    with time_machine.travel(datetime.datetime(2026, 5, 20, 10, 0, tzinfo=SHANGHAI), tick=False):
        fine_of(fined)
    with time_machine.travel(due + datetime.timedelta(minutes=1), tick=False):
        sweep()
    assert Deadline.objects.get(case=case, step="decide_penalty").escalated_at is not None
    met = Deadline.objects.get(case=fined, step="decide_penalty")
    assert met.met_by == "decide_penalty" and met.escalated_at is None


def test_the_head_extends_the_ninety_days_with_a_reason_and_the_new_last_day_moves_past_a_holiday(api):
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        case = CaseFactory(status="open")
        url = f"/api/v1/cases/{case.pk}/actions/extend_decision_period/"
        body = {"until": "2026-10-03", "reason": "案情复杂，需委托鉴定"}
        assert api("guangzhou.officer1").post(url, body, format="json").status_code == 403
        short = api("guangzhou.head").post(url, {"until": "2026-05-20", "reason": "x"}, format="json")
        assert short.status_code == 400 and short.json()["until"]
        far = api("guangzhou.head").post(url, {"until": "9999-12-31", "reason": "x"}, format="json")
        assert far.status_code == 400 and far.json()["until"]
        r = api("guangzhou.head").post(url, body, format="json")
        assert r.status_code == 200, r.content
    periods = Deadline.objects.filter(case=case, step="decide_penalty").order_by("pk")
    assert [p.met_by for p in periods] == ["extend_decision_period", ""]
    # 2026-10-03 falls in the National Day holiday (10-01 to 10-07): the period runs to 24:00 of 10-08.
    assert periods.last().due_at == datetime.datetime(2026, 10, 9, 0, 0, tzinfo=SHANGHAI)
    assert case.events.get(action="extend_decision_period").data["reason"] == "案情复杂，需委托鉴定"

"""Deadlines as dates, and the reminder one working day before every deadline that has an owner
(issue 18): sent by the sweep to exactly the people who must act, once, whatever the number of
sweeps and sweepers; the owners' inbox shows their running deadlines before they are missed."""

import datetime
import re
from collections import Counter

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from cases.models import Case
from core import calendar
from core.calendar import LEGAL_TZ as SHANGHAI
from notifications.models import Notification
from tests.factories import CaseFactory, demo_user
from tests.workflows.helpers import referable_case
from tests.workflows.test_deadlines import ROWS
from workflows.deadlines import open_deadline, owned_by
from workflows.models import Deadline
from workflows.steps import OWNED_STEPS, STEPS
from workflows.sweep import BATCH, sweep

pytestmark = pytest.mark.django_db
U = demo_user
HANDLERS = {"guangzhou.officer1", "guangzhou.officer2"}
HEAD = {"guangzhou.head"}
POLICE_HEAD = {"guangzhou.police_head"}

# Who must act before each deadline of the table (the "who acts" column of DESIGN §3).
OWNERS = {
    "decide": HEAD,  # never the proposer (officer1)
    "transmit": HANDLERS | HEAD,
    "receipt": {"guangzhou.police"} | POLICE_HEAD,
    "police_decision": POLICE_HEAD,
    "ask_reconsideration": HEAD,
    "decide_reconsideration": POLICE_HEAD,
    "ask_procuratorate": HEAD,
    "hand_over": HANDLERS | HEAD,
    "propose_referral": HANDLERS,
    "reinspect": HANDLERS,
    "supplement": HANDLERS | HEAD,
    "answer_decline": HEAD,
    "explain": POLICE_HEAD,
    "file_after_order": POLICE_HEAD,
    "ps_decision": POLICE_HEAD,
    "conclude_rejection": HEAD,
    "ps_hand_over": HANDLERS | HEAD,
    "ps_outcome": POLICE_HEAD,
    "fine_enforcement": HEAD,
    "decide_penalty": HANDLERS | HEAD,
    "serve_penalty": HANDLERS,
    "listing": HEAD,  # the head of the agency handling the case reports the progress
}
# Nobody must act: a duty that binds only if it arises (to forward), a right (to ask for 补正), the
# party's own periods.
UNOWNED = {"forward", "request_supplement", "fine_payment", "hearing_request", "statement"}


def listed():
    from oversight.actions import list_case

    day = timezone.localdate() + datetime.timedelta(days=10)
    return list_case(CaseFactory(status="open"), actor=U("guangzhou.supervisor"), deadline=day, instructions="督办")


# How to reach each step (the deadline table's tests reach all but the listing).
REACH = {step: how for step, (how, _told) in ROWS.items()} | {"listing": listed}


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def reminders(deadline: Deadline) -> list[str]:
    return sorted(
        Notification.objects.filter(kind="reminder", deadline=deadline).values_list("recipient__username", flat=True)
    )


# --- the calendar ------------------------------------------------------------------------------


def test_a_deadline_reads_as_the_law_writes_it_in_local_time():
    four_dec = at(2026, 12, 5, 0, 0)  # a period ending at 24:00 of 12-04
    today = datetime.date(2026, 12, 1)
    assert calendar.deadline_text(four_dec, chinese=True, today=today) == "12月4日24时前"
    assert calendar.deadline_text(four_dec, chinese=False, today=today) == "by 24:00 on 4 Dec"
    # An hour period keeps its hour and minute; another year is named.
    exact = at(2027, 1, 2, 15, 30).astimezone(datetime.UTC)
    assert calendar.deadline_text(exact, chinese=True, today=today) == "2027年1月2日15时30分前"
    assert calendar.deadline_text(exact, chinese=False, today=today) == "by 15:30 on 2 Jan 2027"
    assert calendar.due_day(four_dec) == datetime.date(2026, 12, 4)


def test_the_time_left_is_in_days_never_a_countdown():
    due = at(2026, 12, 5, 0, 0)  # 24:00 of Friday 12-04
    with translation.override("en"):
        assert calendar.time_left(due, at(2026, 12, 1, 23, 59)) == "3 days left"
        assert calendar.time_left(due, at(2026, 12, 3, 0, 1)) == "1 day left"
        assert calendar.time_left(due, at(2026, 12, 4, 23, 59)) == "ends today"
        assert calendar.time_left(due, at(2026, 12, 5, 0, 0)) == "1 day overdue"
        assert calendar.time_left(due, at(2026, 12, 6, 18, 0)) == "2 days overdue"
        # An hour period whose hour has passed today.
        assert calendar.time_left(at(2026, 12, 4, 15, 30), at(2026, 12, 4, 16, 0)) == "past due"
    for text in (calendar.time_left(due, at(2026, 12, 1, 9, 59, 41)), calendar.deadline_text(due, chinese=True)):
        assert not re.search(r"小时|秒|\d+h|\d+s\b", text)


def test_the_reminder_is_due_from_the_start_of_the_last_working_day_before_the_due_day():
    # Every due time of the autumn of 2018 (National Day, its adjusted working weekend) and of the
    # turn of 2026: the sweep's query bound (reminders_due_until) says the same as the rule.
    starts = [at(2018, 9, 20) + datetime.timedelta(hours=7 * i) for i in range(80)]
    starts += [at(2026, 12, 20) + datetime.timedelta(hours=7 * i) for i in range(80)]
    for start in starts:
        for due in (
            calendar.end_of_day(start.date() + datetime.timedelta(days=3)),
            start + datetime.timedelta(hours=24),
        ):
            for now in (start + datetime.timedelta(hours=h) for h in range(0, 24 * 12, 5)):
                if now >= due:
                    continue
                assert (now >= calendar.prior_working_day_start(due)) == (due <= calendar.reminders_due_until(now))
    # Due Monday 2018-10-08 (after National Day): reminded from Sunday 09-30, an adjusted working day.
    assert calendar.prior_working_day_start(at(2018, 10, 9)) == at(2018, 9, 30)
    # Due on a Monday of an ordinary week: reminded from the Friday before.
    assert calendar.prior_working_day_start(at(2026, 12, 15)) == at(2026, 12, 11)


# --- the sweep ---------------------------------------------------------------------------------


def test_every_step_with_an_owner_has_its_row_here():
    assert set(OWNED_STEPS) == set(OWNERS)
    assert set(STEPS) == set(OWNERS) | UNOWNED


@pytest.mark.parametrize("step", sorted(OWNERS))
def test_each_deadline_is_reminded_once_to_exactly_its_owners_one_working_day_before(step):
    REACH[step]()
    deadline = Deadline.objects.filter(step=step, met_at__isnull=True).latest("pk")
    start = calendar.prior_working_day_start(deadline.due_at)
    if start > timezone.now():
        with time_machine.travel(start - datetime.timedelta(minutes=1), tick=False):
            sweep()
        assert reminders(deadline) == []
    moment = max(start, timezone.now()) + datetime.timedelta(minutes=1)
    with time_machine.travel(moment, tick=False):
        sweep()
        sweep()
    assert reminders(deadline) == sorted(OWNERS[step])  # each owner once
    deadline.refresh_from_db()
    assert deadline.escalated_at is None and deadline.met_at is None
    # The inbox asks the same question the other way round: these people, and nobody else of the city.
    city = get_user_model().objects.filter(username__startswith="guangzhou.")
    assert {u.username for u in city if owned_by(u).filter(pk=deadline.pk).exists()} == OWNERS[step]
    # The reminder names the step, the case or referral, and the due time as the law writes it.
    n = Notification.objects.filter(kind="reminder", deadline=deadline).first()
    assert str(STEPS[step].label) in n.title
    assert calendar.deadline_text(deadline.due_at, chinese=True, today=moment.date()) in n.title
    assert n.case_id == deadline.case_id and n.referral_id == deadline.referral_id


def test_a_deadline_met_or_missed_is_not_reminded():
    case = CaseFactory(status="open")
    met = open_deadline(case, "propose_referral", due_at=timezone.now() + datetime.timedelta(hours=3))
    Deadline.objects.filter(pk=met.pk).update(met_at=timezone.now(), met_by="propose_referral")
    missed = open_deadline(case, "propose_referral", due_at=timezone.now() - datetime.timedelta(hours=3))
    sweep()
    assert reminders(met) == [] and reminders(missed) == []
    assert Notification.objects.filter(kind="escalation", deadline=missed).exists()


def test_a_holiday_moves_the_reminder_to_the_last_working_day_before_the_due_day():
    case = CaseFactory(status="open")
    # A finding on Friday 2018-09-28: 3 days end on 10-01, a holiday, so on Monday 10-08 (LEGAL.md §1).
    deadline = open_deadline(case, "propose_referral", starts_at=at(2018, 9, 28, 10, 0))
    assert deadline.due_at == at(2018, 10, 9)
    with time_machine.travel(at(2018, 9, 29, 23, 50), tick=False):
        sweep()
    assert reminders(deadline) == []
    with time_machine.travel(at(2018, 9, 30, 8, 0), tick=False), translation.override("en"):
        sweep()
    assert reminders(deadline) == sorted(HANDLERS)
    # In the offices' language whatever the sweeping thread speaks, with the date as the law writes it.
    title = Notification.objects.filter(kind="reminder", deadline=deadline).first().title
    assert "10月8日24时前" in title and case.number in title


def test_the_reminder_e_mail_carries_the_link_the_case_its_party_and_the_deadline(
    settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://aj.example.gov.cn"
    case, person = referable_case(name="李四")
    deadline = Deadline.objects.get(case=case, step="propose_referral", met_at__isnull=True)
    mail.outbox.clear()
    with (
        time_machine.travel(max(calendar.prior_working_day_start(deadline.due_at), timezone.now()), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        sweep()
    told = Notification.objects.get(kind="reminder", deadline=deadline, recipient__username="guangzhou.officer1")
    sent = [m for m in mail.outbox if m.to == ["guangzhou.officer1@example.org"] and m.subject == told.title]
    assert len(sent) == 1
    body, subject = sent[0].body, sent[0].subject
    lines = body.splitlines()
    assert len(lines) >= 6
    assert f"https://aj.example.gov.cn/cases/case/{case.pk}/" in body
    assert case.number in body and case.party_name in body
    assert calendar.deadline_text(deadline.due_at, chinese=True) in body
    assert person.id_number not in body and person.id_number not in subject


def test_the_inbox_shows_the_officers_own_proposal_deadline_as_a_date_with_the_days_left(client):
    case, _person = referable_case()
    deadline = Deadline.objects.get(case=case, step="propose_referral", met_at__isnull=True)
    client.force_login(U("guangzhou.officer1"))
    page = client.get("/tasks/mine/").content.decode()
    assert 'data-testid="my-deadlines"' in page
    row = page.split('data-step="propose_referral"')[1].split("</tr>")[0]
    assert case.number in row
    assert calendar.deadline_text(deadline.due_at, chinese=True) in row
    with translation.override("zh-hans"):
        assert calendar.time_left(deadline.due_at, timezone.now()) in row
    assert not re.search(r"\d+秒|\d+小时", page)
    # The head does not propose (the handlers do), and the police never see it.
    for other in ("guangzhou.head", "guangzhou.police"):
        client.force_login(U(other))
        assert 'data-step="propose_referral"' not in client.get("/tasks/mine/").content.decode()


def test_the_referral_page_and_the_case_page_show_dates_and_days_not_a_countdown(client):
    from workflows import actions as referrals

    case, person = referable_case()
    referral = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="移送")
    due = Deadline.objects.get(referral=referral, step="decide").due_at
    client.force_login(U("guangzhou.head"))
    page = client.get(f"/referrals/referral/{referral.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    countdown = page.split('data-testid="countdown"')[1].split("</span>")[0]
    with translation.override("en"):
        assert countdown.endswith(">" + calendar.time_left(due, timezone.now()))
    assert re.search(r">\d+ days? left$", countdown)
    headline = page.split('data-testid="next-deadline"')[1].split('data-testid="countdown"')[0]
    assert calendar.deadline_text(due, chinese=False) in headline
    page = client.get(f"/cases/case/{case.pk}/").content.decode()
    table = page.split('data-testid="deadlines"')[1].split("</table>")[0]
    assert calendar.deadline_text(due, chinese=True) in table and 'data-testid="time-left"' in table


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_remind_each_deadline_once():
    from tests.workflows.test_sweep_concurrency import sweeper

    call_command("seed_demo", verbosity=0)
    ids = []
    for i in range(4):
        case = CaseFactory(city=("guangzhou", "shenzhen")[i % 2], status="open")
        case.deadlines.all().delete()
        soon = timezone.now() + datetime.timedelta(hours=2)
        ids += [open_deadline(case, "propose_referral", due_at=soon).pk for _ in range(BATCH // 2 + 10)]
    assert len(ids) > 2 * BATCH
    procs = [sweeper() for _ in range(2)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    per_deadline = Counter(Notification.objects.filter(kind="reminder").values_list("deadline_id", flat=True))
    assert per_deadline == Counter(dict.fromkeys(ids, 2))  # both handlers, once each
    assert not Notification.objects.filter(kind="escalation").exists()
    assert set(Case.objects.filter(deadlines__pk__in=ids).values_list("handlers__username", flat=True)) >= {
        "guangzhou.officer1",
        "shenzhen.officer1",
    }

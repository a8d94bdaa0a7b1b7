"""The administrative penalty procedure (workflows/penalties.py, LEGAL.md §3; 行政处罚法 第44–64条):
advance notice, statement, hearing, decision, service, payment — each step in its inbox, each
period counted as the law counts it, each paper numbered per agency and year."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pdfminer.high_level import extract_text

from cases import actions
from cases.models import Case, Event, Fine, Penalty
from core.calendar import LEGAL_TZ as SHANGHAI
from demo.sample_cases import make_credit_code
from notifications.models import Notification
from tests.factories import CaseFactory, add_person, an_act, demo_user, failed_rectification, fine_of
from tests.workflows.helpers import DOCS
from workflows import actions as referrals
from workflows import penalties
from workflows.models import Deadline

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=SHANGHAI)


def act(client, case, name, body=None):
    return client.post(f"/api/v1/cases/{case.pk}/actions/{name}/", body or {}, format="json")


def penalty_of(response, pk=None):
    rows = response.json()["penalties"]
    return next(p for p in rows if pk is None or p["id"] == pk) if pk else rows[-1]


def paper(client, case, penalty, name):
    return client.get(f"/api/v1/cases/{case.pk}/penalties/{penalty}/{name}.pdf")


def text_of(response) -> str:
    return extract_text(io.BytesIO(response.content)).replace("\n", "").replace(" ", "")


def tasks(client):
    return {(t["step"], t["case"]) for t in client.get("/api/v1/tasks/").json()["results"]}


def test_a_40000_fine_walks_notice_statement_decision_service_and_payment(api):
    officer, head = api("guangzhou.officer1"), api("guangzhou.head")
    with time_machine.travel(at("2018-09-03"), tick=False):
        case = CaseFactory(status="open")
        finding = actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="unlicensed_operation")
        an_act(case)  # and the evidence the decision states
        r = act(head, case, "impose_fine", {"amount": "40000.00", "legal_basis": "AQSCF-97-7", "finding": finding.pk})
        assert r.status_code == 200, r.content
        started = penalty_of(r)
        # Nothing is imposed before the decision; a unit's 40,000 is not 较大数额 (第63条): no hearing.
        assert started["status"] == "approved" and r.json()["fines"] == [] and started["hearing_right"] is False
        assert started["notice_number"].startswith("穗应急罚告〔2018〕")
        assert ("notify", case.pk) in tasks(officer)
        notice = paper(officer, case, started["id"], "notice")
        assert notice.status_code == 200 and notice["Content-Type"] == "application/pdf"
        words = text_of(notice)
        assert "行政处罚事先告知书" in words and started["notice_number"] in words and "罚款人民币40,000.00元" in words
        assert "陈述、申辩" in words and "听证" not in words
        assert paper(officer, case, started["id"], "decision").status_code == 409  # not decided yet

        pk = started["id"]
        r = act(officer, case, "notify_penalty", {"penalty": pk, "served_on": "2018-09-03", "method": "in_person"})
        assert r.status_code == 200, r.content
        assert act(officer, case, "request_hearing", {"penalty": pk}).json()["code"] == "invalid_transition"

    with time_machine.travel(at("2018-09-05"), tick=False):
        said = {"penalty": pk, "text": "当事人称已安排无证人员参加培训，请求从轻处罚", "stated_on": "2018-09-05"}
        assert act(officer, case, "record_statement", said).status_code == 200
        # A statement does not end the party's period: 3 working days from service, to 09-06 24:00.
        early = act(head, case, "decide_penalty", {"penalty": pk})
        assert early.status_code == 409 and "2018-09-06 24:00" in early.json()["detail"]

    with time_machine.travel(at("2018-09-07"), tick=False):
        assert act(officer, case, "decide_penalty", {"penalty": pk}).status_code == 403  # the head decides
        unanswered = act(head, case, "decide_penalty", {"penalty": pk})
        assert unanswered.status_code == 400 and "第45条" in unanswered.json()["note"][0]
        r = act(head, case, "decide_penalty", {"penalty": pk, "note": "当事人陈述已复核，维持告知意见"})
        assert r.status_code == 200, r.content
        decided = penalty_of(r, pk)
        assert decided["status"] == "decided" and decided["decision_number"].startswith("穗应急罚〔2018〕")
        fine = r.json()["fines"][0]
        assert fine["amount"] == "40000.00" and fine["decision_number"] == decided["decision_number"]
        assert fine["served_on"] is None  # nothing runs before service
        assert Notification.objects.filter(kind="penalty_decide", recipient__username="guangzhou.officer1").exists()
        words = text_of(paper(officer, case, pk, "decision"))
        assert (
            decided["decision_number"] in words
            and "请求从轻处罚”。对你单位的陈述、申辩，本机关复核认为：当事人陈述已复核" in words
        )
        assert "十五日内" in words and "广州市人民政府申请行政复议" in words
        assert ("serve", case.pk) in tasks(officer)
        r = act(officer, case, "serve_decision", {"penalty": pk, "served_on": "2018-09-07", "method": "in_person"})
        assert r.status_code == 200, r.content
        fine = r.json()["fines"][0]
        assert fine["served_on"] == "2018-09-07" and fine["due_on"] > "2018-09-22"  # 15 days, past the holiday
        assert penalty_of(r, pk)["status"] == "served" and ("serve", case.pk) not in tasks(officer)

    with time_machine.travel(at("2018-09-20"), tick=False):
        r = act(officer, case, "record_payment", {"fine": fine["id"], "amount": "40000.00"})
        assert r.status_code == 200, r.content
        assert r.json()["fines"][0]["status"] == "paid"
    steps = [e.action for e in Event.objects.filter(case=case).order_by("seq")][-6:]
    assert steps == [
        "impose_fine",
        "notify_penalty",
        "record_statement",
        "decide_penalty",
        "serve_decision",
        "record_payment",
    ]
    assert Deadline.objects.get(case=case, step="decide_penalty").met_by == "decide_penalty"
    assert Deadline.objects.get(case=case, step="statement").met_by == "decide_penalty"


def suspension_notified_on(day: str):
    """A 责令停产停业整顿 with its fine after a failed rectification (安全生产法 第97条), notified on `day`."""
    with time_machine.travel(at(day) - datetime.timedelta(days=7), tick=False):
        case = CaseFactory(status="open")
        an_act(case)
        failed_rectification(case)
    with time_machine.travel(at(day), tick=False):
        started = penalties.suspend_production(
            case,
            actor=demo_user("guangzhou.head"),
            reason="特种作业人员无证上岗，逾期未改正",
            starts_on=at("2026-11-02").date(),
            amount=Decimal("100000"),
        )
        assert started.hearing_right  # 责令停产停业 always (第63条)
        penalties.notify_penalty(
            case, actor=demo_user("guangzhou.officer1"), penalty=started.pk, served_on=at(day).date(), method="post"
        )
    return case, started


def test_a_hearing_asked_on_the_fifth_working_day_after_national_day_is_heard_and_on_the_sixth_refused(api):
    # Served Tuesday 2026-09-29. Working days (第85条): 09-30, then after the holiday of 10-01…10-07
    # 10-08, 10-09, Saturday 10-10 (调休, a working day) and Monday 10-12 — the fifth.
    on_time, penalty = suspension_notified_on("2026-09-29")
    late, other = suspension_notified_on("2026-09-29")
    officer = api("guangzhou.officer1")
    with time_machine.travel(at("2026-10-12", 23), tick=False):
        r = act(officer, on_time, "request_hearing", {"penalty": penalty.pk})
        assert r.status_code == 200, r.content
        assert penalty_of(r, penalty.pk)["status"] == "hearing_requested"
        assert Notification.objects.filter(kind="penalty_request_hearing", case=on_time).exists()
    with time_machine.travel(at("2026-10-13", 9), tick=False):
        r = act(officer, late, "request_hearing", {"penalty": other.pk})
        assert r.status_code == 409 and r.json()["code"] == "deadline_passed"
        assert "2026-10-12 24:00" in r.json()["detail"] and "第64条" in r.json()["detail"]
        # A request that reached the agency in time is recorded by its day, even when entered later.
        dated = act(officer, late, "request_hearing", {"penalty": other.pk, "requested_on": "2026-10-12"})
        assert dated.status_code == 200, dated.content


def test_the_hearing_is_told_seven_working_days_ahead_and_presided_by_one_who_did_not_investigate(api, client):
    case, penalty = suspension_notified_on("2026-09-29")
    officer, head = api("guangzhou.officer1"), api("guangzhou.head")
    with time_machine.travel(at("2026-09-30"), tick=False):
        assert act(officer, case, "request_hearing", {"penalty": penalty.pk}).status_code == 200
        body = {"penalty": penalty.pk, "at": "2026-10-16T09:30:00+08:00", "place": "本局三楼听证室"}
        # 第64条第四项: the agency designates who presides — its head, not the investigators.
        assert act(officer, case, "schedule_hearing", body | {"officer": "guangzhou.legal"}).status_code == 403
        handler = act(head, case, "schedule_hearing", body | {"officer": "guangzhou.officer2"})
        assert handler.status_code == 400 and "第64条" in handler.json()["officer"][0]
        # Told on 09-30: 7 working days are 10-08, 09, 10, 12, 13, 14, 15: the hearing from 10-15 on.
        soon = act(
            head, case, "schedule_hearing", body | {"at": "2026-10-14T09:30:00+08:00", "officer": "guangzhou.legal"}
        )
        assert soon.status_code == 400 and "2026-10-15" in soon.json()["at"][0]
        sunday = act(
            head, case, "schedule_hearing", body | {"at": "2026-10-18T09:30:00+08:00", "officer": "guangzhou.legal"}
        )
        assert sunday.status_code == 400 and "2026-10-18" in sunday.json()["at"][0]
        closed = act(head, case, "schedule_hearing", body | {"officer": "guangzhou.legal", "public": False})
        assert closed.status_code == 400 and closed.json()["private_reason"]
        r = act(head, case, "schedule_hearing", body | {"officer": "guangzhou.legal"})
        assert r.status_code == 200, r.content
        scheduled = penalty_of(r, penalty.pk)
        assert scheduled["hearing_notice_number"].startswith("穗应急听告〔2026〕")
        told = Notification.objects.get(kind="penalty_schedule_hearing", case=case)
        assert told.recipient.username == "guangzhou.legal" and "2026年10月16日9时30分" in told.title
        words = text_of(paper(officer, case, penalty.pk, "hearing_notice"))
        assert "听证通知书" in words and "本局三楼听证室" in words and "回避" in words and "公开举行" in words
        assert paper(officer, case, penalty.pk, "hearing_notice_receipt").status_code == 200
        # The hearing is the presiding officer's own task, due at its time.
        mine = api("guangzhou.legal").get("/api/v1/tasks/").json()["results"]
        assert [(t["step"], t["due_at"][:16]) for t in mine if t["case"] == case.pk] == [
            ("hearing", "2026-10-16T09:30")
        ]
        assert ("hearing", case.pk) not in tasks(officer)
        assert "record_hearing" not in officer.get(f"/api/v1/cases/{case.pk}/").json()["actions"]
    with time_machine.travel(at("2026-10-16", 9), tick=False):
        record = {"penalty": penalty.pk, "record": "当事人到场陈述，承办人员出示证据"}
        assert act(api("guangzhou.legal"), case, "record_hearing", record).json()["code"] == "invalid_transition"
    with time_machine.travel(at("2026-10-16", 11), tick=False):
        assert act(officer, case, "record_hearing", record).status_code in (403, 409)
        r = act(api("guangzhou.legal"), case, "record_hearing", record)
        assert r.status_code == 200, r.content
        # 第58条: a penalty that went through a hearing is reviewed by the legal office first …
        refused = act(head, case, "decide_penalty", {"penalty": penalty.pk, "collective_discussion": "集体讨论"})
        assert refused.status_code == 409 and "第58条" in refused.json()["detail"]
        assert ("review", case.pk) in tasks(api("guangzhou.legal"))
        review = {"penalty": penalty.pk, "opinion": "事实清楚，证据确凿，程序合法，适用依据正确"}
        assert act(officer, case, "review_penalty", review).status_code in (403, 409)  # an investigator
        assert act(api("guangzhou.legal"), case, "review_penalty", review).status_code == 200
        # … and the heads decide it collectively (第57条第二款).
        alone = act(head, case, "decide_penalty", {"penalty": penalty.pk})
        assert alone.status_code == 400 and alone.json()["collective_discussion"]
        decision = {"penalty": penalty.pk, "collective_discussion": "2026-10-19 局长办公会集体讨论，同意"}
        r = act(head, case, "decide_penalty", decision)
        assert r.status_code == 200, r.content
        assert r.json()["suspensions"] == []  # in force from its service (第61条)
        assert "依法举行了听证" in text_of(paper(officer, case, penalty.pk, "decision"))
        served = {"penalty": penalty.pk, "served_on": "2026-10-16", "method": "in_person"}
        r = act(officer, case, "serve_decision", served)
        assert r.status_code == 200, r.content
        assert r.json()["suspensions"][0]["starts_on"] == "2026-11-02"


def test_a_proposal_is_decided_by_the_head_never_by_its_proposer_and_a_refusal_gives_its_reason(api):
    case = CaseFactory(status="open")
    finding = actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="unlicensed_operation")
    officer, head = api("guangzhou.officer1"), api("guangzhou.head")
    proposal = {
        "kinds": ["fine"],
        "amount": "30000.00",
        "legal_basis": "AQSCF-97-7",
        "finding": finding.pk,
        "facts": "该单位安排未取得特种作业操作证的人员从事电工作业",
        "violation_date": timezone.localdate().isoformat(),
    }
    r = act(officer, case, "propose_penalty", proposal)
    assert r.status_code == 200, r.content
    pk = penalty_of(r)["id"]
    assert penalty_of(r)["status"] == "proposed" and penalty_of(r)["notice_number"] == ""
    assert ("approve", case.pk) in tasks(head) and ("approve", case.pk) not in tasks(officer)
    assert Notification.objects.filter(kind="penalty_propose", recipient__username="guangzhou.head").exists()
    assert paper(officer, case, pk, "notice").status_code == 409  # no notice before approval
    assert act(officer, case, "approve_penalty", {"penalty": pk, "approve": True}).status_code == 403
    silent = act(head, case, "approve_penalty", {"penalty": pk, "approve": False})
    assert silent.status_code == 400 and silent.json()["note"]
    r = act(head, case, "approve_penalty", {"penalty": pk, "approve": False, "note": "违法事实证据不足，补充调查"})
    assert r.status_code == 200 and penalty_of(r, pk)["status"] == "refused"
    told = Notification.objects.get(kind="penalty_approve", case=case)
    assert told.recipient.username == "guangzhou.officer1" and "不予批准" in told.title
    # The same act may be proposed again once the first was refused (it fined nobody).
    again = act(officer, case, "propose_penalty", proposal)
    assert again.status_code == 200, again.content
    r = act(head, case, "approve_penalty", {"penalty": penalty_of(again)["id"], "approve": True, "note": "同意"})
    assert penalty_of(r)["status"] == "approved" and penalty_of(r)["notice_number"].startswith("穗应急罚告〔")


def test_the_head_who_proposes_is_not_the_one_who_approves(api):
    case = CaseFactory(status="open")
    body = {
        "kinds": ["fine"],
        "amount": "30000.00",
        "legal_basis": "AQSCF-97-7",
        "facts": "无证上岗",
        "violation_date": timezone.localdate().isoformat(),
    }
    r = act(api("guangzhou.head"), case, "propose_penalty", body)
    # propose_penalty is the handlers' (行政处罚法 第55条: the investigating officers report).
    assert r.status_code == 403


def notified_fine(amount="40000.00"):
    amount = Decimal(amount)
    case = CaseFactory(status="open")
    an_act(case)
    started = penalties.impose_fine(case, actor=demo_user("guangzhou.head"), amount=amount, legal_basis="AQSCF-97-7")
    penalties.notify_penalty(
        case, actor=demo_user("guangzhou.officer1"), penalty=started.pk, served_on=timezone.localdate(), method="post"
    )
    waiver = "放弃陈述、申辩和听证"
    penalties.record_statement(
        case, actor=demo_user("guangzhou.officer1"), penalty=started.pk, text=waiver, waives=True
    )
    return case, started


def test_the_decision_is_never_heavier_than_the_notice(api):
    case, started = notified_fine()
    head = api("guangzhou.head")
    heavier = act(head, case, "decide_penalty", {"penalty": started.pk, "amount": "45000.00", "note": "加重"})
    assert heavier.status_code == 409 and "第44条" in heavier.json()["detail"]
    r = act(head, case, "decide_penalty", {"penalty": started.pk, "amount": "35000.00", "note": "酌情从轻"})
    assert r.status_code == 200 and r.json()["fines"][0]["amount"] == "35000.00"


def test_a_waiver_ends_the_partys_period_and_no_hearing_follows_it(api):
    case = CaseFactory(status="open")
    an_act(case)
    head, officer = api("guangzhou.head"), api("guangzhou.officer1")
    body = {"amount": "60000.00", "legal_basis": "AQSCF-97-7"}  # a unit's 较大数额: the right to a hearing
    started = penalty_of(act(head, case, "impose_fine", body))
    assert started["hearing_right"]
    served = {"penalty": started["id"], "served_on": timezone.localdate().isoformat(), "method": "post"}
    assert act(officer, case, "notify_penalty", served).status_code == 200
    # Waiving the statement period is not waiving the hearing: that is said expressly (第63、64条).
    statement = {"penalty": started["id"], "text": "认为罚款过高，请求减轻", "waives": True}
    assert act(officer, case, "record_statement", statement).status_code == 200
    early = act(head, case, "decide_penalty", {"penalty": started["id"], "collective_discussion": "讨论"})
    assert early.status_code == 409 and "第64条" in early.json()["detail"]
    waiver = {"penalty": started["id"], "text": "书面放弃听证", "waives_hearing": True}
    assert act(officer, case, "record_statement", waiver).status_code == 200
    r = act(officer, case, "request_hearing", {"penalty": started["id"]})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert Deadline.objects.get(penalty_id=started["id"], step="hearing_request").met_by == "record_statement"
    review = {"penalty": started["id"], "opinion": "同意"}
    assert act(api("guangzhou.legal"), case, "review_penalty", review).status_code == 200
    decision = {"penalty": started["id"], "collective_discussion": "集体讨论同意", "note": "不予采纳：罚款在法定幅度内"}
    assert act(head, case, "decide_penalty", decision).status_code == 200
    words = text_of(paper(officer, case, started["id"], "decision"))
    assert (
        "“认为罚款过高，请求减轻”，并表示不再补充陈述、申辩。" in words and "“书面放弃听证”，并表示放弃听证。" in words
    )
    assert "本机关复核认为：不予采纳：罚款在法定幅度内" in words


def test_decision_numbers_run_per_agency_and_year():
    first, a = notified_fine()
    second, b = notified_fine()
    foshan = CaseFactory(city="foshan", status="open")
    an_act(foshan, "foshan")
    c = penalties.impose_fine(foshan, actor=demo_user("foshan.head"), amount=Decimal("40000"), legal_basis="AQSCF-97-7")
    head = demo_user("guangzhou.head")
    numbers = [
        penalties.decide_penalty(case, actor=head, penalty=p.pk, note="无异议").decision_number
        for case, p in ((first, a), (second, b))
    ]
    year = timezone.localdate().year
    start = int(numbers[0].split("〕")[1].rstrip("号"))
    assert numbers == [f"穗应急罚〔{year}〕{start}号", f"穗应急罚〔{year}〕{start + 1}号"]
    assert c.notice_number.startswith(f"佛应急罚告〔{year}〕")


def test_the_police_see_no_penalty_of_a_person_not_sent_to_them(api):
    case = CaseFactory(status="open")
    sent = add_person(case, name="王五")
    kept = add_person(case, name="赵六")
    actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="certificate_trading", person=sent.pk)
    actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="lent_certificate", person=kept.pk)
    worker_fine = penalties.impose_fine(
        case,
        actor=demo_user("guangzhou.head"),
        amount=Decimal("3000"),
        legal_basis="TZZY-41-2",
        person=kept.pk,
        violation_date=datetime.date(2025, 5, 1),
    )
    proposal = referrals.propose_referral(
        case, actor=demo_user("guangzhou.officer1"), persons=[sent.pk], report="买卖证件"
    )
    referrals.transmit(
        referrals.approve(proposal, actor=demo_user("guangzhou.head")),
        actor=demo_user("guangzhou.officer1"),
        documents=DOCS,
    )
    police = api("guangzhou.police")
    assert police.get(f"/api/v1/cases/{case.pk}/").json()["penalties"] == []
    assert paper(police, case, worker_fine.pk, "notice").status_code == 404
    assert [p["id"] for p in api("guangzhou.officer1").get(f"/api/v1/cases/{case.pk}/").json()["penalties"]] == [
        worker_fine.pk
    ]


def test_the_transfer_letter_lists_the_fines_paid_before_it_to_be_offset(api):
    """310号令 第11条: a fine paid before the referral is offset against the criminal fine."""
    case = CaseFactory(status="open")
    seller = add_person(case, name="钱七")  # altered his certificate: 30号令 第41条, and 刑法 第280条
    actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="altered_certificate", person=seller.pk)
    an_act(case)
    started = penalties.impose_fine(
        case,
        actor=demo_user("guangzhou.head"),
        amount=Decimal("2000"),
        legal_basis="TZZY-41-1",
        person=seller.pk,
        violation_date=datetime.date(2025, 5, 1),
    )
    officer, head = demo_user("guangzhou.officer1"), demo_user("guangzhou.head")
    penalties.notify_penalty(case, actor=officer, penalty=started.pk, served_on=timezone.localdate(), method="post")
    penalties.record_statement(case, actor=officer, penalty=started.pk, text="放弃", waives=True)
    decided = penalties.decide_penalty(case, actor=head, penalty=started.pk, note="无异议")
    penalties.serve_decision(case, actor=officer, penalty=started.pk, served_on=timezone.localdate(), method="post")
    actions.record_payment(
        case, actor=officer, fine=decided.fine_id, amount=Fine.objects.get(pk=decided.fine_id).amount
    )
    referral = referrals.propose_referral(case, actor=officer, persons=[seller.pk], report="变造特种作业操作证")
    referral = referrals.transmit(referrals.approve(referral, actor=head), actor=officer, documents=DOCS)
    r = api("guangzhou.officer1").get(f"/api/v1/referrals/{referral.pk}/letter.pdf")
    words = text_of(r)
    assert "第十一条" in words and "罚款人民币2,000.00元" in words and "折抵相应罚金" in words


def test_the_case_page_shows_where_each_penalty_stands_its_papers_and_the_deadlines(client):
    case, started = notified_fine()
    client.force_login(demo_user("guangzhou.officer1"))
    page = client.get(reverse("cases:case:detail", args=[case.pk])).content.decode()
    assert 'data-testid="penalty"' in page and "已送达事先告知书" in page and "罚款 ¥40,000.00" in page
    assert f"/api/v1/cases/{case.pk}/penalties/{started.pk}/notice.pdf" in page
    assert 'data-testid="deadlines"' in page and "作出行政处罚决定" in page and "行政处罚法 第60条" in page
    client.force_login(demo_user("guangzhou.head"))
    form = client.get(reverse("cases:case:action", args=[case.pk, "decide_penalty"])).content.decode()
    assert f'<option value="{started.pk}"' in form and "¥40,000.00" in form


def test_the_web_approves_a_proposal_with_a_choice_not_an_unticked_box(client):
    case = CaseFactory(status="open")
    lender = add_person(case, name="孙八")
    actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="lent_certificate", person=lender.pk)
    proposed = penalties.propose_penalty(
        case,
        actor=demo_user("guangzhou.officer1"),
        kinds=["warning", "fine"],
        amount=Decimal("3000"),
        legal_basis="TZZY-41-2",
        facts="转借操作证",
        person=lender.pk,
        violation_date=datetime.date(2025, 5, 1),
    )
    client.force_login(demo_user("guangzhou.head"))
    url = reverse("cases:case:action", args=[case.pk, "approve_penalty"])
    form = client.get(url).content.decode()
    assert 'name="approve"' in form and 'type="checkbox" name="approve"' not in form
    r = client.post(
        url,
        {"penalty": proposed.pk, "approve": "true", "note": "同意", "version": Case.objects.get(pk=case.pk).version},
    )
    assert r.status_code == 302, r.content.decode()[-6000:]
    assert Penalty.objects.get(pk=proposed.pk).status == "approved"


def test_a_fine_counts_in_the_month_it_is_decided_not_when_it_is_proposed(api):
    with time_machine.travel(at("2018-09-20"), tick=False):
        case = CaseFactory(status="open")
        an_act(case)
        started = penalties.impose_fine(
            case, actor=demo_user("guangzhou.head"), amount=Decimal("40000"), legal_basis="AQSCF-97-7"
        )
        penalties.notify_penalty(
            case,
            actor=demo_user("guangzhou.officer1"),
            penalty=started.pk,
            served_on=at("2018-09-20").date(),
            method="post",
        )
    with time_machine.travel(at("2018-10-09"), tick=False):
        penalties.decide_penalty(case, actor=demo_user("guangzhou.head"), penalty=started.pk)

    def fined(month):
        rows = api("guangzhou.supervisor").get(f"/api/v1/reports/monthly/?region=440100&month={month}").json()["rows"]
        return next(r for r in rows if r["section"] == "执法·用人单位" and r["row"] == "行政罚款（元）")["month"]

    assert Decimal(fined("2018-09")) == 0 and Decimal(fined("2018-10")) == 40000


# --- what an enforcement lawyer found (the review of the first build) ------------------------


def started_by_head(api, case, **body):
    return act(api("guangzhou.head"), case, "impose_fine", body)


@pytest.mark.parametrize("kind", ["training_institution", "intermediary", "individual"])
def test_a_suspension_needs_its_provision_its_condition_and_a_production_unit(api, kind):
    """行政处罚法 第38条: no penalty without a basis; 安全生产法 第97条: a 生产经营单位, after 逾期未改正."""
    head = api("guangzhou.head")
    case = CaseFactory(status="open")
    an_act(case)
    body = {"reason": "无证上岗", "starts_on": timezone.localdate().isoformat(), "amount": "100000.00"}
    r = act(head, case, "suspend_production", body)
    assert r.status_code == 400 and "逾期未改正" in r.json()["legal_basis"][0]  # no failed rectification
    proposal = {
        "kinds": ["suspension"],
        "starts_on": body["starts_on"],
        "facts": "x",
        "violation_date": body["starts_on"],
    }
    r = act(api("guangzhou.officer1"), case, "propose_penalty", proposal | {"legal_basis": "AQSCF-97-7"})
    assert r.status_code == 400 and "第97条" in r.json()["kinds"][0]  # that provision orders no suspension
    failed_rectification(case)
    r = act(head, case, "suspend_production", body | {"amount": None})
    assert r.status_code == 400 and "并处" in r.json()["kinds"][0]  # the suspension comes with its fine
    party = {
        "kind": kind,
        "name": "某机构",
        **({} if kind == "individual" else {"credit_code": make_credit_code("440100", 66)}),
    }
    other = CaseFactory(status="open", party=party)
    an_act(other)
    failed_rectification(other)
    r = act(head, other, "suspend_production", body)
    assert r.status_code == 400, r.content
    assert not Penalty.objects.filter(case=other).exists()


def test_warnings_only_where_the_provision_gives_them_and_with_its_fine(api):
    case = CaseFactory(status="open")
    worker = add_person(case, name="持假证工人")
    actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="forged_certificate", person=worker.pk)
    officer = api("guangzhou.officer1")
    base = {"facts": "x", "violation_date": "2026-05-01"}
    alone = act(officer, case, "propose_penalty", base | {"kinds": ["warning"], "legal_basis": "TZZY-40"})
    assert alone.status_code == 400 and "警告并处罚款" in alone.json()["kinds"][0]
    none = {"kinds": ["warning", "fine"], "amount": "5000.00", "legal_basis": "AQSCF-97-7"}
    r = act(officer, case, "propose_penalty", base | none)
    assert r.status_code == 400 and "未规定警告" in r.json()["kinds"][0]


def test_a_fine_below_the_provisions_minimum_needs_a_ground_of_article_32(api):
    case = CaseFactory(status="open")
    worker = add_person(case, name="持假证工人")
    actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="forged_certificate", person=worker.pk)
    an_act(case)
    started = penalties.impose_fine(
        case,
        actor=demo_user("guangzhou.head"),
        amount=Decimal("20000"),
        legal_basis="TZZY-40",
        violation_date=datetime.date(2026, 5, 1),
    )
    officer = demo_user("guangzhou.officer1")
    penalties.notify_penalty(case, actor=officer, penalty=started.pk, served_on=timezone.localdate(), method="post")
    penalties.record_statement(case, actor=officer, penalty=started.pk, text="放弃", waives=True)
    head = api("guangzhou.head")
    low = act(head, case, "decide_penalty", {"penalty": started.pk, "amount": "100.00", "note": "减轻"})
    assert low.status_code == 400 and "第32条" in low.json()["mitigation"][0]
    ground = "当事人主动消除违法行为危害后果"
    lighter = {"penalty": started.pk, "amount": "5000.00", "mitigation": ground, "note": "予以减轻"}
    r = act(head, case, "decide_penalty", lighter)
    assert r.status_code == 200, r.content
    words = text_of(paper(api("guangzhou.officer1"), case, started.pk, "decision"))
    assert "第三十二条" in words and ground in words and "罚款人民币5,000.00元" in words


def test_the_same_act_is_not_fined_again_in_another_case(api):
    """第29条 across cases: the same party, the same kind of act, the same day."""
    code = make_credit_code("440100", 4242)
    party = {"kind": "employer", "name": "重复处罚测试公司", "credit_code": code}
    first, second = CaseFactory(status="open", party=party), CaseFactory(status="open", party=party)
    an_act(first), an_act(second)
    body = {"amount": "30000.00", "legal_basis": "AQSCF-97-7", "violation_date": "2026-10-01"}
    assert started_by_head(api, first, **body).status_code == 200
    again = started_by_head(api, second, **body)
    assert again.status_code == 409 and again.json()["code"] == "same_act" and first.number in again.json()["detail"]
    # The day not stated: the same act until the day tells it apart.
    undated = started_by_head(api, second, amount="30000.00", legal_basis="AQSCF-97-7")
    assert undated.status_code == 409 and "violation_date" in undated.json()["detail"]
    assert (
        started_by_head(api, second, **body | {"violation_date": "2026-10-02"}).status_code == 200
    )  # another day's act


def test_public_notice_counts_thirty_days_after_publication_and_electronic_service_needs_consent(api):
    case, started = notified_fine()
    officer, head = api("guangzhou.officer1"), api("guangzhou.head")
    assert act(head, case, "decide_penalty", {"penalty": started.pk, "note": "无异议"}).status_code == 200
    today = timezone.localdate()
    electronic = {"penalty": started.pk, "served_on": today.isoformat(), "method": "electronic"}
    r = act(officer, case, "serve_decision", electronic)
    assert r.status_code == 400 and "第61条" in r.json()["consent"][0]
    notice = electronic | {"method": "public_notice"}
    first = act(officer, case, "serve_decision", notice)
    assert first.status_code == 400 and "第95条" in first.json()["note"][0]  # the last resort, after attempts
    r = act(officer, case, "serve_decision", notice | {"note": "直接送达、邮寄送达均因下落不明未果"})
    assert r.status_code == 200, r.content
    fine = r.json()["fines"][0]
    assert fine["served_on"] == (today + datetime.timedelta(days=30)).isoformat()  # 民事诉讼法 第95条
    assert fine["due_on"] > (today + datetime.timedelta(days=44)).isoformat()


def test_a_correction_never_rewrites_a_served_paper_nor_changes_whom_it_names(api):
    case, started = notified_fine()
    head = api("guangzhou.head")
    fix = {"target": "case", "field": "party_address", "value": "广州市越秀区某路2号", "reason": "营业执照核对"}
    assert act(head, case, "correct", fix | {"value": "广州市天河区某路1号"}).status_code == 200
    assert act(head, case, "decide_penalty", {"penalty": started.pk, "note": "无异议"}).status_code == 200
    served = {"penalty": started.pk, "served_on": timezone.localdate().isoformat(), "method": "in_person"}
    assert act(api("guangzhou.officer1"), case, "serve_decision", served).status_code == 200
    # Whom the served papers name is no longer put right here (行政处罚法 第44条、第59条) …
    rename = {"target": "case", "field": "party_name", "value": "更正后的公司名称", "reason": "营业执照核对"}
    refused = act(head, case, "correct", rename)
    assert refused.status_code == 409 and "补正" in refused.json()["detail"]
    # … and what may still be put right (its address) leaves the served decision as it was served.
    assert act(head, case, "correct", fix).status_code == 200
    words = text_of(paper(api("guangzhou.officer1"), case, started.pk, "decision"))
    assert "广州市天河区某路1号" in words and "广州市越秀区某路2号" not in words


def test_an_extension_redates_the_open_tasks(api):
    case, started = notified_fine()
    before = {
        t["step"]: t["due_at"]
        for t in api("guangzhou.head").get("/api/v1/tasks/").json()["results"]
        if t["case"] == case.pk
    }
    until = (timezone.localdate() + datetime.timedelta(days=150)).isoformat()
    r = act(api("guangzhou.head"), case, "extend_decision_period", {"until": until, "reason": "案情复杂"})
    assert r.status_code == 200, r.content
    after = {
        t["step"]: t["due_at"]
        for t in api("guangzhou.head").get("/api/v1/tasks/").json()["results"]
        if t["case"] == case.pk
    }
    assert before["decide"] < after["decide"] and after["decide"][:10] >= until


def test_a_decision_number_is_one_number_however_its_serial_is_written(api):
    case, started = notified_fine()
    other, second = notified_fine()
    head = api("guangzhou.head")
    year = timezone.localdate().year
    assert (
        act(
            head,
            case,
            "decide_penalty",
            {"penalty": started.pk, "decision_number": f"穗应急罚〔{year}〕900号", "note": "无异议"},
        ).status_code
        == 200
    )
    body = {"penalty": second.pk, "decision_number": f"穗应急罚〔{year}〕0900号", "note": "无异议"}
    r = act(head, other, "decide_penalty", body)
    assert r.status_code == 400 and r.json()["decision_number"]
    # Another agency's number is never this agency's.
    r = act(head, other, "decide_penalty", body | {"decision_number": f"珠应急罚〔{year}〕1号"})
    assert r.status_code == 400 and "穗应急罚〔" in r.json()["decision_number"][0]


def test_a_payment_is_recorded_on_the_day_it_was_made(api):
    with time_machine.travel(at("2026-09-01"), tick=False):
        case = CaseFactory(status="open")
        fine = fine_of(case, amount="20000.00", served=True)
    with time_machine.travel(at("2026-11-01"), tick=False):
        officer = api("guangzhou.officer1")
        fine.refresh_from_db()
        on_time = {"fine": fine.pk, "amount": "20000.00", "paid_on": fine.due_on.isoformat()}
        r = act(officer, case, "record_payment", on_time)
        assert r.status_code == 200, r.content  # paid on its last day: no late penalty
        assert r.json()["fines"][0]["status"] == "paid"


def test_the_papers_name_the_party_fully_and_cite_the_provisions_formally(api):
    party = {
        "kind": "employer",
        "name": "广州某电力工程有限公司",
        "credit_code": make_credit_code("440100", 4343),
        "address": "广州市天河区某路1号",
        "representative": "陈某",
    }
    r = api("guangzhou.officer1").post(
        "/api/v1/cases/", {"source": "inspection", "region": "440100", "party": party, "summary": "检查"}, format="json"
    )
    assert r.status_code == 201, r.content
    case = Case.objects.get(pk=r.json()["id"])
    actions.open_case(
        case, actor=demo_user("guangzhou.officer1"), handlers=["guangzhou.officer1", "guangzhou.officer2"]
    )
    an_act(case)
    started = penalties.impose_fine(
        case,
        actor=demo_user("guangzhou.head"),
        amount=Decimal("30000"),
        legal_basis="AQSCF-97-7",
        violation_date=timezone.localdate(),
    )
    officer = demo_user("guangzhou.officer1")
    penalties.notify_penalty(
        case, actor=officer, penalty=started.pk, served_on=timezone.localdate(), method="in_person"
    )
    notice = text_of(paper(api("guangzhou.officer1"), case, started.pk, "notice"))
    assert "《中华人民共和国安全生产法》（2021年修正）第九十七条第（七）项" in notice
    assert "违反了《中华人民共和国安全生产法》（2021年修正）第三十条第一款的规定" in notice
    penalties.record_statement(case, actor=officer, penalty=started.pk, text="放弃", waives=True)
    penalties.decide_penalty(case, actor=demo_user("guangzhou.head"), penalty=started.pk, note="当事人无异议")
    words = text_of(paper(api("guangzhou.officer1"), case, started.pk, "decision"))
    assert "责令你单位立即改正上述违法行为" in words and "本机关复核认为：当事人无异议" in words  # 第28条, 第45条
    assert "法定代表人（负责人）：陈某" in words and "地址：广州市天河区某路1号" in words
    assert "广州市人民政府申请行政复议" in words
    receipt = text_of(paper(api("guangzhou.officer1"), case, started.pk, "notice_receipt"))
    assert "广州市天河区某路1号" in receipt


# --- what a handler and a lawyer found in the second build ------------------------------------


def test_the_legal_review_is_the_legal_offices_once_after_the_party_was_heard(api, client):
    case = CaseFactory(status="open")
    an_act(case)
    head, officer, legal = api("guangzhou.head"), api("guangzhou.officer1"), api("guangzhou.legal")
    started = penalty_of(act(head, case, "impose_fine", {"amount": "60000.00", "legal_basis": "AQSCF-97-7"}))
    served = {"penalty": started["id"], "served_on": timezone.localdate().isoformat(), "method": "post"}
    assert act(officer, case, "notify_penalty", served).status_code == 200
    review = {"penalty": started["id"], "opinion": "事实清楚，证据确凿，程序合法"}
    # Not before the party could ask for a hearing; the task waits in the legal office's inbox, saying so.
    early = act(legal, case, "review_penalty", review)
    assert early.status_code == 409 and "第64条" in early.json()["detail"]
    client.force_login(demo_user("guangzhou.legal"))
    inbox = client.get(reverse("tasks:mine:index")).content.decode()
    assert 'data-testid="not-before"' in inbox and case.number in inbox
    assert ("review", case.pk) not in tasks(api("guangzhou.officer2"))  # not the investigators' task
    assert "review_penalty" not in legal.get(f"/api/v1/cases/{case.pk}/").json()["actions"]
    waiver = {"penalty": started["id"], "text": "放弃陈述申辩和听证", "waives": True, "waives_hearing": True}
    assert act(officer, case, "record_statement", waiver).status_code == 200
    assert 'data-testid="not-before"' not in client.get(reverse("tasks:mine:index")).content.decode()
    # Neither the head who decides nor an officer outside the legal office reviews.
    assert act(head, case, "review_penalty", review).status_code in (403, 409)
    other = act(api("guangzhou.officer2"), case, "review_penalty", review)
    assert other.status_code == 409 and "法制审核人员" in other.json()["detail"]
    assert act(legal, case, "review_penalty", review).status_code == 200
    again = act(legal, case, "review_penalty", review)
    assert again.status_code == 409 and "已于" in again.json()["detail"]


def test_a_closed_hearing_has_one_of_the_three_reasons_of_the_law(api):
    case, penalty = suspension_notified_on("2026-09-29")
    with time_machine.travel(at("2026-09-30"), tick=False):
        officer, head = api("guangzhou.officer1"), api("guangzhou.head")
        assert act(officer, case, "request_hearing", {"penalty": penalty.pk}).status_code == 200
        body = {
            "penalty": penalty.pk,
            "at": "2026-10-16T09:30:00+08:00",
            "place": "听证室",
            "officer": "guangzhou.legal",
            "public": False,
        }
        asked = act(head, case, "schedule_hearing", body | {"private_reason": "当事人要求"})
        assert asked.status_code == 400 and asked.json()["private_reason"]
        r = act(head, case, "schedule_hearing", body | {"private_reason": "business_secret"})
        assert r.status_code == 200, r.content
        assert "本次听证因涉及商业秘密依法不公开举行" in text_of(paper(officer, case, penalty.pk, "hearing_notice"))


def test_a_penalty_whose_act_was_corrected_out_of_its_provision_is_not_approved(api):
    case = CaseFactory(status="open")
    worker = add_person(case, name="持假证工人")
    forged = actions.record_finding(
        case, actor=demo_user("guangzhou.officer1"), kind="forged_certificate", person=worker.pk
    )
    proposal = {
        "kinds": ["warning", "fine"],
        "amount": "20000.00",
        "legal_basis": "TZZY-40",
        "finding": forged.pk,
        "facts": "使用持伪造证件人员作业",
        "violation_date": "2026-05-01",
    }
    pk = penalty_of(act(api("guangzhou.officer1"), case, "propose_penalty", proposal))["id"]
    # The head corrects the finding to 无证上岗 (and the supervisors endorse it): 30号令 第40条 no longer fits.
    fix = {"target": "finding", "id": forged.pk, "field": "kind", "value": "unlicensed_operation", "reason": "复核"}
    assert act(api("guangzhou.head"), case, "correct", fix).status_code == 200
    pending = case.corrections.get()
    assert pending.status == "endorsement"
    endorse = {"correction": pending.pk, "approve": True, "note": "核实为无证"}
    assert act(api("guangzhou.supervisor"), case, "endorse_correction", endorse).status_code == 200
    r = act(api("guangzhou.head"), case, "approve_penalty", {"penalty": pk, "approve": True})
    assert r.status_code == 409 and "TZZY-40" in r.json()["detail"]

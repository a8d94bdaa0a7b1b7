"""The police and the procuratorate as the law runs them (LEGAL.md §2): 补正, not police business,
one forward with a written notice, supervision by the procuratorate that has jurisdiction, the
copies to the same-level procuratorate, and what each side may see."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from agencies.models import Agency, Region
from cases.models import IdNumberView, Referral
from notifications.models import Notification
from tests.factories import add_person, demo_user
from tests.workflows.helpers import DOCS, act, referable_case
from tests.workflows.test_documents import pdf_text
from workflows import actions as referrals
from workflows.models import Deadline, TaskRoute

pytestmark = pytest.mark.django_db
U = demo_user


def transmitted(case=None, person=None):
    if case is None:
        case, person = referable_case()
    r = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="伪造证件出售")
    r = referrals.approve(r, actor=U("guangzhou.head"))
    return referrals.transmit(r, actor=U("guangzhou.officer1"), documents=DOCS)


def received():
    return referrals.acknowledge(transmitted(), actor=U("guangzhou.police"))


def notified(username, kind):
    return Notification.objects.filter(recipient__username=username, kind=kind)


# --- forward, once ------------------------------------------------------------------------------


def police_of_another_province():
    """长沙市公安局 of 湖南省: a police agency the Guangdong cases of the demo have no say over."""
    province = Region.objects.create(code="430000", name="湖南省", slug="hunan", level="province")
    city = Region.objects.create(code="430100", name="长沙市", slug="changsha", level="city", parent=province)
    return Agency.objects.create(slug="changsha-police", name="长沙市公安局", kind=Agency.Kind.POLICE, region=city)


def test_a_referral_or_a_forward_to_police_of_another_province_is_refused_naming_the_field(api):
    police_of_another_province()
    case, person = referable_case()
    with translation.override("en"):
        r = api("guangzhou.officer1").post(
            f"/api/v1/cases/{case.pk}/actions/propose_referral/",
            {"persons": [person.pk], "report": "伪造证件出售", "police_agency": "changsha-police"},
            format="json",
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert r.status_code == 400, r.content
    assert "长沙市公安局 is outside the case's province" in r.json()["police_agency"][0]
    assert not Referral.objects.filter(case=case).exists()

    referral = received()
    with translation.override("en"):
        r = act(
            api("guangzhou.police_head"),
            referral.pk,
            "forward",
            {"police_agency": "changsha-police", "reason": "案发地在长沙"},
        )
    assert r.status_code == 400 and "长沙市公安局" in r.json()["police_agency"][0]
    referral.refresh_from_db()
    assert referral.police_agency.slug == "guangzhou-police" and referral.status == "received"


def test_a_forward_goes_once_and_the_referring_agency_is_told_in_writing(api):
    referral = received()
    r = act(
        api("guangzhou.police_head"),
        referral.pk,
        "forward",
        {"police_agency": "foshan-police", "reason": "案发地在佛山"},
    )
    assert r.status_code == 200 and r.json()["police_agency"] == "foshan-police"
    assert r.json()["forwarded_from"] == "guangzhou-police"
    # The referring agency hears of it, and has the 转送告知书 from the police that forwarded.
    assert notified("guangzhou.officer1", "referral_forward").exists()
    assert notified("guangzhou.head", "referral_forward").exists()
    assert notified("foshan.police", "referral_forward").exists()
    paper = api("guangzhou.head").get(f"/api/v1/referrals/{referral.pk}/forward_notice.pdf")
    assert paper.status_code == 200
    text = pdf_text(paper.content)
    assert "移送案件转送告知书" in text and "广州市公安局" in text and "佛山市公安局" in text and "案发地在佛山" in text
    # The police it came from keep the record of what they forwarded, and may do nothing more with it.
    kept = api("guangzhou.police_head").get(f"/api/v1/referrals/{referral.pk}/")
    assert kept.status_code == 200 and kept.json()["actions"] == []
    assert api("guangzhou.police_head").get(f"/api/v1/referrals/{referral.pk}/forward_notice.pdf").status_code == 200
    assert api("guangzhou.police_head").get(f"/api/v1/cases/{referral.case_id}/").status_code == 404
    # The letter stays addressed to the police it was sent to, with its 抄送; each police's receipt stays.
    letter = pdf_text(api("guangzhou.head").get(f"/api/v1/referrals/{referral.pk}/letter.pdf").content)
    assert "广州市公安局：" in letter and "抄送：广州市人民检察院" in letter
    # The procuratorate of the police it now lies with is told.
    assert notified("foshan.procurator", "referral_copy_forward").exists()

    # Forwarding back, or on to a third police agency, is refused: the competent police decide.
    referrals.acknowledge(Referral.objects.get(pk=referral.pk), actor=U("foshan.police"))
    for target in ("guangzhou-police", "shenzhen-police"):
        back = act(api("foshan.police_head"), referral.pk, "forward", {"police_agency": target, "reason": "不归我管"})
        assert back.status_code == 409, back.content
        assert back.json()["code"] == "invalid_transition" and "第7条" in back.json()["detail"]
    referral.refresh_from_db()
    assert referral.police_agency.slug == "foshan-police" and referral.status == "received"
    receipts = pdf_text(api("guangzhou.head").get(f"/api/v1/referrals/{referral.pk}/receipt.pdf").content)
    assert "广州市公安局" in receipts and "佛山市公安局" in receipts
    # The 24 hours to forward do not open again: it may not move twice.
    assert not Deadline.objects.filter(referral=referral, step="forward", met_at__isnull=True).exists()
    # Not competent either? Then it is "not police business" or a decision, never another hand-off.
    assert "forward" not in api("foshan.police_head").get(f"/api/v1/referrals/{referral.pk}/").json()["actions"]


# --- 补正 and not police business ------------------------------------------------------------------


def test_the_police_ask_for_missing_materials_and_the_agency_supplements(api):
    referral = received()
    r = act(api("guangzhou.police_head"), referral.pk, "request_supplement", {"items": "伪造证件的鉴定意见"})
    assert r.status_code == 200 and r.json()["status"] == "supplement_requested"
    assert notified("guangzhou.officer1", "referral_request_supplement").exists()
    text = pdf_text(api("guangzhou.officer1").get(f"/api/v1/referrals/{referral.pk}/supplement_notice.pdf").content)
    assert "补充材料通知书" in text and "伪造证件的鉴定意见" in text and "3日内" in text
    # The agency's handler has the task, with the 3 days of 第180条.
    task = TaskRoute.objects.get(referral=referral, task__status__in=("NEW", "ASSIGNED", "STARTED"))
    assert task.agency.slug == "guangzhou-safety" and task.due_at == Deadline.objects.get(step="supplement").due_at
    r = act(
        api("guangzhou.officer1"),
        referral.pk,
        "supplement",
        {"note": "已补充", "documents": [{"kind": "inspection_report", "title": "证件鉴定意见书"}]},
    )
    assert r.status_code == 200 and r.json()["status"] == "received"
    assert "证件鉴定意见书" in [d["title"] for d in r.json()["documents"]]
    assert r.json()["due_step"] == "police_decision"
    # The letter and the receipt stay as they were signed: the supplement is not written into them.
    referral.refresh_from_db()
    transmitted = [d["title"] for d in DOCS if d["kind"] != "transfer_letter"]
    letter = pdf_text(api("guangzhou.police").get(f"/api/v1/referrals/{referral.pk}/letter.pdf").content)
    assert all(title in letter for title in transmitted) and "证件鉴定意见书" not in letter
    receipt = pdf_text(api("guangzhou.police").get(f"/api/v1/referrals/{referral.pk}/receipt.pdf").content)
    assert f"所附材料{len(transmitted)}份" in receipt and "涉案人员1人）" in receipt


def test_a_public_security_referral_has_no_supplement_step(api):
    case, person = referable_case(kind="forged_certificate")
    referral = referrals.acknowledge(transmitted(case, person), actor=U("guangzhou.police"))
    r = act(api("guangzhou.police_head"), referral.pk, "request_supplement", {"items": "x"})
    assert r.status_code == 409 and "补正" in r.json()["detail"]


def test_not_police_business_is_a_written_notice_and_the_agency_settles_it(api):
    case, person = referable_case()
    referral = referrals.acknowledge(transmitted(case, person), actor=U("guangzhou.police"))
    r = act(
        api("guangzhou.police_head"),
        referral.pk,
        "decline_jurisdiction",
        {"reason": "所涉行为属市场监管职责", "competent_body": "广州市市场监督管理局"},
    )
    assert r.status_code == 200 and r.json()["status"] == "jurisdiction_declined"
    assert notified("guangzhou.head", "referral_decline_jurisdiction").exists()
    text = pdf_text(api("guangzhou.head").get(f"/api/v1/referrals/{referral.pk}/decline_notice.pdf").content)
    assert "不属于公安机关职责范围" in text and "广州市市场监督管理局" in text
    assert Deadline.objects.get(referral=referral, step="answer_decline").met_at is None
    # The agency's task says what is open to it: no reconsideration of a notice that is not a decision.
    assert open_tasks(referral) == [("declined", "guangzhou-safety")]
    task = TaskRoute.objects.get(referral=referral, task__status__in=("NEW", "ASSIGNED", "STARTED"))
    assert "复议" not in str(task.task.flow_task.task_title)
    r = act(api("guangzhou.head"), referral.pk, "accept_rejection", {"reason": "转市场监管部门"})
    assert r.status_code == 200 and r.json()["status"] == "rejection_final"
    assert Deadline.objects.get(referral=referral, step="answer_decline").met_at is not None
    assert "close" in api("guangzhou.head").get(f"/api/v1/cases/{case.pk}/").json()["actions"]


# --- the procuratorate -----------------------------------------------------------------------------


def rejected():
    return referrals.reject(received(), actor=U("guangzhou.police_head"), reason="不构成犯罪")


@pytest.mark.parametrize(
    "procuratorate, code",
    [
        ("shenzhen-procuratorate", 400),  # another city: no jurisdiction over 广州市公安局
        ("foshan-procuratorate", 400),
        ("guangzhou-procuratorate", 200),  # the same level
        ("gd-procuratorate", 200),  # the level above
    ],
)
def test_supervision_goes_only_to_a_procuratorate_over_the_police_that_decided(api, procuratorate, code):
    referral = rejected()
    r = act(
        api("guangzhou.head"), referral.pk, "request_supervision", {"procuratorate": procuratorate, "reason": "请监督"}
    )
    assert r.status_code == code, r.content
    if code == 400:
        assert "广州市人民检察院" in r.json()["procuratorate"][0]
        assert Referral.objects.get(pk=referral.pk).status == "rejected"
    else:
        # The procuratorate asked sees it and has the task.
        office = procuratorate.replace("-procuratorate", "")
        user = "gd.procurator" if office == "gd" else f"{office}.procurator"
        assert "resolve_supervision" in api(user).get(f"/api/v1/referrals/{referral.pk}/").json()["actions"]


def test_after_a_forward_the_procuratorate_of_the_police_that_decided_sees_and_supervises(api):
    referral = received()
    referral = referrals.forward(
        referral, actor=U("guangzhou.police_head"), police_agency="foshan-police", reason="管辖"
    )
    referral = referrals.acknowledge(referral, actor=U("foshan.police"))
    referral = referrals.reject(referral, actor=U("foshan.police_head"), reason="不构成犯罪")
    assert (
        act(
            api("guangzhou.head"),
            referral.pk,
            "request_supervision",
            {"procuratorate": "guangzhou-procuratorate", "reason": "x"},
        ).status_code
        == 400
    )
    r = act(
        api("guangzhou.head"),
        referral.pk,
        "request_supervision",
        {"procuratorate": "foshan-procuratorate", "reason": "x"},
    )
    assert r.status_code == 200
    assert api("foshan.procurator").get(f"/api/v1/cases/{referral.case_id}/").status_code == 200
    assert "resolve_supervision" in api("foshan.procurator").get(f"/api/v1/referrals/{referral.pk}/").json()["actions"]


def test_the_police_explain_within_7_days_and_file_within_15_days_of_an_order(api):
    """程序规定 第182条."""
    referral = referrals.request_supervision(
        rejected(), actor=U("guangzhou.head"), procuratorate="guangzhou-procuratorate", reason="理由不成立"
    )
    r = act(api("guangzhou.procurator"), referral.pk, "request_explanation", {"note": "请说明不立案理由"})
    assert r.status_code == 200 and r.json()["status"] == "supervision"
    explain = Deadline.objects.get(referral=referral, step="explain")
    assert explain.due_at - explain.starts_at >= datetime.timedelta(days=7)
    assert notified("guangzhou.police_head", "referral_request_explanation").exists()
    assert "explain" in api("guangzhou.police_head").get(f"/api/v1/referrals/{referral.pk}/").json()["actions"]
    r = act(api("guangzhou.police_head"), referral.pk, "explain", {"reason": "证据不足以证明有犯罪事实"})
    assert r.status_code == 200 and r.json()["explanation"] == "证据不足以证明有犯罪事实"
    explain.refresh_from_db()
    assert explain.met_at is not None
    # The procuratorate is not persuaded: it orders the filing.
    r = act(api("guangzhou.procurator"), referral.pk, "resolve_supervision", {"outcome": "accept", "note": "通知立案"})
    assert r.status_code == 200 and r.json()["status"] == "filing_ordered"
    filing = Deadline.objects.get(referral=referral, step="file_after_order")
    assert filing.due_at - filing.starts_at >= datetime.timedelta(days=15)
    with time_machine.travel(filing.due_at - datetime.timedelta(hours=1), tick=False):
        r = act(api("guangzhou.police_head"), referral.pk, "accept", {"police_case_number": "穗公立〔2026〕88号"})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    filing.refresh_from_db()
    assert filing.met_at is not None and Deadline.objects.get(referral=referral, step="hand_over").met_at is None


def test_the_same_level_procuratorate_receives_copies_of_the_letter_and_the_rejection(api):
    referral = transmitted()
    copy = notified("guangzhou.procurator", "referral_copy_transmit").get()
    assert copy.referral_id == referral.pk
    text = pdf_text(api("guangzhou.procurator").get(f"/api/v1/referrals/{referral.pk}/letter.pdf").content)
    assert "抄送：广州市人民检察院" in text
    referral = referrals.acknowledge(referral, actor=U("guangzhou.police"))
    referrals.reject(referral, actor=U("guangzhou.police_head"), reason="不构成犯罪")
    assert notified("guangzhou.procurator", "referral_copy_reject").exists()
    notice = pdf_text(api("guangzhou.procurator").get(f"/api/v1/referrals/{referral.pk}/rejection_notice.pdf").content)
    assert "不予立案通知书" in notice and "不构成犯罪" in notice and "抄送：广州市人民检察院" in notice
    # The procuratorate's list shows it.
    listed = api("guangzhou.procurator").get("/api/v1/notifications/").json()["results"]
    assert {"referral_copy_transmit", "referral_copy_reject"} <= {n["kind"] for n in listed}


# --- who sees what ---------------------------------------------------------------------------------


def test_the_police_see_nothing_of_a_referral_before_it_is_transmitted_to_them(api):
    case, person = referable_case()
    sent = transmitted(case, person)
    other = add_person(case, name="李四")
    from cases import actions

    actions.record_finding(case, actor=U("guangzhou.officer1"), kind="certificate_trading", person=other.pk)
    later = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[other.pk], report="另案")
    police = api("guangzhou.police")
    assert police.get(f"/api/v1/referrals/{later.pk}/").status_code == 404
    assert police.get(f"/api/v1/referrals/{later.pk}/letter.pdf").status_code == 404
    assert later.pk not in [r["id"] for r in police.get("/api/v1/referrals/").json()["results"]]
    detail = police.get(f"/api/v1/cases/{case.pk}/").json()
    assert [r["id"] for r in detail["referrals"]] == [sent.pk]
    events = police.get(f"/api/v1/cases/{case.pk}/events/").json()["results"]
    assert later.pk not in {e["referral"] for e in events}
    assert sent.pk in {e["referral"] for e in events}
    # Nor the person added later, their finding, or the events about them: only what was sent.
    assert [p["id"] for p in detail["persons"]] == [person.pk]
    assert {f["person"] for f in detail["findings"]} == {person.pk}
    assert detail["unreferred_persons"] == []
    assert other.pk not in {e["data"].get("person") for e in events}
    assert "add_person" in {e["action"] for e in events}  # the referred person's own events stay
    web = Client()
    web.force_login(U("guangzhou.police"))
    page = web.get(f"/cases/case/{case.pk}/").content.decode()
    assert person.name in page and "李四" not in page
    # The agency sees both.
    mine = api("guangzhou.officer1").get(f"/api/v1/cases/{case.pk}/").json()
    assert {p["id"] for p in mine["persons"]} == {person.pk, other.pk}
    procurator = api("guangzhou.procurator")
    assert procurator.get(f"/api/v1/referrals/{later.pk}/").status_code == 404
    # The agency itself and the supervisors see both.
    assert api("guangzhou.head").get(f"/api/v1/referrals/{later.pk}/").status_code == 200
    assert api("guangzhou.supervisor").get(f"/api/v1/referrals/{later.pk}/").status_code == 200


def test_the_police_and_the_procuratorate_see_the_referred_persons_in_full_and_it_is_recorded(api):
    case, person = referable_case(name="王五")
    bystander = add_person(case, name="赵六")
    transmitted(case, person)
    for username in ("guangzhou.police", "guangzhou.procurator"):
        before = IdNumberView.objects.filter(user__username=username, case=case).count()
        persons = {p["id"]: p["id_number"] for p in api(username).get(f"/api/v1/cases/{case.pk}/").json()["persons"]}
        assert persons[person.pk] == person.id_number, username
        assert bystander.pk not in persons  # not referred: not theirs to read
        assert IdNumberView.objects.filter(user__username=username, case=case).count() == before + 1
    # A supervisor audits with masked numbers.
    persons = {
        p["id"]: p["id_number"] for p in api("guangzhou.supervisor").get(f"/api/v1/cases/{case.pk}/").json()["persons"]
    }
    assert persons[person.pk] == person.id_masked


def test_the_receipt_names_its_signer_and_time(api):
    referral = transmitted()
    with time_machine.travel(
        datetime.datetime(2026, 12, 3, 10, 15, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    ):
        referral = referrals.acknowledge(referral, actor=U("guangzhou.police"))
    body = api("guangzhou.officer1").get(f"/api/v1/referrals/{referral.pk}/").json()
    assert body["received_by"] == "guangzhou.police"
    text = pdf_text(api("guangzhou.officer1").get(f"/api/v1/referrals/{referral.pk}/receipt.pdf").content)
    signer = U("guangzhou.police")
    assert "2026年12月3日10时15分" in text and (signer.get_full_name() or signer.username) in text


def supervising():
    return referrals.request_supervision(
        rejected(), actor=U("guangzhou.head"), procuratorate="guangzhou-procuratorate", reason="理由不成立"
    )


def open_tasks(referral):
    return sorted(
        (t.task.flow_task.name, t.agency.slug)
        for t in TaskRoute.objects.filter(referral=referral, task__status__in=("NEW", "ASSIGNED", "STARTED"))
    )


def test_the_procuratorate_orders_the_filing_only_after_the_police_explain(api):
    """刑事诉讼法 第113条: the police's reasons first; if they do not stand, the order to file."""
    referral = supervising()
    body = {"outcome": "accept", "note": "通知立案"}
    r = act(api("guangzhou.procurator"), referral.pk, "resolve_supervision", body)
    assert r.status_code == 409 and "第113条" in r.json()["detail"]
    act(api("guangzhou.procurator"), referral.pk, "request_explanation", {"note": "请说明"})
    r = act(api("guangzhou.procurator"), referral.pk, "resolve_supervision", body)
    assert r.status_code == 409  # still waiting for the explanation
    assert open_tasks(referral) == [("explain", "guangzhou-police")]
    act(api("guangzhou.police_head"), referral.pk, "explain", {"reason": "证据不足"})
    assert open_tasks(referral) == [("supervision", "guangzhou-procuratorate")]
    r = act(api("guangzhou.procurator"), referral.pk, "resolve_supervision", body)
    assert r.status_code == 200 and r.json()["status"] == "filing_ordered"
    assert r.json()["supervision_outcome"] == "accept" and r.json()["supervision_note"] == "通知立案"
    assert open_tasks(referral) == [("file_case", "guangzhou-police")]
    title = notified("guangzhou.police_head", "referral_resolve_supervision").get().title
    assert "通知公安机关立案" in title
    text = pdf_text(api("guangzhou.police_head").get(f"/api/v1/referrals/{referral.pk}/filing_order.pdf").content)
    assert "通知立案书" in text and "十五日以内立案" in text
    # The police file; the procuratorate that supervised receives the 立案 (程序规定 第182条).
    act(api("guangzhou.police_head"), referral.pk, "accept", {"police_case_number": "穗公立〔2026〕99号"})
    assert notified("guangzhou.procurator", "referral_copy_accept").exists()
    notice = pdf_text(api("guangzhou.procurator").get(f"/api/v1/referrals/{referral.pk}/acceptance_notice.pdf").content)
    assert "立案通知书" in notice and "穗公立〔2026〕99号" in notice and "依照人民检察院的立案通知" in notice


def test_asked_for_their_reasons_the_police_may_file_of_their_own(api):
    """程序规定 第182条: police who find their own reasons do not stand file the case, without
    waiting for the order; before they are asked, a referral under supervision is not theirs."""
    referral = supervising()
    number = {"police_case_number": "穗公立〔2026〕120号"}
    early = act(api("guangzhou.police_head"), referral.pk, "accept", number)
    assert early.status_code == 409 and early.json()["code"] == "invalid_transition"
    act(api("guangzhou.procurator"), referral.pk, "request_explanation", {"note": "请说明"})
    detail = api("guangzhou.police_head").get(f"/api/v1/referrals/{referral.pk}/").json()
    assert set(detail["actions"]) == {"accept", "explain"}
    r = act(api("guangzhou.police_head"), referral.pk, "accept", number)
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.content
    assert Deadline.objects.get(referral=referral, step="explain").met_by == "accept"
    assert open_tasks(referral) == [("hand_over", "guangzhou-safety")]
    assert notified("guangzhou.procurator", "referral_copy_accept").exists()
    notice = pdf_text(api("guangzhou.procurator").get(f"/api/v1/referrals/{referral.pk}/acceptance_notice.pdf").content)
    assert "原不立案理由不能成立" in notice and "穗公立〔2026〕120号" in notice


def test_finding_the_non_filing_sound_while_an_explanation_is_pending_leaves_no_task_behind(api):
    referral = supervising()
    act(api("guangzhou.procurator"), referral.pk, "request_explanation", {"note": "请说明"})
    r = act(api("guangzhou.procurator"), referral.pk, "resolve_supervision", {"outcome": "reject", "note": "理由成立"})
    assert r.status_code == 200 and r.json()["status"] == "rejection_final"
    assert open_tasks(referral) == []
    explain = Deadline.objects.get(referral=referral, step="explain")
    assert explain.met_by == "resolve_supervision"  # ended by the decision, not met by an explanation
    assert "理由成立" in notified("guangzhou.head", "referral_resolve_supervision").get().title
    assert "resolve_supervision" in [
        e["action"] for e in api("guangzhou.head").get(f"/api/v1/referrals/{referral.pk}/").json()["history"]
    ]


def test_the_rejection_notice_keeps_its_reasons_after_a_reconsideration(api):
    referral = rejected()
    referral = referrals.request_reconsideration(referral, actor=U("guangzhou.head"), reason="请复议")
    referral = referrals.decide_reconsideration(
        referral, actor=U("guangzhou.police_head"), accept=False, reason="维持原决定"
    )
    notice = pdf_text(api("guangzhou.head").get(f"/api/v1/referrals/{referral.pk}/rejection_notice.pdf").content)
    assert "理由：不构成犯罪" in notice and "维持原决定" not in notice
    decision = pdf_text(
        api("guangzhou.head").get(f"/api/v1/referrals/{referral.pk}/reconsideration_decision.pdf").content
    )
    assert "复议决定书" in decision and "维持原不予立案决定" in decision and "维持原决定" in decision
    assert "自收到本决定书之日起3日内建议人民检察院" in decision


def test_a_person_with_nothing_for_the_police_is_not_referred(api):
    case, person = referable_case()
    other = add_person(case, name="无关人员")
    r = api("guangzhou.officer1").post(
        f"/api/v1/cases/{case.pk}/actions/propose_referral/",
        {"persons": [person.pk, other.pk], "report": "x"},
        format="json",
    )
    assert r.status_code == 400 and "无关人员" in r.json()["persons"][0]


def test_papers_are_in_chinese_and_messages_name_actions_as_people_say_them(api):
    referral = received()
    english = api("guangzhou.officer1")
    text = pdf_text(english.get(f"/api/v1/referrals/{referral.pk}/letter.pdf", HTTP_ACCEPT_LANGUAGE="en").content)
    assert "持证人" in text and "holder" not in text
    r = act(api("guangzhou.officer1"), referral.pk, "accept", {"police_case_number": "x"})
    assert r.status_code == 403 and "accept" not in r.json()["detail"] and "立案" in r.json()["detail"]
    r = english.post(
        f"/api/v1/referrals/{referral.pk}/actions/hand_over/", {"items": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert r.status_code == 409 and "Hand over evidence and items" in r.json()["detail"]
    # A notification is written in the offices' language whoever acted.
    referrals.reject(Referral.objects.get(pk=referral.pk), actor=U("guangzhou.police_head"), reason="x")
    assert "不予立案" in notified("guangzhou.head", "referral_reject").get().title


def test_the_next_deadline_says_whose_it_is_and_the_time_bars_beside_it(api):
    referral = received()
    page = api("guangzhou.police_head")
    page.force_login(U("guangzhou.police_head"))
    from django.urls import reverse

    html = page.get(reverse("referrals:referral:detail", args=[referral.pk])).content.decode()
    headline = html.split('data-testid="next-deadline"')[1].split("</span>")[0]
    assert "公安机关决定是否立案" in headline and "公安机关" in headline
    bar = html.split('data-testid="time-bar"')[1].split("</span>")[0]
    assert "补正" in bar
    detail = api("guangzhou.police_head").get(f"/api/v1/referrals/{referral.pk}/").json()
    assert detail["due_at"].endswith("+08:00")
    assert detail["subjects"][0]["id_number"] == referral.persons.get().id_number
    assert detail["subjects"][0]["offences"][0]["article"] == "刑法 第280条第一款"


def test_the_history_reads_as_text(api):
    case, person = referable_case()
    referral = transmitted(case, person)
    referral = referrals.acknowledge(referral, actor=U("guangzhou.police"))
    referral = referrals.accept(referral, actor=U("guangzhou.police_head"), police_case_number="x")
    referrals.hand_over(referral, actor=U("guangzhou.officer1"), items="伪造证件2本")
    page = api("guangzhou.officer1")
    page.force_login(U("guangzhou.officer1"))
    from django.urls import reverse

    html = page.get(reverse("referrals:referral:detail", args=[referral.pk])).content.decode()
    assert "dict_items" not in html and "伪造证件2本" in html
    assert notified("guangzhou.police", "referral_hand_over").exists()
    assert notified("guangzhou.officer1", "referral_acknowledge").exists()


# --- what the police's second look found ------------------------------------------------------------


def test_a_forward_leaves_the_case_open_to_police_who_still_decide_another_of_its_referrals(api):
    case, first = referable_case()
    second = add_person(case, name="李四")
    from cases import actions

    actions.record_finding(case, actor=U("guangzhou.officer1"), kind="certificate_trading", person=second.pk)
    one = referrals.acknowledge(transmitted(case, first), actor=U("guangzhou.police"))
    two = referrals.acknowledge(transmitted(case, second), actor=U("guangzhou.police"))
    act(api("guangzhou.police_head"), one.pk, "forward", {"police_agency": "foshan-police", "reason": "管辖"})
    police = api("guangzhou.police_head")
    detail = police.get(f"/api/v1/cases/{case.pk}/")
    assert detail.status_code == 200
    # What is still theirs, and the person of the referral they received and sent on (their record).
    assert {p["id"] for p in detail.json()["persons"]} == {first.pk, second.pk}
    assert "accept" in police.get(f"/api/v1/referrals/{two.pk}/").json()["actions"]
    # Once the last of them is forwarded too, the case is no longer theirs to read.
    act(police, two.pk, "forward", {"police_agency": "foshan-police", "reason": "管辖"})
    assert police.get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_a_search_never_finds_a_case_by_a_person_not_sent_to_the_searcher(api):
    case, person = referable_case(name="王五")
    transmitted(case, person)
    hidden = add_person(case, name="未移送者")
    for username in ("guangzhou.police", "guangzhou.procurator", "gd.procurator"):
        client = api(username)
        assert client.get("/api/v1/cases/", {"q": "未移送者"}).json()["results"] == [], username
        assert client.post("/api/v1/cases/search/", {"q": hidden.id_number}, format="json").json()["results"] == []
        found = client.get("/api/v1/cases/", {"q": "王五"}).json()["results"]
        assert [c["id"] for c in found] == [case.pk], username
    mine = (
        api("guangzhou.officer1")
        .post("/api/v1/cases/search/", {"q": hidden.id_number}, format="json")
        .json()["results"]
    )
    assert [c["id"] for c in mine] == [case.pk]
    web = Client()
    web.force_login(U("guangzhou.police"))
    assert case.number not in web.get("/cases/case/", {"q": "未移送者"}).content.decode()


def test_every_supplement_notice_stays_as_issued_with_its_own_number(api):
    referral = received()
    head, officer = api("guangzhou.police_head"), api("guangzhou.officer1")
    document = {"note": "已补充", "documents": [{"kind": "inspection_report", "title": "证件鉴定意见书"}]}
    assert act(head, referral.pk, "request_supplement", {"items": "补充鉴定意见"}).status_code == 200
    empty = act(officer, referral.pk, "supplement", {"note": "已补充", "documents": []})
    assert empty.status_code == 400 and empty.json()["documents"]
    letter = act(
        officer, referral.pk, "supplement", {"note": "x", "documents": [{"kind": "transfer_letter", "title": "移送书"}]}
    )
    assert letter.status_code == 400 and letter.json()["documents"]
    assert act(officer, referral.pk, "supplement", document).status_code == 200
    assert act(head, referral.pk, "request_supplement", {"items": "再次补充银行流水"}).status_code == 200
    text = pdf_text(officer.get(f"/api/v1/referrals/{referral.pk}/supplement_notice.pdf").content)
    assert text.count("补充材料通知书") == 2
    assert "补充鉴定意见" in text and "再次补充银行流水" in text
    assert f"{referral.number}-补正" in text and f"{referral.number}-补正-2" in text


def test_a_public_security_matter_not_registered_leaves_the_agency_only_what_it_can_do(api):
    case, person = referable_case(kind="forged_certificate")
    referral = referrals.acknowledge(transmitted(case, person), actor=U("guangzhou.police"))
    r = act(api("guangzhou.police_head"), referral.pk, "reject", {"reason": "不构成违反治安管理行为"})
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    assert open_tasks(referral) == [("not_registered", "guangzhou-safety")]
    assert api("guangzhou.head").get(f"/api/v1/referrals/{referral.pk}/").json()["actions"] == ["accept_rejection"]


def test_a_filing_under_supervision_is_copied_to_the_same_level_procuratorate_and_the_supervising_one(api):
    referral = referrals.request_supervision(
        rejected(), actor=U("guangzhou.head"), procuratorate="gd-procuratorate", reason="理由不成立"
    )
    act(api("gd.procurator"), referral.pk, "request_explanation", {"note": "请说明"})
    act(api("guangzhou.police_head"), referral.pk, "accept", {"police_case_number": "穗公立〔2026〕121号"})
    notice = pdf_text(api("guangzhou.head").get(f"/api/v1/referrals/{referral.pk}/acceptance_notice.pdf").content)
    assert "抄送：广州市人民检察院、广东省人民检察院" in notice

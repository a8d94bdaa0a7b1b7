"""The referral road end to end through API v1 (DESIGN §3, §4)."""

import pytest

from cases.models import Case, Referral
from tests.workflows.helpers import DOCS, act, propose, referable_case

pytestmark = pytest.mark.django_db


def tasks(client):
    return [(t["step"], t["referral"]) for t in client.get("/api/v1/tasks/").json()["results"]]


def test_proposal_approval_transmission_receipt_acceptance_hand_over_then_the_case_closes(api):
    officer, officer2, head = api("guangzhou.officer1"), api("guangzhou.officer2"), api("guangzhou.head")
    police, police_head = api("guangzhou.police"), api("guangzhou.police_head")
    case, person = referable_case()
    assert "propose_referral" in officer.get(f"/api/v1/cases/{case.pk}/").json()["actions"]
    assert officer.get(f"/api/v1/cases/{case.pk}/").json()["unreferred_persons"] == [person.pk]
    rid = propose(officer, case, person)
    detail = officer.get(f"/api/v1/cases/{case.pk}/").json()
    assert "propose_referral" not in detail["actions"] and detail["unreferred_persons"] == []

    assert tasks(head) == [("decide", rid)]
    assert tasks(officer) == []
    r = head.get(f"/api/v1/referrals/{rid}/").json()
    assert r["status"] == "proposed" and r["actions"] == ["approve", "refuse"] and r["due_step"] == "decide"
    assert police.get(f"/api/v1/referrals/{rid}/").status_code == 404

    assert act(head, rid, "approve").json()["status"] == "approved"
    assert (
        tasks(head) == [("transmit", rid)]
        and tasks(officer) == [("transmit", rid)]
        and tasks(officer2) == [("transmit", rid)]
    )
    r = act(officer, rid, "transmit", {"documents": DOCS})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "transmitted" and len(r.json()["documents"]) == 3
    assert tasks(officer) == [] and tasks(police) == [("receipt", rid)]

    assert police.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert police.get(f"/api/v1/referrals/{rid}/").json()["actions"] == ["acknowledge"]
    assert act(police, rid, "acknowledge").json()["status"] == "received"
    assert tasks(police) == [] and tasks(police_head) == [("police_decision", rid)]
    assert act(police, rid, "accept", {"police_case_number": "穗公立字〔2026〕101号"}).status_code == 403
    r = act(police_head, rid, "accept", {"police_case_number": "穗公立字〔2026〕101号"})
    assert r.json()["status"] == "accepted" and r.json()["police_case_number"] == "穗公立字〔2026〕101号"
    assert tasks(officer) == [("hand_over", rid)]
    assert (
        head.post(f"/api/v1/cases/{case.pk}/actions/close/", {"summary": "x"}, format="json").json()["code"]
        == "unreferred"
    )
    assert act(officer, rid, "hand_over", {"items": "伪造操作证1本"}).json()["status"] == "handed_over"
    assert tasks(officer) == [] and tasks(head) == []

    r = head.post(f"/api/v1/cases/{case.pk}/actions/close/", {"summary": "已移送公安立案侦查"}, format="json")
    assert r.status_code == 200, r.content
    assert Case.objects.get(pk=case.pk).status == "closed"

    history = officer.get(f"/api/v1/referrals/{rid}/").json()["history"]
    assert [(h["action"], h["actor"], h["to_status"]) for h in history] == [
        ("propose_referral", "guangzhou.officer1", "open"),
        ("approve", "guangzhou.head", "approved"),
        ("transmit", "guangzhou.officer1", "transmitted"),
        ("acknowledge", "guangzhou.police", "received"),
        ("accept", "guangzhou.police_head", "accepted"),
        ("hand_over", "guangzhou.officer1", "handed_over"),
    ]
    assert (
        history[4]["agency"] == "guangzhou-police"
        and history[4]["data"]["police_case_number"] == "穗公立字〔2026〕101号"
    )


def test_the_rejection_road_reconsideration_upheld_procuratorate_final(api):
    officer, head, police_head = api("guangzhou.officer1"), api("guangzhou.head"), api("guangzhou.police_head")
    procurator = api("guangzhou.procurator")
    case, person = referable_case()
    rid = propose(officer, case, person)
    act(head, rid, "approve")
    act(officer, rid, "transmit", {"documents": DOCS})
    act(police_head, rid, "acknowledge")
    r = act(police_head, rid, "reject", {"reason": "证据不足，不构成犯罪"})
    assert r.json()["status"] == "rejected"
    assert tasks(head) == [("remedy", rid)]
    assert (
        act(head, rid, "request_reconsideration", {"reason": "证件系伪造，已有鉴定意见"}).json()["status"]
        == "reconsideration"
    )
    assert tasks(police_head) == [("reconsideration", rid)]
    r = act(police_head, rid, "decide_reconsideration", {"accept": False, "reason": "维持原决定"})
    assert r.json()["status"] == "rejection_upheld"
    assert tasks(head) == [("remedy_upheld", rid)]
    assert procurator.get(f"/api/v1/referrals/{rid}/").status_code == 200
    assert act(procurator, rid, "resolve_supervision", {"outcome": "reject", "note": "x"}).status_code == 409
    r = act(head, rid, "request_supervision", {"procuratorate": "guangzhou-procuratorate", "reason": "提请立案监督"})
    assert r.json()["status"] == "supervision" and r.json()["procuratorate"] == "guangzhou-procuratorate"
    assert tasks(procurator) == [("supervision", rid)]
    r = act(procurator, rid, "resolve_supervision", {"outcome": "reject", "note": "公安机关不立案理由成立"})
    assert r.json()["status"] == "rejection_final"
    assert tasks(head) == [] and tasks(procurator) == []
    assert (
        head.post(
            f"/api/v1/cases/{case.pk}/actions/close/", {"summary": "依第十条作行政处罚后结案"}, format="json"
        ).status_code
        == 200
    )


def test_refusal_supervisor_endorsement_then_close(api):
    officer, head, supervisor = api("guangzhou.officer1"), api("guangzhou.head"), api("guangzhou.supervisor")
    case, person = referable_case()
    rid = propose(officer, case, person)
    r = act(head, rid, "refuse", {"reason": "情节显著轻微"})
    assert r.json()["status"] == "refused"
    assert tasks(supervisor) == [("review_refusal", rid)]
    assert tasks(api("shenzhen.supervisor")) == []
    assert act(head, rid, "endorse_refusal", {"note": "x"}).status_code == 403
    assert act(supervisor, rid, "endorse_refusal", {"note": "同意不移送"}).json()["status"] == "refusal_endorsed"
    assert tasks(supervisor) == []
    assert head.post(f"/api/v1/cases/{case.pk}/actions/close/", {"summary": "结案"}, format="json").status_code == 200


def test_a_supervisor_can_order_the_transfer_of_a_refused_referral(api):
    officer, head = api("guangzhou.officer1"), api("guangzhou.head")
    case, person = referable_case()
    rid = propose(officer, case, person)
    act(head, rid, "refuse", {"reason": "情节显著轻微"})
    r = act(api("gd.supervisor"), rid, "order_transfer", {"note": "应当移送"})
    assert r.json()["status"] == "approved"
    assert tasks(officer) == [("transmit", rid)]


def test_forwarding_moves_the_case_to_the_other_police_agency(api):
    officer, head = api("guangzhou.officer1"), api("guangzhou.head")
    case, person = referable_case()
    rid = propose(officer, case, person)
    act(head, rid, "approve")
    act(officer, rid, "transmit", {"documents": DOCS})
    gz, fs = api("guangzhou.police_head"), api("foshan.police")
    act(gz, rid, "acknowledge")
    r = act(gz, rid, "forward", {"police_agency": "foshan-police", "reason": "犯罪地在佛山"})
    assert r.json()["status"] == "transmitted" and r.json()["police_agency"] == "foshan-police"
    assert gz.get(f"/api/v1/cases/{case.pk}/").status_code == 404
    # The police that forwarded it keep the record (read-only), not the case.
    kept = gz.get(f"/api/v1/referrals/{rid}/")
    assert kept.status_code == 200 and kept.json()["actions"] == []
    assert fs.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert tasks(fs) == [("receipt", rid)] and tasks(gz) == []


def test_the_head_approves_and_never_proposes_so_no_proposal_is_stuck(api):
    """310号令 第5条: the handlers report, the head approves. A head's own proposal could never be
    approved by anyone (the proposer never approves), so it is refused before it exists."""
    head, officer = api("guangzhou.head"), api("guangzhou.officer1")
    case, person = referable_case()
    r = head.post(
        f"/api/v1/cases/{case.pk}/actions/propose_referral/",
        {"persons": [person.pk], "report": "涉嫌伪造证件", "police_agency": "guangzhou-police"},
        format="json",
    )
    assert r.status_code == 403 and "第5条" in r.json()["detail"], r.content
    assert not Referral.objects.filter(case=case).exists()
    assert "propose_referral" not in head.get(f"/api/v1/cases/{case.pk}/").json()["actions"]
    rid = propose(officer, case, person)
    assert tasks(head) == [("decide", rid)]
    assert act(head, rid, "approve").status_code == 200
    assert Referral.objects.get(pk=rid).status == "approved"


def test_transmission_needs_the_three_documents(api):
    officer, head = api("guangzhou.officer1"), api("guangzhou.head")
    case, person = referable_case()
    rid = propose(officer, case, person)
    act(head, rid, "approve")
    r = act(officer, rid, "transmit", {"documents": DOCS[:2]})
    assert r.status_code == 400 and "documents" in r.json()
    assert Referral.objects.get(pk=rid).status == "approved"
    assert Referral.objects.get(pk=rid).documents.count() == 0


def test_referral_list_and_inbox_cost_the_same_for_1_and_8_referrals(api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    head = api("guangzhou.head")

    def count(path):
        head.get(path)
        with CaptureQueriesContext(connection) as ctx:
            assert head.get(path).status_code == 200
        return len(ctx.captured_queries)

    case, person = referable_case()
    propose(api("guangzhou.officer1"), case, person)
    one = (count("/api/v1/referrals/"), count("/api/v1/tasks/"))
    for i in range(7):
        case, person = referable_case(name=f"人员{i}")
        propose(api("guangzhou.officer1"), case, person)
    assert (count("/api/v1/referrals/"), count("/api/v1/tasks/")) == one
    assert len(head.get("/api/v1/tasks/").json()["results"]) == 8


def test_history_records_who_when_and_why(api):
    officer, head = api("guangzhou.officer1"), api("guangzhou.head")
    case, person = referable_case()
    rid = propose(officer, case, person)
    act(head, rid, "refuse", {"reason": "情节显著轻微，不构成犯罪"})
    step = officer.get(f"/api/v1/referrals/{rid}/").json()["history"][-1]
    assert (step["action"], step["actor"], step["agency"], step["from_status"], step["to_status"]) == (
        "refuse",
        "guangzhou.head",
        "guangzhou-safety",
        "proposed",
        "refused",
    )
    assert step["data"]["reason"] == "情节显著轻微，不构成犯罪" and step["at"]

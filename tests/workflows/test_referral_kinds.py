"""Two kinds of referral (LEGAL.md §2, "What goes to the police, and how"): forging, altering or
trading certificates is a suspected crime (刑法 第280条), a counterfeit website too (第287条之一);
using a forged certificate alone goes to the police as a 治安 matter (治安管理处罚法 第52条)."""

import pytest

from cases import actions
from tests.factories import add_person, demo_user
from tests.workflows.helpers import DOCS, act, referable_case
from workflows import actions as referrals
from workflows.models import Deadline

pytestmark = pytest.mark.django_db
U = demo_user


def propose(api, case, persons, **more):
    return api("guangzhou.officer1").post(
        f"/api/v1/cases/{case.pk}/actions/propose_referral/",
        {"persons": [p.pk for p in persons], "report": "移送", **more},
        format="json",
    )


@pytest.mark.parametrize(
    "finding, kind",
    [
        ("forged_certificate", "public_security"),  # used a forged certificate
        ("altered_certificate", "criminal"),
        ("certificate_trading", "criminal"),
        ("illegal_intermediary", "criminal"),
    ],
)
def test_the_finding_decides_the_kind(api, finding, kind):
    case, person = referable_case(kind=finding)
    r = propose(api, case, [person])
    assert r.status_code == 200, r.content
    assert r.json()["referrals"][-1]["kind"] == kind
    referral_id = r.json()["referrals"][-1]["id"]
    assert api("guangzhou.officer1").get(f"/api/v1/referrals/{referral_id}/").json()["kind"] == kind


def test_a_counterfeit_website_goes_as_a_crime():
    case, _person = referable_case(kind="counterfeit_website")
    actions.record_finding(case, actor=U("guangzhou.officer1"), kind="counterfeit_website")
    referral = referrals.propose_referral(
        case, actor=U("guangzhou.officer1"), persons=[], include_party=True, report="x"
    )
    assert referral.kind == "criminal"


def user_and_seller():
    case, seller = referable_case(name="卖证人")
    user = add_person(case, name="用证人")
    actions.record_finding(case, actor=U("guangzhou.officer1"), kind="forged_certificate", person=user.pk)
    return case, seller, user


def test_subjects_that_go_different_ways_are_proposed_separately_or_with_a_chosen_kind(api):
    case, seller, user = user_and_seller()
    r = propose(api, case, [seller, user])
    assert r.status_code == 400
    assert "卖证人" in r.json()["persons"][0] and "用证人" in r.json()["persons"][0]
    # Choosing the other kind needs its reason.
    r = propose(api, case, [user], kind="criminal")
    assert r.status_code == 400 and "用证人" in r.json()["kind_reason"][0]
    r = propose(api, case, [user], kind="criminal", kind_reason="用证人同时向他人出售伪造证件")
    assert r.status_code == 200, r.content
    referral = api("guangzhou.officer1").get(f"/api/v1/referrals/{r.json()['referrals'][-1]['id']}/").json()
    assert referral["kind"] == "criminal" and referral["kind_reason"] == "用证人同时向他人出售伪造证件"


def road(referral, police_number):
    referral = referrals.approve(referral, actor=U("guangzhou.head"))
    referral = referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    referral = referrals.acknowledge(referral, actor=U("guangzhou.police"))
    referral = referrals.accept(referral, actor=U("guangzhou.police_head"), police_case_number=police_number)
    return referrals.hand_over(referral, actor=U("guangzhou.officer1"), items="伪造证件1本")


def test_both_kinds_settle_the_close_guard(api):
    case, seller, user = user_and_seller()
    forger = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[seller.pk], report="出售")
    holder = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[user.pk], report="使用")
    assert (forger.kind, holder.kind) == ("criminal", "public_security")
    road(forger, "穗公立〔2026〕1号")
    r = api("guangzhou.head").post(f"/api/v1/cases/{case.pk}/actions/close/", {"summary": "结案"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "unreferred" and "用证人" in r.json()["detail"]
    holder = road(holder, "穗公（治）受字〔2026〕1号")
    assert holder.status == "handed_over"
    r = api("guangzhou.head").post(f"/api/v1/cases/{case.pk}/actions/close/", {"summary": "结案"}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "closed"


def ps_rejected():
    case, person = referable_case(kind="forged_certificate")
    referral = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="使用")
    referral = referrals.approve(referral, actor=U("guangzhou.head"))
    referral = referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    referral = referrals.acknowledge(referral, actor=U("guangzhou.police"))
    return case, referrals.reject(referral, actor=U("guangzhou.police_head"), reason="情节显著轻微")


def test_a_refused_public_security_matter_has_no_310_remedies_and_is_settled_by_the_agency(api):
    case, referral = ps_rejected()
    assert Deadline.objects.filter(referral=referral, step="ask_reconsideration").count() == 0
    assert Deadline.objects.get(referral=referral, step="conclude_rejection").met_at is None
    head = api("guangzhou.head")
    for name, body in (
        ("request_reconsideration", {"reason": "x"}),
        ("request_supervision", {"procuratorate": "guangzhou-procuratorate", "reason": "x"}),
    ):
        r = act(head, referral.pk, name, body)
        assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
        assert "310" in r.json()["detail"]
    assert head.get(f"/api/v1/referrals/{referral.pk}/").json()["actions"] == ["accept_rejection"]
    r = act(head, referral.pk, "accept_rejection", {"reason": "由本机关依法给予行政处罚"})
    assert r.status_code == 200 and r.json()["status"] == "rejection_final"
    assert "close" in head.get(f"/api/v1/cases/{case.pk}/").json()["actions"]


def test_the_police_record_the_outcome_of_a_public_security_matter(api):
    case, person = referable_case(kind="forged_certificate")
    referral = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="使用")
    referral = referrals.approve(referral, actor=U("guangzhou.head"))
    referral = referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    referral = referrals.acknowledge(referral, actor=U("guangzhou.police"))
    referral = referrals.accept(referral, actor=U("guangzhou.police_head"), police_case_number="受字1号")
    r = act(api("guangzhou.police_head"), referral.pk, "record_outcome", {"outcome": "行政拘留十日，并处罚款五百元"})
    assert r.status_code == 200 and r.json()["outcome"] == "行政拘留十日，并处罚款五百元"
    assert r.json()["status"] == "accepted"  # the agency still hands over
    assert Deadline.objects.get(referral=referral, step="ps_outcome").met_at is not None
    # The agency's handover task is still the agency's (recording the outcome did not complete it).
    assert "hand_over" in api("guangzhou.officer1").get(f"/api/v1/referrals/{referral.pk}/").json()["actions"]
    tasks = api("guangzhou.officer1").get("/api/v1/tasks/").json()["results"]
    assert [t["step"] for t in tasks if t["referral"] == referral.pk] == ["hand_over"]
    again = act(api("guangzhou.police_head"), referral.pk, "record_outcome", {"outcome": "x"})
    assert again.status_code == 409
    r = act(api("guangzhou.officer1"), referral.pk, "hand_over", {"items": "伪造证件1本"})
    assert r.status_code == 200 and r.json()["status"] == "handed_over"
    assert not [
        t for t in api("guangzhou.police_head").get("/api/v1/tasks/").json()["results"] if t["referral"] == referral.pk
    ]


def test_a_criminal_referral_records_no_outcome_here(api):
    case, person = referable_case()
    referral = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="出售")
    referral = road(referral, "穗公立1号")
    r = act(api("guangzhou.police_head"), referral.pk, "record_outcome", {"outcome": "x"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"

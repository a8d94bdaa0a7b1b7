"""The referral transition table of DESIGN §3, every status × every action, with the role of
each actor: allowed edges move to their target; forbidden edges answer 409 (or 404 to those
who cannot see the referral yet)."""

import pytest

from cases.models import SENT_REFERRAL_STATUSES, Referral, ReferralStatus
from demo.reach import reach
from tests.factories import demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

pytestmark = pytest.mark.django_db
U = demo_user

ACTOR = {
    "approve": "guangzhou.head",
    "refuse": "guangzhou.head",
    "endorse_refusal": "guangzhou.supervisor",
    "order_transfer": "guangzhou.supervisor",
    "transmit": "guangzhou.officer1",
    "acknowledge": "guangzhou.police",
    "forward": "guangzhou.police_head",
    "accept": "guangzhou.police_head",
    "reject": "guangzhou.police_head",
    "request_reconsideration": "guangzhou.head",
    "decide_reconsideration": "guangzhou.police_head",
    "request_supervision": "guangzhou.head",
    "resolve_supervision": "guangzhou.procurator",
    "accept_rejection": "guangzhou.head",
    "hand_over": "guangzhou.officer1",
    "request_supplement": "guangzhou.police_head",
    "supplement": "guangzhou.officer1",
    "decline_jurisdiction": "guangzhou.police_head",
    "request_explanation": "guangzhou.procurator",
    "explain": "guangzhou.police_head",
    "record_outcome": "guangzhou.police_head",
}
BODY = {
    "approve": {},
    "refuse": {"reason": "情节轻微"},
    "endorse_refusal": {"note": "同意"},
    "order_transfer": {"note": "应当移送"},
    "transmit": {"documents": DOCS},
    "acknowledge": {},
    "forward": {"police_agency": "foshan-police", "reason": "管辖"},
    "accept": {"police_case_number": "穗公立〔2026〕7号"},
    "reject": {"reason": "不构成犯罪"},
    "request_reconsideration": {"reason": "请复议"},
    "decide_reconsideration": {"accept": False, "reason": "维持"},
    "request_supervision": {"procuratorate": "guangzhou-procuratorate", "reason": "请监督"},
    "resolve_supervision": {"outcome": "reject", "note": "不立案理由成立"},
    "accept_rejection": {"reason": "接受"},
    "hand_over": {"items": "假证1本"},
    "request_supplement": {"items": "鉴定意见"},
    "supplement": {"note": "已补充", "documents": [{"kind": "inspection_report", "title": "证件鉴定意见书"}]},
    "decline_jurisdiction": {"reason": "不属于公安机关职责范围"},
    "request_explanation": {"note": "请说明理由"},
    "explain": {"reason": "证据不足"},
    "record_outcome": {"outcome": "行政拘留十日"},
}
EDGES = {
    ("proposed", "approve"): "approved",
    ("proposed", "refuse"): "refused",
    ("refused", "endorse_refusal"): "refusal_endorsed",
    ("refused", "order_transfer"): "approved",
    ("approved", "transmit"): "transmitted",
    ("transmitted", "acknowledge"): "received",
    ("transmitted", "forward"): "transmitted",
    ("received", "forward"): "transmitted",
    ("received", "accept"): "accepted",
    ("received", "reject"): "rejected",
    ("rejected", "request_reconsideration"): "reconsideration",
    ("reconsideration", "decide_reconsideration"): "rejection_upheld",
    ("rejected", "request_supervision"): "supervision",
    ("rejection_upheld", "request_supervision"): "supervision",
    ("supervision", "resolve_supervision"): "rejection_final",
    ("rejected", "accept_rejection"): "rejection_final",
    ("rejection_upheld", "accept_rejection"): "rejection_final",
    ("accepted", "hand_over"): "handed_over",
    ("received", "request_supplement"): "supplement_requested",
    ("supplement_requested", "supplement"): "received",
    ("transmitted", "decline_jurisdiction"): "jurisdiction_declined",
    ("received", "decline_jurisdiction"): "jurisdiction_declined",
    ("jurisdiction_declined", "request_supervision"): "supervision",
    ("jurisdiction_declined", "accept_rejection"): "rejection_final",
    ("filing_ordered", "accept"): "accepted",
    # 程序规定 第182条: asking the police to explain keeps the referral under supervision.
    ("supervision", "request_explanation"): "supervision",
}
POLICE_OR_PROCURATORATE = {
    "acknowledge",
    "forward",
    "accept",
    "reject",
    "decide_reconsideration",
    "resolve_supervision",
    "request_supplement",
    "decline_jurisdiction",
    "request_explanation",
    "explain",
    "record_outcome",
}


def referral_in(status: str) -> Referral:
    """A fresh referral driven to `status` by the people whose step it is (demo.reach); the side
    road of a referral that is no police business is taken on purpose."""
    case, person = referable_case()
    if status == "jurisdiction_declined":
        referral = reach(case, "received", persons=[person.pk], report="移送")
        referral = referrals.decline_jurisdiction(
            referral, actor=U("guangzhou.police_head"), reason="不属于公安机关职责"
        )
    else:
        referral = reach(case, status, persons=[person.pk], report="移送")
    assert referral.status == status
    return referral


@pytest.mark.parametrize("status", ReferralStatus.values)
@pytest.mark.parametrize("action", ACTOR)
def test_the_referral_transition_table(api, status, action):
    referral = referral_in(status)
    r = api(ACTOR[action]).post(f"/api/v1/referrals/{referral.pk}/actions/{action}/", BODY[action], format="json")
    target = EDGES.get((status, action))
    if target:
        assert r.status_code == 200, r.content
        assert r.json()["status"] == target
    elif action in POLICE_OR_PROCURATORATE and status not in SENT_REFERRAL_STATUSES:
        assert r.status_code == 404
    else:
        assert r.status_code == 409, r.content
        assert r.json()["code"] == "invalid_transition"
        assert Referral.objects.get(pk=referral.pk).status == status


@pytest.mark.parametrize(
    "status, action, body, target",
    [
        (
            "reconsideration",
            "decide_reconsideration",
            {"accept": True, "reason": "改变决定", "police_case_number": "穗公立〔2026〕9号"},
            "accepted",
        ),
        # 程序规定 第182条: the procuratorate orders the filing; the police file within 15 days.
        ("supervision", "resolve_supervision", {"outcome": "accept", "note": "通知公安机关立案"}, "filing_ordered"),
    ],
)
def test_the_second_outcome_of_two_way_decisions(api, status, action, body, target):
    referral = referral_in(status)
    if target == "filing_ordered":  # 刑事诉讼法 第113条: the police's reasons are asked first
        referral = referrals.request_explanation(referral, actor=U("guangzhou.procurator"), note="请说明理由")
        referral = referrals.explain(referral, actor=U("guangzhou.police_head"), reason="证据不足")
    r = api(ACTOR[action]).post(f"/api/v1/referrals/{referral.pk}/actions/{action}/", body, format="json")
    assert r.status_code == 200 and r.json()["status"] == target


WRONG_ACTORS = [
    # (status, action, user, code)
    ("proposed", "approve", "guangzhou.officer1", 403),
    ("proposed", "approve", "guangzhou.officer2", 403),
    ("proposed", "approve", "guangzhou.supervisor", 403),
    ("proposed", "approve", "shenzhen.head", 404),
    ("proposed", "approve", "guangzhou.police_head", 404),
    ("refused", "endorse_refusal", "guangzhou.head", 403),
    ("refused", "endorse_refusal", "shenzhen.supervisor", 404),
    ("approved", "transmit", "guangzhou.supervisor", 403),
    ("approved", "transmit", "guangzhou.market", 404),
    ("transmitted", "acknowledge", "guangzhou.officer1", 403),
    ("transmitted", "acknowledge", "shenzhen.police", 404),
    ("received", "accept", "guangzhou.police", 403),
    ("received", "accept", "guangzhou.head", 403),
    ("received", "reject", "shenzhen.police_head", 404),
    ("received", "forward", "guangzhou.police", 403),
    ("rejected", "request_reconsideration", "guangzhou.officer1", 403),
    ("rejected", "request_reconsideration", "guangzhou.police_head", 403),
    ("reconsideration", "decide_reconsideration", "guangzhou.head", 403),
    ("supervision", "resolve_supervision", "shenzhen.procurator", 404),
    ("supervision", "resolve_supervision", "gd.procurator", 403),
    ("supervision", "resolve_supervision", "guangzhou.head", 403),
    ("accepted", "hand_over", "guangzhou.police_head", 403),
    ("accepted", "hand_over", "guangzhou.supervisor", 403),
]


@pytest.mark.parametrize("status, action, username, code", WRONG_ACTORS)
def test_only_the_role_the_table_names_may_act(api, status, action, username, code):
    referral = referral_in(status)
    r = api(username).post(f"/api/v1/referrals/{referral.pk}/actions/{action}/", BODY[action], format="json")
    assert r.status_code == code, r.content
    assert Referral.objects.get(pk=referral.pk).status == status

"""A referable case ready to refer, and a short way to run referral actions through the API."""

from cases import actions
from tests.factories import CaseFactory, add_person, demo_user

DOCS = [
    {"kind": "transfer_letter", "title": "涉嫌犯罪案件移送书"},
    {"kind": "investigation_report", "title": "涉嫌犯罪案件调查报告"},
    {"kind": "evidence_list", "title": "涉案物品清单"},
]


def referable_case(city="guangzhou", name="张伟", kind="certificate_trading"):
    """An open case with one person and one referable finding; by default a suspected crime
    (伪造、买卖, a criminal referral); kind="forged_certificate" (using one) goes as 治安."""
    case = CaseFactory(city=city, status="open")
    person = add_person(case, actor=f"{city}.officer1", name=name)
    actions.record_finding(
        case,
        actor=demo_user(f"{city}.officer1"),
        kind=kind,
        person=person.pk,
        certificate_number="T440100197001010011",
    )
    return case, person


def act(client, referral_id, name, body=None):
    return client.post(f"/api/v1/referrals/{referral_id}/actions/{name}/", body or {}, format="json")


def propose(client, case, person):
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/propose_referral/",
        {"persons": [person.pk], "report": "持伪造操作证上岗，涉嫌使用伪造的国家机关证件。"},
        format="json",
    )
    assert r.status_code == 200, r.content
    return r.json()["referrals"][-1]["id"]

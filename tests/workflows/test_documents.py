"""The 移送书 and 回执 are generated from the case as PDF, for those who see the referral."""

import pytest

from tests.factories import demo_user
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral():
    case, person = referable_case(name="李建国")
    r = referrals.propose_referral(
        case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="持伪造操作证上岗"
    )
    r = referrals.approve(r, actor=demo_user("guangzhou.head"))
    return referrals.transmit(r, actor=demo_user("guangzhou.officer1"), documents=DOCS)


def test_the_police_download_the_transfer_letter(api, referral):
    r = api("guangzhou.police").get(f"/api/v1/referrals/{referral.pk}/letter.pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    body = b"".join(r.streaming_content) if r.streaming else r.content
    assert body.startswith(b"%PDF-") and b"STSong-Light" in body and len(body) > 1500
    assert referral.number in r["Content-Disposition"]


def test_the_receipt_exists_once_signed_and_outsiders_get_404(api, referral):
    assert api("guangzhou.police").get(f"/api/v1/referrals/{referral.pk}/receipt.pdf").status_code == 409
    referrals.acknowledge(referral, actor=demo_user("guangzhou.police"))
    r = api("guangzhou.officer1").get(f"/api/v1/referrals/{referral.pk}/receipt.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert api("shenzhen.police").get(f"/api/v1/referrals/{referral.pk}/letter.pdf").status_code == 404
    assert api().get(f"/api/v1/referrals/{referral.pk}/letter.pdf").status_code == 401

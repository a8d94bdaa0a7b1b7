"""The public check and tip line (no login), rate limits, evidence files, leads from rosters."""

import datetime
import hashlib
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from cases import actions
from cases.models import Case
from certificates.models import Certificate, Evidence, Tip
from core.identity import id_hash, mask_id_number
from demo.sample_cases import make_id_number
from tests.factories import CaseFactory, demo_user

pytestmark = pytest.mark.django_db
ID = make_id_number("440106", datetime.date(1980, 1, 2), 11)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fresh_limits(settings, tmp_path):
    cache.clear()
    # Uploads in a folder of the test's own, not one shared by every run and xdist worker.
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    cache.clear()  # nor the verification quotas it used for the next test


@pytest.fixture
def registered():
    return Certificate.objects.create(
        number="T440106198001020011",
        holder_name="张伟",
        id_hash=id_hash(ID),
        id_masked=mask_id_number(ID),
        category="welding",
        item="焊接",
        issued_on=datetime.date(2025, 1, 1),
        expires_on=datetime.date(2031, 1, 1),
        # Not the deploying authority named in the public pages' header: this one must not show.
        authority="广东省安全生产监督管理局",
    )


def test_the_public_check_answers_the_status_only(client, registered):
    r = client.post("/public/check/", {"number": registered.number, "name": "张伟"})
    page = r.content.decode()
    assert r.status_code == 200 and 'data-status="valid"' in page
    assert (
        registered.id_masked not in page and ID not in page and "焊接" not in page and registered.authority not in page
    )
    r = client.post("/public/check/", {"number": registered.number, "name": "李四"})
    # A wrong name is answered as an unknown number would be: no_match, never "the number exists".
    assert 'data-status="no_match"' in r.content.decode() and "张伟" not in r.content.decode()
    r = client.post("/public/check/", {"number": "T440106198001029999", "name": "李四"})
    assert 'data-status="no_match"' in r.content.decode()
    r = client.post("/public/check/", {"number": registered.number, "name": ""})
    assert "data-status" not in r.content.decode()


def test_the_public_check_is_rate_limited_per_address(client, registered, settings):
    settings.PUBLIC_CHECKS_PER_HOUR = 30
    for _ in range(30):
        assert client.post("/public/check/", {"number": registered.number, "name": "张伟"}).status_code == 200
    r = client.post("/public/check/", {"number": registered.number, "name": "张伟"})
    assert r.status_code == 429 and "30" in r.content.decode()
    other = client.post("/public/check/", {"number": registered.number, "name": "张伟"}, REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200


def test_a_tip_becomes_a_lead_of_that_city_only_and_its_code_follows_it(client, api):
    evidence = SimpleUploadedFile("photo.pdf", PDF, content_type="application/pdf")
    r = client.post(
        "/public/tip/",
        {
            "what": "某工地电焊工持假证",
            "city": "440100",
            "party_kind": "employer",
            "party_name": "某建筑公司",
            "contact": "13800000000",
            "evidence": evidence,
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    tip = Tip.objects.get()
    assert tip.code in client.get(r["Location"]).content.decode()
    case = tip.case
    assert (case.status, case.source, case.agency.slug, case.region_id) == ("lead", "tip", "guangzhou-safety", "440100")
    assert case.evidence.get().sha256 == hashlib.sha256(PDF).hexdigest()
    assert api("guangzhou.officer1").get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert api("shenzhen.officer1").get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api("guangzhou.market").get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert 'data-state="received"' in client.get(f"/public/tip/track/?code={tip.code}").content.decode()
    actions.open_case(
        case, actor=demo_user("guangzhou.officer1"), handlers=["guangzhou.officer1", "guangzhou.officer2"]
    )
    page = client.get(f"/public/tip/track/?code={tip.code}").content.decode()
    assert 'data-state="handling"' in page and "某工地" not in page
    assert client.get("/public/tip/track/?code=nope").status_code == 404


def test_tips_are_rate_limited_and_validated(client, settings):
    settings.PUBLIC_TIPS_PER_HOUR = 5
    r = client.post("/public/tip/", {"what": "", "city": "999999"})
    assert r.status_code == 400 and Case.objects.count() == 0
    for _ in range(4):
        client.post("/public/tip/", {"what": "假证", "city": "440300"})
    r = client.post("/public/tip/", {"what": "假证", "city": "440300"})
    assert r.status_code == 429 and Case.objects.count() == 4


def test_evidence_files_are_checked_hashed_and_served_only_to_those_who_see_the_case(api, settings):
    case = CaseFactory(status="open")
    officer = api("guangzhou.officer1")
    r = officer.post(
        f"/api/v1/cases/{case.pk}/evidence/", {"file": SimpleUploadedFile("scan.pdf", PDF)}, format="multipart"
    )
    assert r.status_code == 201 and r.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    eid = r.json()["id"]
    r = officer.post(
        f"/api/v1/cases/{case.pk}/evidence/",
        {"file": SimpleUploadedFile("run.exe", b"MZ\x90\x00binary")},
        format="multipart",
    )
    assert r.status_code == 400 and "file" in r.json()
    settings.EVIDENCE_MAX_BYTES = 10
    r = officer.post(
        f"/api/v1/cases/{case.pk}/evidence/", {"file": SimpleUploadedFile("big.pdf", PDF)}, format="multipart"
    )
    assert r.status_code == 400
    assert (
        api("guangzhou.supervisor")
        .post(f"/api/v1/cases/{case.pk}/evidence/", {"file": SimpleUploadedFile("s.pdf", PDF)}, format="multipart")
        .status_code
        == 403
    )
    r = api("guangzhou.supervisor").get(f"/api/v1/evidence/{eid}/")
    assert r.status_code == 200 and r.content == PDF
    assert api("shenzhen.officer1").get(f"/api/v1/evidence/{eid}/").status_code == 404
    evidence = Evidence.objects.get(pk=eid)
    assert not str(evidence.file.path).startswith(str(settings.STATIC_ROOT))
    with open(evidence.file.path, "ab") as handle:
        handle.write(b"tampered")
    r = officer.get(f"/api/v1/evidence/{eid}/")
    assert r.status_code == 409 and r.json()["code"] == "integrity"


def test_a_roster_is_verified_on_the_page_downloaded_and_a_failure_becomes_a_lead(client, registered):
    from openpyxl import load_workbook

    client.force_login(demo_user("guangzhou.officer1"))
    roster = "number,name\nT440106198001020011,张伟\nT440106198001020011,王五\nFAKE-1,赵六\n"
    r = client.post(
        "/certificates/roster/", {"employer": "某建筑公司", "roster": SimpleUploadedFile("roster.csv", roster.encode())}
    )
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "王五" in page and "赵六" in page and page.count("roster/") >= 2
    download = client.get(r["Location"] + "results.xlsx")
    ws = load_workbook(io.BytesIO(download.content)).active
    assert [row[3] for row in ws.iter_rows(min_row=2, values_only=True)] == ["valid", "no_match", "no_match"]
    r = client.post(r["Location"] + "lead/2/")
    assert r.status_code == 302
    case = Case.objects.get(source="verification")
    assert (
        case.status == "lead"
        and case.agency.slug == "guangzhou-safety"
        and case.lead_proposal.finding_kind == "forged_certificate"
        # The row said no_match; the lead, a case now, verified the number in its context.
        and case.lead_proposal.verification == "not_found"
    )
    actions.open_case(
        case, actor=demo_user("guangzhou.officer1"), handlers=["guangzhou.officer1", "guangzhou.officer2"]
    )
    page = client.get(f"/cases/case/{case.pk}/").content.decode()
    assert "record_finding/?kind=forged_certificate" in page and "赵六" in page
    form = client.get(
        f"/cases/case/{case.pk}/record_finding/?kind=forged_certificate&certificate_number=FAKE-1"
    ).content.decode()
    assert 'value="FAKE-1"' in form and 'value="forged_certificate" selected' in form

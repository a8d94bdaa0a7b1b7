"""Decisions with their reasons and files (issue 18, item 4): the head's opinion (审批意见) on a
proposal, the transmission built from the case's files and uploads, and the police's filing (立案)
with its date, charge, number and 立案决定书 — through the web forms and API v1."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from cases.models import Event, Referral
from certificates import actions as certificate_actions
from certificates.models import Evidence
from tests.factories import demo_user
from tests.workflows.helpers import DOCS, act, propose, referable_case
from workflows import actions as referrals
from workflows import documents
from workflows.models import ReferralFile, ReferralRecord

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
U = demo_user


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf(name="文件.pdf", body=PDF):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def web(username):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(U(username))
    return client


def proposed(kind="certificate_trading"):
    case, person = referable_case(kind=kind)
    referral = referrals.propose_referral(case, actor=U("guangzhou.officer1"), persons=[person.pk], report="报告")
    return case, referral


def approved(kind="certificate_trading"):
    case, referral = proposed(kind)
    return case, referrals.approve(referral, actor=U("guangzhou.head"))


def received(kind="certificate_trading"):
    case, referral = approved(kind)
    referral = referrals.transmit(referral, actor=U("guangzhou.officer1"), documents=DOCS)
    return case, referrals.acknowledge(referral, actor=U("guangzhou.police"))


def evidence(case, name="调查报告.pdf"):
    return certificate_actions.add_evidence(case, pdf(name), actor=U("guangzhou.officer1"))


def url(referral, name):
    return f"/referrals/referral/{referral.pk}/{name}/"


# --- 审批意见 ---------------------------------------------------------------------------------


def test_the_head_approves_with_an_opinion_through_the_form_kept_on_the_referral_and_the_event():
    case, referral = proposed()
    head = web("guangzhou.head")
    form = head.get(url(referral, "approve"))
    assert form.status_code == 200
    assert 'name="opinion"' in form.content.decode()  # a default offered, the head's own text kept
    r = head.post(url(referral, "approve"), {"opinion": "同意移送，请于24小时内移送公安机关"})
    assert r.status_code == 302, r.content.decode()
    record = ReferralRecord.objects.get(referral=referral)
    assert (record.decision, record.opinion, record.opinion_by.username) == (
        "approve",
        "同意移送，请于24小时内移送公安机关",
        "guangzhou.head",
    )
    event = Event.objects.get(referral=referral, action="approve")
    assert event.data["opinion"] == "同意移送，请于24小时内移送公安机关"
    page = head.get(f"/referrals/referral/{referral.pk}/").content.decode()
    assert "同意移送，请于24小时内移送公安机关" in page and 'data-testid="opinion"' in page


def test_an_approval_without_an_opinion_stores_none_and_a_refusal_needs_one():
    case, referral = proposed()
    head = web("guangzhou.head")
    r = head.post(url(referral, "refuse"), {"reason": "  "})
    assert r.status_code == 400 and 'data-testid="error-reason"' in r.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "proposed"
    assert not ReferralRecord.objects.filter(referral=referral).exists()
    r = head.post(url(referral, "approve"), {"opinion": ""})
    assert r.status_code == 302
    assert ReferralRecord.objects.get(referral=referral).opinion == ""


def test_the_refusal_form_takes_the_opinion_as_its_reasons():
    case, referral = proposed()
    head = web("guangzhou.head")
    page = head.get(url(referral, "refuse")).content.decode()
    assert 'name="reason"' in page and 'name="opinion"' not in page and "Approval opinion" in page
    r = head.post(url(referral, "refuse"), {"reason": "证据不足，不同意移送"})
    assert r.status_code == 302
    referral.refresh_from_db()
    assert referral.status == "refused" and referral.reason == "证据不足，不同意移送"
    assert ReferralRecord.objects.get(referral=referral).opinion == "证据不足，不同意移送"
    assert Event.objects.get(referral=referral, action="refuse").data["opinion"] == "证据不足，不同意移送"


def test_api_approve_and_refuse_take_an_optional_opinion(api):
    officer, head = api("guangzhou.officer1"), api("guangzhou.head")
    case, person = referable_case()
    rid = propose(officer, case, person)
    r = act(head, rid, "approve", {"opinion": "同意"})
    assert r.status_code == 200, r.content
    assert r.json()["decision"]["action"] == "approve" and r.json()["decision"]["opinion"] == "同意"
    assert r.json()["history"][-1]["data"]["opinion"] == "同意"

    case2, person2 = referable_case(name="李强")
    rid2 = propose(officer, case2, person2)
    assert act(head, rid2, "approve", {}).json()["decision"]["opinion"] == ""  # the contract's approve {}
    case3, person3 = referable_case(name="王五")
    rid3 = propose(officer, case3, person3)
    assert list(act(head, rid3, "refuse", {"opinion": "不同意"}).json()) == ["reason"]
    r = act(head, rid3, "refuse", {"reason": "证据不足", "opinion": "不同意移送，补充调查"})
    assert r.json()["status"] == "refused" and r.json()["decision"] == {
        "action": "refuse",
        "opinion": "不同意移送，补充调查",
        "by": "guangzhou.head",
        "at": r.json()["decision"]["at"],
    }
    too_long = act(head, rid3, "approve", {"opinion": "x" * 4001})
    assert too_long.status_code == 400 and list(too_long.json()) == ["opinion"]


def test_the_schema_shows_the_new_inputs(api):
    schema = api().get("/api/schema/?format=json").json()
    schemas, paths = schema["components"]["schemas"], schema["paths"]
    approve = paths["/api/v1/referrals/{id}/actions/approve/"]["post"]["requestBody"]["content"]
    assert "opinion" in schemas[approve["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]
    refuse = paths["/api/v1/referrals/{id}/actions/refuse/"]["post"]["requestBody"]["content"]
    props = schemas[refuse["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert set(props["properties"]) >= {"reason", "opinion"} and props["required"] == ["reason"]
    transmit = paths["/api/v1/referrals/{id}/actions/transmit/"]["post"]["requestBody"]["content"]
    assert set(schemas[transmit["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]) >= {
        "documents",
        "files",
    }
    accept = paths["/api/v1/referrals/{id}/actions/accept/"]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(accept)
    props = schemas[accept["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert set(props["properties"]) >= {"police_case_number", "filed_on", "charge", "filing_decision"}
    assert props["required"] == ["police_case_number"]
    assert props["properties"]["filing_decision"]["format"] == "binary"
    detail = schemas["ReferralDetailOutput"]["properties"]
    assert {"decision", "filing"} <= set(detail)


# --- the transmission from the case's files -------------------------------------------------


def test_the_transmit_form_lists_the_case_files_and_names_each_missing_document():
    case, referral = approved()
    report = evidence(case, "调查报告.pdf")
    officer = web("guangzhou.officer1")
    page = officer.get(url(referral, "transmit")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert f'name="files_investigation_report" value="{report.pk}"' in page
    assert "涉嫌犯罪案件移送书" in page  # Xianjie's letter stands for the transfer letter
    assert 'name="doc_transfer_letter"' not in page  # no free-text titles pre-filled with their labels
    r = officer.post(url(referral, "transmit"), {"files_investigation_report": [str(report.pk)]})
    assert r.status_code == 400
    body = r.content.decode()
    assert 'data-testid="error-package_evidence_list"' in body and "Missing: evidence list" in body
    assert 'data-testid="error-package_inspection_report"' in body and "Missing: inspection report" in body
    assert 'data-testid="error-package_investigation_report"' not in body
    assert f'value="{report.pk}" checked' in body  # what was ticked stays ticked
    referral.refresh_from_db()
    assert referral.status == "approved" and not referral.documents.exists()


def test_the_officer_transmits_ticked_case_files_and_uploads_listed_on_the_letter():
    case, referral = approved()
    report, items = evidence(case, "调查报告.pdf"), evidence(case, "涉案物品清单.pdf")
    before = Evidence.objects.filter(case=case).count()
    officer = web("guangzhou.officer1")
    r = officer.post(
        url(referral, "transmit"),
        {
            "files_investigation_report": [str(report.pk)],
            "files_evidence_list": [str(items.pk)],
            "upload_inspection_report": [pdf("证件鉴定意见书.pdf")],
            "upload_other": [SimpleUploadedFile("现场照片.png", PNG, content_type="image/png")],
        },
    )
    assert r.status_code == 302, r.content.decode()
    referral.refresh_from_db()
    assert referral.status == "transmitted"
    docs = {d.kind: d for d in referral.documents.all()}
    assert set(docs) == {"transfer_letter", "investigation_report", "evidence_list", "inspection_report", "other"}
    assert docs["transfer_letter"].title == "涉嫌犯罪案件移送书"
    assert ReferralFile.objects.get(document=docs["investigation_report"]).evidence == report
    uploaded = ReferralFile.objects.get(document=docs["inspection_report"]).evidence
    assert uploaded.case == case and uploaded.name == "证件鉴定意见书.pdf"
    assert Evidence.objects.filter(case=case).count() == before + 2  # the uploads are the case's files now
    event = Event.objects.get(referral=referral, action="transmit")
    assert [f["name"] for f in event.data["files"]] == [
        "调查报告.pdf",
        "涉案物品清单.pdf",
        "证件鉴定意见书.pdf",
        "现场照片.png",
    ]
    listed = documents.attachments(Referral.objects.get(pk=referral.pk))
    assert len(listed) == 4 and any("证件鉴定意见书.pdf" in line for line in listed)
    assert not any("移送书" in line for line in listed)  # the letter does not list itself
    letter = _paper_text(documents.transfer_letter, referral)
    assert "附件：" in letter and "调查报告.pdf" in letter and "现场照片.png" in letter
    page = officer.get(f"/referrals/referral/{referral.pk}/").content.decode()
    assert f"/api/v1/evidence/{uploaded.pk}/" in page and "证件鉴定意见书.pdf" in page


def test_a_bad_upload_refuses_the_whole_transmission():
    case, referral = approved()
    report, items = evidence(case, "调查报告.pdf"), evidence(case, "涉案物品清单.pdf")
    before = Evidence.objects.filter(case=case).count()
    r = web("guangzhou.officer1").post(
        url(referral, "transmit"),
        {
            "files_investigation_report": [str(report.pk)],
            "files_evidence_list": [str(items.pk)],
            "upload_inspection_report": [SimpleUploadedFile("鉴定.exe", b"MZ\x90\x00", content_type="application/pdf")],
        },
    )
    assert r.status_code == 400
    assert 'data-testid="error-package_inspection_report"' in r.content.decode()
    referral.refresh_from_db()
    assert referral.status == "approved" and not referral.documents.exists()
    assert Evidence.objects.filter(case=case).count() == before


def test_a_file_of_another_case_cannot_be_sent():
    case, referral = approved()
    other_case, _p = referable_case(name="赵六")
    foreign = evidence(other_case, "别案.pdf")
    report = evidence(case)
    r = web("guangzhou.officer1").post(
        url(referral, "transmit"),
        {
            "files_investigation_report": [str(report.pk)],
            "files_evidence_list": [str(foreign.pk)],
            "files_inspection_report": [str(report.pk)],
        },
    )
    assert r.status_code == 400 and f"#{foreign.pk}" in r.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "approved"


def test_api_transmit_keeps_documents_and_takes_file_references(api):
    officer, head = api("guangzhou.officer1"), api("guangzhou.head")
    case, person = referable_case()
    rid = propose(officer, case, person)
    act(head, rid, "approve")
    report = evidence(case)
    # Files alone: the required kinds are still required.
    r = act(officer, rid, "transmit", {"files": [{"kind": "investigation_report", "evidence": report.pk}]})
    assert r.status_code == 400 and list(r.json()) == ["documents"]
    r = act(officer, rid, "transmit", {"files": [{"kind": "evidence_list", "evidence": 2**40}]})
    assert r.status_code == 400 and "files" in r.json()
    r = act(officer, rid, "transmit", {"files": [{"kind": "evidence_list", "evidence": "x"}]})
    assert r.status_code == 400
    r = act(
        officer,
        rid,
        "transmit",
        {
            "documents": DOCS[1:],
            "files": [{"kind": "inspection_report", "evidence": report.pk, "title": "证件鉴定意见书"}],
        },
    )
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["status"] == "transmitted"
    by_kind = {d["kind"]: d for d in out["documents"]}
    assert by_kind["transfer_letter"]["title"] == "涉嫌犯罪案件移送书" and by_kind["transfer_letter"]["file"] is None
    assert by_kind["inspection_report"]["file"]["evidence"] == report.pk
    assert by_kind["inspection_report"]["file"]["sha256"] == report.sha256


def test_api_transmit_with_documents_only_is_as_before(api):
    officer, head = api("guangzhou.officer1"), api("guangzhou.head")
    case, person = referable_case()
    rid = propose(officer, case, person)
    act(head, rid, "approve")
    assert act(officer, rid, "transmit", {"documents": DOCS[1:]}).status_code == 400  # the letter is named
    r = act(officer, rid, "transmit", {"documents": DOCS})
    assert r.status_code == 200 and [d["file"] for d in r.json()["documents"]] == [None, None, None]


# --- 立案 ------------------------------------------------------------------------------------


def test_the_police_head_files_with_date_charge_number_and_decision_on_the_form():
    case, referral = received()
    police_head = web("guangzhou.police_head")
    page = police_head.get(url(referral, "accept")).content.decode()
    assert 'type="file" name="filing_decision"' in page and 'type="date" name="filed_on"' in page
    today = timezone.localdate()
    # Each of the three is required on the form.
    r = police_head.post(url(referral, "accept"), {"police_case_number": "穗公立字〔2026〕7号"})
    body = r.content.decode()
    assert r.status_code == 400
    for name in ("filed_on", "charge", "filing_decision"):
        assert f'data-testid="error-{name}"' in body
    assert Referral.objects.get(pk=referral.pk).status == "received"
    r = police_head.post(
        url(referral, "accept"),
        {
            "police_case_number": "穗公立字〔2026〕7号",
            "filed_on": (today + datetime.timedelta(days=1)).isoformat(),
            "charge": "伪造、买卖国家机关证件罪",
            "filing_decision": pdf("立案决定书.pdf"),
        },
    )
    assert r.status_code == 400 and "cannot be in the future" in r.content.decode()
    r = police_head.post(
        url(referral, "accept"),
        {
            "police_case_number": "穗公立字〔2026〕7号",
            "filed_on": (today - datetime.timedelta(days=30)).isoformat(),
            "charge": "伪造、买卖国家机关证件罪",
            "filing_decision": pdf("立案决定书.pdf"),
        },
    )
    assert r.status_code == 400 and "before the referral was received" in r.content.decode()
    r = police_head.post(
        url(referral, "accept"),
        {
            "police_case_number": "穗公立字〔2026〕7号",
            "filed_on": today.isoformat(),
            "charge": "伪造、买卖国家机关证件罪",
            "filing_decision": SimpleUploadedFile("立案决定书.pdf", b"not a pdf", content_type="application/pdf"),
        },
    )
    assert r.status_code == 400 and 'data-testid="error-filing_decision"' in r.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == "received"
    r = police_head.post(
        url(referral, "accept"),
        {
            "police_case_number": "穗公立字〔2026〕7号",
            "filed_on": today.isoformat(),
            "charge": "伪造、买卖国家机关证件罪",
            "filing_decision": pdf("立案决定书.pdf"),
        },
    )
    assert r.status_code == 302, r.content.decode()
    referral.refresh_from_db()
    record = ReferralRecord.objects.get(referral=referral)
    assert referral.status == "accepted" and referral.police_case_number == "穗公立字〔2026〕7号"
    assert (record.filed_on, record.charge, record.filing_decision.name) == (
        today,
        "伪造、买卖国家机关证件罪",
        "立案决定书.pdf",
    )
    data = Event.objects.get(referral=referral, action="accept").data
    assert data["filed_on"] == today.isoformat() and data["charge"] == "伪造、买卖国家机关证件罪"
    assert data["filing_decision"]["sha256"] == record.filing_decision.sha256
    page = police_head.get(f"/referrals/referral/{referral.pk}/").content.decode()
    for testid in ("filed-on", "charge", "filing-decision", "police-case-number"):
        assert f'data-testid="{testid}"' in page
    assert "伪造、买卖国家机关证件罪" in page and f"/api/v1/evidence/{record.filing_decision.pk}/" in page
    # The regulator reads the decision too (the case's file), and the notice says when and what.
    assert web("guangzhou.officer1").get(f"/api/v1/evidence/{record.filing_decision.pk}/").status_code == 200
    notice = _paper_text(documents.acceptance_notice, referral)
    assert f"本机关已于{today.year}年{today.month}月{today.day}日以涉嫌伪造、买卖国家机关证件罪立案侦查" in notice


def _paper_text(paper, referral):
    """The paragraphs of a paper as drawn (before reportlab compresses them into the PDF)."""
    from unittest import mock

    from cases.access import Identities

    with mock.patch.object(documents, "build", lambda flow: flow):
        flow = paper(Referral.objects.get(pk=referral.pk), Identities())
    return "\n".join(getattr(f, "text", "") for f in flow)


def test_api_accept_keeps_the_contract_and_takes_the_new_fields(api):
    case, referral = received()
    police_head = api("guangzhou.police_head")
    # The contract's body: today is the filing date.
    r = act(police_head, referral.pk, "accept", {"police_case_number": "GA-1"})
    assert r.status_code == 200, r.content
    assert r.json()["filing"] == {
        "filed_on": timezone.localdate().isoformat(),
        "charge": "",
        "police_case_number": "GA-1",
        "decision_file": None,
    }


def test_api_accept_with_a_file_in_multipart_and_bad_input_is_400(api):
    case, referral = received()
    police_head = api("guangzhou.police_head")
    path = f"/api/v1/referrals/{referral.pk}/actions/accept/"
    bad = police_head.post(path, {"police_case_number": "GA-2", "filing_decision": "not a file"}, format="json")
    assert bad.status_code == 400 and "filing_decision" in bad.json()
    bad = police_head.post(
        path,
        {"police_case_number": "GA-2", "filing_decision": SimpleUploadedFile("a.pdf", b"GIF89a", "image/gif")},
        format="multipart",
    )
    assert bad.status_code == 400 and "filing_decision" in bad.json()
    bad = police_head.post(path, {"police_case_number": "GA-2", "filed_on": "2999-01-01"}, format="json")
    assert bad.status_code == 400 and "filed_on" in bad.json()
    assert (
        Referral.objects.get(pk=referral.pk).status == "received"
        and not Event.objects.filter(referral=referral, action="accept").exists()
    )
    r = police_head.post(
        path,
        {
            "police_case_number": "GA-2",
            "filed_on": timezone.localdate().isoformat(),
            "charge": "伪造国家机关证件罪",
            "filing_decision": pdf("立案决定书.pdf"),
        },
        format="multipart",
    )
    assert r.status_code == 200, r.content
    filing = r.json()["filing"]
    assert filing["charge"] == "伪造国家机关证件罪" and filing["decision_file"]["name"] == "立案决定书.pdf"


def test_a_public_security_matter_is_registered_with_its_cause_and_form():
    case, referral = received(kind="forged_certificate")
    assert referral.kind == "public_security"
    police_head = web("guangzhou.police_head")
    page = police_head.get(url(referral, "accept")).content.decode()
    assert "Cause of the matter (案由)" in page and "Registration form (受案登记表)" in page
    r = police_head.post(
        url(referral, "accept"),
        {
            "police_case_number": "穗公（治）受字〔2026〕9号",
            "filed_on": timezone.localdate().isoformat(),
            "charge": "使用伪造的国家机关证件",
            "filing_decision": pdf("受案登记表.pdf"),
        },
    )
    assert r.status_code == 302
    page = police_head.get(f"/referrals/referral/{referral.pk}/").content.decode()
    assert "使用伪造的国家机关证件" in page and "受案登记表.pdf" in page


def test_the_facts_a_penalty_keeps_are_in_the_offices_language_whatever_the_request_language():
    from django.utils import translation

    from workflows.penalties import _default_facts

    case, _person = referable_case()
    with translation.override("en"):
        facts = _default_facts(case, case.findings.first())
    assert facts and not any(word in facts for word in ("certificate", "forged", "working"))

"""Issue 17 §3: certificate numbers are a letter and the holder's ID number (T440106199001011235).
Wherever someone sees that person's ID number masked — the case API and page, the events, the
timeline's XLSX and PDF, the links — the certificate number is masked the same way
(T440***********1235); whoever sees the ID number in full sees the certificate number in full."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from cases import actions
from tests.factories import CaseFactory, add_person, demo_user
from tests.workflows.helpers import DOCS
from tests.workflows.test_documents import pdf_text
from workflows import actions as referrals

pytestmark = pytest.mark.django_db


def masked(number: str) -> str:
    return number[:4] + "*" * 11 + number[-4:]


@pytest.fixture
def world():
    """A Guangzhou case: 张伟 referred to and received by the Guangzhou police, 李四 not referred;
    each with a finding of their own certificate; the summary quotes 李四's certificate."""
    officer = demo_user("guangzhou.officer1")
    case = CaseFactory(status="open")
    sent, kept = add_person(case, name="张伟"), add_person(case, name="李四")
    sent_cert, kept_cert = "T" + sent.id_number, "T" + kept.id_number
    for person, cert in ((sent, sent_cert), (kept, kept_cert)):
        actions.record_finding(
            case, actor=officer, kind="certificate_trading", person=person.pk, certificate_number=cert
        )
    case.summary = f"举报：{kept_cert} 系购买所得"
    case.save(update_fields=["summary"])
    r = referrals.propose_referral(case, actor=officer, persons=[sent.pk], report="伪造证件出售")
    r = referrals.approve(r, actor=demo_user("guangzhou.head"))
    referrals.transmit(r, actor=officer, documents=DOCS)
    return case, sent_cert, kept_cert


def everything(api, username, case) -> str:
    """All that a user is shown of the case: the API's case and events, the page, the XLSX and the PDF."""
    client = api(username)
    parts = [
        client.get(f"/api/v1/cases/{case.pk}/").content.decode(),
        client.get(f"/api/v1/cases/{case.pk}/events/").content.decode(),
        client.get(f"/api/v1/cases/{case.pk}/links/").content.decode(),
    ]
    xlsx = client.get(f"/api/v1/cases/{case.pk}/timeline.xlsx")
    assert xlsx.status_code == 200, username
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    parts.append(" ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None))
    pdf = client.get(f"/api/v1/cases/{case.pk}/timeline.pdf")
    assert pdf.status_code == 200, username
    parts.append(pdf_text(pdf.content))
    web = Client()
    web.force_login(demo_user(username))
    page = web.get(f"/cases/case/{case.pk}/")
    assert page.status_code == 200, username
    parts.append(page.content.decode())
    return "\n".join(parts)


@pytest.mark.parametrize("username", ["guangzhou.supervisor", "gd.supervisor", "guangzhou.head"])
def test_who_sees_id_numbers_masked_sees_certificate_numbers_masked(api, world, username):
    case, sent_cert, kept_cert = world
    shown = everything(api, username, case)
    for cert in (sent_cert, kept_cert):
        assert cert not in shown and cert[1:] not in shown, username
        assert masked(cert) in shown, username
    findings = api(username).get(f"/api/v1/cases/{case.pk}/").json()["findings"]
    assert {f["certificate_number"] for f in findings} == {masked(sent_cert), masked(kept_cert)}


@pytest.mark.parametrize("username", ["guangzhou.police", "guangzhou.procurator"])
def test_the_police_see_the_certificate_of_whom_they_see_in_full_and_no_other(api, world, username):
    case, sent_cert, kept_cert = world
    shown = everything(api, username, case)
    findings = api(username).get(f"/api/v1/cases/{case.pk}/").json()["findings"]
    assert [f["certificate_number"] for f in findings] == [sent_cert]  # their person's ID is theirs in full
    assert kept_cert[1:] not in shown, username  # the summary quotes it: masked
    assert masked(kept_cert) in api(username).get(f"/api/v1/cases/{case.pk}/").json()["summary"]


def test_the_handlers_see_certificate_numbers_in_full(api, world):
    case, sent_cert, kept_cert = world
    shown = everything(api, "guangzhou.officer1", case)
    for cert in (sent_cert, kept_cert):
        assert cert in shown
    findings = api("guangzhou.officer1").get(f"/api/v1/cases/{case.pk}/").json()["findings"]
    assert {f["certificate_number"] for f in findings} == {sent_cert, kept_cert}
    events = api("guangzhou.officer1").get(f"/api/v1/cases/{case.pk}/events/").json()["results"]
    assert {e["data"].get("certificate_number") for e in events if e["action"] == "record_finding"} == {
        sent_cert,
        kept_cert,
    }


def test_the_case_list_masks_a_certificate_number_in_a_summary_for_everyone(api, world):
    case, _sent_cert, kept_cert = world
    for username in ("guangzhou.officer1", "guangzhou.supervisor"):
        rows = api(username).get("/api/v1/cases/", {"q": case.number}).json()["results"]
        assert [r["summary"] for r in rows] == [f"举报：{masked(kept_cert)} 系购买所得"], username


@pytest.mark.parametrize("username", ["guangzhou.supervisor", "gd.supervisor"])
def test_the_papers_mask_certificate_numbers_as_the_pages_do(api, world, username):
    """The 移送书 and the 行政处罚决定书 state the findings with their certificates: a supervisor who
    sees the holders' ID numbers masked reads their certificate numbers masked there too."""
    from tests.factories import fine_of

    case, sent_cert, kept_cert = world
    worker = case.persons.get(name="张伟")
    actions.record_finding(case, actor=demo_user("guangzhou.officer1"), kind="unlicensed_operation", person=worker.pk)
    fine_of(case)
    penalty = case.penalties.get()  # fine_of answers the Fine; the paper is the penalty's
    referral = case.referrals.get()
    client = api(username)
    letter = client.get(f"/api/v1/referrals/{referral.pk}/letter.pdf")
    decision = client.get(f"/api/v1/cases/{case.pk}/penalties/{penalty.pk}/decision.pdf")
    assert letter.status_code == 200 and decision.status_code == 200
    papers = pdf_text(letter.content) + pdf_text(decision.content)
    assert masked(sent_cert) in papers
    for cert in (sent_cert, kept_cert):
        assert cert not in papers and cert[1:] not in papers

"""Audit exports and their own record, verify_events runs for the province, typical cases."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from openpyxl import load_workbook

from cases import actions, titles
from oversight.models import AuditRun, AuditView
from tests.factories import CaseFactory, add_person, demo_user, make_credit_code
from tests.workflows.helpers import DOCS, referable_case
from workflows import actions as referrals

pytestmark = pytest.mark.django_db


def test_a_case_timeline_exports_and_each_export_is_recorded(api):
    case = CaseFactory(status="open")
    r = api("guangzhou.supervisor").get(f"/api/v1/cases/{case.pk}/timeline.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    officer = demo_user("guangzhou.officer1")
    assert [ws.cell(3, c).value for c in (1, 3, 4)] == [1, "登记线索", officer.get_full_name()]
    assert [ws.cell(4, c).value for c in (1, 3)] == [2, "行政立案"]
    r = api("guangzhou.head").get(f"/api/v1/cases/{case.pk}/timeline.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert api("shenzhen.supervisor").get(f"/api/v1/cases/{case.pk}/timeline.xlsx").status_code == 404
    assert list(AuditView.objects.filter(case=case).values_list("user__username", flat=True).order_by("at")) == [
        "guangzhou.supervisor",
        "guangzhou.head",
    ]


def test_the_timeline_pdf_keeps_every_column_on_the_page_and_cuts_nothing(api):
    from tests.workflows.test_documents import pdf_text, text_lines

    case, person = referable_case(name="张伟")
    referrals.propose_referral(case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="移送")
    # A handler's export: every number in full (the head, no handler, has certificate numbers
    # masked as ID numbers: tests/security/test_masking.py).
    body = api("guangzhou.officer1").get(f"/api/v1/cases/{case.pk}/timeline.pdf").content
    lines = list(text_lines(body))
    for text, x0, x1, width in lines:
        assert x0 >= 0 and x1 <= width, (text, x0, x1)
    text = pdf_text(body)
    last = case.events.order_by("-seq").first()
    assert "#" in text and "哈希" in text and last.hash[:16] in text
    # Each event's content whole, wrapped in its cell, not cut at 60 characters.
    with translation.override("zh-hans"):
        measures = titles.measure_labels(case)
        for event in case.events.all():
            content = titles.data_text(event.data, action=event.action, measures=measures).replace(" ", "")
            assert content in text, content
    assert any(len(str(e.data)) > 60 for e in case.events.all())


def test_verify_events_runs_are_kept_for_the_province_supervisor(api):
    CaseFactory(status="open")
    call_command("verify_events")
    assert AuditRun.objects.get().broken_case == ""
    r = api("gd.supervisor").get("/api/v1/audit/runs/")
    assert r.status_code == 200 and r.json()["results"][0]["cases"] == 1
    assert api("guangzhou.supervisor").get("/api/v1/audit/runs/").status_code == 403
    assert AuditView.objects.filter(user__username="gd.supervisor", path="/api/v1/audit/runs/").count() == 1


def test_a_typical_case_has_a_redacted_public_summary(api):
    case, person = referable_case(name="张伟")
    r = referrals.propose_referral(
        case, actor=demo_user("guangzhou.officer1"), persons=[person.pk], report="张伟持假证"
    )
    r = referrals.approve(r, actor=demo_user("guangzhou.head"))
    r = referrals.transmit(r, actor=demo_user("guangzhou.officer1"), documents=DOCS)
    r = referrals.acknowledge(r, actor=demo_user("guangzhou.police"))
    r = referrals.accept(r, actor=demo_user("guangzhou.police_head"), police_case_number="1")
    referrals.hand_over(r, actor=demo_user("guangzhou.officer1"), items="假证1本")
    other = add_person(case, name="李娜")
    actions.close_case(case, actor=demo_user("guangzhou.head"), summary="张伟已被刑事立案，李娜另案处理")
    assert (
        api("guangzhou.head")
        .post(f"/api/v1/cases/{case.pk}/typical/", {"title": "张伟持假证案"}, format="json")
        .status_code
        == 403
    )
    open_case = CaseFactory(status="open")
    assert (
        api("guangzhou.supervisor")
        .post(f"/api/v1/cases/{open_case.pk}/typical/", {"title": "x"}, format="json")
        .status_code
        == 409
    )
    r = api("guangzhou.supervisor").post(
        f"/api/v1/cases/{case.pk}/typical/", {"title": "张伟持假证上岗案"}, format="json"
    )
    assert r.status_code == 201, r.content
    public = api().get("/api/v1/typical/").json()["results"][0]
    text = public["title"] + public["summary"]
    assert "张某" in text and "李某" in text
    assert "张伟" not in text and "李娜" not in text
    assert person.id_number not in text and other.id_number not in text and person.id_masked not in text
    agency = case.agency.name
    assert public["summary"].startswith(agency if agency.startswith(case.region.name) else case.region.name + agency)
    assert case.region.name * 2 not in public["summary"]  # not 广州市广州市应急管理局


ID_IN_TEXT = "440100198503120172"


def test_nothing_that_identifies_anyone_reaches_the_published_typical_case(api, client):
    """An ID number written against Chinese text, a certificate number (a letter and an ID
    number), the party's full name and its credit code, in the summary, the closing summary and
    the title: none of them is published."""
    credit_code = make_credit_code("440100", 771)
    party = {"kind": "employer", "name": "广州华安建筑工程有限公司", "credit_code": make_credit_code("440100", 770)}
    text = f"身份证号{ID_IN_TEXT}，持证T{ID_IN_TEXT}上岗，广州华安建筑工程有限公司（{credit_code}）"
    case = CaseFactory(status="open", party=party, summary=text)
    actions.close_case(case, actor=demo_user("guangzhou.head"), summary="结案：" + text)
    r = api("guangzhou.supervisor").post(
        f"/api/v1/cases/{case.pk}/typical/", {"title": "典型案例：" + text}, format="json"
    )
    assert r.status_code == 201, r.content
    published = api().get("/api/v1/typical/").json()["results"][0]
    page = client.get("/public/typical/").content.decode()
    for where in (published["title"], published["summary"], page):
        assert "身份证号" in where  # the texts are there …
        for secret in (
            ID_IN_TEXT,
            ID_IN_TEXT[-4:] + "，",
            "广州华安建筑工程有限公司",
            credit_code,
            party["credit_code"],
        ):
            assert secret not in where  # … without what identifies anyone
    assert "某用人单位" in published["summary"]


@pytest.mark.parametrize(
    "written",
    [
        "4401 0019 8503 1201 72",
        "440100 19850312 0172",
        "440100-19850312-0172",
        "4401\u200b00198503120172",
        "４４０１００１９８５０３１２０１７２",
        "USCC91350100M000100Y43",
        "９１３５０１００Ｍ０００１００Ｙ４３",
    ],
)
def test_a_number_written_in_groups_or_full_width_is_not_published(api, written):
    case = CaseFactory(status="open", summary=f"当事人证件号码{written}，已核实")
    actions.close_case(case, actor=demo_user("guangzhou.head"), summary=f"结案（{written}）")
    r = api("guangzhou.supervisor").post(f"/api/v1/cases/{case.pk}/typical/", {"title": written}, format="json")
    assert r.status_code == 201, r.content
    published = api().get("/api/v1/typical/").json()["results"][0]
    text = published["title"] + published["summary"]
    assert "，已核实" in text  # the Chinese punctuation stays

    def plain(value):  # as a reader would put the number together again
        value = value.translate({c: c - 0xFEE0 for c in range(0xFF10, 0xFF5B)})
        return "".join(c for c in value if c.isalnum())

    assert plain(written)[-8:] not in plain(text)

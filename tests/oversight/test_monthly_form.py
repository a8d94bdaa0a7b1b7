"""The monthly statistics form (DESIGN §5): every cell over two months, the province as the sum
of its cities, nothing for outsiders, the XLSX as on paper, and self-inspection entry."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pdfminer.high_level import extract_pages, extract_text

from cases import actions
from cases.models import LegalBasis
from core.calendar import LEGAL_TZ
from demo.sample_cases import make_credit_code
from tests.factories import CaseFactory, add_person, demo_user, fine_of, suspension_of
from tests.workflows.helpers import DOCS
from workflows import actions as referrals

pytestmark = pytest.mark.django_db
U = demo_user


def at(*args):
    return time_machine.travel(datetime.datetime(*args, tzinfo=LEGAL_TZ), tick=False)


def refer(case, persons, city="guangzhou", include_party=False):
    r = referrals.propose_referral(
        case, actor=U(f"{city}.officer1"), persons=[p.pk for p in persons], report="移送", include_party=include_party
    )
    r = referrals.approve(r, actor=U(f"{city}.head"))
    return referrals.transmit(r, actor=U(f"{city}.officer1"), documents=DOCS)


def finding(case, kind, person=None, city="guangzhou"):
    return actions.record_finding(case, actor=U(f"{city}.officer1"), kind=kind, person=person.pk if person else None)


def rectify(case, city="guangzhou"):
    return actions.order_rectification(
        case, actor=U(f"{city}.officer1"), deadline=actions.local_today() + datetime.timedelta(days=10), items="整改"
    )


def fine(case, amount, basis, city="guangzhou"):
    return fine_of(case, amount=amount, basis=basis, actor=f"{city}.head")


@pytest.fixture
def scenario():
    # Training institutions and intermediaries are fined under their own rules, never 第97条 or 30号令
    # 第40条 (LEGAL.md §3): stand-ins here, since the form counts fines by party, not by provision.
    for code, kind in (("TEST-TRAINING", "training_institution"), ("TEST-INTERMEDIARY", "intermediary")):
        LegalBasis.objects.create(
            code=code, title=code, fined="party", min_amount=1, max_amount=50_000, applies_to=[kind]
        )
    with at(2018, 9, 5, 10):
        a = CaseFactory(status="open")
        p1, p2 = add_person(a, name="甲"), add_person(a, name="乙")
        finding(a, "forged_certificate", p1)
        finding(a, "altered_certificate", p2)
        rectify(a)
        suspension_of(a)
        fine(a, "20000", "AQSCF-97-7")
    with at(2018, 9, 6, 9):
        refer(a, [p1])
    with at(2018, 9, 10, 9):
        b = CaseFactory(
            status="open",
            party={
                "kind": "training_institution",
                "name": "某培训学校",
                "credit_code": make_credit_code("440100", 777),
            },
        )
        finding(b, "forged_certificate", add_person(b, name="丙"))
        rectify(b)
        fine(b, "15000", "TEST-TRAINING")
    with at(2018, 9, 12, 9):
        c = CaseFactory(status="open", party={"kind": "website", "name": "假冒安监网", "url": "http://fake.example/"})
        finding(c, "counterfeit_website")
        t = actions.request_takedown(
            c, actor=U("guangzhou.officer1"), url="http://fake.example/", agency="guangzhou-cyber"
        )
    with at(2018, 9, 13, 9):
        actions.block_takedown(t, actor=U("guangzhou.cyber"))
    with at(2018, 9, 15, 9):
        d = CaseFactory(status="open", party={"kind": "intermediary", "name": "某证书中介"})
        seller = add_person(d, name="丁")
        finding(d, "certificate_trading", seller)
        rectify(d)
        fine(d, "10000", "TEST-INTERMEDIARY")
        refer(d, [seller])
    with at(2018, 9, 20, 9):
        f = CaseFactory(city="shenzhen", status="open")
        finding(f, "forged_certificate", add_person(f, actor="shenzhen.officer1", name="戊"), city="shenzhen")
    with at(2018, 9, 25, 23, 30):  # the last half hour of September's reporting month, local time
        fine(f, "30000", "TZZY-40", city="shenzhen")
    with at(2018, 10, 8, 9):
        e = CaseFactory(status="open")
        finding(e, "forged_certificate", add_person(e, name="己"))
        fine(e, "5000", "AQSCF-97-7")
        rectify(a)  # the same case again: still one distinct case cumulatively
    return a


def cells(report):
    return {(r["section"], r["row"]): (r["month"], r["cumulative"]) for r in report["rows"]}


def get(api, user, region, month, **extra):
    r = api(user).get("/api/v1/reports/monthly/", {"region": region, "month": month} | extra)
    assert r.status_code == 200, r.content
    return r.json()


def test_every_cell_of_the_city_form_over_two_months(api, scenario):
    sept = cells(get(api, "guangzhou.supervisor", "440100", "2018-09"))
    assert sept[("执法·用人单位", "发现假冒证件（人）")] == (2, 2)
    assert sept[("执法·用人单位", "责令整改（家）")] == (1, 1)
    assert sept[("执法·用人单位", "停产整顿（家）")] == (1, 1)
    # 20,000 for the act and 100,000 with the suspension after the failed rectification (第97条).
    assert sept[("执法·用人单位", "行政罚款（元）")] == ("120000.00", "120000.00")
    assert sept[("执法·用人单位", "移送公安（人）")] == (1, 1)
    assert sept[("执法·安全培训机构", "发现假冒证件（人）")] == (1, 1)
    assert sept[("执法·安全培训机构", "责令整改（家）")] == (1, 1)
    assert sept[("执法·安全培训机构", "停产整顿（家）")] == (0, 0)
    assert sept[("执法·安全培训机构", "行政罚款（元）")] == ("15000.00", "15000.00")
    assert sept[("执法·安全培训机构", "移送公安（人）")] == (0, 0)
    assert sept[("执法·假冒网站", "发现假冒网站（家）")] == (1, 1)
    assert sept[("执法·假冒网站", "封堵网站（家）")] == (1, 1)
    assert sept[("执法·违法中介", "查处违法中介（家）")] == (1, 1)
    assert sept[("执法·违法中介", "责令整改（家）")] == (1, 1)
    assert sept[("执法·违法中介", "行政罚款（元）")] == ("10000.00", "10000.00")
    assert sept[("执法·违法中介", "移送公安（人）")] == (1, 1)

    octo = cells(get(api, "guangzhou.supervisor", "440100", "2018-10"))
    assert octo[("执法·用人单位", "发现假冒证件（人）")] == (1, 3)
    assert octo[("执法·用人单位", "责令整改（家）")] == (1, 1)  # case A again: one distinct case
    assert octo[("执法·用人单位", "停产整顿（家）")] == (0, 1)
    assert octo[("执法·用人单位", "行政罚款（元）")] == ("5000.00", "125000.00")
    assert octo[("执法·用人单位", "移送公安（人）")] == (0, 1)
    assert octo[("执法·违法中介", "查处违法中介（家）")] == (0, 1)
    assert octo[("执法·假冒网站", "封堵网站（家）")] == (0, 1)
    assert len(get(api, "guangzhou.supervisor", "440100", "2018-10")["rows"]) == 8 + 16


def test_the_province_is_the_sum_of_what_its_cities_submitted(api, scenario):
    gz = cells(get(api, "gd.supervisor", "440100", "2018-09"))
    sz = cells(get(api, "gd.supervisor", "440300", "2018-09"))
    # Before the cities submit, the province's sum holds nothing, and says who is missing.
    before = get(api, "gd.supervisor", "440000", "2018-09")
    assert all(not (Decimal(str(r["month"])) or Decimal(str(r["cumulative"]))) for r in before["rows"])
    assert {"广州市", "深圳市"} <= set(before["not_submitted"]) and len(before["not_submitted"]) == 21
    for user, code in (("guangzhou.supervisor", "440100"), ("shenzhen.supervisor", "440300")):
        r = api(user).post(
            "/api/v1/reports/monthly/submit/",
            {"region": code, "month": "2018-09", "narrative": "本月工作情况", "reviewer": "王审核"},
            format="json",
        )
        assert r.status_code == 200, r.content
    report = get(api, "gd.supervisor", "440000", "2018-09")
    assert "广州市" not in report["not_submitted"] and len(report["not_submitted"]) == 19
    assert {c["name"]: c["figures"] for c in report["cities"]}["深圳市"] == "submitted"
    gd = cells(report)
    assert sz[("执法·用人单位", "行政罚款（元）")] == ("30000.00", "30000.00")  # 23:30 on 25 September
    for key, (month, cumulative) in gd.items():
        if "元" in key[1]:
            assert Decimal(month) == Decimal(gz[key][0]) + Decimal(sz[key][0])
        else:
            assert month == gz[key][0] + sz[key][0] and cumulative == gz[key][1] + sz[key][1]
    assert gd[("执法·用人单位", "发现假冒证件（人）")] == (3, 3)
    # October, not yet submitted by either: nothing this month, and the province's 累计 does not fall
    # back to zero — each city's stands as it last submitted it, and the report says from when.
    october = get(api, "gd.supervisor", "440000", "2018-10")
    oct_cells = cells(october)
    assert oct_cells[("执法·用人单位", "发现假冒证件（人）")] == (0, 3)
    assert oct_cells[("执法·用人单位", "行政罚款（元）")] == ("0.00", gd[("执法·用人单位", "行政罚款（元）")][1])
    assert {c["name"]: c["month"] for c in october["carried"]} == {"广州市": "2018-09", "深圳市": "2018-09"}
    assert {c["name"]: c["cumulative_from"] for c in october["cities"]}["佛山市"] == ""


def test_a_city_outside_sees_nothing(api, scenario):
    assert (
        api("shenzhen.supervisor").get("/api/v1/reports/monthly/", {"region": "440100", "month": "2018-09"}).status_code
        == 404
    )
    assert (
        api("guangzhou.supervisor")
        .get("/api/v1/reports/monthly/", {"region": "440000", "month": "2018-09"})
        .status_code
        == 404
    )
    assert (
        api("guangzhou.head").get("/api/v1/reports/monthly/", {"region": "440100", "month": "2018-09"}).status_code
        == 404
    )
    r = api("guangzhou.supervisor").get("/api/v1/reports/monthly/", {"region": "440100", "month": "Sept"})
    assert r.status_code == 400 and "month" in r.json()
    r = api("guangzhou.supervisor").get("/api/v1/reports/monthly/", {"region": "440100", "month": "2026-01"})
    assert r.status_code == 400


def test_the_xlsx_reads_back_like_the_paper_form(api, scenario):
    query = {"region": "440100", "month": "2018-09", "format": "xlsx"}
    draft = load_workbook(io.BytesIO(api("guangzhou.supervisor").get("/api/v1/reports/monthly/", query).content)).active
    # Not submitted: a draft, and it says so in its title and under the form.
    assert draft["A1"].value == "广东省打击假冒特种作业操作证专项治理情况统计表（草稿·未报送）"
    assert any("尚未报送" in str(c.value or "") for row in draft.iter_rows() for c in row)
    body = {"region": "440100", "month": "2018-09", "narrative": "本月工作情况", "reviewer": "王审核"}
    assert api("guangzhou.supervisor").post("/api/v1/reports/monthly/submit/", body, format="json").status_code == 200
    r = api("guangzhou.supervisor").get("/api/v1/reports/monthly/", query)
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == "广东省打击假冒特种作业操作证专项治理情况统计表"
    assert [ws.cell(3, c).value for c in (1, 3, 4, 5)] == ["类别", "项目", "本月数据", "累计数据"]
    assert ws["A4"].value == "自查自纠情况" and ws["B4"].value == "用人单位"
    labels = {ws.cell(row, 3).value: row for row in range(4, ws.max_row + 1) if ws.cell(row, 3).value}
    enforcement_first = next(row for row in range(4, ws.max_row + 1) if ws.cell(row, 1).value == "执法情况")
    fine_row = next(row for row in range(enforcement_first, ws.max_row) if ws.cell(row, 3).value == "行政罚款（元）")
    assert ws.cell(fine_row, 4).value == 120000 and ws.cell(fine_row, 4).number_format == "#,##0.00"
    # The block the stamped copy is signed in, under the form.
    block = [ws.cell(row, 1).value for row in range(ws.max_row - 4, ws.max_row + 1)]
    assert block == ["填报单位（盖章）", "填表人", "审核人", "联系电话", "填报日期"]
    assert ws.cell(ws.max_row - 4, 2).value == "广州市安全生产委员会办公室"
    last_of_form = ws.max_row - 6
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert "A1:E1" in merged and f"A{enforcement_first}:A{last_of_form}" in merged
    assert labels
    # The form and its signing block print on one A4 page, the city's and the province's.
    for region in ("440100", "440000"):
        r = api("gd.supervisor").get("/api/v1/reports/monthly/", query | {"region": region, "format": "pdf"})
        assert r.status_code == 200 and r.content.startswith(b"%PDF-")
        pages = list(extract_pages(io.BytesIO(r.content)))
        assert len(pages) == 1, region
        text = extract_text(io.BytesIO(r.content))
        assert "填报日期" in text and "联系电话" in text
    assert "未报送、本月未计入" in text  # the province's sum says whose figures it leaves out


def test_the_command_writes_each_format(tmp_path, scenario):
    for kind in ("json", "xlsx", "pdf"):
        target = tmp_path / f"form.{kind}"
        call_command("monthly_report", region="440100", month="2018-09", format=kind, output=str(target))
        assert target.stat().st_size > 500


def test_self_inspection_is_entered_validated_and_summed(api):
    client = api("guangzhou.supervisor")
    body = {
        "region": "440100",
        "month": "2018-09",
        "employers": 120,
        "employer_fake_found": 5,
        "employer_reported": 4,
        "institutions": 3,
        "filled_by": "李明",
        "phone": "020-83135469",
    }
    r = client.put("/api/v1/reports/self-inspection/", body, format="json")
    assert r.status_code == 200, r.content
    r = client.put(
        "/api/v1/reports/self-inspection/",
        body | {"month": "2018-10", "employers": 80, "employer_fake_found": 2, "employer_reported": 2},
        format="json",
    )
    octo = cells(r.json())
    assert octo[("自查自纠·用人单位", "用人单位（家）")] == (80, 200)
    assert octo[("自查自纠·用人单位", "发现假冒证件（人）")] == (2, 7)
    assert octo[("自查自纠·用人单位", "上报处理（人）")] == (2, 6)
    assert r.json()["filled_by"] == "李明"
    r = client.put("/api/v1/reports/self-inspection/", body | {"employer_reported": 9}, format="json")
    assert r.status_code == 400 and "上报" not in r.json() and "employer_reported" in r.json()
    assert "More reported" in r.json()["employer_reported"][0] or "多于" in r.json()["employer_reported"][0]
    r = client.put("/api/v1/reports/self-inspection/", body | {"employers": -1}, format="json")
    assert r.status_code == 400 and "employers" in r.json()
    r = client.put("/api/v1/reports/self-inspection/", body | {"employers": 0}, format="json")
    assert r.status_code == 400 and "employers" in r.json()
    assert api("gd.supervisor").put("/api/v1/reports/self-inspection/", body, format="json").status_code == 403
    assert api("shenzhen.supervisor").put("/api/v1/reports/self-inspection/", body, format="json").status_code == 404


def test_the_city_form_costs_the_same_queries_for_few_and_many_cases(api, scenario):
    client = api("guangzhou.supervisor")

    def count():
        client.get("/api/v1/reports/monthly/", {"region": "440100", "month": "2018-09"})
        with CaptureQueriesContext(connection) as ctx:
            client.get("/api/v1/reports/monthly/", {"region": "440100", "month": "2018-09"})
        return len(ctx.captured_queries)

    few = count()
    with at(2018, 9, 21, 9):
        for _ in range(6):
            case = CaseFactory(status="open")
            finding(case, "forged_certificate", add_person(case))
            rectify(case)
    assert count() == few
    assert few <= 20
